/*
 * xmldoc.c: hostile-input-safe loading of a domain XML, with the byte
 * position of every element in the original text.
 *
 * libxml2 decides whether the document is acceptable; a small tokenizer
 * then walks the original bytes once to find where each element's tags
 * are, because libxml2 keeps no byte offsets. The two views are paired
 * in document order, so the tokenizer only has to be right for
 * documents libxml2 has already accepted.
 */
#include "xml/xmldoc.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/*
 * No network, no DTD loading, no default attributes from the DTD, no
 * entity substitution, no relaxed size limits. Line numbers above 65535
 * are kept so messages about big documents point at the right line.
 */
#define XMLDOC_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES)

/*
 * Whitespace between elements need not make text nodes (about a third
 * of the DOM): nothing reads them, and the writer takes layout from the
 * bytes. Whitespace libxml2 keeps (inside an element without child
 * elements, or beside text) is only ever part of a value with text. But
 * libxml2 keeps an element's line above 65535 in the text nodes around
 * it (XML_PARSE_BIG_LINES), so a document that long keeps them all.
 */
#define XMLDOC_NOBLANKS_MAX_LINES 65535u

static bool fewer_lines_than(const char *text, size_t len, size_t max)
{
    const char *p = text, *end = text + len;
    size_t lines = 1;

    while (lines < max && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines < max;
}

/* State shared by the SAX hooks and the error handler during a parse. */
struct parse_state {
    xmlParserCtxtPtr ctxt;
    struct diag *d;
    bool stopped; /* one of our own checks failed */
    size_t nelems;
    size_t nnodes; /* every kind of node, attributes included */
    unsigned depth;
    startElementNsSAX2Func start_element;
    endElementNsSAX2Func end_element;
    charactersSAXFunc characters;
    charactersSAXFunc whitespace;
    cdataBlockSAXFunc cdata;
    commentSAXFunc comment;
    processingInstructionSAXFunc pi;
    /* the first error libxml2 reported; fatal ones take precedence */
    bool have_error;
    bool error_fatal;
    unsigned error_line;
    char error_msg[256];
};

static unsigned current_line(const struct parse_state *st)
{
    if (st->ctxt && st->ctxt->input && st->ctxt->input->line > 0)
        return (unsigned)st->ctxt->input->line;
    return 0;
}

/* Stop libxml2 at the first limit we enforce ourselves. */
static void stop_with(struct parse_state *st, const char *element,
                      const char *msg)
{
    diag_fail(st->d, STATUS_INVALID, current_line(st), element, "%s", msg);
    st->stopped = true;
    xmlStopParser(st->ctxt);
}

/*
 * A 64 MiB document of "<!---->" would otherwise become nine million
 * DOM nodes (1.5 GB). False once the parse has been stopped.
 */
static bool count_nodes(struct parse_state *st, size_t n)
{
    char msg[96];

    if (st->stopped)
        return false;
    st->nnodes += n;
    if (st->nnodes <= XMLDOC_MAX_NODES)
        return true;
    snprintf(msg, sizeof(msg),
             "too many nodes: elements, attributes, text and comments "
             "(limit %u)",
             (unsigned)XMLDOC_MAX_NODES);
    stop_with(st, NULL, msg);
    return false;
}

/*
 * Counting in the SAX callbacks rather than afterwards means a hostile
 * document never gets to build more than the allowed number of nodes.
 */
static void count_start_element(void *ctx, const xmlChar *localname,
                                const xmlChar *prefix, const xmlChar *uri,
                                int nb_namespaces, const xmlChar **namespaces,
                                int nb_attributes, int nb_defaulted,
                                const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;
    char msg[64];

    if (!count_nodes(st, 1 + (size_t)nb_attributes + (size_t)nb_namespaces))
        return;
    if (++st->nelems > XMLDOC_MAX_ELEMENTS) {
        snprintf(msg, sizeof(msg), "too many elements (limit %u)",
                 (unsigned)XMLDOC_MAX_ELEMENTS);
        stop_with(st, NULL, msg);
        return;
    }
    if (++st->depth > XMLDOC_MAX_DEPTH) {
        snprintf(msg, sizeof(msg),
                 "elements nested too deeply (limit %u levels)",
                 (unsigned)XMLDOC_MAX_DEPTH);
        stop_with(st, (const char *)localname, msg);
        return;
    }
    st->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                      nb_attributes, nb_defaulted, attributes);
}

