/*
 * usb.c: USB port paths of USB devices, with the hubs libvirt adds when
 * the controllers' root ports run out.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* USB ports                                                            */

#define USB_HUB_PORTS 8
#define USB_MAX_DEPTH 4
#define USB_MAX_PORTS 32

struct usb_hub {
    unsigned nports;
    bool full; /* a search found no free port in its subtree */
    bool used[USB_MAX_PORTS];
    struct usb_hub *child[USB_MAX_PORTS];
};

struct usb_set {
    struct usb_hub *bus[256];
    bool usb_net; /* usb-net interfaces sit on USB (libvirt after 9.0) */
};

static struct usb_hub *usb_hub_new(unsigned nports)
{
    struct usb_hub *hub = xcalloc(1, sizeof(*hub));

    hub->nports = nports > USB_MAX_PORTS ? USB_MAX_PORTS : nports;
    return hub;
}

static void usb_hub_free(struct usb_hub *hub)
{
    for (unsigned i = 0; hub && i < USB_MAX_PORTS; i++)
        usb_hub_free(hub->child[i]);
    free(hub);
}

/* Ports a USB controller model provides (its companions provide none:
 * their EHCI1 partner counts for the set). */
static unsigned usb_controller_ports(const struct device *dev)
{
    static const struct {
        const char *model;
        unsigned ports;
    } models[] = {
        {"piix3-uhci", 2}, {"piix4-uhci", 2}, {"vt82c686b-uhci", 2},
        {"ehci", 6},       {"ich9-ehci1", 6}, {"pci-ohci", 3},
        {"nec-xhci", 4},   {"qemu-xhci", 4},  {"qusb1", 8},
        {"qusb2", 8},
    };

    if (!dev->model)
        return 2;
    for (size_t i = 0; i < sizeof(models) / sizeof(*models); i++) {
        if (strcmp(dev->model, models[i].model) == 0)
            return dev->ports > 0 && strstr(dev->model, "xhci")
                       ? (unsigned)dev->ports
                       : models[i].ports;
    }
    return 0;
}

/* The devices that sit on USB, in libvirt's order. */
static bool is_usb_device(const struct device *dev, bool with_hubs,
                          bool usb_net)
{
    switch (dev->kind) {
    case DEV_INTERFACE:
        return usb_net && str_eq(dev->model, "usb-net");
    case DEV_HUB:
        return with_hubs && str_eq(dev->type, "usb");
    case DEV_HOSTDEV:
        return str_eq(dev->type, "usb");
    case DEV_DISK:
    case DEV_INPUT:
    case DEV_REDIRDEV:
        return str_eq(dev->bus, "usb");
    case DEV_CONTROLLER:
        return dev->ctrl_type == CTRL_TYPE_CCID;
    case DEV_SERIAL:
        return str_eq(dev->type, "usb-serial");
    case DEV_SOUND:
        return str_eq(dev->model, "usb");
    default:
        return false;
    }
}

static const enum dev_kind usb_order[] = {
    DEV_HUB,   DEV_HOSTDEV, DEV_DISK,  DEV_INTERFACE, DEV_CONTROLLER,
    DEV_INPUT, DEV_SERIAL,  DEV_SOUND, DEV_REDIRDEV};

/* A USB address: bus and the port path ("1", "1.3", ...). */
static bool usb_address(const struct device *dev, long *bus,
                        unsigned path[USB_MAX_DEPTH])
{
    const char *port = NULL;

    memset(path, 0, USB_MAX_DEPTH * sizeof(*path));
    if (!nonpci_has_address(dev, ADDR_KIND_USB))
        return false;
    *bus = dev->other->usb.bus;
    if (*bus < 0)
        *bus = 0;
    port = domain_other_value(dev->other, "port");
    for (unsigned level = 0; port && *port && level < USB_MAX_DEPTH; level++) {
        char *end;
        unsigned long v = strtoul(port, &end, 10);

        if (end == port || v == 0 || v > USB_MAX_PORTS)
            return false;
        path[level] = (unsigned)v;
        port = *end == '.' ? end + 1 : end;
    }
    return path[0] != 0;
}

