/*
 * xmldoc.c: hostile-input-safe loading of a domain XML, with the byte
 * position of every element in the original text.
 *
 * libxml2 decides whether the document is acceptable; it builds no tree:
 * SAX hooks fill a table of elements (tree links and line) and, beside
 * it, their attribute values and text, read once by the model and then
 * freed. A small tokenizer then walks the original bytes once to find
 * where each element's tags are, because libxml2 keeps no byte offsets.
 * The two views are paired in document order, so the tokenizer only has
 * to be right for documents libxml2 has already accepted.
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
#include <libxml/dict.h>
#include <libxml/valid.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

/*
 * No network, no DTD loading, no default attributes from the DTD, no
 * entity substitution, no relaxed size limits; line numbers above 65535
 * counted.
 */
#define XMLDOC_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES)

struct xml_values {
    xmlDictPtr dict;        /* the parser's names, kept alive */
    xmlDocPtr dtd;          /* no element: the DOCTYPE's declarations */
    const char **names;     /* the local name of each element */
    const char **prefixes;  /* its prefix, NULL without (DTD defaults) */
    struct xml_attr *attrs; /* of every element, in document order */
    size_t nattrs, attrs_cap;
    char *pool; /* attribute values and text, NUL-terminated */
    size_t pool_len, pool_cap;
    struct xml_text *runs; /* character data in document order */
    size_t nruns, runs_cap;
    uint32_t *text_first; /* an element's runs and its descendants' */
    uint32_t *text_end;
};

/* An attribute as libxml2 read it: character references resolved,
 * whitespace normalised. */
struct xml_attr {
    const char *name; /* the local name, from the parser's dictionary */
    uint32_t value;   /* offset of the value in the pool */
    bool prefixed;    /* in a namespace */
};

/* A run of character data (text or CDATA) directly inside 'owner'. */
struct xml_text {
    uint32_t owner;
    uint32_t off; /* in the pool */
    uint32_t len;
    bool blank;
};