static void count_end_element(void *ctx, const xmlChar *localname,
                              const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (st->stopped)
        return;
    st->depth--;
    st->end_element(ctx, localname, prefix, uri);
}

/* Text arrives in chunks: each counts, which only overestimates. */
static void count_characters(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (count_nodes(st, 1) && st->characters)
        st->characters(ctx, ch, len);
}

static void count_whitespace(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (count_nodes(st, 1) && st->whitespace)
        st->whitespace(ctx, ch, len);
}

static void count_cdata(void *ctx, const xmlChar *value, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (count_nodes(st, 1) && st->cdata)
        st->cdata(ctx, value, len);
}

static void count_comment(void *ctx, const xmlChar *value)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (count_nodes(st, 1) && st->comment)
        st->comment(ctx, value);
}

static void count_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (count_nodes(st, 1) && st->pi)
        st->pi(ctx, target, data);
}

/*
 * Entities are the classic way to make a small document expand into a
 * huge one, and substituted text would break the byte splicing anyway,
 * so any declaration stops the parse right where it is.
 */
static void reject_entity_decl(void *ctx, const xmlChar *name, int type,
                               const xmlChar *public_id,
                               const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;
    char msg[200];

    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    snprintf(msg, sizeof(msg),
             "entity declarations are not allowed (DOCTYPE declares '%.64s')",
             (const char *)name);
    stop_with(st, NULL, msg);
}

#if LIBXML_VERSION >= 21200
static void remember_error(void *data, const xmlError *err)
#else
static void remember_error(void *data, xmlErrorPtr err)
#endif
{
    struct parse_state *st = data;
    size_t n;

    if (!err)
        return;
    /*
     * With an external subset, libxml2 only warns about an undefined
     * entity and silently drops it from the value: the DOM would then
     * disagree with the bytes, so it is fatal here.
     */
    if (err->code == XML_ERR_UNDECLARED_ENTITY ||
        err->code == XML_WAR_UNDECLARED_ENTITY) {
        if (!st->stopped) {
            diag_fail(st->d, STATUS_INVALID,
                      err->line > 0 ? (unsigned)err->line : 0, NULL,
                      "undefined entity reference (%s)",
                      err->str1 ? err->str1 : "?");
            st->stopped = true;
        }
        return;
    }
    if (err->level < XML_ERR_ERROR)
        return;
    if (st->have_error && (st->error_fatal || err->level != XML_ERR_FATAL))
        return;
    st->have_error = true;
    st->error_fatal = err->level == XML_ERR_FATAL;
    st->error_line = err->line > 0 ? (unsigned)err->line : 0;
    snprintf(st->error_msg, sizeof(st->error_msg), "%s",
             err->message ? err->message : "parse error");
    n = strlen(st->error_msg);
    while (n > 0 &&
           (st->error_msg[n - 1] == '\n' || st->error_msg[n - 1] == ' '))
        st->error_msg[--n] = '\0';
    /* some messages go on on a second line ("Bytes: 0x9E ...") */
    for (char *nl = st->error_msg; (nl = strchr(nl, '\n')) != NULL;)
        *nl = ' ';
}

/* libxml2 falls back to this for the few messages it does not route
 * through the structured handler. */
static void discard_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static bool encoding_name_ok(const char *name, size_t len)
{
    static const char *const ok[] = {"UTF-8", "UTF8", "US-ASCII", "ASCII"};
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (strlen(ok[i]) == len && strncasecmp(name, ok[i], len) == 0)
            return true;
    }
    return false;
}

