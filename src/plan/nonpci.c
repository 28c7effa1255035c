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

bool nonpci_has_address(const struct device *dev, enum addr_kind kind)
{
    return dev->addr_type == ADDR_OTHER && device_other(dev)->kind == kind;
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

/* Replace the device's address with one of 'kind'; attributes follow as
 * name, printf format, value triples (values are unsigned long). */
void nonpci_set_address(struct device *dev, enum addr_kind kind,
                        unsigned nattrs, ...)
{
    va_list ap;
    struct other_addr *o = device_set_other(dev, kind);

    dev->addr_type = ADDR_OTHER;
    dev->addr_changed = true;
    va_start(ap, nattrs);
    for (unsigned i = 0; i < nattrs && i < OTHER_ADDR_ATTRS; i++) {
        const char *attr = va_arg(ap, const char *);
        const char *fmt = va_arg(ap, const char *);
        unsigned long value = va_arg(ap, unsigned long);

        copy_bounded(o->name[i], sizeof(o->name[i]), attr);
        format_value(o->value[i], sizeof(o->value[i]), fmt, value);
        o->nattrs++;
    }
    va_end(ap);
    domain_other_resolve(o);
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
    static const enum addr_kind complete[] = {
        ADDR_KIND_DRIVE, ADDR_KIND_VIRTIO_SERIAL, ADDR_KIND_CCID};

    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        for (size_t l = 0; l < sizeof(complete) / sizeof(*complete); l++) {
            enum addr_kind kind = complete[l];
            struct other_addr full = {.kind = kind};
            unsigned f;

            if (!nonpci_has_address(dev, kind))
                continue;
            /* only an address that lacks a field is written again: the
             * test comes before any formatting (most have every field) */
            for (f = 0; addr_kind_field(kind, f); f++)
                ;
            if (dev->other->present == (1u << f) - 1)
                continue;
            for (f = 0; addr_kind_field(kind, f); f++) {
                const char *name = addr_kind_field(kind, f);
                const char *value = domain_other_value(dev->other, name);

                snprintf(full.name[f], sizeof(full.name[f]), "%s", name);
                snprintf(full.value[f], sizeof(full.value[f]), "%s",
                         value ? value : "0");
                full.nattrs++;
            }
            domain_other_resolve(&full);
            *dev->other = full;
            dev->addr_changed = true;
        }
    }
}