/* State shared by the SAX hooks and the error handler during a parse. */
struct parse_state {
    xmlParserCtxtPtr ctxt;
    struct diag *d;
    struct xmldoc *xd;
    size_t elems_cap;
    bool stopped;  /* one of our own checks failed */
    size_t nnodes; /* every kind of node, attributes included */
    unsigned depth;
    /* the open elements, root first; their last child element so far */
    uint32_t open[XMLDOC_MAX_DEPTH + 1];
    uint32_t last_child[XMLDOC_MAX_DEPTH + 1];
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
 * Elements, attributes, text runs, comments: a 64 MiB document of
 * "<!---->" or of attributes would otherwise grow the tables without
 * bound. False once the parse has been stopped.
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

/* Room for 'n' more bytes in the pool; the offset they go to. */
static uint32_t pool_reserve(struct xml_values *v, size_t n)
{
    /* values and text are no longer than the text they come from, and
     * XMLDOC_MAX_NODES bounds the NULs between them */
    assert(v->pool_len + n < UINT32_MAX);
    if (v->pool_len + n > v->pool_cap) {
        v->pool_cap = v->pool_cap ? v->pool_cap * 2 : 4096;
        if (v->pool_cap < v->pool_len + n)
            v->pool_cap = v->pool_len + n;
        v->pool = xreallocarray(v->pool, v->pool_cap, 1);
    }
    return (uint32_t)v->pool_len;
}

/*
 * With entity substitution off, libxml2 hands over an attribute value
 * that had a reference with each '&' it resolved written as "&#38;"
 * (libxml2's tree builder re-reads such values); any other '&' starts a
 * reference to an entity, which is refused. 'out' has room for 'len'.
 */
static int decode_value(struct parse_state *st, const char *name, const char *s,
                        size_t len, char *out, size_t *outlen)
{
    size_t i = 0, n = 0;

    while (i < len) {
        const char *semi;

        if (s[i] != '&') {
            out[n++] = s[i++];
            continue;
        }
        if (len - i >= 5 && memcmp(s + i, "&#38;", 5) == 0) {
            out[n++] = '&';
            i += 5;
            continue;
        }
        semi = memchr(s + i, ';', len - i);
        diag_fail(st->d, STATUS_INVALID, current_line(st), name,
                  "entity reference '&%.*s;' is not allowed",
                  semi ? (int)(semi - s - i - 1 > 64 ? 64 : semi - s - i - 1)
                       : 0,
                  s + i + 1);
        st->stopped = true;
        xmlStopParser(st->ctxt);
        return -1;
    }
    *outlen = n;
    return 0;
}

/*
 * A name whose prefix is bound to no namespace keeps it, as libxml2's
 * tree (and so libvirt) has it: <foo:disk> is no <disk>.
 */
static const char *qualified_name(struct parse_state *st,
                                  const xmlChar *localname,
                                  const xmlChar *prefix, const xmlChar *uri)
{
    const xmlChar *q;

    if (!prefix || uri)
        return (const char *)localname;
    q = xmlDictQLookup(st->ctxt->dict, prefix, localname);
    if (!q)
        xalloc_die();
    return (const char *)q;
}

/* The attributes libxml2 read (5 pointers each: local name, prefix,
 * URI, value, end of value); not those defaulted from the DOCTYPE,
 * which xmldoc_attr() looks up there, as libxml2's tree does. */
static int add_attributes(struct parse_state *st, const xmlChar *elem,
                          int nb_attributes, int nb_defaulted,
                          const xmlChar **attributes)
{
    struct xml_values *v = st->xd->values;
    size_t n = (size_t)(nb_attributes - nb_defaulted);

    if (v->nattrs + n > v->attrs_cap) {
        v->attrs_cap = v->attrs_cap ? v->attrs_cap * 2 : 256;
        if (v->attrs_cap < v->nattrs + n)
            v->attrs_cap = v->nattrs + n;
        v->attrs = xreallocarray(v->attrs, v->attrs_cap, sizeof(*v->attrs));
    }
    for (size_t i = 0; i < n; i++) {
        const xmlChar **a = attributes + 5 * i;
        size_t len = (size_t)(a[4] - a[3]), outlen;
        uint32_t off = pool_reserve(v, len + 1);
        const char *name = qualified_name(st, a[0], a[1], a[2]);

        if (decode_value(st, (const char *)elem, (const char *)a[3], len,
                         v->pool + off, &outlen) < 0)
            return -1;
        v->pool[off + outlen] = '\0';
        v->pool_len += outlen + 1;
        v->attrs[v->nattrs++] =
            (struct xml_attr){name, off, a[1] != NULL && a[2] != NULL};
    }
    return 0;
}

static bool all_blank(const xmlChar *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    }
    return true;
}

/*
 * Blanks between child elements are layout, not text: runs of them at
 * the end of the parent's text go when a child begins, and none is kept
 * after the first child (as libxml2's tree leaves them out).
 */
static void drop_trailing_blanks(struct xml_values *v, uint32_t owner)
{
    while (v->nruns > v->text_first[owner] &&
           v->runs[v->nruns - 1].owner == owner &&
           v->runs[v->nruns - 1].blank) {
        const struct xml_text *r = &v->runs[--v->nruns];

        if (r->off + r->len == v->pool_len)
            v->pool_len = r->off;
    }
}

/* Grow the element table and its per-element arrays to hold one more. */
static struct xml_elem *new_element(struct parse_state *st)
{
    struct xmldoc *xd = st->xd;
    struct xml_values *v = xd->values;

    if (xd->nelems == st->elems_cap) {
        size_t cap = st->elems_cap ? st->elems_cap * 2 : 256;

        xd->elems = xreallocarray(xd->elems, cap, sizeof(*xd->elems));
        v->names = xreallocarray(v->names, cap, sizeof(*v->names));
        v->prefixes = xreallocarray(v->prefixes, cap, sizeof(*v->prefixes));
        v->text_first = xreallocarray(v->text_first, cap, sizeof(uint32_t));
        v->text_end = xreallocarray(v->text_end, cap, sizeof(uint32_t));
        st->elems_cap = cap;
    }
    memset(&xd->elems[xd->nelems], 0, sizeof(*xd->elems));
    return &xd->elems[xd->nelems];
}

