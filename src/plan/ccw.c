/*
 * ccw.c: s390 channel I/O (CCW) device numbers of virtio devices and
 * vfio-ccw host devices: 0xfe.0.0000 upward, past the numbers users gave
 * in that channel subsystem.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* s390 channel I/O (CCW) device numbers                                */

/* The devices that go on the channel subsystem instead of PCI when they
 * have no address: virtio ones, and vfio-ccw mediated devices. */
static bool ccw_capable(const struct device *dev)
{
    if (dev->kind == DEV_HOSTDEV && str_eq(dev->type, "mdev"))
        return str_eq(dev->model, "vfio-ccw");
    return nonpci_virtio_transport_capable(dev) ||
           dev->kind == DEV_FILESYSTEM || dev->kind == DEV_VSOCK;
}

/* <address type='ccw'/> without a device number: libvirt numbers it as
 * it numbers a device without an address (a partial one is invalid). */
static bool wants_devno(const struct device *dev)
{
    if (dev->addr_type == ADDR_NONE)
        return ccw_capable(dev);
    return nonpci_has_address(dev, ADDR_KIND_CCW) && !dev->addr_changed &&
           device_other(dev)->ccw.devno < 0;
}

/* libvirt's device iteration order (virDomainDeviceInfoIterate). */
static const enum dev_kind iteration_order[] = {
    DEV_DISK,       DEV_INTERFACE, DEV_SOUND,      DEV_HOSTDEV,  DEV_VIDEO,
    DEV_CONTROLLER, DEV_SMARTCARD, DEV_SERIAL,     DEV_PARALLEL, DEV_CHANNEL,
    DEV_CONSOLE,    DEV_INPUT,     DEV_FILESYSTEM, DEV_WATCHDOG, DEV_MEMBALLOON,
    DEV_RNG,        DEV_NVRAM,     DEV_HUB,        DEV_SHMEM,    DEV_TPM,
    DEV_PANIC,      DEV_MEMORY,    DEV_REDIRDEV,   DEV_IOMMU,    DEV_VSOCK};

/* The device numbers the input already gave (one bit each): only
 * 0xfe.0.devno holds a number, a user's device in another channel
 * subsystem or subchannel set does not. Devices addressed by this pass
 * have addr_changed set and never count. */
static void devnos_used(const struct domain *dom, unsigned char *used)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        long devno;

        if (!nonpci_has_address(dev, ADDR_KIND_CCW) || dev->addr_changed ||
            device_other(dev)->ccw.cssid != 0xfe ||
            device_other(dev)->ccw.ssid != 0)
            continue;
        devno = device_other(dev)->ccw.devno;
        if (devno >= 0 && devno <= 0xffff)
            used[devno >> 3] |= (unsigned char)(1u << (devno & 7));
    }
}

static bool devno_used(const unsigned char *used, unsigned long devno)
{
    return (used[devno >> 3] >> (devno & 7)) & 1u;
}

struct disk_rank {
    long index; /* target name index */
    size_t pos; /* in dom->devs, the tie break that keeps it stable */
};

static int compare_disk_ranks(const void *pa, const void *pb)
{
    const struct disk_rank *a = pa, *b = pb;

    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * Disks in libvirt's array order: each disk moves back past the disks
 * of its bus with a greater target index, never past a disk of another
 * bus. So every run of consecutive disks on one bus ends up stably
 * sorted by target index, and the runs keep their order: one sort per
 * run, O(n log n) (an insertion sort was O(n^2) for reversed names).
 */
void nonpci_disk_order(const struct domain *dom, size_t *order, size_t *n)
{
    struct disk_rank *rank = xcalloc(dom->ndevs + 1, sizeof(*rank));
    size_t start = 0;

    *n = 0;
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (dom->devs[i]->kind != DEV_DISK)
            continue;
        rank[*n].index = domain_disk_name_index(dom->devs[i]->dev);
        rank[(*n)++].pos = i;
    }
    for (size_t k = 1; k <= *n; k++) {
        if (k < *n && str_eq(dom->devs[rank[k - 1].pos]->bus,
                             dom->devs[rank[k].pos]->bus))
            continue;
        qsort(&rank[start], k - start, sizeof(*rank), compare_disk_ranks);
        start = k;
    }
    for (size_t k = 0; k < *n; k++)
        order[k] = rank[k].pos;
    free(rank);
}

static int assign_devno(const unsigned char *used, struct device *dev,
                        unsigned long *next, struct diag *d)
{
    while (*next <= 0xffff && devno_used(used, *next))
        (*next)++;
    if (*next > 0xffff)
        return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                         dev_kind_name(dev->kind),
                         "no free CCW device number is left");
    nonpci_set_address(dev, ADDR_KIND_CCW, 3, "cssid", "0x%lx", 0xfeUL, "ssid",
                       "0x%lx", 0UL, "devno", "0x%04lx", *next);
    (*next)++;
    return 0;
}