static struct usb_hub *usb_find_port(struct usb_set *set, long bus,
                                     const unsigned path[USB_MAX_DEPTH],
                                     unsigned *port)
{
    struct usb_hub *hub = bus >= 0 && bus < 256 ? set->bus[bus] : NULL;
    unsigned last = 0;

    while (last + 1 < USB_MAX_DEPTH && path[last + 1])
        last++;
    for (unsigned i = 0; hub && i < last; i++)
        hub = path[i] <= hub->nports ? hub->child[path[i] - 1] : NULL;
    if (!hub || path[last] > hub->nports)
        return NULL;
    *port = path[last] - 1;
    return hub;
}

static int usb_reserve(struct usb_set *set, const struct device *dev, long bus,
                       const unsigned path[USB_MAX_DEPTH],
                       struct usb_hub *new_hub, struct diag *d)
{
    unsigned port;
    struct usb_hub *hub = usb_find_port(set, bus, path, &port);

    if (!hub) {
        usb_hub_free(new_hub);
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "USB bus %ld has no such port (or hub) for this "
                         "address",
                         bus);
    }
    if (hub->used[port]) {
        usb_hub_free(new_hub);
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "USB address bus %ld port %u is already used", bus,
                         port + 1);
    }
    hub->used[port] = true;
    hub->child[port] = new_hub;
    return 0;
}

/*
 * The first free port: the hub's own, else the first child's subtree
 * that has one. A subtree once found full stays full (a hub can only be
 * added on a free port, ports are never freed), so it is marked and
 * skipped: each hub is searched in vain at most once, and a search
 * costs O(depth x ports) instead of a walk over every full hub before
 * the first free port.
 */
static bool usb_free_port(struct usb_hub *hub, unsigned *path, unsigned level)
{
    if (hub->full)
        return false;
    for (unsigned p = 0; p < hub->nports; p++) {
        if (!hub->used[p]) {
            path[level] = p + 1;
            return true;
        }
    }
    if (level + 1 >= USB_MAX_DEPTH) {
        hub->full = true;
        return false;
    }
    for (unsigned p = 0; p < hub->nports; p++) {
        if (hub->child[p] && usb_free_port(hub->child[p], path, level + 1)) {
            path[level] = p + 1;
            return true;
        }
    }
    hub->full = true;
    return false;
}

static int usb_assign(struct usb_set *set, struct device *dev, struct diag *d)
{
    unsigned path[USB_MAX_DEPTH] = {0};
    char port[16] = "";
    long bus = -1;
    long wanted =
        nonpci_has_address(dev, ADDR_KIND_USB) ? dev->other->usb.bus : -1;

    for (long b = wanted >= 0 ? wanted : 0; b < 256; b++) {
        if (set->bus[b] && usb_free_port(set->bus[b], path, 0)) {
            bus = b;
            break;
        }
        if (wanted >= 0)
            break;
    }
    if (bus < 0)
        return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                         dev_kind_name(dev->kind), "no free USB port");
    for (unsigned i = 0; i < USB_MAX_DEPTH && path[i]; i++)
        snprintf(port + strlen(port), sizeof(port) - strlen(port), "%s%u",
                 i ? "." : "", path[i]);
    if (usb_reserve(set, dev, bus, path,
                    dev->kind == DEV_HUB ? usb_hub_new(USB_HUB_PORTS) : NULL,
                    d) < 0)
        return -1;
    nonpci_set_address(dev, ADDR_KIND_USB, 2, "bus", "%lu", (unsigned long)bus,
                       "port", "%lu", 0UL);
    snprintf(dev->other->value[1], sizeof(dev->other->value[1]), "%s", port);
    return 0;
}

static bool usb_needs_port(const struct device *dev)
{
    unsigned path[USB_MAX_DEPTH];
    long bus;

    return dev->addr_type == ADDR_NONE ||
           (nonpci_has_address(dev, ADDR_KIND_USB) &&
            !usb_address(dev, &bus, path));
}