/* Link the new element 'i' below the innermost open element. */
static void link_element(struct parse_state *st, uint32_t i)
{
    struct xml_elem *e = &st->xd->elems[i];

    e->parent = e->first_child = e->next_sibling = XMLDOC_NONE;
    if (st->depth == 0)
        return;
    e->parent = st->open[st->depth - 1];
    if (st->last_child[st->depth - 1] == XMLDOC_NONE)
        st->xd->elems[e->parent].first_child = i;
    else
        st->xd->elems[st->last_child[st->depth - 1]].next_sibling = i;
    st->last_child[st->depth - 1] = i;
}

/*
 * Checking the limits as elements arrive means a hostile document never
 * gets to fill more than the allowed number of entries.
 */
static bool element_allowed(struct parse_state *st, const xmlChar *localname,
                            int nb_attributes, int nb_namespaces)
{
    char msg[64];

    if (!count_nodes(st, 1 + (size_t)nb_attributes + (size_t)nb_namespaces))
        return false;
    if (st->xd->nelems >= XMLDOC_MAX_ELEMENTS) {
        snprintf(msg, sizeof(msg), "too many elements (limit %u)",
                 (unsigned)XMLDOC_MAX_ELEMENTS);
        stop_with(st, NULL, msg);
        return false;
    }
    if (st->depth >= XMLDOC_MAX_DEPTH) {
        snprintf(msg, sizeof(msg),
                 "elements nested too deeply (limit %u levels)",
                 (unsigned)XMLDOC_MAX_DEPTH);
        stop_with(st, (const char *)localname, msg);
        return false;
    }
    return true;
}

static void start_element(void *ctx, const xmlChar *localname,
                          const xmlChar *prefix, const xmlChar *uri,
                          int nb_namespaces, const xmlChar **namespaces,
                          int nb_attributes, int nb_defaulted,
                          const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;
    struct xml_values *v = st->xd->values;
    struct xml_elem *e;
    uint32_t i;

    (void)namespaces;
    if (!element_allowed(st, localname, nb_attributes, nb_namespaces))
        return;
    if (st->depth > 0)
        drop_trailing_blanks(v, st->open[st->depth - 1]);
    e = new_element(st);
    i = (uint32_t)st->xd->nelems;
    e->line = current_line(st);
    e->attr = (uint32_t)v->nattrs;
    v->names[i] = qualified_name(st, localname, prefix, uri);
    v->prefixes[i] = uri ? (const char *)prefix : NULL;
    v->text_first[i] = v->text_end[i] = (uint32_t)v->nruns;
    if (add_attributes(st, localname, nb_attributes, nb_defaulted, attributes) <
        0)
        return;
    st->xd->nelems++;
    link_element(st, i);
    st->open[st->depth] = i;
    st->last_child[st->depth] = XMLDOC_NONE;
    st->depth++;
}

static void end_element(void *ctx, const xmlChar *localname,
                        const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (st->stopped)
        return;
    assert(st->depth > 0);
    st->depth--;
    st->xd->values->text_end[st->open[st->depth]] =
        (uint32_t)st->xd->values->nruns;
}

/* Something besides elements and blanks is in the innermost element. */
static void mark_mixed(struct parse_state *st)
{
    if (st->depth > 0)
        st->xd->elems[st->open[st->depth - 1]].mixed = true;
}

/*
 * Character data of the innermost element. libxml2 delivers a run in
 * chunks: a chunk that continues the last run extends it.
 */