/* A user CCW address with a device number as a sort key. */
struct ccw_key {
    long cssid, ssid, devno;
    size_t pos; /* in dom->devs */
};

static int compare_ccw_address(const struct ccw_key *a, const struct ccw_key *b)
{
    if (a->cssid != b->cssid)
        return a->cssid < b->cssid ? -1 : 1;
    if (a->ssid != b->ssid)
        return a->ssid < b->ssid ? -1 : 1;
    return (a->devno > b->devno) - (a->devno < b->devno);
}

static int compare_ccw_keys(const void *pa, const void *pb)
{
    const struct ccw_key *a = pa, *b = pb;
    int c = compare_ccw_address(a, b);

    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* The first device in document order on a mediated device's address of
 * the wrong kind, or ndevs. */
static size_t first_wrong_mdev(const struct domain *dom)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_HOSTDEV && str_eq(dev->type, "mdev") &&
            dev->addr_type != ADDR_NONE &&
            ((str_eq(dev->model, "vfio-ccw") &&
              !nonpci_has_address(dev, ADDR_KIND_CCW)) ||
             (str_eq(dev->model, "vfio-pci") && dev->addr_type != ADDR_PCI)))
            return i;
    }
    return dom->ndevs;
}

/*
 * The first device in document order whose user CCW address an earlier
 * one has, and in *earlier the first device with it, or ndevs. Sorted
 * by (address, position), O(n log n): each device after the first of a
 * run of equal addresses repeats the first's.
 */
static size_t first_duplicate_ccw(const struct domain *dom, size_t *earlier)
{
    struct ccw_key *k = xcalloc(dom->ndevs + 1, sizeof(*k));
    size_t n = 0, dup = dom->ndevs, first = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        const struct ccw_addr *a = &device_other(dev)->ccw;

        if (nonpci_has_address(dev, ADDR_KIND_CCW) && a->devno >= 0)
            k[n++] = (struct ccw_key){a->cssid, a->ssid, a->devno, i};
    }
    qsort(k, n, sizeof(*k), compare_ccw_keys);
    for (size_t i = 1; i < n; i++) {
        if (compare_ccw_address(&k[i], &k[first]) != 0)
            first = i;
        else if (k[i].pos < dup) {
            dup = k[i].pos;
            *earlier = k[first].pos;
        }
    }
    free(k);
    return dup;
}

/* What libvirt refuses before numbering: a mediated device on the other
 * kind's address, and two devices on one user CCW address; the first
 * device in document order with either is named. */
static int check_user_addresses(const struct domain *dom, struct diag *d)
{
    size_t earlier = 0, mdev = first_wrong_mdev(dom);
    size_t dup = first_duplicate_ccw(dom, &earlier);

    if (mdev < dom->ndevs && mdev <= dup) {
        const struct device *dev = dom->devs[mdev];

        return diag_fail(d, STATUS_INVALID, dev->line, "hostdev",
                         "a %s mediated device needs a %s address", dev->model,
                         str_eq(dev->model, "vfio-ccw") ? "ccw" : "pci");
    }
    if (dup < dom->ndevs) {
        const struct device *dev = dom->devs[dup], *o = dom->devs[earlier];

        return diag_fail(
            d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
            "CCW address %lx.%lx.%04lx is already used by <%s> at line %u",
            (unsigned long)device_other(dev)->ccw.cssid,
            (unsigned long)device_other(dev)->ccw.ssid,
            (unsigned long)device_other(dev)->ccw.devno, dev_kind_name(o->kind),
            o->line);
    }
    return 0;
}

int nonpci_assign_ccw(struct domain *dom, struct diag *d)
{
    size_t *disks = xcalloc(dom->ndevs + 1, sizeof(*disks)), ndisks;
    unsigned char *used = xcalloc(0x10000 / 8, 1);
    unsigned long next = 0;
    int rc = check_user_addresses(dom, d);

    devnos_used(dom, used);
    nonpci_disk_order(dom, disks, &ndisks);
    for (size_t k = 0;
         rc == 0 && k < sizeof(iteration_order) / sizeof(*iteration_order);
         k++) {
        size_t n = iteration_order[k] == DEV_DISK ? ndisks : dom->ndevs;

        for (size_t i = 0; rc == 0 && i < n; i++) {
            struct device *dev =
                dom->devs[iteration_order[k] == DEV_DISK ? disks[i] : i];

            if (dev->kind == iteration_order[k] && wants_devno(dev))
                rc = assign_devno(used, dev, &next, d);
        }
    }
    free(used);
    free(disks);
    return rc;
}
