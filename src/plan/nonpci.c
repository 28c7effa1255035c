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

/* Copy at most size - 1 bytes and terminate, as snprintf "%s" does. */
static void copy_bounded(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The formats the address kinds use, without a printf per attribute
 * (they were most of the planner's cost on large domains); any other
 * goes to snprintf. */
static void format_value(char *dst, size_t size, const char *fmt,
                         unsigned long value)
{
    static const char digits[] = "0123456789abcdef";
    unsigned base = 10, width = 0;
    char tmp[24];
    size_t n = 0, at = 0;

    if (strcmp(fmt, "0x%lx") == 0)
        base = 16;
    else if (strcmp(fmt, "0x%04lx") == 0)
        base = 16, width = 4;
    else if (strcmp(fmt, "0x%08lx") == 0)
        base = 16, width = 8;
    else if (strcmp(fmt, "%lu") != 0) {
        snprintf(dst, size, fmt, value);
        return;
    }
    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value);
    while (n < width)
        tmp[n++] = '0';
    if (base == 16)
        tmp[n++] = 'x', tmp[n++] = '0';
    while (n > 0 && at + 1 < size)
        dst[at++] = tmp[--n];
    dst[at] = '\0';
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
    copy_bounded(dev->other.type, sizeof(dev->other.type), type);
    va_start(ap, nattrs);
    for (unsigned i = 0; i < nattrs && i < OTHER_ADDR_ATTRS; i++) {
        const char *attr = va_arg(ap, const char *);
        const char *fmt = va_arg(ap, const char *);
        unsigned long value = va_arg(ap, unsigned long);

        copy_bounded(dev->other.name[i], sizeof(dev->other.name[i]), attr);
        format_value(dev->other.value[i], sizeof(dev->other.value[i]), fmt,
                     value);
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
        return dev->ctrl_type == CTRL_TYPE_VIRTIO_SERIAL ||
               dev->ctrl_type == CTRL_TYPE_SCSI;
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

/*
 * libvirt writes every field of a drive, virtio-serial and CCID address
 * (absent ones are 0), so an address that lacks one is written again in
 * full, in libvirt's attribute order, keeping the values given.
 */
void nonpci_complete_addresses(struct domain *dom)
{
    static const struct {
        const char *type;
        const char *fields[4];
    } layouts[] = {
        {"drive", {"controller", "bus", "target", "unit"}},
        {"virtio-serial", {"controller", "bus", "port", NULL}},
        {"ccid", {"controller", "slot", NULL, NULL}},
    };

    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        for (size_t l = 0; l < sizeof(layouts) / sizeof(*layouts); l++) {
            struct other_addr full = {.nattrs = 0};
            bool missing = false;

            if (!nonpci_has_address(dev, layouts[l].type))
                continue;
            snprintf(full.type, sizeof(full.type), "%s", layouts[l].type);
            for (size_t f = 0; f < 4 && layouts[l].fields[f]; f++) {
                const char *name = layouts[l].fields[f];
                const char *value = NULL;

                for (unsigned a = 0; a < dev->other.nattrs; a++) {
                    if (strcmp(dev->other.name[a], name) == 0)
                        value = dev->other.value[a];
                }
                missing |= !value;
                snprintf(full.name[f], sizeof(full.name[f]), "%s", name);
                snprintf(full.value[f], sizeof(full.value[f]), "%s",
                         value ? value : "0");
                full.nattrs++;
            }
            if (!missing)
                continue;
            dev->other = full;
            dev->addr_changed = true;
        }
    }
}