static const char *find_bytes(const char *hay, const char *end,
                              const char *needle)
{
    size_t nlen = strlen(needle);

    while (hay < end && (size_t)(end - hay) >= nlen) {
        const char *p = memchr(hay, needle[0], (size_t)(end - hay));

        if (!p || (size_t)(end - p) < nlen)
            return NULL;
        if (memcmp(p, needle, nlen) == 0)
            return p;
        hay = p + 1;
    }
    return NULL;
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The writer splices ASCII text into the original bytes, which is only
 * correct for UTF-8 (or its ASCII subset). Checked before libxml2 sees
 * the text so it never converts anything.
 */
static int check_encoding(const char *text, size_t len, struct diag *d)
{
    const unsigned char *u = (const unsigned char *)text;
    const char *p = text, *end = text + len, *decl_end, *enc;
    char quote;
    const char *value;

    if ((len >= 2 &&
         ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE))) ||
        (len >= 1 && u[0] == 0) || (len >= 2 && u[1] == 0))
        return diag_fail(d, STATUS_INVALID, 1, NULL,
                         "UTF-16 and UTF-32 input is not supported; "
                         "convert the document to UTF-8");

    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        p += 3;
    if (end - p < 6 || memcmp(p, "<?xml", 5) != 0 || !is_xml_space(p[5]))
        return 0;
    decl_end = find_bytes(p, end, "?>");
    if (!decl_end)
        return 0; /* libxml2 will say what is wrong */
    enc = find_bytes(p, decl_end, "encoding");
    if (!enc)
        return 0;
    p = enc + strlen("encoding");
    while (p < decl_end && is_xml_space(*p))
        p++;
    if (p >= decl_end || *p != '=')
        return 0;
    p++;
    while (p < decl_end && is_xml_space(*p))
        p++;
    if (p >= decl_end || (*p != '\'' && *p != '"'))
        return 0;
    quote = *p++;
    value = p;
    while (p < decl_end && *p != quote)
        p++;
    if (encoding_name_ok(value, (size_t)(p - value)))
        return 0;
    return diag_fail(d, STATUS_INVALID, 1, NULL,
                     "encoding '%.*s' is not supported; "
                     "convert the document to UTF-8",
                     (int)(p - value > 64 ? 64 : p - value), value);
}

/* The document, and how many elements it has in *nelems. */
static xmlDocPtr run_libxml2(const char *text, size_t len, size_t *nelems,
                             struct diag *d)
{
    struct parse_state st;
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc = NULL;

    memset(&st, 0, sizeof(st));
    st.d = d;
    if (len == 0) {
        diag_fail(d, STATUS_INVALID, 0, NULL,
                  "not well-formed XML: the document is empty");
        return NULL;
    }
    ctxt = xmlCreateMemoryParserCtxt(text, (int)len);
    if (!ctxt) {
        diag_fail(d, STATUS_INVALID, 0, NULL, "cannot create XML parser");
        return NULL;
    }
    st.ctxt = ctxt;
    xmlCtxtUseOptions(
        ctxt, XMLDOC_PARSE_OPTIONS |
                  (fewer_lines_than(text, len, XMLDOC_NOBLANKS_MAX_LINES)
                       ? XML_PARSE_NOBLANKS
                       : 0));
    /* do not trust global defaults someone may have changed */
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    ctxt->_private = &st;
    st.start_element = ctxt->sax->startElementNs;
    st.end_element = ctxt->sax->endElementNs;
    ctxt->sax->startElementNs = count_start_element;
    ctxt->sax->endElementNs = count_end_element;
    st.characters = ctxt->sax->characters;
    st.whitespace = ctxt->sax->ignorableWhitespace;
    st.cdata = ctxt->sax->cdataBlock;
    st.comment = ctxt->sax->comment;
    st.pi = ctxt->sax->processingInstruction;
    ctxt->sax->characters = count_characters;
    ctxt->sax->ignorableWhitespace = count_whitespace;
    ctxt->sax->cdataBlock = count_cdata;
    ctxt->sax->comment = count_comment;
    ctxt->sax->processingInstruction = count_pi;
    ctxt->sax->entityDecl = reject_entity_decl;

