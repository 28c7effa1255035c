/*
 * slots.c: the small address kinds: CCID slots of smartcards, the
 * virtio-mmio switch of Arm and RISC-V virt machines, DIMM slots of
 * memory devices.
 */
#include "plan/nonpci.h"
#include "util/sortset.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* CCID slots, virtio-mmio, DIMM slots                                  */

/*
 * A card without an address takes the slot after the highest one used
 * on controller 0 (by the input or by the cards placed before it): a
 * running maximum, and the CCID controllers in a sorted set, so the
 * cost is O(n log n) where a scan of every device per card was O(n^2).
 */
void nonpci_assign_smartcards(struct domain *dom, add_controller_fn add,
                              void *opaque)
{
    struct sortset ccid = {0}; /* the CCID controller indexes */
    long max = -1;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *o = dom->devs[i];

        if (o->kind == DEV_CONTROLLER && o->ctrl_type == CTRL_TYPE_CCID)
            sortset_add(&ccid, (unsigned long)o->index);
        if (o->kind == DEV_SMARTCARD && nonpci_has_address(o, ADDR_KIND_CCID) &&
            o->addr_controller <= 0 && o->other->ccid.slot > max)
            max = o->other->ccid.slot;
    }
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *card = dom->devs[i];
        long controller = 0;

        if (card->kind != DEV_SMARTCARD)
            continue;
        if (nonpci_has_address(card, ADDR_KIND_CCID)) {
            controller = card->addr_controller < 0 ? 0 : card->addr_controller;
        } else if (card->addr_type == ADDR_NONE) {
            nonpci_set_address(card, ADDR_KIND_CCID, 2, "controller", "%lu",
                               0UL, "slot", "%lu", (unsigned long)(max + 1));
            card->addr_controller = 0;
            max++;
        }
        if (sortset_add(&ccid, (unsigned long)controller))
            add(opaque, CTRL_TYPE_CCID, controller);
    }
    sortset_free(&ccid);
}

void nonpci_assign_virtio_mmio(struct domain *dom, bool always)
{
    bool any = always;

    for (size_t i = 0; i < dom->ndevs && !any; i++)
        any = nonpci_has_address(dom->devs[i], ADDR_KIND_VIRTIO_MMIO);
    for (size_t i = 0; any && i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->addr_type == ADDR_NONE && nonpci_virtio_transport_capable(dev))
            nonpci_set_address(dev, ADDR_KIND_VIRTIO_MMIO, 0);
    }
}

static bool is_dimm(const struct device *dev)
{
    return dev->kind == DEV_MEMORY &&
           (str_eq(dev->model, "dimm") || str_eq(dev->model, "nvdimm"));
}

int nonpci_assign_dimms(struct domain *dom, struct diag *d)
{
    bool used[4096] = {false};

    if (dom->memory_slots <= 0)
        return 0;
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        long slot = device_other(dev)->dimm.slot;

        if (is_dimm(dev) && nonpci_has_address(dev, ADDR_KIND_DIMM) &&
            slot >= 0 && slot < dom->memory_slots)
            used[slot] = true;
    }
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];
        long slot = 0;

        if (!is_dimm(dev) || dev->addr_type != ADDR_NONE)
            continue;
        while (slot < dom->memory_slots && used[slot])
            slot++;
        if (slot == dom->memory_slots)
            return diag_fail(d, STATUS_UNSATISFIABLE, dev->line, "memory",
                             "no free memory slot (maxMemory slots='%ld')",
                             dom->memory_slots);
        used[slot] = true;
        nonpci_set_address(dev, ADDR_KIND_DIMM, 1, "slot", "%lu",
                           (unsigned long)slot);
    }
    return 0;
}
