/*
 * writer.c: render the planned domain by splicing into the original.
 *
 * Every change becomes an edit (insert text at an offset, or replace a
 * byte range) against the original text; the edits are sorted and
 * applied in one pass. Nothing outside an edit is touched, which is
 * what keeps comments, quoting, attribute order and line endings.
 */
#include "render/writer.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt indents each nesting level by two spaces */
#define LIBVIRT_INDENT_STEP "  "

/* ---- growable strings ---- */

struct strbuf {
    char *s;
    size_t len;
    size_t cap;
};

static void sb_grow(struct strbuf *sb, size_t extra)
{
    /* the sums below must not wrap (inputs are far below this) */
    if (extra > SIZE_MAX / 4 - sb->len)
        xalloc_die();
    while (sb->len + extra + 1 > sb->cap)
        sb->cap = sb->cap ? sb->cap * 2 : 64;
    sb->s = xreallocarray(sb->s, sb->cap, 1);
}

/* Room for 'extra' bytes and the NUL: a test on every append, inline,
 * and a call only to grow (a huge 'extra' always takes that path). */
static inline void sb_reserve(struct strbuf *sb, size_t extra)
{
    if (extra >= sb->cap - sb->len)
        sb_grow(sb, extra);
}

static void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

static void sb_add(struct strbuf *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    /* One vsnprintf into the free space; a second only when it did
     * not fit. */
    sb_reserve(sb, 64);
    va_start(ap, fmt);
    n = vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->s[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= sb->cap - sb->len) {
        sb_reserve(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

/*
 * Values come decoded by the parser, so they must be escaped again; both
 * quotes, whichever delimits them, and the whitespace a parser would
 * otherwise normalise to a space (so no value holds a line break).
 */
static void sb_add_escaped(struct strbuf *sb, const char *value)
{
    const char *p;

    for (p = value; *p; p++) {
        size_t plain = strcspn(p, "&<>'\"\n\r\t");

        /* runs without a special character are copied whole */
        if (plain) {
            sb_addn(sb, p, plain);
            p += plain - 1;
            continue;
        }
        switch (*p) {
        case '&':
            sb_add(sb, "&amp;");
            break;
        case '<':
            sb_add(sb, "&lt;");
            break;
        case '>':
            sb_add(sb, "&gt;");
            break;
        case '\'':
            sb_add(sb, "&apos;");
            break;
        case '"':
            sb_add(sb, "&quot;");
            break;
        case '\n':
            sb_add(sb, "&#10;");
            break;
        case '\r':
            sb_add(sb, "&#13;");
            break;
        case '\t':
            sb_add(sb, "&#9;");
            break;
        default:
            sb_addn(sb, p, 1);
        }
    }
}

/* Append " name=QvalueQ" with the value escaped, Q being ' or ". */
static void sb_add_attr(struct strbuf *sb, char q, const char *name,
                        const char *value)
{
    size_t nlen = strlen(name);
    char *p;

    assert(q == '\'' || q == '"');
    sb_reserve(sb, nlen + 3);
    p = sb->s + sb->len;
    *p++ = ' ';
    memcpy(p, name, nlen);
    p += nlen;
    *p++ = '=';
    *p++ = q;
    *p = '\0';
    sb->len = (size_t)(p - sb->s);
    sb_add_escaped(sb, value);
    sb_addn(sb, &q, 1);
}

/* Numbers are formatted here rather than by printf: an added device
 * has several, and the format is always one of these two. */
#define NUM_CHARS 24 /* a 64-bit value in decimal or hex, sign, "0x", NUL */

/* 'v' in decimal into buf, NUL-terminated; its length. */
static size_t fmt_dec(char buf[NUM_CHARS], long v)
{
    char tmp[NUM_CHARS];
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    size_t n = 0, len = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* "0x" and 'v' in lower-case hex, at least 'width' digits (zero-padded),
 * into buf, NUL-terminated; its length. */
static size_t fmt_hex(char buf[NUM_CHARS], unsigned long v, size_t width)
{
    char tmp[NUM_CHARS];
    size_t n = 0, len = 2;

    assert(width <= 16);
    do {
        tmp[n++] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    buf[0] = '0';
    buf[1] = 'x';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* " name=QvalueQ" for a value that needs no escaping. */
static void sb_add_attr_plain(struct strbuf *sb, char q, const char *name,
                              const char *value, size_t len)
{
    size_t nlen = strlen(name);
    char *p;

    assert(q == '\'' || q == '"');
    sb_reserve(sb, nlen + len + 4);
    p = sb->s + sb->len;
    *p++ = ' ';
    memcpy(p, name, nlen);
    p += nlen;
    *p++ = '=';
    *p++ = q;
    memcpy(p, value, len);
    p += len;
    *p++ = q;
    *p = '\0';
    sb->len = (size_t)(p - sb->s);
}

static void sb_add_attr_long(struct strbuf *sb, char q, const char *name,
                             long v)
{
    char value[NUM_CHARS];

    sb_add_attr_plain(sb, q, name, value, fmt_dec(value, v));
}

static void sb_add_attr_hex(struct strbuf *sb, char q, const char *name,
                            unsigned long v, size_t width)
{
    char value[NUM_CHARS];

    sb_add_attr_plain(sb, q, name, value, fmt_hex(value, v, width));
}

/*
 * New markup is built with "\n" line breaks; each becomes 'nl' in the
 * bytes of 'sb' from 'from' on (a copied "\r\n" too), so all lines of
 * one insertion end alike.
 */
static void sb_set_newlines(struct strbuf *sb, size_t from, const char *nl)
{
    size_t n = sb->len - from, i, run;
    char *copy;

    if (nl[1] == '\0' && !memchr(sb->s + from, '\r', n))
        return;
    if (!memchr(sb->s + from, '\n', n))
        return;
    copy = xmalloc(n);
    memcpy(copy, sb->s + from, n);
    sb->len = from;
    for (i = 0; i < n; i += run) {
        if (copy[i] == '\r' && i + 1 < n && copy[i + 1] == '\n') {
            run = 1;
        } else if (copy[i] == '\n') {
            sb_add(sb, nl);
            run = 1;
        } else {
            for (run = 1;
                 i + run < n && copy[i + run] != '\n' && copy[i + run] != '\r';
                 run++)
                ;
            sb_addn(sb, copy + i, run);
        }
    }
    free(copy);
}

static char *sb_steal(struct strbuf *sb)
{
    char *s = sb->s ? sb->s : xmalloc(1);

    if (!sb->s)
        s[0] = '\0';
    sb->s = NULL;
    sb->len = sb->cap = 0;
    return s;
}

/* ---- the edit list ---- */

struct edit {
    size_t off;  /* where in the original text */
    size_t del;  /* how many original bytes the text replaces */
    size_t text; /* where its text starts in the writer's 'text' */
    size_t len;
    size_t seq; /* creation order, to keep equal offsets stable */
};

struct writer {
    const struct xmldoc *xd;
    const struct domain *dom;
    char *step; /* one level of indentation, as the document does it */
    struct edit *edits;
    size_t nedits;
    size_t cap;
    /* the text of every edit, one after the other: the edit being made
     * is what follows 'pending' */
    struct strbuf text;
    size_t pending;
    /* the one-line children of one device before they become an edit */
    struct strbuf lines;
    /* a new child's indentation (see append_to_empty) */
    struct strbuf inner;
    /* child_indent()'s last answer: every device appended to <devices>
     * asks it for the same parent, which has as many children */
    long indent_parent;
    char *indent;
    /* the added devices by kind, libvirt's order, each kind in planner
     * order: added[kind_start[k]] up to added[kind_start[k + 1]] (once
     * group_added() has run) */
    size_t *added; /* positions in dom->devs */
    size_t kind_start[DEV_KIND_COUNT + 1];
};

/* The text of a new edit goes here, up to the add_edit() that makes
 * it; one buffer for all keeps an allocation per edit away. */
static struct strbuf *edit_text(struct writer *w)
{
    w->pending = w->text.len;
    return &w->text;
}

/* The edit whose text edit_text() began. */
static void add_edit(struct writer *w, size_t off, size_t del)
{
    struct edit *e;

    assert(w->pending <= w->text.len);
    if (w->nedits == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->edits = xreallocarray(w->edits, w->cap, sizeof(*w->edits));
    }
    /* every edit replaces bytes of the original text, never past it */
    assert(off <= w->xd->len && del <= w->xd->len - off);
    if (w->text.len > w->pending)
        sb_set_newlines(&w->text, w->pending, xmldoc_newline_at(w->xd, off));
    e = &w->edits[w->nedits];
    e->off = off;
    e->del = del;
    e->text = w->pending;
    e->len = w->text.len - w->pending;
    e->seq = w->nedits++;
    w->pending = w->text.len;
}

/*
 * Insertions at an offset come before a replacement starting there
 * (so text added in front of an element lands in front of its new
 * form), and otherwise keep the order they were made in.
 */
static int compare_edits(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;

    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    if ((x->del > 0) != (y->del > 0))
        return x->del > 0 ? 1 : -1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/*
 * Edits are made in document order but for the last few (the added
 * devices, placed in <devices> after the changes to the devices there):
 * the run in order is kept, the rest sorted and merged into it, so that
 * the usual case costs little more than a pass.
 */
static void sort_edits(struct writer *w)
{
    struct edit *e = w->edits, *merged;
    size_t n = w->nedits, k = 1, i, j, o;

    while (k < n && compare_edits(&e[k - 1], &e[k]) <= 0)
        k++;
    if (k >= n)
        return;
    qsort(e + k, n - k, sizeof(*e), compare_edits);
    merged = xreallocarray(NULL, n, sizeof(*merged));
    for (i = 0, j = k, o = 0; i < k || j < n; o++) {
        if (j == n || (i < k && compare_edits(&e[i], &e[j]) <= 0))
            merged[o] = e[i++];
        else
            merged[o] = e[j++];
    }
    free(w->edits);
    w->edits = merged;
    w->cap = n;
}

static int apply_edits(struct writer *w, char **out, size_t *outlen,
                       struct diag *d)
{
    struct strbuf sb = {0};
    size_t cursor = 0, i;

    sort_edits(w);
    /* the output is the input, less what edits replace, plus their text */
    sb_reserve(&sb, w->xd->len + w->text.len);
    for (i = 0; i < w->nedits; i++) {
        const struct edit *e = &w->edits[i];

        if (e->off < cursor || e->off + e->del > w->xd->len) {
            free(sb.s);
            return diag_fail(d, STATUS_INVALID, 0, NULL,
                             "internal error: overlapping output edits");
        }
        sb_addn(&sb, w->xd->text + cursor, e->off - cursor);
        if (e->len > 0)
            sb_addn(&sb, w->text.s + e->text, e->len);
        cursor = e->off + e->del;
    }
    sb_addn(&sb, w->xd->text + cursor, w->xd->len - cursor);
    *outlen = sb.len;
    *out = sb_steal(&sb);
    return 0;
}

/* ---- looking at the original text ---- */

static const struct xml_elem *elem(const struct writer *w, long idx)
{
    return &w->xd->elems[idx];
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Start of the blank run before pos; pos itself if a non-blank precedes
 * it on its line. */
static size_t blank_line_start(const char *text, size_t pos)
{
    size_t p = pos;

    while (p > 0 && is_blank(text[p - 1]))
        p--;
    if (p == 0 || text[p - 1] == '\n')
        return p;
    return pos;
}

static bool begins_line(const struct writer *w, size_t pos)
{
    size_t p = pos;

    while (p > 0 && is_blank(w->xd->text[p - 1]))
        p--;
    return p == 0 || w->xd->text[p - 1] == '\n';
}

/* The whitespace an element's line starts with ("" if it does not
 * begin its line); a new NUL-terminated string. */
static char *indent_of(const struct writer *w, long idx)
{
    const struct xml_elem *e = elem(w, idx);
    struct strbuf sb = {0};

    if (begins_line(w, e->start))
        sb_addn(&sb, w->xd->text + e->indent, e->start - e->indent);
    return sb_steal(&sb);
}

static char *indent_deeper(const struct writer *w, const char *indent)
{
    struct strbuf sb = {0};

    sb_add(&sb, indent);
    sb_add(&sb, w->step);
    return sb_steal(&sb);
}

/*
 * The document's indentation step: what the first element beginning a
 * line adds to its parent's indentation. A tab-indented document gets
 * tabs; libvirt's two spaces when nothing tells.
 */
static char *detect_indent_step(const struct writer *w)
{
    const char *text = w->xd->text;
    struct strbuf sb = {0};
    size_t i;

    for (i = 1; i < w->xd->nelems; i++) {
        const struct xml_elem *e = &w->xd->elems[i];
        const struct xml_elem *p;
        size_t elen, plen;

        if (e->parent == XMLDOC_NONE || !begins_line(w, e->start))
            continue;
        p = elem(w, e->parent);
        if (!begins_line(w, p->start))
            continue;
        elen = e->start - e->indent;
        plen = p->start - p->indent;
        if (elen > plen &&
            memcmp(text + e->indent, text + p->indent, plen) == 0) {
            sb_addn(&sb, text + e->indent + plen, elen - plen);
            return sb_steal(&sb);
        }
    }
    sb_add(&sb, LIBVIRT_INDENT_STEP);
    return sb_steal(&sb);
}

/* The element's qualified name as written in its start tag. */
static void add_tag_name(struct strbuf *sb, const struct writer *w, long idx)
{
    const char *p = w->xd->text + elem(w, idx)->start + 1;
    size_t n = 0;

    while (p[n] && p[n] != '>' && p[n] != '/' && p[n] != ' ' && p[n] != '\t' &&
           p[n] != '\r' && p[n] != '\n')
        n++;
    sb_addn(sb, p, n);
}

/*
 * If only blanks and comments follow 'pos' on its line, the start of
 * the next line; else (size_t)-1. New lines go there so a trailing
 * comment stays with the element it annotates.
 */
static size_t next_line_if_trivia(const struct writer *w, size_t pos)
{
    const char *text = w->xd->text;
    size_t len = w->xd->len;

    while (pos < len) {
        if (is_blank(text[pos]) || text[pos] == '\r') {
            pos++;
        } else if (text[pos] == '\n') {
            return pos + 1;
        } else if (len - pos >= 4 && memcmp(text + pos, "<!--", 4) == 0) {
            const char *close = strstr(text + pos + 4, "-->");
            const char *nl = memchr(text + pos, '\n', len - pos);

            if (!close || (nl && nl < close))
                return (size_t)-1;
            pos = (size_t)(close - text) + 3;
        } else {
            return (size_t)-1;
        }
    }
    return (size_t)-1;
}

static bool contains_newline(const struct writer *w, size_t from, size_t to)
{
    return memchr(w->xd->text + from, '\n', to - from) != NULL;
}

/* ---- the element tree (the table; the values are gone) ---- */

static long elem_or_none(uint32_t idx)
{
    return idx == XMLDOC_NONE ? -1 : (long)idx;
}

static long first_child_elem(const struct writer *w, long parent)
{
    return elem_or_none(elem(w, parent)->first_child);
}

static long next_sibling_elem(const struct writer *w, long idx)
{
    return elem_or_none(elem(w, idx)->next_sibling);
}

static bool name_in(const struct writer *w, long idx, const char *const *names)
{
    for (; *names; names++) {
        if (xmldoc_name_is(w->xd, idx, *names))
            return true;
    }
    return false;
}

/* First child named one of 'names' that comes after 'after' (-1: any). */
static long find_child(const struct writer *w, long parent, long after,
                       const char *const *names)
{
    long c;

    for (c = first_child_elem(w, parent); c >= 0; c = next_sibling_elem(w, c)) {
        if (c > after && name_in(w, c, names))
            return c;
    }
    return -1;
}

/* ---- start tag attributes ---- */

struct attr_span {
    size_t name; /* offset of the attribute name */
    size_t name_len;
    size_t value; /* offset of the value, inside the quotes */
    size_t value_len;
    size_t end; /* one past the closing quote */
};

/*
 * Step to the next attribute of the start tag at or after *pos; false
 * at the end of the tag. The document is well-formed, which keeps this
 * simple.
 */
static bool next_attr(const struct writer *w, long idx, size_t *pos,
                      struct attr_span *a)
{
    const char *text = w->xd->text;
    size_t close = elem(w, idx)->stag_close;
    size_t p = *pos;
    char quote;

    while (p < close &&
           (is_blank(text[p]) || text[p] == '\r' || text[p] == '\n'))
        p++;
    if (p >= close)
        return false;
    a->name = p;
    while (p < close && text[p] != '=' && !is_blank(text[p]) &&
           text[p] != '\r' && text[p] != '\n')
        p++;
    a->name_len = p - a->name;
    while (p < close && text[p] != '\'' && text[p] != '"')
        p++;
    if (p >= close)
        return false;
    quote = text[p++];
    a->value = p;
    while (p < close && text[p] != quote)
        p++;
    a->value_len = p - a->value;
    a->end = p + 1;
    *pos = a->end;
    return true;
}

static size_t after_tag_name(const struct writer *w, long idx)
{
    const char *text = w->xd->text;
    size_t p = elem(w, idx)->start + 1;

    while (text[p] != '>' && text[p] != '/' && !is_blank(text[p]) &&
           text[p] != '\r' && text[p] != '\n')
        p++;
    return p;
}

static bool find_attr(const struct writer *w, long idx, const char *name,
                      struct attr_span *found)
{
    size_t pos = after_tag_name(w, idx);
    struct attr_span a;

    while (next_attr(w, idx, &pos, &a)) {
        if (a.name_len == strlen(name) &&
            memcmp(w->xd->text + a.name, name, a.name_len) == 0) {
            *found = a;
            return true;
        }
    }
    return false;
}

/* Where new attributes go: right after the last one (or the name), so
 * any blanks before "/>" stay where they are. */
static size_t attrs_end(const struct writer *w, long idx)
{
    size_t pos = after_tag_name(w, idx);
    struct attr_span a;

    while (next_attr(w, idx, &pos, &a))
        ;
    return pos;
}

/* ---- rendering new markup ---- */

static void render_pci_address(struct strbuf *sb, const struct pci_addr *a,
                               char q)
{
    sb_add(sb, "<address");
    sb_add_attr(sb, q, "type", "pci");
    sb_add_attr_hex(sb, q, "domain", a->domain, 4);
    sb_add_attr_hex(sb, q, "bus", a->bus, 2);
    sb_add_attr_hex(sb, q, "slot", a->slot, 2);
    sb_add_attr_hex(sb, q, "function", a->function, 1);
    if (a->multifunction != TRI_ABSENT)
        sb_add_attr(sb, q, "multifunction",
                    a->multifunction == TRI_ON ? "on" : "off");
}

static void render_zpci(struct strbuf *sb, const struct zpci_ids *z, char q)
{
    sb_add(sb, "<zpci");
    sb_add_attr_hex(sb, q, "uid", (unsigned long)z->uid, 4);
    sb_add_attr_hex(sb, q, "fid", (unsigned long)z->fid, 8);
    sb_add(sb, "/>");
}

/* A PCI address with the s390 <zpci> child: the one address that
 * spans lines. */
static bool address_has_child(const struct device *dev)
{
    return dev->addr_type != ADDR_OTHER && dev->zpci.uid > 0; /* from 1 */
}

/*
 * The device's planned address: PCI (with its s390 <zpci> child, on a
 * line of its own indented by 'indent', 'more' and 'step' when indent is
 * not NULL), or another type's attributes.
 */
static void render_address(struct strbuf *sb, const struct device *dev, char q,
                           const char *indent, const char *more,
                           const char *step)
{
    if (dev->addr_type != ADDR_OTHER) {
        render_pci_address(sb, &dev->addr, q);
        if (!address_has_child(dev)) {
            sb_add(sb, "/>");
            return;
        }
        sb_add(sb, ">");
        if (indent) {
            sb_add(sb, "\n");
            sb_add(sb, indent);
            sb_add(sb, more);
            sb_add(sb, step);
        }
        render_zpci(sb, &dev->zpci, q);
        if (indent) {
            sb_add(sb, "\n");
            sb_add(sb, indent);
            sb_add(sb, more);
        }
        sb_add(sb, "</address>");
        return;
    }
    sb_add(sb, "<address");
    sb_add_attr(sb, q, "type", addr_kind_name(dev->other->kind));
    for (unsigned i = 0; i < dev->other->nattrs; i++)
        sb_add_attr(sb, q, dev->other->name[i], dev->other->value[i]);
    sb_add(sb, "/>");
}

/* Name and value of one <target> attribute; port is hexadecimal as in
 * libvirt, the others decimal. */
static const char *target_attr(enum target_attr bit,
                               const struct ctrl_target *t,
                               char value[NUM_CHARS])
{
    switch (bit) {
    case TARGET_CHASSIS_NR:
        fmt_dec(value, t->chassis_nr);
        return "chassisNr";
    case TARGET_CHASSIS:
        fmt_dec(value, t->chassis);
        return "chassis";
    case TARGET_PORT:
        fmt_hex(value, (unsigned long)t->port, 1);
        return "port";
    case TARGET_BUS_NR:
        fmt_dec(value, t->bus_nr);
        return "busNr";
    case TARGET_INDEX:
        fmt_dec(value, t->index);
        return "index";
    }
    return NULL;
}

static const enum target_attr target_attr_order[] = {
    TARGET_CHASSIS_NR, TARGET_CHASSIS, TARGET_PORT, TARGET_BUS_NR, TARGET_INDEX,
};

static void render_target_bits(struct strbuf *sb, char q, unsigned bits,
                               const struct ctrl_target *t)
{
    size_t i;

    for (i = 0; i < sizeof(target_attr_order) / sizeof(*target_attr_order);
         i++) {
        char value[NUM_CHARS];
        const char *name;

        if (!(bits & target_attr_order[i]))
            continue;
        name = target_attr(target_attr_order[i], t, value);
        sb_add_attr(sb, q, name, value);
    }
}

/* The attributes a controller's target actually has. */
static unsigned target_present_bits(const struct ctrl_target *t)
{
    unsigned bits = 0;

    if (t->chassis_nr >= 0)
        bits |= TARGET_CHASSIS_NR;
    if (t->chassis >= 0)
        bits |= TARGET_CHASSIS;
    if (t->port >= 0)
        bits |= TARGET_PORT;
    if (t->bus_nr >= 0)
        bits |= TARGET_BUS_NR;
    if (t->index >= 0)
        bits |= TARGET_INDEX;
    return bits;
}

/*
 * Output formatting of a new element: 'indent' prefixes every line,
 * 'nl' separates lines ("\n", made the right line ending by add_edit),
 * 'q' delimits attribute values. Inline mode (for one-line parents)
 * uses "" for both indent and nl, which yields the same markup on a
 * single line.
 */
struct layout {
    const char *indent;
    const char *step;
    const char *nl;
    bool inline_mode;
    char q;
};

static void open_line(struct strbuf *sb, const struct layout *lo,
                      unsigned depth, bool first)
{
    unsigned i;

    if (!first)
        sb_add(sb, lo->nl);
    sb_add(sb, lo->indent);
    if (lo->inline_mode)
        return;
    for (i = 0; i < depth; i++)
        sb_add(sb, lo->step);
}

static void render_controller_target(struct strbuf *sb, const struct layout *lo,
                                     const struct device *dev)
{
    const struct ctrl_target *t = &dev->target;
    unsigned bits = target_present_bits(t);

    if (!bits && t->hotplug == TRI_ABSENT && t->node < 0)
        return;
    open_line(sb, lo, 1, false);
    sb_add(sb, "<target");
    render_target_bits(sb, lo->q, bits, t);
    if (t->hotplug != TRI_ABSENT)
        sb_add_attr(sb, lo->q, "hotplug", t->hotplug == TRI_ON ? "on" : "off");
    if (t->node < 0) {
        sb_add(sb, "/>");
        return;
    }
    sb_add(sb, ">");
    open_line(sb, lo, 2, false);
    {
        char node[NUM_CHARS];
        size_t n = fmt_dec(node, t->node);

        sb_add(sb, "<node>");
        sb_addn(sb, node, n);
        sb_add(sb, "</node>");
    }
    open_line(sb, lo, 1, false);
    sb_add(sb, "</target>");
}

/* The element name of 'idx' is one of 'names'. */
static bool elem_named(const struct writer *w, long idx,
                       const char *const *names)
{
    return name_in(w, idx, names);
}

/* Element 0 is <domain>, never a chardev: 0 means "no twin" too. */
static bool is_mirror(const struct device *dev)
{
    return dev->mirror_elem > 0 &&
           (dev->kind == DEV_SERIAL || dev->kind == DEV_CONSOLE);
}

/* An added serial or console copies its twin's chardev: the attributes
 * of the start tag and every child but the target and the address, as
 * written. */
static void render_mirror_attrs(struct strbuf *sb, const struct writer *w,
                                const struct device *dev)
{
    size_t from = after_tag_name(w, dev->mirror_elem);

    sb_addn(sb, w->xd->text + from, attrs_end(w, dev->mirror_elem) - from);
}

static void render_chardev_children(struct strbuf *sb, const struct writer *w,
                                    const struct layout *lo,
                                    const struct device *dev)
{
    static const char *const own[] = {"target", "address", NULL};

    for (long c = first_child_elem(w, dev->mirror_elem); c >= 0;
         c = next_sibling_elem(w, c)) {
        const struct xml_elem *e = elem(w, c);

        if (elem_named(w, c, own))
            continue;
        open_line(sb, lo, 1, false);
        sb_addn(sb, w->xd->text + e->start, e->end - e->start);
    }
    open_line(sb, lo, 1, false);
    sb_add(sb, "<target");
    if (dev->type)
        sb_add_attr(sb, lo->q, "type", dev->type);
    sb_add_attr_long(sb, lo->q, "port", dev->target.port);
    if (!dev->model_name) {
        sb_add(sb, "/>");
        return;
    }
    sb_add(sb, ">");
    open_line(sb, lo, 2, false);
    sb_add(sb, "<model");
    sb_add_attr(sb, lo->q, "name", dev->model_name);
    sb_add(sb, "/>");
    open_line(sb, lo, 1, false);
    sb_add(sb, "</target>");
}

/* The children of an added device, each on its own line. */
static void render_added_children(struct strbuf *sb, const struct writer *w,
                                  const struct layout *lo,
                                  const struct device *dev)
{
    if (dev->kind == DEV_CONTROLLER) {
        if (dev->model_name) {
            open_line(sb, lo, 1, false);
            sb_add(sb, "<model");
            sb_add_attr(sb, lo->q, "name", dev->model_name);
            sb_add(sb, "/>");
        }
        render_controller_target(sb, lo, dev);
    } else if (dev->kind == DEV_VIDEO && dev->model) {
        open_line(sb, lo, 1, false);
        sb_add(sb, "<model");
        sb_add_attr(sb, lo->q, "type", dev->model);
        if (dev->primary)
            sb_add_attr(sb, lo->q, "primary", "yes");
        sb_add(sb, "/>");
    } else if (is_mirror(dev)) {
        render_chardev_children(sb, w, lo, dev);
    }
    if (dev->addr_type == ADDR_PCI || dev->addr_changed) {
        open_line(sb, lo, 1, false);
        render_address(sb, dev, lo->q, lo->inline_mode ? NULL : lo->indent,
                       lo->step, lo->step);
    }
}

static char tag_quote(const struct writer *w, long idx);

static void render_added_device(struct strbuf *sb, const struct writer *w,
                                const struct layout *layout,
                                const struct device *dev)
{
    const char *name = dev_kind_name(dev->kind);
    struct layout mirror_lo = *layout;
    const struct layout *lo = layout;
    size_t before;

    if (is_mirror(dev)) {
        /* its start tag is the twin's, so are its quotes */
        mirror_lo.q = tag_quote(w, dev->mirror_elem);
        lo = &mirror_lo;
    }
    open_line(sb, lo, 0, true);
    sb_add(sb, "<");
    sb_add(sb, name);
    if (dev->kind == DEV_CONTROLLER) {
        if (dev->type)
            sb_add_attr(sb, lo->q, "type", dev->type);
        if (dev->index >= 0)
            sb_add_attr_long(sb, lo->q, "index", dev->index);
        if (dev->model)
            sb_add_attr(sb, lo->q, "model", dev->model);
    } else if (dev->kind == DEV_MEMBALLOON) {
        sb_add_attr(sb, lo->q, "model", dev->model ? dev->model : "virtio");
    } else if (is_mirror(dev)) {
        render_mirror_attrs(sb, w, dev);
    } else if (dev->kind != DEV_VIDEO) {
        if (dev->type)
            sb_add_attr(sb, lo->q, "type", dev->type);
        if (dev->bus)
            sb_add_attr(sb, lo->q, "bus", dev->bus);
        if (dev->model)
            sb_add_attr(sb, lo->q, "model", dev->model);
        if (dev->action)
            sb_add_attr(sb, lo->q, "action", dev->action);
    }
    sb_add(sb, ">");
    before = sb->len;
    render_added_children(sb, w, lo, dev);
    if (sb->len == before) {
        /* no children: libvirt writes the element self-closing */
        sb->len--;
        sb_add(sb, "/>");
        return;
    }
    open_line(sb, lo, 0, false);
    sb_add(sb, "</");
    sb_add(sb, name);
    sb_add(sb, ">");
}

/* ---- blocks: units of new markup placed relative to existing ones ---- */

enum block_kind {
    BLOCK_LINE,    /* one-line markup, e.g. "<address .../>" */
    BLOCK_DEVICE,  /* an added device element */
    BLOCK_DEVICES, /* a new <devices> holding every added device */
};

struct block {
    enum block_kind kind;
    size_t line; /* BLOCK_LINE: its bytes in the writer's 'lines' */
    size_t line_len;
    const struct device *dev; /* BLOCK_DEVICE */
};

/* A device's few new children fit in 'small'; an allocation only for
 * the many devices added at one place. The list is not to be moved. */
struct block_list {
    struct block *v;
    size_t n;
    size_t cap;
    struct block small[4];
};

static void blocks_push(struct block_list *bl, struct block b)
{
    if (!bl->v) {
        bl->v = bl->small;
        bl->cap = sizeof(bl->small) / sizeof(*bl->small);
    }
    if (bl->n == bl->cap) {
        struct block *v = bl->v == bl->small ? NULL : bl->v;

        v = xreallocarray(v, bl->cap * 2, sizeof(*v));
        if (bl->v == bl->small)
            memcpy(v, bl->small, sizeof(bl->small));
        bl->v = v;
        bl->cap *= 2;
    }
    bl->v[bl->n++] = b;
}

static void blocks_free(struct block_list *bl)
{
    if (bl->v != bl->small)
        free(bl->v);
    memset(bl, 0, sizeof(*bl));
}

/* A BLOCK_LINE of the bytes the writer's 'lines' got from 'from' on. */
static struct block line_block(const struct writer *w, size_t from)
{
    return (struct block){BLOCK_LINE, from, w->lines.len - from, NULL};
}

static bool is_added(const struct device *dev)
{
    return dev->elem < 0;
}

/* The i-th added device, by kind once group_added() has run. */
static const struct device *added_dev(const struct writer *w, size_t i)
{
    return w->dom->devs[w->added[i]];
}

/* Added devices in libvirt's kind order, then in planner order. */
static void render_all_added(struct strbuf *sb, const struct writer *w,
                             const struct layout *lo)
{
    size_t i;

    for (i = 0; i < w->kind_start[DEV_KIND_COUNT]; i++) {
        sb_add(sb, lo->nl);
        render_added_device(sb, w, lo, added_dev(w, i));
    }
}

static void render_block(struct strbuf *sb, const struct writer *w,
                         const struct block *b, const char *indent,
                         bool inline_mode, char q)
{
    const char *nl = inline_mode ? "" : "\n";
    struct layout lo = {inline_mode ? "" : indent, w->step, nl, inline_mode, q};

    switch (b->kind) {
    case BLOCK_LINE:
        sb_add(sb, lo.indent);
        sb_addn(sb, w->lines.s + b->line, b->line_len);
        break;
    case BLOCK_DEVICE:
        render_added_device(sb, w, &lo, b->dev);
        break;
    case BLOCK_DEVICES: {
        char *inner = indent_deeper(w, lo.indent);
        struct layout in = {inline_mode ? "" : inner, w->step, nl, inline_mode,
                            q};

        sb_add(sb, lo.indent);
        sb_add(sb, "<devices>");
        render_all_added(sb, w, &in);
        sb_add(sb, nl);
        sb_add(sb, lo.indent);
        sb_add(sb, "</devices>");
        free(inner);
        break;
    }
    }
}

/* Each block on a line of its own: "<indent>block<NL>" or
 * "<NL><indent>block"; or all of them run together in inline mode. */
static void render_blocks(struct strbuf *sb, const struct writer *w,
                          const struct block_list *bl, const char *indent,
                          bool inline_mode, bool newline_first, char q)
{
    size_t i;

    for (i = 0; i < bl->n; i++) {
        if (!inline_mode && newline_first)
            sb_add(sb, "\n");
        render_block(sb, w, &bl->v[i], indent, inline_mode, q);
        if (!inline_mode && !newline_first)
            sb_add(sb, "\n");
    }
}

/* ---- the quote character of new markup ---- */

static long parent_elem(const struct writer *w, long idx)
{
    return elem_or_none(elem(w, idx)->parent);
}

/* The document's usual quote, else libvirt's single quote. */
static char doc_quote(const struct writer *w)
{
    return w->xd->quote ? w->xd->quote : '\'';
}

/*
 * The quote of a new element among the children of 'parent', next to
 * 'anchor' (-1 when appended): its neighbours' (the anchor's, else the
 * last sibling's with attributes, else the parent's), so a new line
 * looks like the lines around it; else the document's.
 */
static char new_elem_quote(const struct writer *w, long parent, long anchor)
{
    char q = 0;

    if (anchor >= 0 && elem(w, anchor)->quote)
        return elem(w, anchor)->quote;
    for (long c = first_child_elem(w, parent); c >= 0;
         c = next_sibling_elem(w, c)) {
        if (elem(w, c)->quote)
            q = elem(w, c)->quote;
    }
    if (!q)
        q = elem(w, parent)->quote;
    return q ? q : doc_quote(w);
}

/* Text added inside the start tag of 'idx' uses the quote of the tag's
 * attributes, so no tag mixes them; a tag without any is quoted like a
 * new element in its place. */
static char tag_quote(const struct writer *w, long idx)
{
    long parent;

    if (elem(w, idx)->quote)
        return elem(w, idx)->quote;
    parent = parent_elem(w, idx);
    return parent >= 0 ? new_elem_quote(w, parent, -1) : doc_quote(w);
}

/* ---- inserting blocks ---- */

static void insert_before(struct writer *w, long child,
                          const struct block_list *bl)
{
    const struct xml_elem *c = elem(w, child);
    char q = new_elem_quote(w, parent_elem(w, child), child);
    struct strbuf *sb;

    if (begins_line(w, c->start)) {
        char *indent = indent_of(w, child);

        sb = edit_text(w);
        render_blocks(sb, w, bl, indent, false, false, q);
        add_edit(w, c->indent, 0);
        free(indent);
    } else {
        sb = edit_text(w);
        render_blocks(sb, w, bl, "", true, false, q);
        add_edit(w, c->start, 0);
    }
}

static void insert_after(struct writer *w, long sibling,
                         const struct block_list *bl)
{
    const struct xml_elem *s = elem(w, sibling);
    char q = new_elem_quote(w, parent_elem(w, sibling), sibling);
    struct strbuf *sb = edit_text(w);

    if (begins_line(w, s->start)) {
        char *indent = indent_of(w, sibling);
        size_t next_line = next_line_if_trivia(w, s->end);

        if (next_line != (size_t)-1) {
            render_blocks(sb, w, bl, indent, false, false, q);
            add_edit(w, next_line, 0);
        } else {
            render_blocks(sb, w, bl, indent, false, true, q);
            add_edit(w, s->end, 0);
        }
        free(indent);
    } else {
        render_blocks(sb, w, bl, "", true, false, q);
        add_edit(w, s->end, 0);
    }
}

/* Indentation for a new child: like the existing children's, else one
 * step deeper than the parent. */
static char *find_child_indent(const struct writer *w, long parent)
{
    long c, last = -1;
    char *parent_indent, *indent;

    for (c = first_child_elem(w, parent); c >= 0; c = next_sibling_elem(w, c)) {
        if (begins_line(w, elem(w, c)->start))
            last = c;
    }
    if (last >= 0)
        return indent_of(w, last);
    parent_indent = indent_of(w, parent);
    indent = indent_deeper(w, parent_indent);
    free(parent_indent);
    return indent;
}

/*
 * A one-line element opens for new children when it begins a line of
 * its own in a document of several lines: they go on lines of their own
 * one step deeper, and its end tag on a line of its own below them.
 * Markup sharing its line with what comes before, and a document on one
 * line, stay on one line.
 */
static bool opens(const struct writer *w, long idx)
{
    const struct xml_elem *e = elem(w, idx);

    return begins_line(w, e->start) && w->xd->last_nl < w->xd->len;
}

/* New children of 'idx' stay on its line (see opens()). */
static bool appends_inline(const struct writer *w, long idx)
{
    const struct xml_elem *e = elem(w, idx);

    if (!e->empty && contains_newline(w, e->start, e->etag))
        return false;
    return !opens(w, idx);
}

/* The original text never changes, so neither does the answer; it is
 * the writer's, good until the next call. */
static const char *child_indent(struct writer *w, long parent)
{
    if (!w->indent || w->indent_parent != parent) {
        free(w->indent);
        w->indent = find_child_indent(w, parent);
        w->indent_parent = parent;
    }
    return w->indent;
}

/* A self-closing parent becomes "<name ...>" children "</name>". */
static void append_to_empty(struct writer *w, long parent,
                            const struct block_list *bl)
{
    const struct xml_elem *p = elem(w, parent);
    bool inline_mode = appends_inline(w, parent);
    size_t indent = begins_line(w, p->start) ? p->start - p->indent : 0;
    struct strbuf *sb;

    /* the parent's indentation and a step: one per device, so kept in
     * the writer rather than allocated */
    w->inner.len = 0;
    sb_addn(&w->inner, w->xd->text + p->indent, indent);
    sb_add(&w->inner, w->step);
    sb = edit_text(w);
    sb_add(sb, ">");
    render_blocks(sb, w, bl, w->inner.s, inline_mode, true,
                  new_elem_quote(w, parent, -1));
    if (!inline_mode) {
        sb_add(sb, "\n");
        sb_addn(sb, w->inner.s, indent);
    }
    sb_add(sb, "</");
    add_tag_name(sb, w, parent);
    sb_add(sb, ">");
    add_edit(w, p->stag_close, p->end - p->stag_close);
}

/* "<name>...</name>" on one line: the new children go between the last
 * content and the end tag, which moves to a line of its own (blanks
 * before it go). */
static void append_opening(struct writer *w, long parent,
                           const struct block_list *bl)
{
    const struct xml_elem *p = elem(w, parent);
    char *indent = indent_of(w, parent);
    const char *inner = child_indent(w, parent);
    struct strbuf *sb = edit_text(w);
    size_t from = p->etag;

    while (from > p->stag_close + 1 && is_blank(w->xd->text[from - 1]))
        from--;
    render_blocks(sb, w, bl, inner, false, true, new_elem_quote(w, parent, -1));
    sb_add(sb, "\n");
    sb_add(sb, indent);
    add_edit(w, from, p->etag - from);
    free(indent);
}

static void append_child(struct writer *w, long parent,
                         const struct block_list *bl)
{
    const struct xml_elem *p = elem(w, parent);
    char q;
    struct strbuf *sb;
    const char *indent;

    if (p->empty) {
        append_to_empty(w, parent, bl);
        return;
    }
    q = new_elem_quote(w, parent, -1);
    if (!contains_newline(w, p->start, p->etag)) {
        if (opens(w, parent)) {
            append_opening(w, parent, bl);
            return;
        }
        /* keep a one-line element on one line */
        sb = edit_text(w);
        render_blocks(sb, w, bl, "", true, false, q);
        add_edit(w, p->etag, 0);
        return;
    }
    indent = child_indent(w, parent);
    sb = edit_text(w);
    if (begins_line(w, p->etag)) {
        render_blocks(sb, w, bl, indent, false, false, q);
        add_edit(w, blank_line_start(w->xd->text, p->etag), 0);
    } else {
        render_blocks(sb, w, bl, indent, false, true, q);
        add_edit(w, p->etag, 0);
    }
}

/* ---- changes to existing devices ---- */

static const char *const model_successors[] = {"driver",  "target",    "alias",
                                               "address", "pcihole64", NULL};
static const char *const target_successors[] = {"driver", "alias", "address",
                                                "pcihole64", NULL};

/* The child a new <address> must precede, or -1 for "last child". */
static long address_anchor(const struct writer *w, const struct device *dev)
{
    static const char *const before_driver[] = {"driver", NULL};
    static const char *const before_limits[] = {"space_hard_limit",
                                                "space_soft_limit", NULL};
    static const char *const before_pcihole[] = {"pcihole64", NULL};

    switch (dev->kind) {
    case DEV_MEMBALLOON:
    case DEV_VSOCK:
        return find_child(w, dev->elem, -1, before_driver);
    case DEV_FILESYSTEM:
        return find_child(w, dev->elem, -1, before_limits);
    case DEV_CONTROLLER:
        return find_child(w, dev->elem, -1, before_pcihole);
    default:
        return -1;
    }
}

struct new_child {
    long anchor; /* existing child to precede, -1 to append */
    size_t line; /* its markup in the writer's 'lines' */
};

/* What a new <master> must precede: libvirt writes it after <alias>. */
static const char *const master_successors[] = {"rom", "address", NULL};

/* The device's new <address>, in the writer's 'lines'; its anchor. */
static long new_address(struct writer *w, const struct device *dev)
{
    long anchor = address_anchor(w, dev);
    char q = new_elem_quote(w, dev->elem, anchor);
    char *indent = NULL;
    bool one_line;

    if (!address_has_child(dev)) {
        render_address(&w->lines, dev, q, NULL, "", w->step);
        return anchor;
    }
    /* on lines of its own as insert_before() or append_child() will
     * place it */
    one_line = anchor >= 0 ? !begins_line(w, elem(w, anchor)->start)
                           : appends_inline(w, dev->elem);
    if (anchor >= 0)
        indent = indent_of(w, anchor);
    render_address(&w->lines, dev, q,
                   one_line ? NULL
                   : indent ? indent
                            : child_indent(w, dev->elem),
                   "", w->step);
    free(indent);
    return anchor;
}

/* New children in libvirt's order: <model>, <target>, <master>,
 * <address>; their markup in the writer's 'lines', one after another. */
static size_t collect_new_children(struct writer *w, const struct device *dev,
                                   struct new_child kids[4])
{
    struct strbuf *sb = &w->lines;
    size_t n = 0;
    long anchor;

    sb->len = 0;
    if (dev->model_name_added && dev->model_name && dev->model_name_elem < 0) {
        anchor = find_child(w, dev->elem, -1, model_successors);
        kids[n++] = (struct new_child){anchor, sb->len};
        sb_add(sb, "<model");
        sb_add_attr(sb, new_elem_quote(w, dev->elem, anchor), "name",
                    dev->model_name);
        sb_add(sb, "/>");
    }
    if (dev->target_added && dev->target_elem < 0) {
        anchor =
            find_child(w, dev->elem, dev->model_name_elem, target_successors);
        kids[n++] = (struct new_child){anchor, sb->len};
        sb_add(sb, "<target");
        render_target_bits(sb, new_elem_quote(w, dev->elem, anchor),
                           dev->target_added, &dev->target);
        sb_add(sb, "/>");
    }
    if (dev->master_added && dev->master_startport >= 0) {
        anchor = find_child(w, dev->elem, -1, master_successors);
        kids[n++] = (struct new_child){anchor, sb->len};
        sb_add(sb, "<master");
        sb_add_attr_long(sb, new_elem_quote(w, dev->elem, anchor), "startport",
                         dev->master_startport);
        sb_add(sb, "/>");
    }
    if (dev->addr_changed && dev->addr_elem < 0) {
        size_t from = sb->len;

        kids[n].anchor = new_address(w, dev);
        kids[n++].line = from;
    }
    return n;
}

/* One edit per anchor, so children sharing a spot keep their order and
 * a self-closing device is converted only once. */
static void insert_new_children(struct writer *w, const struct device *dev)
{
    struct new_child kids[4];
    bool done[4] = {false, false, false, false};
    size_t n = collect_new_children(w, dev, kids), i, j;

    for (i = 0; i < n; i++) {
        struct block_list bl = {0};

        if (done[i])
            continue;
        for (j = i; j < n; j++) {
            if (!done[j] && kids[j].anchor == kids[i].anchor) {
                size_t end = j + 1 < n ? kids[j + 1].line : w->lines.len;

                blocks_push(&bl, (struct block){BLOCK_LINE, kids[j].line,
                                                end - kids[j].line, NULL});
                done[j] = true;
            }
        }
        if (kids[i].anchor >= 0)
            insert_before(w, kids[i].anchor, &bl);
        else
            append_child(w, dev->elem, &bl);
        blocks_free(&bl);
    }
}

static void replace_address(struct writer *w, const struct device *dev)
{
    const struct xml_elem *a = elem(w, dev->addr_elem);
    char *indent = NULL;
    struct strbuf *sb;

    if (address_has_child(dev) && begins_line(w, a->start))
        indent = indent_of(w, dev->addr_elem);
    sb = edit_text(w);
    /* a completed address keeps its own quotes */
    render_address(sb, dev, tag_quote(w, dev->addr_elem), indent, "", w->step);
    add_edit(w, a->start, a->end - a->start);
    free(indent);
}

static const char *const after_nothing[] = {NULL};

/* Where a new attribute goes in libvirt's order: after the last of
 * 'predecessors' present, else after all attributes. */
static size_t attr_position(const struct writer *w, long idx,
                            const char *const *predecessors)
{
    struct attr_span a;
    size_t pos = (size_t)-1;

    for (; *predecessors; predecessors++) {
        if (find_attr(w, idx, *predecessors, &a) &&
            (pos == (size_t)-1 || a.end > pos))
            pos = a.end;
    }
    return pos != (size_t)-1 ? pos : attrs_end(w, idx);
}

/*
 * Give the start tag of 'idx' the attribute name='value'. One that is
 * already there gets its value rewritten inside its own quotes (never a
 * duplicate attribute, which would not be XML); a new one goes where
 * attr_position() says.
 */
static void set_attr(struct writer *w, long idx, const char *name,
                     const char *value, const char *const *after)
{
    struct attr_span a;
    struct strbuf *sb;
    char q;

    if (find_attr(w, idx, name, &a)) {
        sb_add_escaped(edit_text(w), value);
        add_edit(w, a.value, a.value_len);
        return;
    }
    q = tag_quote(w, idx);
    sb = edit_text(w);
    sb_add_attr(sb, q, name, value);
    add_edit(w, attr_position(w, idx, after), 0);
}

/* A controller's index= and model= (libvirt: type, index, model). */
static void render_controller_attrs(struct writer *w, const struct device *dev)
{
    static const char *const after_type[] = {"type", NULL};
    static const char *const after_index[] = {"type", "index", NULL};
    char value[NUM_CHARS];

    if (dev->type_added && dev->type)
        set_attr(w, dev->elem, "type", dev->type, after_nothing);
    if (dev->index_added && dev->index >= 0) {
        fmt_dec(value, dev->index);
        set_attr(w, dev->elem, "index", value, after_type);
    }
    /* at the same offset as a new index= it is made later, so follows */
    if (dev->model_added && dev->model)
        set_attr(w, dev->elem, "model", dev->model, after_index);
}

static void render_target_changes(struct writer *w, const struct device *dev)
{
    size_t i;

    for (i = 0; i < sizeof(target_attr_order) / sizeof(*target_attr_order);
         i++) {
        char value[NUM_CHARS];
        const char *name;

        if (!(dev->target_added & target_attr_order[i]))
            continue;
        name = target_attr(target_attr_order[i], &dev->target, value);
        set_attr(w, dev->target_elem, name, value, after_nothing);
    }
}

static void delete_element(struct writer *w, long idx);

/* A kept PCI address gains the s390 ids it lacks: a <zpci> child, or
 * the missing attribute of the user's. */
static void render_zpci_changes(struct writer *w, const struct device *dev)
{
    static const char *const after_uid[] = {"uid", NULL};
    struct block_list bl = {0};
    char value[NUM_CHARS];

    if (dev->zpci_elem < 0) {
        size_t from = w->lines.len;

        render_zpci(&w->lines, &dev->zpci,
                    new_elem_quote(w, dev->addr_elem, -1));
        blocks_push(&bl, line_block(w, from));
        append_child(w, dev->addr_elem, &bl);
        blocks_free(&bl);
        return;
    }
    if (dev->input_zpci.uid < 0) {
        /* libvirt's order: uid first */
        char q = tag_quote(w, dev->zpci_elem);

        sb_add_attr_hex(edit_text(w), q, "uid", (unsigned long)dev->zpci.uid,
                        4);
        add_edit(w, after_tag_name(w, dev->zpci_elem), 0);
    }
    if (dev->input_zpci.fid < 0) {
        fmt_hex(value, (unsigned long)dev->zpci.fid, 8);
        set_attr(w, dev->zpci_elem, "fid", value, after_uid);
    }
}

/* libvirt writes <pcihole64> in KiB whatever unit the input used: the
 * one element pciplan rewrites rather than completes. */
static void render_pcihole64(struct writer *w, const struct device *dev)
{
    const struct xml_elem *e = elem(w, dev->pcihole64_elem);
    char q = tag_quote(w, dev->pcihole64_elem);
    struct strbuf *sb = edit_text(w);

    assert(dev->pcihole64_elem >= 0);
    sb_add(sb, "<pcihole64");
    sb_add_attr(sb, q, "unit", "KiB");
    sb_printf(sb, ">%llu</pcihole64>", dev->pcihole64_kib);
    add_edit(w, e->start, e->end - e->start);
}

static void render_device_changes(struct writer *w, const struct device *dev)
{
    static const char *const after_type[] = {"type", NULL};

    render_controller_attrs(w, dev);
    if (dev->pcihole64_rewrite)
        render_pcihole64(w, dev);
    if (dev->addr_dropped && dev->addr_elem >= 0) {
        delete_element(w, dev->addr_elem);
        return;
    }
    if (dev->bus_added && dev->bus)
        set_attr(w, dev->elem, "bus", dev->bus, after_type);
    if (dev->addr_changed && dev->addr_elem >= 0)
        replace_address(w, dev);
    else if (dev->adds_multifunction && dev->addr_elem >= 0)
        set_attr(w, dev->addr_elem, "multifunction", "on", after_nothing);
    if (!dev->addr_changed && dev->zpci_changed && dev->addr_elem >= 0)
        render_zpci_changes(w, dev);
    if (dev->target_added && dev->target_elem >= 0)
        render_target_changes(w, dev);
    /* libvirt reads the one <model> a controller may have: a name it
     * lacks goes into it, not into a second one libvirt would refuse */
    if (dev->model_name_added && dev->model_name && dev->model_name_elem >= 0)
        set_attr(w, dev->model_name_elem, "name", dev->model_name,
                 after_nothing);
    insert_new_children(w, dev);
}

/* ---- placing added devices ---- */

static bool elem_is_kind(const struct writer *w, const struct xml_elem *e,
                         const size_t *name_len, int k)
{
    return e->name_len == name_len[k] &&
           memcmp(w->xd->text + e->name, dev_kind_name((enum dev_kind)k),
                  name_len[k]) == 0;
}

/* The kind of a child of <devices>; 'guess' (the previous child's) is
 * tried first, as devices of a kind usually come together. */
static enum dev_kind kind_of_elem(const struct writer *w, long idx,
                                  const size_t *name_len, int guess)
{
    const struct xml_elem *e = elem(w, idx);
    int k;

    if (guess < DEV_OTHER && elem_is_kind(w, e, name_len, guess))
        return (enum dev_kind)guess;
    for (k = 0; k < DEV_OTHER; k++) {
        if (elem_is_kind(w, e, name_len, k))
            return (enum dev_kind)k;
    }
    return DEV_OTHER;
}

/* Where the existing children of <devices> are, by kind: one walk
 * serves every kind that gets new devices. */
struct devices_scan {
    long last[DEV_KIND_COUNT];  /* the last child of each kind, -1: none */
    size_t pos[DEV_KIND_COUNT]; /* its place among the children */
    long first_console;
    long first; /* the first child, -1 when there are none */
};

static void scan_devices(const struct writer *w, struct devices_scan *sc)
{
    size_t name_len[DEV_OTHER], n = 0;
    long c;
    int k, kind = DEV_OTHER;

    for (k = 0; k < DEV_OTHER; k++)
        name_len[k] = strlen(dev_kind_name((enum dev_kind)k));
    for (k = 0; k < DEV_KIND_COUNT; k++)
        sc->last[k] = -1;
    sc->first_console = -1;
    sc->first = first_child_elem(w, w->dom->devices_elem);
    for (c = sc->first; c >= 0; c = next_sibling_elem(w, c), n++) {
        kind = (int)kind_of_elem(w, c, name_len, kind);
        if (kind == DEV_CONSOLE && sc->first_console < 0)
            sc->first_console = c;
        sc->last[kind] = c;
        sc->pos[kind] = n;
    }
}

enum placement_mode { PLACE_AFTER, PLACE_BEFORE, PLACE_APPEND };

struct placement {
    enum placement_mode mode;
    long anchor; /* the sibling, or <devices> for PLACE_APPEND */
    struct block_list blocks;
};

/* Right after the last element of the same kind, else after the last
 * one of an earlier kind, else first in <devices>. */
static void find_place(const struct writer *w, const struct devices_scan *sc,
                       enum dev_kind kind, enum placement_mode *mode,
                       long *anchor)
{
    long earlier = -1;
    size_t earlier_pos = 0;
    int k;

    /* the only console pciplan adds is libvirt's console 0 */
    if (kind == DEV_CONSOLE && sc->first_console >= 0) {
        *mode = PLACE_BEFORE;
        *anchor = sc->first_console;
        return;
    }
    for (k = 0; k < (int)kind; k++) {
        if (sc->last[k] >= 0 && (earlier < 0 || sc->pos[k] > earlier_pos)) {
            earlier = sc->last[k];
            earlier_pos = sc->pos[k];
        }
    }
    if (sc->last[kind] >= 0 || earlier >= 0) {
        *mode = PLACE_AFTER;
        *anchor = sc->last[kind] >= 0 ? sc->last[kind] : earlier;
    } else if (sc->first >= 0) {
        *mode = PLACE_BEFORE;
        *anchor = sc->first;
    } else {
        *mode = PLACE_APPEND;
        *anchor = w->dom->devices_elem;
    }
}

static struct placement *placement_for(struct placement *places,
                                       size_t *nplaces,
                                       enum placement_mode mode, long anchor)
{
    size_t i;

    for (i = 0; i < *nplaces; i++) {
        if (places[i].mode == mode && places[i].anchor == anchor)
            return &places[i];
    }
    memset(&places[*nplaces], 0, sizeof(places[*nplaces]));
    places[*nplaces].mode = mode;
    places[*nplaces].anchor = anchor;
    return &places[(*nplaces)++];
}

static void place_added_devices(struct writer *w)
{
    struct placement places[DEV_KIND_COUNT];
    struct devices_scan sc;
    size_t nplaces = 0, i;
    int kind;

    scan_devices(w, &sc);
    for (kind = 0; kind < DEV_KIND_COUNT; kind++) {
        struct placement *pl;
        enum placement_mode mode;
        long anchor;

        if (w->kind_start[kind] == w->kind_start[kind + 1])
            continue;
        find_place(w, &sc, (enum dev_kind)kind, &mode, &anchor);
        pl = placement_for(places, &nplaces, mode, anchor);
        for (i = w->kind_start[kind]; i < w->kind_start[kind + 1]; i++)
            blocks_push(&pl->blocks,
                        (struct block){BLOCK_DEVICE, 0, 0, added_dev(w, i)});
    }
    for (i = 0; i < nplaces; i++) {
        switch (places[i].mode) {
        case PLACE_AFTER:
            insert_after(w, places[i].anchor, &places[i].blocks);
            break;
        case PLACE_BEFORE:
            insert_before(w, places[i].anchor, &places[i].blocks);
            break;
        case PLACE_APPEND:
            append_child(w, places[i].anchor, &places[i].blocks);
            break;
        }
        blocks_free(&places[i].blocks);
    }
}

/* Group the added devices (w->added, as note_added() found them) by
 * kind, keeping planner order within one: a counting sort. */
static void group_added(struct writer *w)
{
    size_t count[DEV_KIND_COUNT] = {0}, n = w->kind_start[DEV_KIND_COUNT], i;
    size_t *by_kind;
    int k;

    if (n == 0)
        return;
    for (i = 0; i < n; i++)
        count[added_dev(w, i)->kind]++;
    w->kind_start[0] = 0;
    for (k = 0; k < DEV_KIND_COUNT; k++)
        w->kind_start[k + 1] = w->kind_start[k] + count[k];
    by_kind = xreallocarray(NULL, n, sizeof(*by_kind));
    memcpy(count, w->kind_start, sizeof(count));
    for (i = 0; i < n; i++)
        by_kind[count[added_dev(w, i)->kind]++] = w->added[i];
    free(w->added);
    w->added = by_kind;
}

/* An added device, met in the one pass over the devices; the count is
 * kept in kind_start[DEV_KIND_COUNT] until group_added(). */
static void note_added(struct writer *w, size_t *cap, size_t pos)
{
    size_t n = w->kind_start[DEV_KIND_COUNT];

    if (n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        w->added = xreallocarray(w->added, *cap, sizeof(*w->added));
    }
    w->added[n] = pos;
    w->kind_start[DEV_KIND_COUNT] = n + 1;
}

static void render_added_devices(struct writer *w)
{
    struct block_list bl = {0};

    group_added(w);
    if (w->kind_start[DEV_KIND_COUNT] == 0)
        return;
    if (w->dom->devices_elem >= 0) {
        place_added_devices(w);
        return;
    }
    blocks_push(&bl, (struct block){BLOCK_DEVICES, 0, 0, NULL});
    append_child(w, 0, &bl);
    blocks_free(&bl);
}

/* ---- <os><type machine=...> ---- */

static void render_machine(struct writer *w)
{
    static const char *const after_arch[] = {"arch", NULL};

    if (!w->dom->machine_changed || w->dom->os_type_elem < 0 ||
        !w->dom->machine)
        return;
    set_attr(w, w->dom->os_type_elem, "machine", w->dom->machine, after_arch);
}

/* ---- entry point ---- */

static void writer_free(struct writer *w)
{
    free(w->edits);
    free(w->text.s);
    free(w->lines.s);
    free(w->inner.s);
    free(w->step);
    free(w->indent);
    free(w->added);
}

int writer_render(const struct xmldoc *xd, const struct domain *dom, char **out,
                  size_t *outlen, struct diag *d)
{
    struct writer w = {.xd = xd, .dom = dom, .indent_parent = -1};
    size_t i, added_cap = 0;
    int ret;

    *out = NULL;
    *outlen = 0;
    w.step = detect_indent_step(&w);
    for (i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (is_added(dev))
            note_added(&w, &added_cap, i);
        else if ((size_t)dev->elem < xd->nelems)
            render_device_changes(&w, dev);
    }
    render_added_devices(&w);
    render_machine(&w);
    ret = apply_edits(&w, out, outlen, d);
    writer_free(&w);
    return ret;
}

/* ---- deleting elements (--strip) ---- */

/* The start of the next line if only blanks follow 'pos' on its line,
 * else (size_t)-1. Unlike next_line_if_trivia, a comment is content. */
static size_t next_line_if_blank(const struct writer *w, size_t pos)
{
    const char *text = w->xd->text;

    while (pos < w->xd->len && (is_blank(text[pos]) || text[pos] == '\r'))
        pos++;
    if (pos < w->xd->len && text[pos] == '\n')
        return pos + 1;
    return (size_t)-1;
}

static void delete_element(struct writer *w, long idx)
{
    const struct xml_elem *e = elem(w, idx);
    size_t from = e->start, to = e->end;

    if (begins_line(w, e->start)) {
        size_t next = next_line_if_blank(w, e->end);

        if (next != (size_t)-1) {
            from = e->indent;
            to = next;
        } else {
            /* what follows on the line (a comment) takes its place */
            while (to < w->xd->len && is_blank(w->xd->text[to]))
                to++;
        }
    }
    edit_text(w);
    add_edit(w, from, to - from);
}

static int compare_longs(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return x < y ? -1 : x > y;
}

static bool in_sorted(const long *sorted, size_t n, long idx)
{
    return bsearch(&idx, sorted, n, sizeof(*sorted), compare_longs) != NULL;
}

/*
 * The parent of a removed element, when every element child of it goes
 * and nothing but whitespace is left between its tags: libvirt writes
 * such an element self-closed (<input type='tablet' bus='usb'/>), so
 * it becomes one rather than an empty pair. -1 otherwise.
 */
static long emptied_parent(const struct writer *w, const long *sorted, size_t n,
                           long idx)
{
    long p = elem_or_none(elem(w, idx)->parent);

    if (p <= 0 || elem(w, p)->empty || elem(w, p)->mixed)
        return -1;
    for (long c = first_child_elem(w, p); c >= 0; c = next_sibling_elem(w, c)) {
        if (!in_sorted(sorted, n, c))
            return -1;
    }
    return p;
}

/*
 * The line break after 'pos' when only blanks come between: the offset
 * of its first byte ('\r' or '\n'), or (size_t)-1.
 */
static size_t blank_to_line_end(const struct writer *w, size_t pos)
{
    const char *text = w->xd->text;
    size_t len = w->xd->len;

    while (pos < len && is_blank(text[pos]))
        pos++;
    if (pos < len &&
        (text[pos] == '\n' ||
         (text[pos] == '\r' && pos + 1 < len && text[pos + 1] == '\n')))
        return pos;
    return (size_t)-1;
}

/*
 * <name ...>children</name> becomes <name .../>. The line this merges
 * its tags' lines into ends as the start tag's line did.
 */
static void collapse_element(struct writer *w, long idx)
{
    const struct xml_elem *e = elem(w, idx);
    struct strbuf *sb = edit_text(w);
    size_t from = e->stag_close, to = e->end, brk;

    sb_add(sb, "/>");
    if (contains_newline(w, from, to) &&
        strcmp(xmldoc_newline_at(w->xd, from), xmldoc_newline_at(w->xd, to)) !=
            0 &&
        (brk = blank_to_line_end(w, to)) != (size_t)-1) {
        /* add_edit makes this "\n" the start tag's line ending */
        sb_addn(sb, w->xd->text + to, brk - to);
        sb_add(sb, "\n");
        to = brk + (w->xd->text[brk] == '\r' ? 2 : 1);
    }
    add_edit(w, from, to - from);
}

int writer_delete(const struct xmldoc *xd, const long *elems, size_t nelems,
                  char **out, size_t *outlen, struct diag *d)
{
    struct writer w = {.xd = xd, .indent_parent = -1};
    long *sorted = xreallocarray(NULL, (nelems ? nelems : 1), sizeof(*sorted));
    size_t covered_to = 0, i;
    int ret;

    *out = NULL;
    *outlen = 0;
    memcpy(sorted, elems, nelems * sizeof(*sorted));
    if (nelems > 0)
        qsort(sorted, nelems, sizeof(*sorted), compare_longs);
    /* document order: an element nested in a removed one starts
     * before that one ends */
    for (i = 0; i < nelems; i++) {
        if (sorted[i] < 0 || (size_t)sorted[i] >= xd->nelems ||
            (i > 0 && sorted[i] == sorted[i - 1]) ||
            xd->elems[sorted[i]].start < covered_to)
            continue;
        long p = emptied_parent(&w, sorted, nelems, sorted[i]);

        if (p >= 0) {
            collapse_element(&w, p);
            covered_to = xd->elems[p].end;
            continue;
        }
        delete_element(&w, sorted[i]);
        covered_to = xd->elems[sorted[i]].end;
    }
    free(sorted);
    ret = apply_edits(&w, out, outlen, d);
    writer_free(&w);
    return ret;
}
