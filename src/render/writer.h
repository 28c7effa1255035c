/*
 * writer.h: render the planned domain by splicing into the original.
 *
 * Only the changes flagged in the model are written; every other byte
 * of the input is copied unchanged, so a document that needs nothing
 * comes out identical and a diff shows only added or changed lines.
 * New text follows the place it goes to: the quote character of the tag
 * it completes or of its neighbours, the line ending of the line it is
 * inserted after, the indentation of its siblings or the document's
 * indentation step; libvirt's single quotes and two spaces when the
 * document does not tell.
 */
#ifndef PCIPLAN_WRITER_H
#define PCIPLAN_WRITER_H

#include <stddef.h>

#include "util/diag.h"
#include "model/domain.h"
#include "xml/xmldoc.h"

/* Produce the output document in a newly allocated buffer *out. */
int writer_render(const struct xmldoc *xd, const struct domain *dom, char **out,
                  size_t *outlen, struct diag *d);

/*
 * Produce the document without the elements 'elems' (xmldoc indexes,
 * any order). An element alone on its line(s) takes those whole lines
 * with it, indentation and line end; one sharing a line with other
 * markup loses only its own bytes. An element inside another removed
 * one is covered by it. Every other byte is copied unchanged.
 */
int writer_delete(const struct xmldoc *xd, const long *elems, size_t nelems,
                  char **out, size_t *outlen, struct diag *d);

#endif
