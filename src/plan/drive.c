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

/* The units of a narrow SCSI bus a host device can take: 0..6. */
#define SCSI_UNITS 7
#define SCSI_UNITS_ALL ((1u << SCSI_UNITS) - 1)

/* The units (bit u: unit u, bus and target 0) of one SCSI controller
 * that are taken. */
struct scsi_units {
    long controller;
    unsigned used;
};

/* The units 0..6 the limits of a SCSI controller's model rule out. */
static unsigned scsi_model_units(const char *model)
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
    unsigned used = 0;

    for (size_t l = 0; l < sizeof(limits) / sizeof(*limits); l++) {
        if (!str_eq(model, limits[l].model))
            continue;
        for (long u = 0; u < SCSI_UNITS; u++) {
            if ((limits[l].max >= 0 && u > limits[l].max) ||
                u == limits[l].reserved)
                used |= 1u << u;
        }
    }
    return used;
}

/* A disk or host device's claim on unit 0..6 of a controller (bus and
 * target 0), or false. */
static bool scsi_unit_claim(const struct device *dev, struct scsi_units *c)
{
    bool scsi = (dev->kind == DEV_DISK && str_eq(dev->bus, "scsi")) ||
                (dev->kind == DEV_HOSTDEV && str_eq(dev->type, "scsi"));
    long unit;

    if (!scsi || !nonpci_has_address(dev, ADDR_KIND_DRIVE) ||
        dev->other->drive.bus > 0 || dev->other->drive.target > 0)
        return false;
    unit = dev->other->drive.unit < 0 ? 0 : dev->other->drive.unit;
    if (unit >= SCSI_UNITS)
        return false;
    c->controller = dev->addr_controller < 0 ? 0 : dev->addr_controller;
    c->used = 1u << unit;
    return true;
}

static int compare_scsi_units(const void *pa, const void *pb)
{
    const struct scsi_units *a = pa, *b = pb;

    return (a->controller > b->controller) - (a->controller < b->controller);
}

/*
 * The taken units of every controller that has one, ascending by
 * controller, one entry each: by the disks and host devices on them,
 * or by the limits of the controller's model. One sort, O(n log n).
 */
static size_t scsi_units_taken(const struct domain *dom, struct scsi_units *t)
{
    size_t n = 0, merged = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_SCSI &&
            dev->index >= 0) {
            t[n] =
                (struct scsi_units){dev->index, scsi_model_units(dev->model)};
            n += t[n].used != 0;
        } else if (scsi_unit_claim(dev, &t[n]))
            n++;
    }
    qsort(t, n, sizeof(*t), compare_scsi_units);
    for (size_t k = 0; k < n; k++) {
        if (merged && t[merged - 1].controller == t[k].controller)
            t[merged - 1].used |= t[k].used;
        else
            t[merged++] = t[k];
    }
    return merged;
}

/* Where the search for a free unit stands: the lowest controller that
 * may have one. Units are only ever taken, so it never goes down. */
struct scsi_cursor {
    const struct scsi_units *t;
    size_t n, k; /* t[k] is the first entry not below 'controller' */
    long controller;
    unsigned used; /* of 'controller' */
};

static void scsi_cursor_seek(struct scsi_cursor *c)
{
    while (c->k < c->n && c->t[c->k].controller < c->controller)
        c->k++;
    c->used = c->k < c->n && c->t[c->k].controller == c->controller
                  ? c->t[c->k].used
                  : 0;
}

/* The lowest free unit of the lowest controller with one, taken. */
static long scsi_cursor_take(struct scsi_cursor *c)
{
    long unit = 0;

    while (c->used == SCSI_UNITS_ALL) {
        c->controller++;
        scsi_cursor_seek(c);
    }
    while (c->used >> unit & 1u)
        unit++;
    c->used |= 1u << unit;
    return unit;
}

/*
 * A SCSI host device without an address takes the first free unit (of
 * the 7 of a narrow bus, bus and target 0) on the lowest controller
 * with one, after every disk has its address. The taken units are
 * gathered once and the search resumes where the last one ended.
 */
static void assign_scsi_hostdevs(struct domain *dom)
{
    struct scsi_units *t = NULL;
    struct scsi_cursor c = {0};

    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];
        long unit;

        if (dev->kind != DEV_HOSTDEV || !str_eq(dev->type, "scsi") ||
            dev->addr_type != ADDR_NONE)
            continue;
        if (!t) {
            t = xcalloc(dom->ndevs + 1, sizeof(*t));
            c.t = t;
            c.n = scsi_units_taken(dom, t);
            scsi_cursor_seek(&c);
        }
        unit = scsi_cursor_take(&c);
        nonpci_set_address(dev, ADDR_KIND_DRIVE, 4, "controller", "%lu",
                           (unsigned long)c.controller, "bus", "%lu", 0UL,
                           "target", "%lu", 0UL, "unit", "%lu",
                           (unsigned long)unit);
        dev->addr_controller = c.controller;
    }
    free(t);
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
