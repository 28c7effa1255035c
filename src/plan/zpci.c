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
#include "util/sortset.h"
#include "util/xalloc.h"

#define ZPCI_MAX_UID 0xffffUL
#define ZPCI_MAX_FID 0xffffffffUL

struct zpci_state {
    struct planner *p;
    struct sortset uids, fids; /* the ids in use */
};

static long lowest_free(const struct sortset *s, unsigned long min,
                        unsigned long max)
{
    unsigned long id = sortset_lowest_free(s, min);

    return id > max ? -1 : (long)id;
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
    if (sortset_contains(&zs->uids, (unsigned long)z->uid) ||
        sortset_contains(&zs->fids, (unsigned long)z->fid)) {
        bool uid = sortset_contains(&zs->uids, (unsigned long)z->uid);

        return diag_fail(zs->p->d, STATUS_INVALID, dev->line,
                         dev_kind_name(dev->kind),
                         "zPCI %s 0x%0*lx is already used by another device",
                         uid ? "uid" : "fid", uid ? 4 : 8,
                         (unsigned long)(uid ? z->uid : z->fid));
    }
    sortset_insert(&zs->uids, (unsigned long)z->uid);
    sortset_insert(&zs->fids, (unsigned long)z->fid);
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
    struct zpci_state zs = {p, {0}, {0}};
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
    nonpci_disk_order(p->dom, disks, &ndisks);
    rc = zpci_pass(&zs, disks, ndisks, true);
    if (rc == 0)
        rc = zpci_pass(&zs, disks, ndisks, false);
    free(disks);
    sortset_free(&zs.uids);
    sortset_free(&zs.fids);
    return rc;
}
