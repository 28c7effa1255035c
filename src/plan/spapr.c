/*
 * spapr.c: pSeries spapr-vio registers (VTY serials and consoles,
 * ibmveth NICs, ibmvscsi controllers, TPMs), from each kind's QEMU default
 * register upward.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
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

/* The spapr-vio registers in use, sorted (a multiset: a user may
 * write one twice, which is the error to report). */
struct reg_set {
    unsigned long *v;
    size_t n;
};

static size_t reg_lower_bound(const struct reg_set *rs, unsigned long reg)
{
    size_t lo = 0, hi = rs->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (rs->v[mid] < reg)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t reg_count(const struct reg_set *rs, unsigned long reg)
{
    size_t i = reg_lower_bound(rs, reg), n = 0;

    while (i + n < rs->n && rs->v[i + n] == reg)
        n++;
    return n;
}

/* Room for every device was made up front, so this cannot fail. */
static void reg_insert(struct reg_set *rs, unsigned long reg)
{
    size_t i = reg_lower_bound(rs, reg);

    memmove(&rs->v[i + 1], &rs->v[i], (rs->n - i) * sizeof(*rs->v));
    rs->v[i] = reg;
    rs->n++;
}

static int assign_reg(struct reg_set *rs, struct device *dev,
                      unsigned long base, struct diag *d)
{
    long given = nonpci_address_number(dev, "reg");
    unsigned long reg = base;

    if (given >= 0) {
        /* the set already holds this device's own register once */
        if (reg_count(rs, (unsigned long)given) > 1)
            return diag_fail(d, STATUS_INVALID, dev->line,
                             dev_kind_name(dev->kind),
                             "spapr-vio address 0x%lx is already used",
                             (unsigned long)given);
        return 0;
    }
    while (reg_count(rs, reg) > 0)
        reg += 0x1000;
    reg_insert(rs, reg);
    nonpci_set_address(dev, "spapr-vio", 1, "reg", "0x%08lx", reg);
    return 0;
}

/* Which devices sit on the spapr-vio bus, and their QEMU default regs. */
static unsigned long spapr_base(const struct device *dev,
                                bool default_spapr_serial)
{
    switch (dev->kind) {
    case DEV_INTERFACE:
        return str_eq(dev->model, "spapr-vlan") ? 0x1000 : 0;
    case DEV_CONTROLLER:
        return str_eq(dev->type, "scsi") && str_eq(dev->model, "ibmvscsi")
                   ? 0x2000
                   : 0;
    case DEV_SERIAL:
        return str_eq(dev->type, "spapr-vio-serial") ||
                       (!dev->type && default_spapr_serial)
                   ? 0x30000000
                   : 0;
    case DEV_NVRAM:
        return default_spapr_serial ? 0x3000 : 0;
    default:
        return 0;
    }
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
static int assign_spapr_controllers(struct domain *dom, struct reg_set *rs,
                                    bool default_spapr_serial, struct diag *d)
{
    struct ctrl_rank *rank = xcalloc(dom->ndevs + 1, sizeof(*rank));
    size_t n = 0;
    int rc = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && dev->index >= 0 &&
            dev->index < 256 && spapr_base(dev, default_spapr_serial) &&
            (dev->addr_type == ADDR_NONE ||
             nonpci_has_address(dev, "spapr-vio")))
            rank[n++] = (struct ctrl_rank){dev->index, i};
    }
    qsort(rank, n, sizeof(*rank), compare_ctrl_ranks);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = assign_reg(rs, dom->devs[rank[k].pos], 0x2000, d);
    free(rank);
    return rc;
}

/* libvirt writes serial 0's address into the console that mirrors it. */
static void mirror_serial_console(struct domain *dom)
{
    const struct device *serial = NULL;

    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->kind == DEV_SERIAL && !serial)
            serial = dev;
        if (dev->kind != DEV_CONSOLE)
            continue;
        if (serial && nonpci_has_address(serial, "spapr-vio") &&
            is_serial_console(dev) && dev->addr_type == ADDR_NONE) {
            free(dev->addr_type_name);
            dev->addr_type_name = xstrdup("spapr-vio");
            dev->addr_type = ADDR_OTHER;
            dev->other = serial->other;
            dev->addr_changed = true;
        }
        return;
    }
}

static int spapr_vio_pass(struct domain *dom, struct reg_set *rs,
                          bool default_spapr_serial, struct diag *d)
{
    static const enum dev_kind order[] = {DEV_INTERFACE, DEV_CONTROLLER,
                                          DEV_SERIAL, DEV_NVRAM};

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
            if (!base || (dev->addr_type != ADDR_NONE &&
                          !nonpci_has_address(dev, "spapr-vio")))
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
    struct reg_set rs = {xcalloc(dom->ndevs + 1, sizeof(unsigned long)), 0};
    int rc;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        long reg = nonpci_address_number(dev, "reg");

        if (!is_serial_console(dev) && nonpci_has_address(dev, "spapr-vio") &&
            reg >= 0)
            reg_insert(&rs, (unsigned long)reg);
    }
    rc = spapr_vio_pass(dom, &rs, default_spapr_serial, d);
    free(rs.v);
    if (rc == 0)
        mirror_serial_console(dom);
    return rc;
}