static void add_text(struct parse_state *st, const xmlChar *ch, size_t len,
                     bool cdata)
{
    struct xml_values *v = st->xd->values;
    bool blank = !cdata && all_blank(ch, len);
    uint32_t owner, off;
    struct xml_text *last;

    if (!blank)
        mark_mixed(st);
    if (st->depth == 0)
        return;
    owner = st->open[st->depth - 1];
    /* blanks after a child element are layout */
    if (blank && st->last_child[st->depth - 1] != XMLDOC_NONE)
        return;
    last = v->nruns > v->text_first[owner] ? &v->runs[v->nruns - 1] : NULL;
    off = pool_reserve(v, len);
    memcpy(v->pool + off, ch, len);
    v->pool_len += len;
    if (last && last->owner == owner && last->off + last->len == off) {
        last->len += (uint32_t)len;
        last->blank = last->blank && blank;
        return;
    }
    if (!count_nodes(st, 1))
        return;
    if (v->nruns == v->runs_cap) {
        v->runs_cap = v->runs_cap ? v->runs_cap * 2 : 256;
        v->runs = xreallocarray(v->runs, v->runs_cap, sizeof(*v->runs));
    }
    assert(v->runs && v->nruns < v->runs_cap);
    v->runs[v->nruns++] = (struct xml_text){owner, off, (uint32_t)len, blank};
}

static void characters(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (!st->stopped)
        add_text(st, ch, (size_t)len, false);
}

static void cdata_block(void *ctx, const xmlChar *value, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    if (!st->stopped)
        add_text(st, value, (size_t)len, true);
}

static void comment(void *ctx, const xmlChar *value)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    (void)value;
    if (count_nodes(st, 1))
        mark_mixed(st);
}

static void processing_instruction(void *ctx, const xmlChar *target,
                                   const xmlChar *data)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;

    (void)target;
    (void)data;
    if (count_nodes(st, 1))
        mark_mixed(st);
}

/* A reference to an entity libxml2 does not resolve itself: its text
 * would not be in the original bytes. */
static void reference(void *ctx, const xmlChar *name)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct parse_state *st = ctxt->_private;
    char msg[128];

    if (st->stopped)
        return;
    snprintf(msg, sizeof(msg), "entity reference '&%.64s;' is not allowed",
             (const char *)name);
    stop_with(st,
              st->depth ? st->xd->values->names[st->open[st->depth - 1]] : NULL,
              msg);
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
     * entity and silently drops it from the value: the value would then
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

/* Our hooks in place of the tree builder's; the DOCTYPE's declarations
 * still go to libxml2's own (a document node with the DTD only). */
static void install_hooks(xmlSAXHandlerPtr sax)
{
    sax->startElementNs = start_element;
    sax->endElementNs = end_element;
    sax->characters = characters;
    /* the same function: libxml2 then never asks its tree which blanks
     * are ignorable */
    sax->ignorableWhitespace = characters;
    sax->cdataBlock = cdata_block;
    sax->comment = comment;
    sax->processingInstruction = processing_instruction;
    sax->reference = reference;
    sax->entityDecl = reject_entity_decl;
}

static void report_not_well_formed(const struct parse_state *st)
{
    if (st->have_error)
        diag_fail(st->d, STATUS_INVALID, st->error_line, NULL,
                  "not well-formed XML: %s", st->error_msg);
    else
        diag_fail(st->d, STATUS_INVALID, current_line(st), NULL,
                  "not well-formed XML");
}

