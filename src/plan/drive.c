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

static bool same_drive_address(const struct device *a, const struct device *b)
{
    static const char *const fields[] = {"controller", "bus", "target", "unit"};

    if (!str_eq(a->bus, b->bus) || !nonpci_has_address(a, "drive") ||
        !nonpci_has_address(b, "drive"))
        return false;
    for (size_t i = 0; i < 4; i++) {
        long x = nonpci_address_number(a, fields[i]),
             y = nonpci_address_number(b, fields[i]);

        if ((x < 0 ? 0 : x) != (y < 0 ? 0 : y))
            return false;
    }
    return true;
}

/* Two disks of one bus must not share a drive address. */
static int check_drive_duplicates(const struct domain *dom, struct diag *d)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *a = dom->devs[i];

        for (size_t j = 0; a->kind == DEV_DISK && j < i; j++) {
            const struct device *b = dom->devs[j];

            if (b->kind == DEV_DISK && same_drive_address(a, b))
                return diag_fail(d, STATUS_INVALID,
                                 a->addr_changed ? b->line : a->line, "disk",
                                 "disks %s and %s have the same drive "
                                 "address (a disk's name implies its "
                                 "address when it has none)",
                                 b->dev ? b->dev : "?", a->dev ? a->dev : "?");
        }
    }
    return 0;
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
                dev, "drive", 4, "controller", "%lu",
                (unsigned long)idx / lay->per_controller, "bus", "%lu",
                (unsigned long)(idx % lay->per_controller) / lay->per_bus,
                "target", "%lu", 0UL, "unit", "%lu",
                (unsigned long)idx % lay->per_bus);
            dev->addr_controller = idx / lay->per_controller;
        }
    }
    return check_drive_duplicates(dom, d);
}
