/*
 * spapr.c: pSeries spapr-vio registers (VTY serials, ibmveth NICs,
 * ibmvscsi controllers, NVRAM, TPMs), from each kind's QEMU default
 * register upward. A device of these kinds that the input put on
 * spapr-vio without a register is numbered the same way on any machine;
 * the compatibility console takes serial 0's (console.c).
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/sortset.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* spapr-vio registers (pSeries)                                        */

/* A console of target type serial (the default) mirrors serial 0 and
 * shares its address: it is not a device of its own. */
static bool is_serial_console(const struct device *dev)
{
    return dev->kind == DEV_CONSOLE &&
           (!dev->type || str_eq(dev->type, "serial"));
}

/* The spapr-vio registers in use are a multiset: a user may write one
 * twice, which is the error to report. */
static int assign_reg(struct sortset *rs, struct device *dev,
                      unsigned long base, struct diag *d)
{
    long given = nonpci_has_address(dev, ADDR_KIND_SPAPR_VIO)
                     ? dev->other->spapr.reg
                     : -1;
    unsigned long reg = base;

    if (given > 0xffffffffL)
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "spapr-vio reg 0x%lx exceeds the maximum 0xffffffff",
                         (unsigned long)given);
    if (given >= 0) {
        /* the set already holds this device's own register once */
        if (sortset_count(rs, (unsigned long)given) > 1)
            return diag_fail(d, STATUS_INVALID, dev->line,
                             dev_kind_name(dev->kind),
                             "spapr-vio address 0x%lx is already used",
                             (unsigned long)given);
        return 0;
    }
    while (sortset_contains(rs, reg))
        reg += 0x1000;
    sortset_insert(rs, reg);
    nonpci_set_address(dev, ADDR_KIND_SPAPR_VIO, 1, "reg", "0x%08lx", reg);
    return 0;
}

/* A serial with no target type, or isa-serial (which libvirt maps to the
 * default), is a spapr-vty on pSeries. */
static bool default_serial_target(const struct device *dev)
{
    return !dev->type || str_eq(dev->type, "isa-serial");
}

/* Does libvirt put this device on spapr-vio whatever its address says
 * (qemuDomainAssignSpaprVIOAddresses)? */
static bool forced_onto_spapr(const struct device *dev, bool pseries)
{
    switch (dev->kind) {
    case DEV_INTERFACE:
        return str_eq(dev->model, "spapr-vlan");
    case DEV_CONTROLLER:
        return dev->ctrl_type == CTRL_TYPE_SCSI &&
               str_eq(dev->model, "ibmvscsi");
    case DEV_SERIAL:
        return str_eq(dev->type, "spapr-vio-serial") ||
               (pseries && default_serial_target(dev));
    case DEV_NVRAM:
        return pseries;
    case DEV_TPM:
        return pseries && !str_eq(dev->model, "spapr-tpm-proxy");
    default:
        return false;
    }
}

/* The QEMU default register of a device libvirt numbers on spapr-vio
 * (when it sits there), 0 for the kinds it leaves alone. */
static unsigned long spapr_base(const struct device *dev, bool pseries)
{
    static const struct {
        enum dev_kind kind;
        unsigned long reg;
    } bases[] = {{DEV_INTERFACE, 0x1000},
                 {DEV_CONTROLLER, 0x2000},
                 {DEV_SERIAL, 0x30000000},
                 {DEV_NVRAM, 0x3000},
                 {DEV_TPM, 0x4000}};

    for (size_t i = 0; i < sizeof(bases) / sizeof(*bases); i++) {
        if (bases[i].kind != dev->kind)
            continue;
        if (nonpci_has_address(dev, ADDR_KIND_SPAPR_VIO) ||
            (dev->addr_type == ADDR_NONE && forced_onto_spapr(dev, pseries)))
            return bases[i].reg;
    }
    return 0;
}

struct ctrl_rank {
    long index;
    size_t pos;
};

static int compare_ctrl_ranks(const void *pa, const void *pb)
{
    const struct ctrl_rank *a = pa, *b = pb;

    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* libvirt numbers ibmvscsi controllers in array order, which is index
 * order within the type: the candidates (indexes 0..255) sorted by
 * (index, position), where a scan of every device per index cost
 * 256 x n. */
static int assign_spapr_controllers(struct domain *dom, struct sortset *rs,
                                    bool default_spapr_serial, struct diag *d)
{
    struct ctrl_rank *rank = xcalloc(dom->ndevs + 1, sizeof(*rank));
    size_t n = 0;
    int rc = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && dev->index >= 0 &&
            dev->index < 256 && spapr_base(dev, default_spapr_serial))
            rank[n++] = (struct ctrl_rank){dev->index, i};
    }
    qsort(rank, n, sizeof(*rank), compare_ctrl_ranks);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = assign_reg(rs, dom->devs[rank[k].pos], 0x2000, d);
    free(rank);
    return rc;
}

static int spapr_vio_pass(struct domain *dom, struct sortset *rs,
                          bool default_spapr_serial, struct diag *d)
{
    static const enum dev_kind order[] = {DEV_INTERFACE, DEV_CONTROLLER,
                                          DEV_SERIAL, DEV_NVRAM, DEV_TPM};

    for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
        if (order[k] == DEV_CONTROLLER) {
            if (assign_spapr_controllers(dom, rs, default_spapr_serial, d) < 0)
                return -1;
            continue;
        }
        for (size_t i = 0; i < dom->ndevs; i++) {
            struct device *dev = dom->devs[i];
            unsigned long base;

            if (dev->kind != order[k])
                continue;
            base = spapr_base(dev, default_spapr_serial);
            if (!base)
                continue;
            if (assign_reg(rs, dev, base, d) < 0)
                return -1;
        }
    }
    return 0;
}

int nonpci_assign_spapr_vio(struct domain *dom, bool default_spapr_serial,
                            struct diag *d)
{
    struct sortset rs = {0};
    int rc;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        long reg = device_other(dev)->spapr.reg;

        if (!is_serial_console(dev) &&
            nonpci_has_address(dev, ADDR_KIND_SPAPR_VIO) && reg >= 0)
            sortset_insert(&rs, (unsigned long)reg);
    }
    rc = spapr_vio_pass(dom, &rs, default_spapr_serial, d);
    sortset_free(&rs);
    return rc;
}