    xmlSetStructuredErrorFunc(&st, remember_error);
    xmlSetGenericErrorFunc(NULL, discard_generic_error);
    xmlParseDocument(ctxt);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);

    if (!st.stopped && (!ctxt->wellFormed || !ctxt->myDoc)) {
        if (st.have_error)
            diag_fail(d, STATUS_INVALID, st.error_line, NULL,
                      "not well-formed XML: %s", st.error_msg);
        else
            diag_fail(d, STATUS_INVALID, current_line(&st), NULL,
                      "not well-formed XML");
    }
    if (!st.stopped && ctxt->wellFormed && ctxt->myDoc) {
        doc = ctxt->myDoc;
        ctxt->myDoc = NULL;
        *nelems = st.nelems;
    }
    if (ctxt->myDoc)
        xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static unsigned node_line(xmlNodePtr node)
{
    long line = xmlGetLineNo(node);

    return line > 0 ? (unsigned)line : 0;
}

/* A second line of defence behind reject_entity_decl(). */
static int check_no_entity_decls(xmlDocPtr doc, struct diag *d)
{
    xmlDtdPtr dtd = doc->intSubset;
    xmlNodePtr n;

    if (!dtd)
        return 0;
    for (n = dtd->children; n; n = n->next) {
        if (n->type == XML_ENTITY_DECL)
            return diag_fail(d, STATUS_INVALID, 0, NULL,
                             "entity declarations are not allowed");
    }
    if (dtd->entities || dtd->pentities)
        return diag_fail(d, STATUS_INVALID, 0, NULL,
                         "entity declarations are not allowed");
    return 0;
}

static int check_encoding_declared(xmlDocPtr doc, struct diag *d)
{
    const char *enc = (const char *)doc->encoding;

    if (!enc || encoding_name_ok(enc, strlen(enc)))
        return 0;
    return diag_fail(d, STATUS_INVALID, 1, NULL,
                     "encoding '%.64s' is not supported; "
                     "convert the document to UTF-8",
                     enc);
}

static int reject_entity_ref(xmlNodePtr ref, xmlNodePtr owner, struct diag *d)
{
    return diag_fail(
        d, STATUS_INVALID, node_line(owner), (const char *)owner->name,
        "entity reference '&%.64s;' is not allowed", (const char *)ref->name);
}

static int check_attr_values(xmlNodePtr elem, struct diag *d)
{
    xmlAttrPtr a;
    xmlNodePtr v;

    for (a = elem->properties; a; a = a->next) {
        for (v = a->children; v; v = v->next) {
            if (v->type == XML_ENTITY_REF_NODE)
                return reject_entity_ref(v, elem, d);
        }
    }
    return 0;
}

/* Positions must fit the table's 32 bits, XMLDOC_NONE apart. */
_Static_assert(XMLDOC_MAX_BYTES < UINT32_MAX &&
                   XMLDOC_MAX_ELEMENTS < UINT32_MAX,
               "element table offsets are 32 bits");
/* The table is per element of hostile input: keep it small (LP64). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct xml_elem) == 48,
               "struct xml_elem is 48 bytes an element");

/* Anything but elements and blank text: libvirt (and --strip) treat
 * such an element as having content. */
static bool has_mixed_content(xmlNodePtr elem)
{
    for (xmlNodePtr c = elem->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE &&
            (c->type != XML_TEXT_NODE || !xmlIsBlankNode(c)))
            return true;
    }
    return false;
}

static uint32_t index_of(xmlNodePtr n)
{
    return (uint32_t)((uintptr_t)n->_private - 1);
}

/* Link element 'i' (node n) into its parent's list of children. Its
 * parent and any earlier sibling come earlier in document order, so
 * they are in the table already. */
