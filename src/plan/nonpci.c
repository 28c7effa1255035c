#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_SERIAL_DEFAULT_PORTS 31
#define VIRTIO_SERIAL_MAX_CONTROLLERS 256

static bool has_other_address(const struct device *dev, const char *type)
{
    return dev->addr_type == ADDR_OTHER && str_eq(dev->addr_type_name, type);
}

/* The value of a non-PCI address attribute as a number, or -1. */
static long other_number(const struct device *dev, const char *name)
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

static bool find_typed_controller(const struct domain *dom, const char *type,
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
static void set_other_address(struct device *dev, const char *type,
                              unsigned nattrs, ...)
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

    if (!str_eq(a->bus, b->bus) || !has_other_address(a, "drive") ||
        !has_other_address(b, "drive"))
        return false;
    for (size_t i = 0; i < 4; i++) {
        long x = other_number(a, fields[i]), y = other_number(b, fields[i]);

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
            set_other_address(
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

/* ------------------------------------------------------------------ */
/* virtio-serial ports                                                  */

struct vs_controller {
    long index;
    unsigned nports;
    unsigned char used[256];
};

struct vs_set {
    struct vs_controller ctrl[VIRTIO_SERIAL_MAX_CONTROLLERS];
    unsigned n; /* sorted by index */
};

static void vs_add_controller(struct vs_set *set, long index, long ports)
{
    unsigned at = set->n;

    while (at > 0 && set->ctrl[at - 1].index > index)
        at--;
    memmove(&set->ctrl[at + 1], &set->ctrl[at],
            (set->n - at) * sizeof(set->ctrl[0]));
    memset(&set->ctrl[at], 0, sizeof(set->ctrl[at]));
    set->ctrl[at].index = index;
    set->ctrl[at].nports =
        ports > 0 ? (unsigned)ports : VIRTIO_SERIAL_DEFAULT_PORTS;
    set->n++;
}

static struct vs_controller *vs_find(struct vs_set *set, long index)
{
    for (unsigned i = 0; i < set->n; i++) {
        if (set->ctrl[i].index == index)
            return &set->ctrl[i];
    }
    return NULL;
}

static bool is_virtio_port_user(const struct device *dev)
{
    return (dev->kind == DEV_CHANNEL || dev->kind == DEV_CONSOLE) &&
           str_eq(dev->type, "virtio");
}

static int vs_reserve(struct vs_set *set, const struct device *dev,
                      long controller, long port, struct diag *d)
{
    struct vs_controller *c = vs_find(set, controller);

    if (!c)
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "virtio-serial controller %ld does not exist",
                         controller);
    if (port < 0 || (unsigned long)port >= c->nports)
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "virtio-serial controller %ld has no port %ld "
                         "(ports 0..%u)",
                         controller, port, c->nports - 1);
    if (c->used[port])
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "virtio-serial port %ld on controller %ld is "
                         "already used",
                         port, controller);
    c->used[port] = 1;
    return 0;
}

/* A port number from 'first' up, on the lowest controller with one. */
static bool vs_next(struct vs_set *set, unsigned first, long *controller,
                    long *port)
{
    for (unsigned i = 0; i < set->n; i++) {
        for (unsigned p = first; p < set->ctrl[i].nports; p++) {
            if (!set->ctrl[i].used[p]) {
                *controller = set->ctrl[i].index;
                *port = p;
                return true;
            }
        }
    }
    return false;
}

static long lowest_free_index(const struct vs_set *set)
{
    long idx = 0;

    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < set->n; i++) {
            if (set->ctrl[i].index == idx) {
                idx++;
                again = true;
            }
        }
    }
    return idx;
}

/*
 * Where libvirt puts a channel: the lowest free port from 1 on the
 * lowest controller, or on the controller its address names; when all
 * are full, a new controller at the lowest free index.
 */
static int vs_assign(struct vs_set *set, struct device *dev,
                     add_controller_fn add, void *opaque, struct diag *d)
{
    long controller, port;

    if (has_other_address(dev, "virtio-serial")) {
        struct vs_controller *c =
            vs_find(set, dev->addr_controller < 0 ? 0 : dev->addr_controller);

        controller = c ? c->index : -1;
        for (port = 1; c && (unsigned long)port < c->nports && c->used[port];
             port++)
            ;
        if (!c || (unsigned long)port >= c->nports)
            return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                             dev_kind_name(dev->kind),
                             "no free port on virtio-serial controller %ld",
                             dev->addr_controller);
    } else if (!vs_next(set, 1, &controller, &port)) {
        if (set->n == VIRTIO_SERIAL_MAX_CONTROLLERS)
            return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                             dev_kind_name(dev->kind),
                             "all virtio-serial ports are in use");
        controller = lowest_free_index(set);
        port = 1;
        add(opaque, "virtio-serial", controller);
        vs_add_controller(set, controller, -1);
    }
    if (vs_reserve(set, dev, controller, port, d) < 0)
        return -1;
    set_other_address(dev, "virtio-serial", 3, "controller", "%lu",
                      (unsigned long)controller, "bus", "%lu", 0UL, "port",
                      "%lu", (unsigned long)port);
    dev->addr_controller = controller;
    return 0;
}

