/*
 * lint.h: warnings about a planned topology, each naming the fix.
 *
 * Everything reported here is accepted by libvirt 9.0 (checked with
 * live libvirt; what libvirt rejects is already an error of the
 * planner), so these are warnings: printed, exit status unchanged,
 * unless -W makes them fail. One finding per line:
 *
 *   pciplan: FILE:LINE: <element>: warning: what is wrong; what to change
 */
#ifndef PCIPLAN_LINT_H
#define PCIPLAN_LINT_H

#include <stddef.h>
#include <stdio.h>

#include "view/topo.h"

struct lint_options {
    int reserve;           /* --reserve; 0 asks for no spare hotplug slot */
    unsigned devices_line; /* line of <devices>, for domain-wide findings */
};

struct lint_finding {
    size_t order;  /* device position it is about (sort key) */
    size_t seq;    /* creation order, to keep equal keys stable */
    unsigned line; /* 0 when no line applies */
    char element[32];
    char msg[512];
};

struct lint_result {
    struct lint_finding *v;
    size_t n;
    size_t cap;
};

/* Collect the findings in device order. -1 only when out of memory. */
int lint_run(const struct topo *t, const struct lint_options *o,
             struct lint_result *r);

/* Print each finding as one "pciplan: FILE:LINE: ..." line. */
void lint_print(const struct lint_result *r, const char *file, FILE *f);

void lint_free(struct lint_result *r);

#endif