static void link_element(struct xmldoc *xd, size_t i, xmlNodePtr n)
{
    struct xml_elem *e = &xd->elems[i];
    xmlNodePtr prev = n->prev;

    e->parent = e->first_child = e->next_sibling = XMLDOC_NONE;
    e->mixed = has_mixed_content(n);
    if (i == 0 || !n->parent || n->parent->type != XML_ELEMENT_NODE)
        return;
    e->parent = index_of(n->parent);
    while (prev && prev->type != XML_ELEMENT_NODE)
        prev = prev->prev;
    if (prev)
        xd->elems[index_of(prev)].next_sibling = (uint32_t)i;
    else
        xd->elems[e->parent].first_child = (uint32_t)i;
}

static xmlNodePtr next_in_document_order(xmlNodePtr node, xmlNodePtr root)
{
    if (node->type == XML_ELEMENT_NODE && node->children)
        return node->children;
    while (node && node != root) {
        if (node->next)
            return node->next;
        node = node->parent;
    }
    return NULL;
}

/*
 * Collect the elements in document order, and make sure no entity
 * reference survived (their text would not be in the original bytes).
 */
static int collect_elements(struct xmldoc *xd, xmlNodePtr root, size_t count,
                            struct diag *d)
{
    /* the parser counted them: the table is allocated once */
    size_t cap = count ? count : 1;
    xmlNodePtr n;

    xd->elems = xreallocarray(NULL, cap, sizeof(*xd->elems));
    xd->nelems = 0;
    for (n = root; n; n = next_in_document_order(n, root)) {
        if (n->type == XML_ENTITY_REF_NODE)
            return reject_entity_ref(n, n->parent ? n->parent : root, d);
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (check_attr_values(n, d) < 0)
            return -1;
        if (xd->nelems == cap) {
            cap *= 2;
            xd->elems = xreallocarray(xd->elems, cap, sizeof(*xd->elems));
        }
        memset(&xd->elems[xd->nelems], 0, sizeof(*xd->elems));
        xd->elems[xd->nelems].node = n;
        n->_private = (void *)(uintptr_t)(xd->nelems + 1);
        link_element(xd, xd->nelems, n);
        xd->nelems++;
    }
    return 0;
}

/* ---- the byte tokenizer ---- */

struct scanner {
    const char *text;
    size_t len;
    size_t pos;
    size_t nquotes[2]; /* attribute values in start tags: ' and " */
};

static int internal_error(struct diag *d, const char *what)
{
    return diag_fail(d, STATUS_INVALID, 0, NULL,
                     "internal error: cannot locate element tags (%s)", what);
}

/* Move past the first occurrence of 'terminator' at or after pos. */
static bool skip_past(struct scanner *sc, const char *terminator)
{
    const char *p =
        find_bytes(sc->text + sc->pos, sc->text + sc->len, terminator);

    if (!p)
        return false;
    sc->pos = (size_t)(p - sc->text) + strlen(terminator);
    return true;
}

/* sc->pos is at an opening quote; move past the closing one. */
static bool skip_quoted(struct scanner *sc)
{
    char quote = sc->text[sc->pos];
    const char *p =
        memchr(sc->text + sc->pos + 1, quote, sc->len - sc->pos - 1);

    if (!p)
        return false;
    sc->pos = (size_t)(p - sc->text) + 1;
    return true;
}

static bool starts_with(const struct scanner *sc, const char *s)
{
    size_t n = strlen(s);

    return sc->len - sc->pos >= n && memcmp(sc->text + sc->pos, s, n) == 0;
}

/* The internal subset may hold quoted '>' and ']' and comments. */
static bool skip_internal_subset(struct scanner *sc)
{
    sc->pos++; /* '[' */
    while (sc->pos < sc->len) {
        char c = sc->text[sc->pos];

        if (starts_with(sc, "<!--")) {
            if (!skip_past(sc, "-->"))
                return false;
        } else if (starts_with(sc, "<?")) {
            if (!skip_past(sc, "?>"))
                return false;
        } else if (c == '"' || c == '\'') {
            if (!skip_quoted(sc))
                return false;
        } else if (c == ']') {
            sc->pos++;
            return true;
        } else {
            sc->pos++;
        }
    }
    return false;
}