static bool vs_complete(const struct device *dev)
{
    return has_other_address(dev, "virtio-serial") &&
           other_number(dev, "port") > 0;
}

int nonpci_assign_virtio_serial(struct domain *dom, add_controller_fn add,
                                void *opaque, struct diag *d)
{
    struct vs_set *set = xcalloc(1, sizeof(*set));
    int rc = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && str_eq(dev->type, "virtio-serial") &&
            dev->index >= 0 && !vs_find(set, dev->index) &&
            set->n < VIRTIO_SERIAL_MAX_CONTROLLERS)
            vs_add_controller(set, dev->index, dev->ports);
    }
    for (size_t i = 0; rc == 0 && i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (vs_complete(dev))
            rc = vs_reserve(set, dev,
                            dev->addr_controller < 0 ? 0 : dev->addr_controller,
                            other_number(dev, "port"), d);
    }
    /* Consoles come first in libvirt but take nothing: their port 0 is
     * never marked used and never written. */
    for (size_t i = 0; rc == 0 && i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CHANNEL && is_virtio_port_user(dev) &&
            !vs_complete(dev))
            rc = vs_assign(set, dev, add, opaque, d);
    }
    free(set);
    return rc;
}

/* ------------------------------------------------------------------ */
/* spapr-vio registers (pSeries)                                        */

/* A console of target type serial (the default) mirrors serial 0 and
 * shares its address: it is not a device of its own. */
static bool is_serial_console(const struct device *dev)
{
    return dev->kind == DEV_CONSOLE &&
           (!dev->type || str_eq(dev->type, "serial"));
}

/* The spapr-vio registers in use, sorted (a multiset: a user may
 * write one twice, which is the error to report). */
struct reg_set {
    unsigned long *v;
    size_t n;
};

static size_t reg_lower_bound(const struct reg_set *rs, unsigned long reg)
{
    size_t lo = 0, hi = rs->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (rs->v[mid] < reg)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t reg_count(const struct reg_set *rs, unsigned long reg)
{
    size_t i = reg_lower_bound(rs, reg), n = 0;

    while (i + n < rs->n && rs->v[i + n] == reg)
        n++;
    return n;
}

/* Room for every device was made up front, so this cannot fail. */
static void reg_insert(struct reg_set *rs, unsigned long reg)
{
    size_t i = reg_lower_bound(rs, reg);

    memmove(&rs->v[i + 1], &rs->v[i], (rs->n - i) * sizeof(*rs->v));
    rs->v[i] = reg;
    rs->n++;
}

static int assign_reg(struct reg_set *rs, struct device *dev,
                      unsigned long base, struct diag *d)
{
    long given = other_number(dev, "reg");
    unsigned long reg = base;

    if (given >= 0) {
        /* the set already holds this device's own register once */
        if (reg_count(rs, (unsigned long)given) > 1)
            return diag_fail(d, STATUS_INVALID, dev->line,
                             dev_kind_name(dev->kind),
                             "spapr-vio address 0x%lx is already used",
                             (unsigned long)given);
        return 0;
    }
    while (reg_count(rs, reg) > 0)
        reg += 0x1000;
    reg_insert(rs, reg);
    set_other_address(dev, "spapr-vio", 1, "reg", "0x%08lx", reg);
    return 0;
}

/* Which devices sit on the spapr-vio bus, and their QEMU default regs. */
static unsigned long spapr_base(const struct device *dev,
                                bool default_spapr_serial)
{
    switch (dev->kind) {
    case DEV_INTERFACE:
        return str_eq(dev->model, "spapr-vlan") ? 0x1000 : 0;
    case DEV_CONTROLLER:
        return str_eq(dev->type, "scsi") && str_eq(dev->model, "ibmvscsi")
                   ? 0x2000
                   : 0;
    case DEV_SERIAL:
        return str_eq(dev->type, "spapr-vio-serial") ||
                       (!dev->type && default_spapr_serial)
                   ? 0x30000000
                   : 0;
    case DEV_NVRAM:
        return default_spapr_serial ? 0x3000 : 0;
    default:
        return 0;
    }
}

/* libvirt numbers ibmvscsi controllers in array order, which is index
 * order within the type. */
static int assign_spapr_controllers(struct domain *dom, struct reg_set *rs,
                                    bool default_spapr_serial, struct diag *d)
{
    for (long idx = 0; idx < 256; idx++) {
        for (size_t i = 0; i < dom->ndevs; i++) {
            struct device *dev = dom->devs[i];

            if (dev->kind == DEV_CONTROLLER && dev->index == idx &&
                spapr_base(dev, default_spapr_serial) &&
                (dev->addr_type == ADDR_NONE ||
                 has_other_address(dev, "spapr-vio")) &&
                assign_reg(rs, dev, 0x2000, d) < 0)
                return -1;
        }
    }
    return 0;
}

/* libvirt writes serial 0's address into the console that mirrors it. */
static void mirror_serial_console(struct domain *dom)
{
    const struct device *serial = NULL;

    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->kind == DEV_SERIAL && !serial)
            serial = dev;
        if (dev->kind != DEV_CONSOLE)
            continue;
        if (serial && has_other_address(serial, "spapr-vio") &&
            is_serial_console(dev) && dev->addr_type == ADDR_NONE) {
            free(dev->addr_type_name);
            dev->addr_type_name = xstrdup("spapr-vio");
            dev->addr_type = ADDR_OTHER;
            dev->other = serial->other;
            dev->addr_changed = true;
        }
        return;
    }
}

