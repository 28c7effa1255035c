/*
 * plan.h: libvirt 9.0's PCI topology planning on the domain model.
 */
#ifndef PCIPLAN_PLAN_H
#define PCIPLAN_PLAN_H

#include "util/diag.h"
#include "machine/profile.h"
#include "model/domain.h"

struct plan_options {
    const char *machine; /* --machine: used when the XML names none, or
                            overrides it; NULL to keep the XML's */
    int reserve;         /* --reserve: spare hotplug capacity, default 1 */
    int root_ports;      /* --root-ports: minimum total pcie-root-ports,
                            0 for no minimum */
    const struct libvirt_profile *profile; /* the libvirt planned for;
                                              NULL: the first (9.0) */
};

#define PLAN_OPTIONS_DEFAULT                                                   \
    {                                                                          \
        NULL, 1, 0, NULL                                                       \
    }

/* Fill in addresses and add controllers and implicit devices. */
int plan_run(struct domain *dom, const struct plan_options *opt,
             struct diag *d);

#endif