static bool skip_doctype(struct scanner *sc)
{
    sc->pos += strlen("<!DOCTYPE");
    while (sc->pos < sc->len) {
        char c = sc->text[sc->pos];

        if (c == '"' || c == '\'') {
            if (!skip_quoted(sc))
                return false;
        } else if (c == '[') {
            if (!skip_internal_subset(sc))
                return false;
        } else if (c == '>') {
            sc->pos++;
            return true;
        } else {
            sc->pos++;
        }
    }
    return false;
}

/* sc->pos is at '<' of a start tag; stop after its '>'. */
static bool scan_start_tag(struct scanner *sc, struct xml_elem *e)
{
    e->start = (uint32_t)sc->pos;
    e->quote = 0;
    sc->pos++;
    while (sc->pos < sc->len) {
        char c = sc->text[sc->pos];

        if (c == '"' || c == '\'') {
            if (!e->quote)
                e->quote = c;
            sc->nquotes[c == '"']++;
            if (!skip_quoted(sc))
                return false;
        } else if (c == '>') {
            e->stag_close = (uint32_t)sc->pos;
            e->empty = false;
            sc->pos++;
            return true;
        } else if (c == '/' && sc->pos + 1 < sc->len &&
                   sc->text[sc->pos + 1] == '>') {
            e->stag_close = (uint32_t)sc->pos;
            e->empty = true;
            e->etag = XMLDOC_NONE;
            sc->pos += 2;
            e->end = (uint32_t)sc->pos;
            return true;
        } else {
            sc->pos++;
        }
    }
    return false;
}

static size_t indent_start(const char *text, size_t start)
{
    size_t p = start;

    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t'))
        p--;
    if (p == 0 || text[p - 1] == '\n')
        return p;
    return start;
}

/* The tag must name the element libxml2 put at this position; where
 * its local name is goes into e. */
static bool tag_matches_node(const char *text, size_t len, struct xml_elem *e)
{
    const char *name = (const char *)e->node->name;
    const char *p = text + e->start + 1;
    size_t avail = len - e->start - 1;
    size_t n;

    if (e->node->ns && e->node->ns->prefix) {
        const char *prefix = (const char *)e->node->ns->prefix;

        n = strlen(prefix);
        if (avail < n + 1 || memcmp(p, prefix, n) != 0 || p[n] != ':')
            return false;
        p += n + 1;
        avail -= n + 1;
    }
    n = strlen(name);
    if (n > UINT16_MAX || avail <= n || memcmp(p, name, n) != 0)
        return false;
    e->name = (uint32_t)(p - text);
    e->name_len = (uint16_t)n;
    return is_xml_space(p[n]) || p[n] == '>' || p[n] == '/';
}

static int locate_tags(struct xmldoc *xd, struct diag *d)
{
    struct scanner sc = {xd->text, xd->len, 0, {0, 0}};
    size_t stack[XMLDOC_MAX_DEPTH + 1];
    size_t depth = 0, next = 0;

    while (sc.pos < sc.len) {
        const char *lt = memchr(sc.text + sc.pos, '<', sc.len - sc.pos);
        bool ok = true;

        if (!lt)
            break;
        sc.pos = (size_t)(lt - sc.text);
        if (starts_with(&sc, "<!--")) {
            ok = skip_past(&sc, "-->");
        } else if (starts_with(&sc, "<![CDATA[")) {
            ok = skip_past(&sc, "]]>");
        } else if (starts_with(&sc, "<!DOCTYPE")) {
            ok = skip_doctype(&sc);
        } else if (starts_with(&sc, "<?")) {
            ok = skip_past(&sc, "?>");
        } else if (starts_with(&sc, "</")) {
            struct xml_elem *e;

            if (depth == 0)
                return internal_error(d, "unbalanced end tag");
            e = &xd->elems[stack[--depth]];
            e->etag = (uint32_t)sc.pos;
            ok = skip_past(&sc, ">");
            e->end = (uint32_t)sc.pos;
        } else {
            struct xml_elem *e;

            if (next >= xd->nelems)
                return internal_error(d, "more tags than elements");
            e = &xd->elems[next];
            if (!scan_start_tag(&sc, e) ||
                !tag_matches_node(xd->text, xd->len, e))
                return internal_error(d, "start tag mismatch");
            e->indent = (uint32_t)indent_start(xd->text, e->start);
            if (!e->empty) {
                if (depth > XMLDOC_MAX_DEPTH)
                    return internal_error(d, "too deep");
                stack[depth++] = next;
            }
            next++;
        }
        if (!ok)
            return internal_error(d, "unterminated markup");
    }
    if (next != xd->nelems || depth != 0)
        return internal_error(d, "element count mismatch");
    /* a tie goes to libvirt's single quote */
    if (sc.nquotes[0] || sc.nquotes[1])
        xd->quote = sc.nquotes[1] > sc.nquotes[0] ? '"' : '\'';
    return 0;
}