static size_t count_usb(const struct domain *dom, bool usb_net, unsigned *ports)
{
    size_t n = 0;

    *ports = 0;
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        n += is_usb_device(dev, true, usb_net);
        if (dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_USB)
            *ports += usb_controller_ports(dev);
        if (dev->kind == DEV_HUB && str_eq(dev->type, "usb"))
            *ports += USB_HUB_PORTS;
    }
    return n;
}

static bool has_usb(const struct domain *dom)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_USB &&
            !str_eq(dev->model, "none"))
            return true;
    }
    return false;
}

/* libvirt adds hubs when the devices outnumber the ports. */
static int add_hubs(struct domain *dom, bool usb_net, struct diag *d)
{
    unsigned ports;
    size_t n = count_usb(dom, usb_net, &ports);

    if (n > 0 && !has_usb(dom))
        return diag_fail(d, STATUS_INVALID, 0, NULL,
                         "USB devices are present but USB is disabled "
                         "(<controller type='usb' model='none'/>)");
    if (n <= ports)
        return 0;
    for (size_t h = (n - ports + 1 + USB_HUB_PORTS - 2) / (USB_HUB_PORTS - 1);
         h > 0; h--) {
        struct device *hub = domain_add_device(dom, DEV_HUB);

        hub->type = xstrdup("usb");
        hub->added = ADDED_FOR_BUS;
    }
    return 0;
}

static int usb_build(struct usb_set *set, struct domain *dom, struct diag *d)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        unsigned nports;

        if (dev->kind != DEV_CONTROLLER || dev->ctrl_type != CTRL_TYPE_USB ||
            dev->index < 0 || dev->index > 255 ||
            !(nports = usb_controller_ports(dev)))
            continue;
        if (set->bus[dev->index])
            return diag_fail(d, STATUS_INVALID, dev->line, "controller",
                             "a second USB controller with ports at index "
                             "%ld (an ICH9 set has one ich9-ehci1)",
                             dev->index);
        set->bus[dev->index] = usb_hub_new(nports);
    }
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        unsigned path[USB_MAX_DEPTH];
        long bus;

        if (dev->kind == DEV_HUB && str_eq(dev->type, "usb") &&
            usb_address(dev, &bus, path) &&
            usb_reserve(set, dev, bus, path, usb_hub_new(USB_HUB_PORTS), d) < 0)
            return -1;
    }
    return 0;
}

static int usb_place_all(struct usb_set *set, struct domain *dom,
                         struct diag *d)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        unsigned path[USB_MAX_DEPTH];
        long bus;

        if (is_usb_device(dev, false, set->usb_net) &&
            usb_address(dev, &bus, path) &&
            usb_reserve(set, dev, bus, path, NULL, d) < 0)
            return -1;
    }
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->kind == DEV_HUB && str_eq(dev->type, "usb") &&
            usb_needs_port(dev) && usb_assign(set, dev, d) < 0)
            return -1;
    }
    for (size_t k = 1; k < sizeof(usb_order) / sizeof(*usb_order); k++) {
        for (size_t i = 0; i < dom->ndevs; i++) {
            struct device *dev = dom->devs[i];

            if (dev->kind == usb_order[k] &&
                is_usb_device(dev, false, set->usb_net) &&
                usb_needs_port(dev) && usb_assign(set, dev, d) < 0)
                return -1;
        }
    }
    return 0;
}

int nonpci_assign_usb(struct domain *dom, bool usb_net, struct diag *d)
{
    struct usb_set *set;
    int rc = -1;

    if (add_hubs(dom, usb_net, d) < 0)
        return -1;
    set = xcalloc(1, sizeof(*set));
    set->usb_net = usb_net;
    if (usb_build(set, dom, d) == 0)
        rc = usb_place_all(set, dom, d);
    for (unsigned b = 0; b < 256; b++)
        usb_hub_free(set->bus[b]);
    free(set);
    return rc;
}
