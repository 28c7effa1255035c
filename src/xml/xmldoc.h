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

/*
 * Byte positions of one element in xmldoc.text, all offsets from the
 * start of the text:
 *   start       the '<' of the start tag
 *   stag_close  the '/' of "/>" for an empty element, else the '>'
 *   etag        the '<' of "</name>", or (size_t)-1 for an empty element
 *   end         one past the last byte of the element
 *   indent      start of the whitespace run that precedes 'start' on its
 *               line (== start when the element does not begin a line)
 * and quote, the character (' or ") that delimits the value of the first
 * attribute of the start tag, 0 when it has none.
 */
struct xml_elem {
    xmlNodePtr node;
    size_t start;
    size_t stag_close;
    size_t etag;
    size_t end;
    size_t indent;
    bool empty;
    char quote;
};

struct xmldoc {
    char *text; /* original bytes, NUL-terminated */
    size_t len;
    xmlDocPtr doc;
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

/* Index of the element for a DOM node, or -1 if it is not an element. */
long xmldoc_elem_index(const struct xmldoc *xd, xmlNodePtr node);

void xmldoc_free(struct xmldoc *xd);

#endif
