/*
 * vserial.c: virtio-serial ports of channels and consoles.
 *
 * Assigned before PCI placement: a full virtio-serial controller makes
 * libvirt add another one, and that one needs a PCI slot.
 */
#include "plan/nonpci.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIRTIO_SERIAL_DEFAULT_PORTS 31

/* ------------------------------------------------------------------ */
/* virtio-serial ports                                                  */

struct vs_controller {
    long index;
    unsigned nports;
    unsigned char used[256];
};

struct vs_set {
    struct vs_controller *ctrl;
    size_t n; /* sorted by index */
    size_t cap;
};

static void vs_add_controller(struct vs_set *set, long index, long ports)
{
    size_t at = set->n;

    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 8;
        set->ctrl = xreallocarray(set->ctrl, set->cap, sizeof(*set->ctrl));
    }
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

    if (nonpci_has_address(dev, "virtio-serial")) {
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
        controller = lowest_free_index(set);
        port = 1;
        add(opaque, "virtio-serial", controller);
        vs_add_controller(set, controller, -1);
    }
    if (vs_reserve(set, dev, controller, port, d) < 0)
        return -1;
    nonpci_set_address(dev, "virtio-serial", 3, "controller", "%lu",
                       (unsigned long)controller, "bus", "%lu", 0UL, "port",
                       "%lu", (unsigned long)port);
    dev->addr_controller = controller;
    return 0;
}

static bool vs_complete(const struct device *dev)
{
    return nonpci_has_address(dev, "virtio-serial") &&
           nonpci_address_number(dev, "port") > 0;
}

int nonpci_assign_virtio_serial(struct domain *dom, add_controller_fn add,
                                void *opaque, struct diag *d)
{
    struct vs_set *set = xcalloc(1, sizeof(*set));
    int rc = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER && str_eq(dev->type, "virtio-serial") &&
            dev->index >= 0 && !vs_find(set, dev->index))
            vs_add_controller(set, dev->index, dev->ports);
    }
    for (size_t i = 0; rc == 0 && i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (vs_complete(dev))
            rc = vs_reserve(set, dev,
                            dev->addr_controller < 0 ? 0 : dev->addr_controller,
                            nonpci_address_number(dev, "port"), d);
    }
    /* Consoles come first in libvirt but take nothing: their port 0 is
     * never marked used and never written. */
    for (size_t i = 0; rc == 0 && i < dom->ndevs; i++) {
        struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CHANNEL && is_virtio_port_user(dev) &&
            !vs_complete(dev))
            rc = vs_assign(set, dev, add, opaque, d);
    }
    free(set->ctrl);
    free(set);
    return rc;
}