/* sc->pos is at '<' of a start tag: attributes up to its end. Outside
 * quoted values a tag has one '=' per attribute (namespaces included). */
static size_t count_tag_attributes(struct scanner *sc)
{
    size_t n = 0;

    sc->pos++;
    while (sc->pos < sc->len) {
        char c = sc->text[sc->pos];

        if (c == '"' || c == '\'') {
            if (!skip_quoted(sc))
                break;
            continue;
        }
        sc->pos++;
        if (c == '>')
            break;
        n += c == '=';
    }
    return n;
}

static unsigned line_at(const char *text, size_t pos)
{
    unsigned line = 1;

    for (const char *p = text; (p = memchr(p, '\n', pos - (size_t)(p - text)));
         p++)
        line++;
    return line;
}

/*
 * libxml2 2.9 checks every attribute of a start tag against all the
 * earlier ones: one tag with 300,000 attributes (3 MB) takes minutes.
 * So the raw bytes are scanned first, before libxml2 sees them. For a
 * malformed document the count may be off; libxml2 rejects it anyway.
 */
static int check_attribute_counts(const char *text, size_t len, struct diag *d)
{
    struct scanner sc = {text, len, 0, {0, 0}};

    while (sc.pos < sc.len) {
        const char *lt = memchr(sc.text + sc.pos, '<', sc.len - sc.pos);
        size_t start;
        bool ok = true;

        if (!lt)
            break;
        start = sc.pos = (size_t)(lt - sc.text);
        if (starts_with(&sc, "<!--"))
            ok = skip_past(&sc, "-->");
        else if (starts_with(&sc, "<![CDATA["))
            ok = skip_past(&sc, "]]>");
        else if (starts_with(&sc, "<!DOCTYPE"))
            ok = skip_doctype(&sc);
        else if (starts_with(&sc, "<?"))
            ok = skip_past(&sc, "?>");
        else if (starts_with(&sc, "</"))
            ok = skip_past(&sc, ">");
        else if (count_tag_attributes(&sc) > XMLDOC_MAX_ATTRIBUTES)
            return diag_fail(d, STATUS_INVALID, line_at(text, start), NULL,
                             "an element has too many attributes (limit %u)",
                             (unsigned)XMLDOC_MAX_ATTRIBUTES);
        if (!ok)
            break; /* unterminated: libxml2 says what is wrong */
    }
    return 0;
}

/* The ending of the line whose '\n' is at 'nl'. */
static const char *ending_at(const char *text, size_t nl)
{
    return nl > 0 && text[nl - 1] == '\r' ? "\r\n" : "\n";
}

static const char *detect_newline(const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);

    return nl ? ending_at(text, (size_t)(nl - text)) : "\n";
}

static size_t find_last_newline(const char *text, size_t len)
{
    size_t p = len;

    while (p > 0 && text[p - 1] != '\n')
        p--;
    return p > 0 ? p - 1 : len;
}

