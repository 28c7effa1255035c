/*
 * drive.c: drive addresses (controller, bus, target, unit) of disks.
 *
 * libvirt derives them from the disk's target name while parsing, before
 * anything else is planned, so they decide which IDE, SATA, SCSI and
 * floppy controllers exist.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Drive addresses                                                      */

/* How libvirt maps a disk's target index to controller/bus/unit. */
static const struct drive_layout {
    const char *bus;
    unsigned per_controller; /* units on all buses of one controller */
    unsigned per_bus;
} drive_layouts[] = {
    {"scsi", 7, 7}, /* narrow SCSI bus, as the QEMU driver uses */
    {"ide", 4, 2},
    {"sata", 6, 6},
    {"fdc", 2, 2},
};

/* A disk's drive address as a sort key; absent fields count as 0. */
struct drive_key {
    const char *bus; /* the disk's <target bus> */
    long field[4];   /* controller, bus, target, unit */
    size_t pos;      /* in dom->devs */
};

static int compare_drive_keys(const void *pa, const void *pb)
{
    const struct drive_key *a = pa, *b = pb;
    int c = strcmp(a->bus, b->bus);

    for (size_t i = 0; c == 0 && i < 4; i++)
        c = (a->field[i] > b->field[i]) - (a->field[i] < b->field[i]);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * Two disks of one bus must not share a drive address. The disks are
 * sorted by (bus, address, position), O(n log n): the pair reported is
 * the first disk in document order that repeats an earlier one's
 * address, with the first disk that had it.
 */
static int check_drive_duplicates(const struct domain *dom, struct diag *d)
{
    struct drive_key *keys = xcalloc(dom->ndevs + 1, sizeof(*keys));
    size_t n = 0, first = 0, dup = SIZE_MAX, earlier = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind != DEV_DISK || !dev->bus ||
            !nonpci_has_address(dev, ADDR_KIND_DRIVE))
            continue;
        keys[n].bus = dev->bus;
        for (size_t f = 0; f < 4; f++) {
            long v = device_other(dev)->field[f];

            keys[n].field[f] = v < 0 ? 0 : v;
        }
        keys[n++].pos = i;
    }
    qsort(keys, n, sizeof(*keys), compare_drive_keys);
    for (size_t k = 1; k < n; k++) {
        struct drive_key a = keys[k], b = keys[first];

        a.pos = b.pos = 0;
        if (compare_drive_keys(&a, &b) != 0)
            first = k;
        else if (keys[k].pos < dup && k == first + 1) {
            dup = keys[k].pos;
            earlier = keys[first].pos;
        }
    }
    free(keys);
    if (dup != SIZE_MAX) {
        const struct device *a = dom->devs[dup], *b = dom->devs[earlier];

        return diag_fail(d, STATUS_INVALID, a->addr_changed ? b->line : a->line,
                         "disk",
                         "disks %s and %s have the same drive "
                         "address (a disk's name implies its "
                         "address when it has none)",
                         b->dev ? b->dev : "?", a->dev ? a->dev : "?");
    }
    return 0;
}

/* Whether SCSI drive address controller:0:0:unit is taken: by a disk or
 * host device there, or by the limits of the controller's model. */
static bool scsi_unit_used(const struct domain *dom, long controller, long unit)
{
    static const struct {
        const char *model;
        long max, reserved;
    } limits[] = {
        {"virtio-scsi", 16383, -1},
        {"virtio-transitional", 16383, -1},
        {"virtio-non-transitional", 16383, -1},
        {"ibmvscsi", 31, 7},
        {"lsisas1068", 1, -1},
        {"lsisas1078", 255, -1},
        {"lsilogic", -1, 7},
        {"vmpvscsi", -1, 7},
        {"buslogic", -1, 7},
        {"ncr53c90", 6, -1},
        {"dc390", 6, -1},
        {"am53c974", 6, -1},
    };

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        bool scsi = (dev->kind == DEV_DISK && str_eq(dev->bus, "scsi")) ||
                    (dev->kind == DEV_HOSTDEV && str_eq(dev->type, "scsi"));

        if (dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_SCSI &&
            dev->index == controller) {
            for (size_t l = 0; l < sizeof(limits) / sizeof(*limits); l++) {
                if (str_eq(dev->model, limits[l].model) &&
                    ((limits[l].max >= 0 && unit > limits[l].max) ||
                     unit == limits[l].reserved))
                    return true;
            }
        }
        if (scsi && nonpci_has_address(dev, ADDR_KIND_DRIVE) &&
            (dev->addr_controller < 0 ? 0 : dev->addr_controller) ==
                controller &&
            dev->other->drive.bus <= 0 && dev->other->drive.target <= 0 &&
            (dev->other->drive.unit < 0 ? 0 : dev->other->drive.unit) == unit)
            return true;
    }
    return false;
}

/*
 * A SCSI host device without an address takes the first free unit (of
 * the 7 of a narrow bus, bus and target 0) on the lowest controller
 * with one, after every disk has its address.
 */
static void assign_scsi_hostdevs(struct domain *dom)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];
        long controller = 0, unit = 0;

        if (dev->kind != DEV_HOSTDEV || !str_eq(dev->type, "scsi") ||
            dev->addr_type != ADDR_NONE)
            continue;
        for (;; controller++) {
            for (unit = 0; unit < 7; unit++) {
                if (!scsi_unit_used(dom, controller, unit))
                    break;
            }
            if (unit < 7)
                break;
        }
        nonpci_set_address(dev, ADDR_KIND_DRIVE, 4, "controller", "%lu",
                           (unsigned long)controller, "bus", "%lu", 0UL,
                           "target", "%lu", 0UL, "unit", "%lu",
                           (unsigned long)unit);
        dev->addr_controller = controller;
    }
}

int nonpci_assign_drives(struct domain *dom, struct diag *d)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];
        long idx;

        if (dev->kind != DEV_DISK || dev->addr_type != ADDR_NONE)
            continue;
        for (size_t l = 0; l < sizeof(drive_layouts) / sizeof(*drive_layouts);
             l++) {
            const struct drive_layout *lay = &drive_layouts[l];

            if (!str_eq(dev->bus, lay->bus))
                continue;
            idx = domain_disk_name_index(dev->dev);
            if (idx < 0)
                return diag_fail(d, STATUS_INVALID, dev->line, "disk",
                                 "unknown disk name '%s' and no address "
                                 "given",
                                 dev->dev ? dev->dev : "");
            nonpci_set_address(
                dev, ADDR_KIND_DRIVE, 4, "controller", "%lu",
                (unsigned long)idx / lay->per_controller, "bus", "%lu",
                (unsigned long)(idx % lay->per_controller) / lay->per_bus,
                "target", "%lu", 0UL, "unit", "%lu",
                (unsigned long)idx % lay->per_bus);
            dev->addr_controller = idx / lay->per_controller;
        }
    }
    if (check_drive_duplicates(dom, d) < 0)
        return -1;
    assign_scsi_hostdevs(dom);
    return 0;
}
