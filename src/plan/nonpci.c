/*
 * nonpci.c: what the non-PCI address kinds share: reading a device's
 * address attributes as numbers, finding a controller of a type and
 * index, and replacing a device's address with a planned one.
 *
 * Each address kind has its file (drive.c, vserial.c, spapr.c, usb.c,
 * slots.c, ccw.c); nonpci.h is their common interface to the planner.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool nonpci_has_address(const struct device *dev, const char *type)
{
    return dev->addr_type == ADDR_OTHER && str_eq(dev->addr_type_name, type);
}

/* The value of a non-PCI address attribute as a number, or -1. */
long nonpci_address_number(const struct device *dev, const char *name)
{
    for (unsigned i = 0; i < dev->other.nattrs; i++) {
        char *end;
        long v;

        if (strcmp(dev->other.name[i], name) != 0)
            continue;
        v = strtol(dev->other.value[i], &end, 0);
        return *end || v < 0 ? -1 : v;
    }
    return -1;
}

bool nonpci_find_controller(const struct domain *dom, const char *type,
                            long index)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && str_eq(dev->type, type) &&
            dev->index == index)
            return true;
    }
    return false;
}

/* Replace the device's address with one of 'type'; attributes follow as
 * name, printf format, value triples (values are unsigned long). */
void nonpci_set_address(struct device *dev, const char *type, unsigned nattrs,
                        ...)
{
    va_list ap;
    char *name = xstrdup(type);

    free(dev->addr_type_name);
    dev->addr_type_name = name;
    dev->addr_type = ADDR_OTHER;
    dev->addr_changed = true;
    memset(&dev->other, 0, sizeof(dev->other));
    snprintf(dev->other.type, sizeof(dev->other.type), "%s", type);
    va_start(ap, nattrs);
    for (unsigned i = 0; i < nattrs && i < OTHER_ADDR_ATTRS; i++) {
        const char *attr = va_arg(ap, const char *);
        const char *fmt = va_arg(ap, const char *);
        unsigned long value = va_arg(ap, unsigned long);

        snprintf(dev->other.name[i], sizeof(dev->other.name[i]), "%s", attr);
        snprintf(dev->other.value[i], sizeof(dev->other.value[i]), fmt, value);
        dev->other.nattrs++;
    }
    va_end(ap);
}

/* What libvirt moves to virtio-mmio (qemuDomainAssignVirtioMMIOAddresses);
 * CCW takes these and more. */
bool nonpci_virtio_transport_capable(const struct device *dev)
{
    switch (dev->kind) {
    case DEV_DISK:
    case DEV_INPUT:
        return str_eq(dev->bus, "virtio");
    case DEV_INTERFACE:
        return !dev->model || strncmp(dev->model, "virtio", 6) == 0;
    case DEV_VIDEO:
        /* these transports exist only where libvirt's default video is
         * virtio (s390, ARM and RISC-V virt) */
        return !dev->model || str_eq(dev->model, "virtio");
    case DEV_CONTROLLER:
        return str_eq(dev->type, "virtio-serial") || str_eq(dev->type, "scsi");
    case DEV_HOSTDEV:
        return str_eq(dev->type, "scsi_host");
    case DEV_MEMBALLOON:
        return !str_eq(dev->model, "none");
    case DEV_RNG:
        return true;
    case DEV_MEMORY:
        return str_eq(dev->model, "virtio-pmem") ||
               str_eq(dev->model, "virtio-mem");
    default:
        return false;
    }
}
