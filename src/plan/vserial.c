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
    unsigned lowest; /* ports 1..lowest-1 are all used */
    unsigned char used[256];
};

struct vs_set {
    struct vs_controller *ctrl;
    size_t n; /* sorted by index */
    size_t cap;
    size_t open;    /* ctrl[0..open-1] have no free port from 1 */
    long free_from; /* no index below it is free */
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
    set->ctrl[at].lowest = 1;
    set->n++;
    /* Only added when all others are full, or before any port is taken. */
    set->open = at < set->open ? at : set->open;
}

/* Binary search: the controllers are sorted by index. */
static struct vs_controller *vs_find(struct vs_set *set, long index)
{
    size_t lo = 0, hi = set->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (set->ctrl[mid].index == index)
            return &set->ctrl[mid];
        if (set->ctrl[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The lowest free port from 1 (nports when none is); ports are never
 * freed, so the hint only moves up. */
static unsigned vs_lowest_free(struct vs_controller *c)
{
    while (c->lowest < c->nports && c->used[c->lowest])
        c->lowest++;
    return c->lowest;
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

/* The lowest free port from 1 on the lowest controller with one,
 * resuming at the first controller that may still have one. */
static bool vs_next(struct vs_set *set, long *controller, long *port)
{
    for (; set->open < set->n; set->open++) {
        struct vs_controller *c = &set->ctrl[set->open];
        unsigned p = vs_lowest_free(c);

        if (p < c->nports) {
            *controller = c->index;
            *port = p;
            return true;
        }
    }
    return false;
}

/* The lowest index no controller has (the indexes are sorted, unique
 * and not negative): the first gap. Indexes are only ever added, so
 * the search resumes at the last gap found. */
static long lowest_free_index(struct vs_set *set)
{
    size_t lo = 0, hi = set->n;
    long idx = set->free_from;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (set->ctrl[mid].index < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < set->n && set->ctrl[i].index <= idx; i++) {
        if (set->ctrl[i].index == idx)
            idx++;
    }
    set->free_from = idx;
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

    if (nonpci_has_address(dev, ADDR_KIND_VIRTIO_SERIAL)) {
        struct vs_controller *c =
            vs_find(set, dev->addr_controller < 0 ? 0 : dev->addr_controller);

        controller = c ? c->index : -1;
        port = c ? vs_lowest_free(c) : 1;
        if (!c || (unsigned long)port >= c->nports)
            return diag_fail(d, STATUS_UNSATISFIABLE, dev->line,
                             dev_kind_name(dev->kind),
                             "no free port on virtio-serial controller %ld",
                             dev->addr_controller);
    } else if (!vs_next(set, &controller, &port)) {
        controller = lowest_free_index(set);
        port = 1;
        add(opaque, CTRL_TYPE_VIRTIO_SERIAL, controller);
        vs_add_controller(set, controller, -1);
    }
    if (vs_reserve(set, dev, controller, port, d) < 0)
        return -1;
    nonpci_set_address(dev, ADDR_KIND_VIRTIO_SERIAL, 3, "controller", "%lu",
                       (unsigned long)controller, "bus", "%lu", 0UL, "port",
                       "%lu", (unsigned long)port);
    dev->addr_controller = controller;
    return 0;
}

static bool vs_complete(const struct device *dev)
{
    return nonpci_has_address(dev, ADDR_KIND_VIRTIO_SERIAL) &&
           dev->other->vserial.port > 0;
}

struct vs_key {
    long index;
    size_t pos; /* in dom->devs: the first with an index counts */
};

static int compare_vs_keys(const void *pa, const void *pb)
{
    const struct vs_key *a = pa, *b = pb;

    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The input's controllers, the first of each index, added in index
 * order so that each goes at the end (one sort, not an insertion each:
 * O(n^2) for indexes in reverse order). */
static void vs_add_input_controllers(struct vs_set *set,
                                     const struct domain *dom)
{
    struct vs_key *k = xcalloc(dom->ndevs + 1, sizeof(*k));
    size_t n = 0;

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev->kind == DEV_CONTROLLER &&
            dev->ctrl_type == CTRL_TYPE_VIRTIO_SERIAL && dev->index >= 0)
            k[n++] = (struct vs_key){dev->index, i};
    }
    qsort(k, n, sizeof(*k), compare_vs_keys);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || k[i].index != k[i - 1].index)
            vs_add_controller(set, k[i].index, dom->devs[k[i].pos]->ports);
    }
    free(k);
}

int nonpci_assign_virtio_serial(struct domain *dom, add_controller_fn add,
                                void *opaque, struct diag *d)
{
    struct vs_set *set = xcalloc(1, sizeof(*set));
    int rc = 0;

    vs_add_input_controllers(set, dom);
    for (size_t i = 0; rc == 0 && i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (vs_complete(dev))
            rc = vs_reserve(set, dev,
                            dev->addr_controller < 0 ? 0 : dev->addr_controller,
                            dev->other->vserial.port, d);
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