static int spapr_vio_pass(struct domain *dom, struct reg_set *rs,
                          bool default_spapr_serial, struct diag *d)
{
    static const enum dev_kind order[] = {DEV_INTERFACE, DEV_CONTROLLER,
                                          DEV_SERIAL, DEV_NVRAM};

    for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
        if (order[k] == DEV_CONTROLLER) {
            if (assign_spapr_controllers(dom, rs, default_spapr_serial, d) < 0)
                return -1;
            continue;
        }
        for (size_t i = 0; i < dom->ndevs; i++) {
            struct device *dev = dom->devs[i];
            unsigned long base;

            if (dev->kind != order[k])
                continue;
            base = spapr_base(dev, default_spapr_serial);
            if (!base || (dev->addr_type != ADDR_NONE &&
                          !has_other_address(dev, "spapr-vio")))
                continue;
            if (assign_reg(rs, dev, base, d) < 0)
                return -1;
        }
    }
    return 0;
}

int nonpci_assign_spapr_vio(struct domain *dom, bool default_spapr_serial,
                            struct diag *d)
{
    struct reg_set rs = {xcalloc(dom->ndevs + 1, sizeof(unsigned long)), 0};
    int rc;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];
        long reg = other_number(dev, "reg");

        if (!is_serial_console(dev) && has_other_address(dev, "spapr-vio") &&
            reg >= 0)
            reg_insert(&rs, (unsigned long)reg);
    }
    rc = spapr_vio_pass(dom, &rs, default_spapr_serial, d);
    free(rs.v);
    if (rc == 0)
        mirror_serial_console(dom);
    return rc;
}

/* ------------------------------------------------------------------ */
/* USB ports                                                            */

#define USB_HUB_PORTS 8
#define USB_MAX_DEPTH 4
#define USB_MAX_PORTS 32

struct usb_hub {
    unsigned nports;
    bool used[USB_MAX_PORTS];
    struct usb_hub *child[USB_MAX_PORTS];
};

