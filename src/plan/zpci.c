/*
 * zpci.c: s390 zPCI identifiers (<zpci uid fid/> inside a PCI address).
 *
 * On s390 every PCI function is also a zPCI device with a user id (uid,
 * 1..0xffff) and a function id (fid, 0..0xffffffff), each unique in the
 * domain whatever the PCI bus or domain. libvirt first completes and
 * reserves the ids users gave (a uid without fid, or the reverse, takes
 * the lowest free value of the other), then gives every other device on
 * PCI the lowest free pair, both in its device iteration order. Serial
 * devices (pci-serial) never take ids.
 */
#include "plan/state.h"

#include <stdlib.h>
#include <string.h>

#include "plan/nonpci.h"
#include "util/xalloc.h"

#define ZPCI_MAX_UID 0xffffUL
#define ZPCI_MAX_FID 0xffffffffUL

/* A set of ids in use, kept sorted. */
struct id_set {
    unsigned long *v;
    size_t n;
};

static bool id_used(const struct id_set *s, unsigned long id)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->v[mid] == id)
            return true;
        if (s->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Room for every device was made up front. */
static void id_add(struct id_set *s, unsigned long id)
{
    size_t at = s->n;

    while (at > 0 && s->v[at - 1] > id)
        at--;
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
    s->v[at] = id;
    s->n++;
}

struct zpci_state {
    struct planner *p;
    struct id_set uids, fids;
};

static long lowest_free(const struct id_set *s, unsigned long min,
                        unsigned long max)
{
    for (unsigned long id = min;; id++) {
        if (!id_used(s, id))
            return (long)id;
        if (id == max)
            return -1;
    }
}

/* libvirt's virDomainZPCIAddressEnsureAddr: complete, then reserve. */
static int ensure_ids(struct zpci_state *zs, struct device *dev)
{
    struct zpci_ids *z = &dev->zpci;

    if (z->uid < 0)
        z->uid = lowest_free(&zs->uids, 1, ZPCI_MAX_UID);
    if (z->fid < 0)
        z->fid = lowest_free(&zs->fids, 0, ZPCI_MAX_FID);
    if (z->uid < 0 || z->fid < 0)
        return diag_fail(zs->p->d, STATUS_UNSATISFIABLE, dev->line,
                         dev_kind_name(dev->kind), "no free zPCI %s is left",
                         z->uid < 0 ? "uid" : "fid");
    if (id_used(&zs->uids, (unsigned long)z->uid) ||
        id_used(&zs->fids, (unsigned long)z->fid)) {
        bool uid = id_used(&zs->uids, (unsigned long)z->uid);

        return diag_fail(zs->p->d, STATUS_INVALID, dev->line,
                         dev_kind_name(dev->kind),
                         "zPCI %s 0x%0*lx is already used by another device",
                         uid ? "uid" : "fid", uid ? 4 : 8,
                         (unsigned long)(uid ? z->uid : z->fid));
    }
    id_add(&zs->uids, (unsigned long)z->uid);
    id_add(&zs->fids, (unsigned long)z->fid);
    if (z->uid != dev->input_zpci.uid || z->fid != dev->input_zpci.fid)
        dev->zpci_changed = true;
    return 0;
}

static bool takes_zpci(const struct device *dev)
{
    switch (dev->kind) {
    case DEV_SERIAL:
    case DEV_PARALLEL:
    case DEV_CHANNEL:
    case DEV_CONSOLE:
        return false;
    default:
        return dev->addr_type == ADDR_PCI;
    }
}

/* libvirt's device iteration order (virDomainDeviceInfoIterate). */
static const enum dev_kind iteration_order[] = {
    DEV_DISK,       DEV_INTERFACE, DEV_SOUND,  DEV_HOSTDEV,    DEV_VIDEO,
    DEV_CONTROLLER, DEV_SMARTCARD, DEV_INPUT,  DEV_FILESYSTEM, DEV_WATCHDOG,
    DEV_MEMBALLOON, DEV_RNG,       DEV_NVRAM,  DEV_HUB,        DEV_SHMEM,
    DEV_TPM,        DEV_PANIC,     DEV_MEMORY, DEV_REDIRDEV,   DEV_IOMMU,
    DEV_VSOCK};

/* Every device in that order: 'given' selects those with the user's ids
 * (first pass) or those without (second pass). */
static int zpci_pass(struct zpci_state *zs, const size_t *disks, size_t ndisks,
                     bool given)
{
    struct planner *p = zs->p;

    for (size_t k = 0; k < sizeof(iteration_order) / sizeof(*iteration_order);
         k++) {
        enum dev_kind kind = iteration_order[k];
        const struct plan_list *l = kind == DEV_CONTROLLER ? &p->ctrls
                                    : kind == DEV_VIDEO    ? &p->videos
                                                           : &p->by_kind[kind];
        size_t n = kind == DEV_DISK ? ndisks : l->n;

        for (size_t i = 0; i < n; i++) {
            struct device *dev =
                plan_dev(p, kind == DEV_DISK ? disks[i] : l->at[i]);
            bool has = dev->input_zpci.uid >= 0 || dev->input_zpci.fid >= 0;

            if (!takes_zpci(dev) || has != given)
                continue;
            dev->zpci = dev->input_zpci;
            if (ensure_ids(zs, dev) < 0)
                return -1;
        }
    }
    return 0;
}

int plan_assign_zpci(struct planner *p)
{
    struct zpci_state zs = {p, {NULL, 0}, {NULL, 0}};
    size_t *disks, ndisks;
    int rc;

    if (!p->mach->ccw) {
        for (size_t i = 0; i < p->dom->ndevs; i++) {
            const struct device *dev = plan_dev(p, i);

            if (dev->zpci_elem >= 0)
                return diag_fail(p->d, STATUS_INVALID, dev->line,
                                 dev_kind_name(dev->kind),
                                 "<zpci> needs an s390 machine (QEMU has "
                                 "zPCI only there)");
        }
        return 0;
    }
    disks = xcalloc(p->dom->ndevs + 1, sizeof(*disks));
    zs.uids.v = xcalloc(p->dom->ndevs + 1, sizeof(unsigned long));
    zs.fids.v = xcalloc(p->dom->ndevs + 1, sizeof(unsigned long));
    nonpci_disk_order(p->dom, disks, &ndisks);
    rc = zpci_pass(&zs, disks, ndisks, true);
    if (rc == 0)
        rc = zpci_pass(&zs, disks, ndisks, false);
    free(disks);
    free(zs.uids.v);
    free(zs.fids.v);
    return rc;
}
