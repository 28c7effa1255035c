/*
 * writer.h: render the planned domain by splicing into the original.
 *
 * Only the changes flagged in the model are written; every other byte
 * of the input is copied unchanged, so a document that needs nothing
 * comes out identical and a diff shows only added or changed lines.
 * New text follows libvirt's formatting (single quotes, two-space
 * indentation relative to the surrounding elements, the input's line
 * ending).
 */
#ifndef PCIPLAN_WRITER_H
#define PCIPLAN_WRITER_H

#include <stddef.h>

#include "diag.h"
#include "domain.h"
#include "xmldoc.h"

/* Produce the output document in a newly allocated buffer *out. */
int writer_render(const struct xmldoc *xd, const struct domain *dom, char **out,
                  size_t *outlen, struct diag *d);

#endif