struct usb_set {
    struct usb_hub *bus[256];
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
static bool is_usb_device(const struct device *dev, bool with_hubs)
{
    switch (dev->kind) {
    case DEV_HUB:
        return with_hubs && str_eq(dev->type, "usb");
    case DEV_HOSTDEV:
        return str_eq(dev->type, "usb");
    case DEV_DISK:
    case DEV_INPUT:
    case DEV_REDIRDEV:
        return str_eq(dev->bus, "usb");
    case DEV_CONTROLLER:
        return str_eq(dev->type, "ccid");
    case DEV_SERIAL:
        return str_eq(dev->type, "usb-serial");
    case DEV_SOUND:
        return str_eq(dev->model, "usb");
    default:
        return false;
    }
}

static const enum dev_kind usb_order[] = {
    DEV_HUB,   DEV_HOSTDEV, DEV_DISK,  DEV_CONTROLLER,
    DEV_INPUT, DEV_SERIAL,  DEV_SOUND, DEV_REDIRDEV};

/* A USB address: bus and the port path ("1", "1.3", ...). */
static bool usb_address(const struct device *dev, long *bus,
                        unsigned path[USB_MAX_DEPTH])
{
    const char *port = NULL;

    memset(path, 0, USB_MAX_DEPTH * sizeof(*path));
    if (!has_other_address(dev, "usb"))
        return false;
    *bus = other_number(dev, "bus");
    if (*bus < 0)
        *bus = 0;
    for (unsigned i = 0; i < dev->other.nattrs; i++) {
        if (strcmp(dev->other.name[i], "port") == 0)
            port = dev->other.value[i];
    }
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

static bool usb_free_port(const struct usb_hub *hub, unsigned *path,
                          unsigned level)
{
    for (unsigned p = 0; p < hub->nports; p++) {
        if (!hub->used[p]) {
            path[level] = p + 1;
            return true;
        }
    }
    if (level + 1 >= USB_MAX_DEPTH)
        return false;
    for (unsigned p = 0; p < hub->nports; p++) {
        if (hub->child[p] && usb_free_port(hub->child[p], path, level + 1)) {
            path[level] = p + 1;
            return true;
        }
    }
    return false;
}

static int usb_assign(struct usb_set *set, struct device *dev, struct diag *d)
{
    unsigned path[USB_MAX_DEPTH] = {0};
    char port[16] = "";
    long bus = -1;
    long wanted = has_other_address(dev, "usb") ? other_number(dev, "bus") : -1;

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
    set_other_address(dev, "usb", 2, "bus", "%lu", (unsigned long)bus, "port",
                      "%lu", 0UL);
    snprintf(dev->other.value[1], sizeof(dev->other.value[1]), "%s", port);
    return 0;
}

static bool usb_needs_port(const struct device *dev)
{
    unsigned path[USB_MAX_DEPTH];
    long bus;

    return dev->addr_type == ADDR_NONE ||
           (has_other_address(dev, "usb") && !usb_address(dev, &bus, path));
}

static size_t count_usb(const struct domain *dom, unsigned *ports)
{
    size_t n = 0;

    *ports = 0;
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        n += is_usb_device(dev, true);
        if (dev->kind == DEV_CONTROLLER && str_eq(dev->type, "usb"))
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

        if (dev->kind == DEV_CONTROLLER && str_eq(dev->type, "usb") &&
            !str_eq(dev->model, "none"))
            return true;
    }
    return false;
}

/* libvirt adds hubs when the devices outnumber the ports. */
static int add_hubs(struct domain *dom, struct diag *d)
{
    unsigned ports;
    size_t n = count_usb(dom, &ports);

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

        if (dev->kind != DEV_CONTROLLER || !str_eq(dev->type, "usb") ||
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

        if (is_usb_device(dev, false) && usb_address(dev, &bus, path) &&
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

            if (dev->kind == usb_order[k] && is_usb_device(dev, false) &&
                usb_needs_port(dev) && usb_assign(set, dev, d) < 0)
                return -1;
        }
    }
    return 0;
}

int nonpci_assign_usb(struct domain *dom, struct diag *d)
{
    struct usb_set *set;
    int rc = -1;

    if (add_hubs(dom, d) < 0)
        return -1;
    set = xcalloc(1, sizeof(*set));
    if (usb_build(set, dom, d) == 0)
        rc = usb_place_all(set, dom, d);
    for (unsigned b = 0; b < 256; b++)
        usb_hub_free(set->bus[b]);
    free(set);
    return rc;
}

/* ------------------------------------------------------------------ */
/* CCID slots, virtio-mmio, DIMM slots                                  */

void nonpci_assign_smartcards(struct domain *dom, add_controller_fn add,
                              void *opaque)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        struct device *card = dom->devs[i];
        long controller = 0, max = -1;

        if (card->kind != DEV_SMARTCARD)
            continue;
        if (has_other_address(card, "ccid")) {
            controller = card->addr_controller < 0 ? 0 : card->addr_controller;
        } else if (card->addr_type == ADDR_NONE) {
            for (size_t j = 0; j < dom->ndevs; j++) {
                const struct device *o = dom->devs[j];

                if (o->kind == DEV_SMARTCARD && has_other_address(o, "ccid") &&
                    o->addr_controller <= 0 && other_number(o, "slot") > max)
                    max = other_number(o, "slot");
            }
            set_other_address(card, "ccid", 2, "controller", "%lu", 0UL, "slot",
                              "%lu", (unsigned long)(max + 1));
            card->addr_controller = 0;
        }
        if (!find_typed_controller(dom, "ccid", controller))
            add(opaque, "ccid", controller);
    }
}

