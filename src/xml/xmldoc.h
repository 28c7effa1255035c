/*
 * xmldoc.h: hostile-input-safe loading of a domain XML, with the byte
 * position of every element in the original text.
 *
 * The DOM (libxml2) is used for reading values; the byte table is what
 * lets the writer splice new text into the untouched original bytes, so
 * output differs from input only where something was added or changed.
 */
#ifndef PCIPLAN_XMLDOC_H
#define PCIPLAN_XMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "util/diag.h"

/* Limits on hostile input; exceeding one is STATUS_INVALID. */
#define XMLDOC_MAX_BYTES (64u * 1024 * 1024)
#define XMLDOC_MAX_DEPTH 64
#define XMLDOC_MAX_ELEMENTS 2000000
/* libxml2 2.9 compares each attribute of a tag with all earlier ones */
#define XMLDOC_MAX_ATTRIBUTES 256
/* elements, attributes, text, comments, ...: bounds the DOM's memory */
#define XMLDOC_MAX_NODES 3000000

/* No such element (no parent, child or sibling), or no end tag. */
#define XMLDOC_NONE UINT32_MAX

/*
 * One element: its place in the original text and in the tree, so that
 * the writer needs neither the DOM nor its memory. Byte positions are
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
 * parent, first_child and next_sibling are element indexes (XMLDOC_NONE:
 * none); 'mixed' says the element holds something besides elements and
 * whitespace (text, a comment, CDATA, a processing instruction).
 */
struct xml_elem {
    xmlNodePtr node; /* NULL once xmldoc_drop_dom() has run */
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

struct xmldoc {
    char *text; /* original bytes, NUL-terminated */
    size_t len;
    xmlDocPtr doc;          /* NULL once xmldoc_drop_dom() has run */
    struct xml_elem *elems; /* document order; elems[0] is the root */
    size_t nelems;
    const char *newline; /* "\n" or "\r\n", as the first line ends */
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

/* Index of the element for a DOM node, or -1 if it is not an element
 * (or the DOM is gone). */
long xmldoc_elem_index(const struct xmldoc *xd, xmlNodePtr node);

/*
 * Free the DOM once the model is loaded: the text and the element table
 * stay, and are all the writer needs. The DOM is the largest part of a
 * document's memory, so this is what lets the output reuse it.
 */
void xmldoc_drop_dom(struct xmldoc *xd);

/* Element 'idx' is named 'name' (its local name). */
bool xmldoc_name_is(const struct xmldoc *xd, long idx, const char *name);

void xmldoc_free(struct xmldoc *xd);

#endif
