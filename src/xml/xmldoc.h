/*
 * xmldoc.h: hostile-input-safe loading of a domain XML, with the byte
 * position of every element in the original text.
 *
 * libxml2 parses the text but builds no tree: the document is a table of
 * elements (tree links, byte positions, line) and, until the model has
 * read them, their attribute values and text. The byte table is what
 * lets the writer splice new text into the untouched original bytes, so
 * output differs from input only where something was added or changed.
 * No libxml2 type appears here: the layers above see only the table.
 */
#ifndef PCIPLAN_XMLDOC_H
#define PCIPLAN_XMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

/* Limits on hostile input; exceeding one is STATUS_INVALID. */
#define XMLDOC_MAX_BYTES (64u * 1024 * 1024)
#define XMLDOC_MAX_DEPTH 64
#define XMLDOC_MAX_ELEMENTS 2000000
/* libxml2 2.9 compares each attribute of a tag with all earlier ones */
#define XMLDOC_MAX_ATTRIBUTES 256
/* elements, attributes, text runs, comments, ...: bounds the tables */
#define XMLDOC_MAX_NODES 3000000

/* No such element (no parent, child or sibling), or no end tag. */
#define XMLDOC_NONE UINT32_MAX

/*
 * One element: its place in the original text and in the tree, so that
 * the writer needs neither libxml2 nor the values. Byte positions are
 * offsets from the start of the text (XMLDOC_MAX_BYTES keeps them in 32
 * bits):
 *   start       the '<' of the start tag
 *   stag_close  the '/' of "/>" for an empty element, else the '>'
 *   etag        the '<' of "</name>", or XMLDOC_NONE for an empty element
 *   end         one past the last byte of the element
 *   indent      start of the whitespace run that precedes 'start' on its
 *               line (== start when the element does not begin a line)
 *   name        the local name (after any "prefix:") in the start tag,
 *               name_len bytes
 *   quote       the character (' or ") that delimits the value of the
 *               first attribute of the start tag, 0 when it has none
 *   line        the line the start tag ends on, as libxml2 counts it
 *   attr        its first attribute in the values' attribute table;
 *               the next element's first is one past its last
 * parent, first_child and next_sibling are element indexes (XMLDOC_NONE:
 * none); 'mixed' says the element holds something besides elements and
 * whitespace (text, a comment, CDATA, a processing instruction).
 */
struct xml_elem {
    uint32_t line;
    uint32_t attr;
    uint32_t start;
    uint32_t stag_close;
    uint32_t etag;
    uint32_t end;
    uint32_t indent;
    uint32_t parent;
    uint32_t first_child;
    uint32_t next_sibling;
    uint32_t name;
    uint16_t name_len;
    bool empty : 1; /* bit-fields: the table stays at 48 bytes an element */
    bool mixed : 1;
    char quote;
};

/* What the model reads and the writer does not (attribute values, text,
 * names): private to xmldoc.c, kept until xmldoc_drop_values(). */
struct xml_values;

struct xmldoc {
    char *text; /* original bytes, NUL-terminated */
    size_t len;
    struct xml_elem *elems; /* document order; elems[0] is the root */
    size_t nelems;
    struct xml_values *values; /* NULL once xmldoc_drop_values() has run */
    const char *newline;       /* "\n" or "\r\n", as the first line ends */
    char quote;     /* the quote most attribute values use, 0 if none has one */
    size_t last_nl; /* offset of the last '\n', len when there is none */
};

/*
 * Parse 'len' bytes (ownership of 'text' passes to the document). No
 * network, no DTD loading, no entity substitution; a DOCTYPE declaring
 * entities, too-deep or too-large input, and a root other than <domain>
 * are rejected.
 */
int xmldoc_parse(struct xmldoc *xd, char *text, size_t len, struct diag *d);

/*
 * The line ending ("\n" or "\r\n") that a line break written at 'off'
 * takes: that of the line 'off' is in, or, when 'off' starts a line, that
 * of the line before it; so text inserted there ends its lines as its
 * neighbour above does. An unterminated last line counts as ending like
 * the line before it.
 */
const char *xmldoc_newline_at(const struct xmldoc *xd, size_t off);

/*
 * Free the values once the model is loaded: the text and the element
 * table stay, and are all the writer needs. The functions below that
 * read values must not be called after it.
 */
void xmldoc_drop_values(struct xmldoc *xd);

/* The first child element of 'parent' named 'name' (any element when
 * NULL), and the next sibling of 'elem' so named; -1 when there is none,
 * and for a parent or elem of -1, so lookups chain. */
long xmldoc_child(const struct xmldoc *xd, long parent, const char *name);
long xmldoc_next(const struct xmldoc *xd, long elem, const char *name);

/* The local name of element 'idx', NUL-terminated. */
const char *xmldoc_name(const struct xmldoc *xd, long idx);

/* The line of element 'idx' (0 for -1). */
unsigned xmldoc_line(const struct xmldoc *xd, long idx);

/*
 * The value of the attribute 'name' (not in a namespace) of element
 * 'idx', or the default its DOCTYPE declares, or NULL; NULL for an idx
 * of -1.
 */
const char *xmldoc_attr(const struct xmldoc *xd, long idx, const char *name);

/* The attributes written on element 'idx', in order: how many, and the
 * local name and value of the i-th. */
size_t xmldoc_nattrs(const struct xmldoc *xd, long idx);
const char *xmldoc_attr_name(const struct xmldoc *xd, long idx, size_t i);
const char *xmldoc_attr_value(const struct xmldoc *xd, long idx, size_t i);

/* The text of element 'idx' and its descendants (XPath's string()), as
 * a string the caller frees. */
char *xmldoc_text(const struct xmldoc *xd, long idx);

/* Element 'idx' is named 'name' (its local name). */
bool xmldoc_name_is(const struct xmldoc *xd, long idx, const char *name);

void xmldoc_free(struct xmldoc *xd);

#endif