/* Parse xd->text into xd's tables. */
static int run_libxml2(struct xmldoc *xd, struct diag *d)
{
    struct parse_state st;
    xmlParserCtxtPtr ctxt;
    int rc = -1;

    memset(&st, 0, sizeof(st));
    st.d = d;
    st.xd = xd;
    if (xd->len == 0)
        return diag_fail(d, STATUS_INVALID, 0, NULL,
                         "not well-formed XML: the document is empty");
    ctxt = xmlCreateMemoryParserCtxt(xd->text, (int)xd->len);
    if (!ctxt)
        return diag_fail(d, STATUS_INVALID, 0, NULL,
                         "cannot create XML parser");
    st.ctxt = ctxt;
    xmlCtxtUseOptions(ctxt, XMLDOC_PARSE_OPTIONS);
    /* do not trust global defaults someone may have changed */
    ctxt->replaceEntities = 0;
    ctxt->loadsubset = 0;
    ctxt->validate = 0;
    ctxt->_private = &st;
    install_hooks(ctxt->sax);
    xd->values = xcalloc(1, sizeof(*xd->values));

    xmlSetStructuredErrorFunc(&st, remember_error);
    xmlSetGenericErrorFunc(NULL, discard_generic_error);
    xmlParseDocument(ctxt);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);

    if (!st.stopped && (!ctxt->wellFormed || !ctxt->myDoc))
        report_not_well_formed(&st);
    if (!st.stopped && ctxt->wellFormed && ctxt->myDoc) {
        assert(st.depth == 0);
        xd->values->dtd = ctxt->myDoc;
        ctxt->myDoc = NULL;
        xd->values->dict = ctxt->dict;
        xmlDictReference(ctxt->dict);
        rc = 0;
    }
    if (ctxt->myDoc)
        xmlFreeDoc(ctxt->myDoc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    return rc;
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

/* Positions must fit the table's 32 bits, XMLDOC_NONE apart. */
_Static_assert(XMLDOC_MAX_BYTES < UINT32_MAX &&
                   XMLDOC_MAX_ELEMENTS < UINT32_MAX,
               "element table offsets are 32 bits");
/* The table is per element of hostile input: keep it small. */
_Static_assert(sizeof(struct xml_elem) == 48,
               "struct xml_elem is 48 bytes an element");

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
static bool tag_matches_element(const struct xmldoc *xd, size_t i,
                                struct xml_elem *e)
{
    const char *name = xd->values->names[i];
    const char *prefix = xd->values->prefixes[i];
    const char *p = xd->text + e->start + 1;
    size_t avail = xd->len - e->start - 1;
    size_t n;

    if (prefix) {
        n = strlen(prefix);
        if (avail < n + 1 || memcmp(p, prefix, n) != 0 || p[n] != ':')
            return false;
        p += n + 1;
        avail -= n + 1;
    }
    n = strlen(name);
    if (n > UINT16_MAX || avail <= n || memcmp(p, name, n) != 0)
        return false;
    e->name = (uint32_t)(p - xd->text);
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
            if (!scan_start_tag(&sc, e) || !tag_matches_element(xd, next, e))
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

static int check_root(const struct xmldoc *xd, struct diag *d)
{
    if (xd->nelems == 0)
        return diag_fail(d, STATUS_INVALID, 0, NULL, "no root element");
    if (strcmp(xd->values->names[0], "domain") != 0)
        return diag_fail(d, STATUS_INVALID, xd->elems[0].line,
                         xd->values->names[0], "root element must be <domain>");
    return 0;
}

static int load(struct xmldoc *xd, struct diag *d)
{
    if (check_encoding(xd->text, xd->len, d) < 0 ||
        check_attribute_counts(xd->text, xd->len, d) < 0)
        return -1;
    if (run_libxml2(xd, d) < 0)
        return -1;
    if (check_no_entity_decls(xd->values->dtd, d) < 0 ||
        check_encoding_declared(xd->values->dtd, d) < 0 ||
        check_root(xd, d) < 0)
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

void xmldoc_drop_values(struct xmldoc *xd)
{
    struct xml_values *v = xd->values;

    if (!v)
        return;
    if (v->dtd)
        xmlFreeDoc(v->dtd);
    if (v->dict)
        xmlDictFree(v->dict);
    free(v->names);
    free(v->prefixes);
    free(v->attrs);
    free(v->pool);
    free(v->runs);
    free(v->text_first);
    free(v->text_end);
    free(v);
    xd->values = NULL;
}

static const struct xml_elem *elem_at(const struct xmldoc *xd, long idx)
{
    assert(idx >= 0 && (size_t)idx < xd->nelems);
    return &xd->elems[idx];
}

/* Element 'i' and the rest of its siblings: the first named 'name'. */
static long first_named(const struct xmldoc *xd, uint32_t i, const char *name)
{
    for (; i != XMLDOC_NONE; i = xd->elems[i].next_sibling) {
        if (!name || xmldoc_name_is(xd, i, name))
            return (long)i;
    }
    return -1;
}

long xmldoc_child(const struct xmldoc *xd, long parent, const char *name)
{
    return parent < 0 ? -1
                      : first_named(xd, elem_at(xd, parent)->first_child, name);
}

long xmldoc_next(const struct xmldoc *xd, long elem, const char *name)
{
    return elem < 0 ? -1
                    : first_named(xd, elem_at(xd, elem)->next_sibling, name);
}

const char *xmldoc_name(const struct xmldoc *xd, long idx)
{
    assert(xd->values);
    elem_at(xd, idx);
    return xd->values->names[idx];
}

unsigned xmldoc_line(const struct xmldoc *xd, long idx)
{
    return idx < 0 ? 0 : elem_at(xd, idx)->line;
}

/* The attributes of element 'idx': attrs[*first] up to attrs[*end]. */
static void attr_range(const struct xmldoc *xd, long idx, size_t *first,
                       size_t *end)
{
    assert(xd->values);
    *first = elem_at(xd, idx)->attr;
    *end = (size_t)idx + 1 < xd->nelems ? xd->elems[idx + 1].attr
                                        : xd->values->nattrs;
}

/*
 * As libxml2's tree answers it: a DOCTYPE may declare a default for an
 * attribute the element does not have, for the element's name with its
 * prefix. Looked up here, not copied into every element, so a default
 * cannot multiply the memory of a document.
 */
static const char *dtd_default(const struct xmldoc *xd, long idx,
                               const char *name)
{
    const struct xml_values *v = xd->values;
    const char *prefix = v->prefixes[idx];
    char qname[512];
    xmlAttributePtr decl;

    if (!v->dtd->intSubset)
        return NULL;
    if (prefix) {
        if ((size_t)snprintf(qname, sizeof(qname), "%s:%s", prefix,
                             v->names[idx]) >= sizeof(qname))
            return NULL;
    }
    decl = xmlGetDtdAttrDesc(v->dtd->intSubset,
                             (const xmlChar *)(prefix ? qname : v->names[idx]),
                             (const xmlChar *)name);
    return decl && decl->defaultValue ? (const char *)decl->defaultValue : NULL;
}

const char *xmldoc_attr(const struct xmldoc *xd, long idx, const char *name)
{
    size_t i, end;

    if (idx < 0)
        return NULL;
    attr_range(xd, idx, &i, &end);
    for (; i < end; i++) {
        const struct xml_attr *a = &xd->values->attrs[i];

        if (!a->prefixed && strcmp(a->name, name) == 0)
            return xd->values->pool + a->value;
    }
    return dtd_default(xd, idx, name);
}

size_t xmldoc_nattrs(const struct xmldoc *xd, long idx)
{
    size_t first, end;

    attr_range(xd, idx, &first, &end);
    return end - first;
}

const char *xmldoc_attr_name(const struct xmldoc *xd, long idx, size_t i)
{
    assert(i < xmldoc_nattrs(xd, idx));
    return xd->values->attrs[elem_at(xd, idx)->attr + i].name;
}

const char *xmldoc_attr_value(const struct xmldoc *xd, long idx, size_t i)
{
    assert(i < xmldoc_nattrs(xd, idx));
    return xd->values->pool +
           xd->values->attrs[elem_at(xd, idx)->attr + i].value;
}

char *xmldoc_text(const struct xmldoc *xd, long idx)
{
    const struct xml_values *v = xd->values;
    size_t len = 0, n = 0;
    char *s;

    assert(v);
    elem_at(xd, idx);
    for (uint32_t r = v->text_first[idx]; r < v->text_end[idx]; r++)
        len += v->runs[r].len;
    s = xmalloc(len + 1);
    for (uint32_t r = v->text_first[idx]; r < v->text_end[idx]; r++) {
        memcpy(s + n, v->pool + v->runs[r].off, v->runs[r].len);
        n += v->runs[r].len;
    }
    s[n] = '\0';
    return s;
}

bool xmldoc_name_is(const struct xmldoc *xd, long idx, const char *name)
{
    const struct xml_elem *e = elem_at(xd, idx);

    /* strncmp stops at the end of 'name': no strlen per sibling */
    return strncmp(name, xd->text + e->name, e->name_len) == 0 &&
           name[e->name_len] == '\0';
}

void xmldoc_free(struct xmldoc *xd)
{
    if (!xd)
        return;
    xmldoc_drop_values(xd);
    free(xd->elems);
    free(xd->text);
    memset(xd, 0, sizeof(*xd));
    xd->newline = "\n";
}