static int check_root(xmlDocPtr doc, struct diag *d)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    if (!root)
        return diag_fail(d, STATUS_INVALID, 0, NULL, "no root element");
    if (!xmlStrEqual(root->name, BAD_CAST "domain"))
        return diag_fail(d, STATUS_INVALID, node_line(root),
                         (const char *)root->name,
                         "root element must be <domain>");
    return 0;
}

static int load(struct xmldoc *xd, struct diag *d)
{
    size_t nelems = 0;

    if (check_encoding(xd->text, xd->len, d) < 0 ||
        check_attribute_counts(xd->text, xd->len, d) < 0)
        return -1;
    xd->doc = run_libxml2(xd->text, xd->len, &nelems, d);
    if (!xd->doc)
        return -1;
    if (check_no_entity_decls(xd->doc, d) < 0 ||
        check_encoding_declared(xd->doc, d) < 0 || check_root(xd->doc, d) < 0)
        return -1;
    if (collect_elements(xd, xmlDocGetRootElement(xd->doc), nelems, d) < 0)
        return -1;
    if (locate_tags(xd, d) < 0)
        return -1;
    xd->newline = detect_newline(xd->text, xd->len);
    xd->last_nl = find_last_newline(xd->text, xd->len);
    return 0;
}

/*
 * On failure everything, 'text' included, is freed and *xd is left
 * zeroed, so xmldoc_free() is safe (and unnecessary) afterwards.
 */
int xmldoc_parse(struct xmldoc *xd, char *text, size_t len, struct diag *d)
{
    memset(xd, 0, sizeof(*xd));
    xd->newline = "\n";
    if (len > XMLDOC_MAX_BYTES) {
        free(text);
        return diag_fail(d, STATUS_INVALID, 0, NULL,
                         "input too large (limit %u bytes)",
                         (unsigned)XMLDOC_MAX_BYTES);
    }
    /* the header promises a NUL-terminated copy */
    xd->text = xreallocarray(text, len + 1, 1);
    xd->text[len] = '\0';
    xd->len = len;
    if (load(xd, d) < 0) {
        xmldoc_free(xd);
        return -1;
    }
    return 0;
}

const char *xmldoc_newline_at(const struct xmldoc *xd, size_t off)
{
    const char *nl;

    assert(off <= xd->len);
    if (off > 0 && xd->text[off - 1] == '\n')
        return ending_at(xd->text, off - 1);
    /* the last line is the only one without a '\n' ahead */
    if (xd->last_nl == xd->len || off > xd->last_nl)
        return xd->last_nl < xd->len ? ending_at(xd->text, xd->last_nl)
                                     : xd->newline;
    nl = memchr(xd->text + off, '\n', xd->len - off);
    assert(nl);
    return ending_at(xd->text, (size_t)(nl - xd->text));
}

long xmldoc_elem_index(const struct xmldoc *xd, xmlNodePtr node)
{
    uintptr_t tag;

    if (!xd || !xd->doc || !node || node->type != XML_ELEMENT_NODE)
        return -1;
    tag = (uintptr_t)node->_private;
    if (tag == 0 || tag > xd->nelems || xd->elems[tag - 1].node != node)
        return -1;
    return (long)(tag - 1);
}

void xmldoc_drop_dom(struct xmldoc *xd)
{
    if (!xd->doc)
        return;
    xmlFreeDoc(xd->doc);
    xd->doc = NULL;
    for (size_t i = 0; i < xd->nelems; i++)
        xd->elems[i].node = NULL;
}

bool xmldoc_name_is(const struct xmldoc *xd, long idx, const char *name)
{
    const struct xml_elem *e;

    assert(idx >= 0 && (size_t)idx < xd->nelems);
    e = &xd->elems[idx];
    return strlen(name) == e->name_len &&
           memcmp(xd->text + e->name, name, e->name_len) == 0;
}

void xmldoc_free(struct xmldoc *xd)
{
    if (!xd)
        return;
    if (xd->doc)
        xmlFreeDoc(xd->doc);
    free(xd->elems);
    free(xd->text);
    memset(xd, 0, sizeof(*xd));
    xd->newline = "\n";
}
