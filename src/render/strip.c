/*
 * strip.c: --strip, remove what pciplan (and libvirt) re-create.
 */
#include "render/strip.h"
#include "util/strutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "render/writer.h"
#include "util/xalloc.h"

static bool is_ctrl(const struct device *dev, enum ctrl_type type, long index)
{
    return dev->kind == DEV_CONTROLLER && dev->ctrl_type == type &&
           dev->index == index;
}

/*
 * Only a controller libvirt would write exactly so is re-created
 * exactly: no attribute but type, index and model, and no child but
 * <address>. Anything else (ports=, <driver>, <master>) is a choice.
 */
static bool plain_controller(const struct xmldoc *xd, const struct device *dev)
{
    static const char *const attrs[] = {"type", "index", "model", NULL};

    for (size_t a = 0; a < xmldoc_nattrs(xd, dev->elem); a++) {
        const char *name = xmldoc_attr_name(xd, dev->elem, a);
        size_t i = 0;

        while (attrs[i] && strcmp(name, attrs[i]) != 0)
            i++;
        if (!attrs[i])
            return false;
    }
    for (long c = xmldoc_child(xd, dev->elem, NULL); c >= 0;
         c = xmldoc_next(xd, c, NULL)) {
        if (!xmldoc_name_is(xd, c, "address"))
            return false;
    }
    return true;
}

static bool has_disk_on(const struct domain *dom, const char *bus)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (dom->devs[i]->kind == DEV_DISK && str_eq(dom->devs[i]->bus, bus))
            return true;
    }
    return false;
}

static const struct machine *source_machine(const struct domain *dom)
{
    if (dom->machine)
        return machine_lookup(dom->machine, dom->arch);
    return machine_default(dom->arch ? dom->arch : "x86_64");
}

/* A controller the machine (or its disks) makes libvirt add again. */
static bool recreated_controller(const struct xmldoc *xd,
                                 const struct domain *dom,
                                 const struct machine *m,
                                 const struct device *dev)
{
    if (dev->kind != DEV_CONTROLLER || !plain_controller(xd, dev))
        return false;
    if (is_ctrl(dev, CTRL_TYPE_USB, 0))
        return m && m->implicit_usb &&
               (!dev->model || str_eq(dev->model, m->implicit_usb));
    if (is_ctrl(dev, CTRL_TYPE_SATA, 0))
        return (m && m->implicit_sata) || has_disk_on(dom, "sata");
    if (is_ctrl(dev, CTRL_TYPE_IDE, 0))
        return !has_disk_on(dom, "ide");
    return false;
}

/*
 * A USB address on bus 0, except a usb-net NIC's, which libvirt cannot
 * choose itself. Once USB controller 0 goes, the one the new machine
 * adds may have fewer ports, so these are planned again too.
 */
static bool usb_bus0_address(const struct device *dev)
{
    if (dev->addr_type != ADDR_OTHER || dev->other->kind != ADDR_KIND_USB ||
        (dev->kind == DEV_INTERFACE && str_eq(dev->model, "usb-net")))
        return false;
    /* field 0 of a usb address is its bus; absent means bus 0 */
    return dev->other->field[0] <= 0;
}

static bool strips_usb0(const struct xmldoc *xd, const struct domain *dom,
                        const struct machine *m)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (!device_is_added(dom->devs[i]) &&
            is_ctrl(dom->devs[i], CTRL_TYPE_USB, 0) &&
            recreated_controller(xd, dom, m, dom->devs[i]))
            return true;
    }
    return false;
}

/*
 * Every <address> of a device besides the one loaded: libvirt reads only
 * the first and drops the others, so once that goes the next would take
 * its place: a second --strip would find more to remove, and one without
 * type= (or of a kind the device cannot have) would make the stripped
 * document invalid where the original was not.
 */
static size_t ignored_addresses(const struct xmldoc *xd,
                                const struct device *dev, long *elems)
{
    size_t n = 0;

    for (long c = xmldoc_child(xd, dev->elem, "address"); c >= 0;
         c = xmldoc_next(xd, c, "address")) {
        if (c != dev->addr_elem)
            elems[n++] = c;
    }
    return n;
}

size_t strip_select(const struct xmldoc *xd, const struct domain *dom,
                    long *elems)
{
    const struct machine *m = source_machine(dom);
    bool usb0 = strips_usb0(xd, dom, m);
    size_t n = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (device_is_added(dev))
            continue;
        if ((dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_PCI) ||
            recreated_controller(xd, dom, m, dev))
            elems[n++] = dev->elem;
        else if (dev->addr_elem >= 0 && (dev->addr_type == ADDR_PCI ||
                                         (usb0 && usb_bus0_address(dev)))) {
            elems[n++] = dev->addr_elem;
            n += ignored_addresses(xd, dev, elems + n);
        }
    }
    return n;
}

int strip_render(const struct xmldoc *xd, const struct domain *dom, char **out,
                 size_t *outlen, struct diag *d)
{
    long *elems = xmalloc((xd->nelems ? xd->nelems : 1) * sizeof(*elems));
    int ret;

    ret =
        writer_delete(xd, elems, strip_select(xd, dom, elems), out, outlen, d);
    free(elems);
    return ret;
}
