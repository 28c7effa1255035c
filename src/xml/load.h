/*
 * load.h: build the typed domain model from a parsed document.
 */
#ifndef PCIPLAN_LOAD_H
#define PCIPLAN_LOAD_H

#include "model/domain.h"
#include "util/diag.h"
#include "xml/xmldoc.h"

/* Build the model from a parsed document: every value range-checked,
 * every element the renderer may splice into kept as an anchor. */
int domain_load(struct domain *dom, const struct xmldoc *xd, struct diag *d);

#endif