/* What libvirt moves to virtio-mmio (qemuDomainAssignVirtioMMIOAddresses). */
static bool mmio_capable(const struct device *dev)
{
    switch (dev->kind) {
    case DEV_DISK:
    case DEV_INPUT:
        return str_eq(dev->bus, "virtio");
    case DEV_INTERFACE:
        return !dev->model || strncmp(dev->model, "virtio", 6) == 0;
    case DEV_VIDEO:
        return str_eq(dev->model, "virtio");
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

void nonpci_assign_virtio_mmio(struct domain *dom)
{
    bool any = false;

    for (size_t i = 0; i < dom->ndevs && !any; i++)
        any = has_other_address(dom->devs[i], "virtio-mmio");
    for (size_t i = 0; any && i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->addr_type == ADDR_NONE && mmio_capable(dev))
            set_other_address(dev, "virtio-mmio", 0);
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
        long slot = other_number(dom->devs[i], "slot");

        if (is_dimm(dom->devs[i]) && has_other_address(dom->devs[i], "dimm") &&
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
        set_other_address(dev, "dimm", 1, "slot", "%lu", (unsigned long)slot);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* s390 channel I/O (CCW) device numbers                                */

/* The virtio devices that go on the channel subsystem instead of PCI. */
static bool ccw_capable(const struct device *dev)
{
    return mmio_capable(dev) || dev->kind == DEV_FILESYSTEM ||
           dev->kind == DEV_VSOCK;
}

/* libvirt's device iteration order (virDomainDeviceInfoIterate). */
static const enum dev_kind iteration_order[] = {
    DEV_DISK,       DEV_INTERFACE, DEV_SOUND,      DEV_HOSTDEV,  DEV_VIDEO,
    DEV_CONTROLLER, DEV_SMARTCARD, DEV_SERIAL,     DEV_PARALLEL, DEV_CHANNEL,
    DEV_CONSOLE,    DEV_INPUT,     DEV_FILESYSTEM, DEV_WATCHDOG, DEV_MEMBALLOON,
    DEV_RNG,        DEV_NVRAM,     DEV_HUB,        DEV_SHMEM,    DEV_TPM,
    DEV_PANIC,      DEV_MEMORY,    DEV_REDIRDEV,   DEV_IOMMU,    DEV_VSOCK};

static bool devno_used(const struct domain *dom, unsigned long devno)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (has_other_address(dev, "ccw") && !dev->addr_changed &&
            other_number(dev, "devno") == (long)devno)
            return true;
    }
    return false;
}

/* Disks in libvirt's array order: stably sorted by target index. */
static void next_disk_order(const struct domain *dom, size_t *order, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < dom->ndevs; i++) {
        size_t at;

        if (dom->devs[i]->kind != DEV_DISK)
            continue;
        at = *n;
        while (at > 0 &&
               str_eq(dom->devs[order[at - 1]]->bus, dom->devs[i]->bus) &&
               domain_disk_name_index(dom->devs[order[at - 1]]->dev) >
                   domain_disk_name_index(dom->devs[i]->dev))
            at--;
        memmove(&order[at + 1], &order[at], (*n - at) * sizeof(*order));
        order[at] = i;
        (*n)++;
    }
}

static int assign_devno(struct domain *dom, struct device *dev,
                        unsigned long *next, struct diag *d)
{
    while (*next <= 0xffff && devno_used(dom, *next))
        (*next)++;
    if (*next > 0xffff)
        return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                         dev_kind_name(dev->kind),
                         "no free CCW device number is left");
    set_other_address(dev, "ccw", 3, "cssid", "0x%lx", 0xfeUL, "ssid", "0x%lx",
                      0UL, "devno", "0x%04lx", *next);
    (*next)++;
    return 0;
}

int nonpci_assign_ccw(struct domain *dom, struct diag *d)
{
    size_t *disks = xcalloc(dom->ndevs + 1, sizeof(*disks)), ndisks;
    unsigned long next = 0;
    int rc = 0;

    next_disk_order(dom, disks, &ndisks);
    for (size_t k = 0;
         rc == 0 && k < sizeof(iteration_order) / sizeof(*iteration_order);
         k++) {
        size_t n = iteration_order[k] == DEV_DISK ? ndisks : dom->ndevs;

        for (size_t i = 0; rc == 0 && i < n; i++) {
            struct device *dev =
                dom->devs[iteration_order[k] == DEV_DISK ? disks[i] : i];

            if (dev->kind == iteration_order[k] &&
                dev->addr_type == ADDR_NONE && ccw_capable(dev))
                rc = assign_devno(dom, dev, &next, d);
        }
    }
    free(disks);
    return rc;
}
