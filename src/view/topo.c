/*
 * topo.c: the planned PCI topology as buses and slots, for the reports.
 */
#include "view/topo.h"
#include "util/xalloc.h"

#include <assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool topo_is_pci_ctrl(const struct device *dev)
{
    return dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_PCI;
}

const struct pci_addr *topo_pci_addr(const struct device *dev)
{
    /* the planner records how it placed every PCI address it holds */
    if (dev->addr_type != ADDR_PCI || dev->placed == PLACED_NONE)
        return NULL;
    return &dev->addr;
}

static const struct machine *find_machine(const struct domain *dom,
                                          const char *machine)
{
    const char *name = machine ? machine : dom->machine;

    if (name)
        return machine_lookup(name, dom->arch);
    return machine_default(dom->arch ? dom->arch : "x86_64");
}

static void add_bus(struct topo *t, size_t pos)
{
    const struct device *dev = t->dom->devs[pos];
    enum pci_model m = dev->pci_model;
    struct topo_bus *b;

    if (m == PCI_MODEL_NONE || dev->index < 0 || dev->index >= PCI_MAX_BUSES ||
        t->bus[dev->index])
        return;
    b = xmalloc(sizeof(*b));
    b->ctrl = (long)pos;
    b->model = m;
    b->hotplug = pci_models[m].hotplug && dev->target.hotplug != TRI_OFF;
    _Static_assert(PCI_FUNCTIONS <= 8, "a slot's functions fit a byte");
    for (unsigned s = 0; s < PCI_SLOTS; s++) {
        for (unsigned f = 0; f < PCI_FUNCTIONS; f++)
            b->slot_fn[s][f] = TOPO_FREE;
        b->used[s] = 0;
    }
    t->bus[dev->index] = b;
}

/* The machine's fixed chipset functions (the PIIX3 IDE and USB
 * functions, and ICH9 SATA, are devices of the model instead). */
static void add_chipset(struct topo *t)
{
    if (!t->mach || !t->bus[0])
        return;
    for (const struct fixed_function *f = t->mach->fixed; f->what; f++) {
        t->bus[0]->slot_fn[f->slot][f->function] = TOPO_CHIPSET;
        t->bus[0]->used[f->slot] |= (unsigned char)(1u << f->function);
    }
}

static void add_device(struct topo *t, size_t pos)
{
    const struct pci_addr *a = topo_pci_addr(t->dom->devs[pos]);
    struct topo_bus *b;

    if (!a || a->domain != 0 || a->bus >= PCI_MAX_BUSES ||
        a->slot >= PCI_SLOTS || a->function >= PCI_FUNCTIONS)
        return;
    b = t->bus[a->bus];
    if (b && b->slot_fn[a->slot][a->function] == TOPO_FREE) {
        b->slot_fn[a->slot][a->function] = (long)pos;
        b->used[a->slot] |= (unsigned char)(1u << a->function);
    }
}

static void number_devices(struct topo *t)
{
    long count[DEV_KIND_COUNT] = {0};

    for (size_t i = 0; i < t->dom->ndevs; i++)
        t->ordinal[i] = ++count[t->dom->devs[i]->kind];
}

/* A moved address's input bus is the one the input named. */
static void read_input_buses(struct topo *t)
{
    for (size_t i = 0; i < t->dom->ndevs; i++) {
        const struct device *dev = t->dom->devs[i];

        t->input_bus[i] = -1;
        if (!topo_pci_addr(dev) || device_is_added(dev))
            continue;
        t->input_bus[i] =
            dev->placed == PLACED_MOVED ? dev->input_addr.bus : dev->addr.bus;
    }
}

/* The controller a device's non-PCI address names: its type ("*" for a
 * drive address of a device that is not a disk, which names a controller
 * of any drive type) and index; false when it names none. */
static bool named_controller(const struct device *d, const char **type,
                             long *index)
{
    if (d->kind == DEV_CONTROLLER || d->addr_type != ADDR_OTHER)
        return false;
    const struct other_addr *o = device_other(d);

    switch (o->kind) {
    case ADDR_KIND_VIRTIO_SERIAL:
    case ADDR_KIND_CCID:
        *type = addr_kind_name(o->kind);
        break;
    case ADDR_KIND_DRIVE:
        *type = d->kind == DEV_DISK ? d->bus : "*";
        break;
    case ADDR_KIND_NONE:
    case ADDR_KIND_USB:
    case ADDR_KIND_SPAPR_VIO:
    case ADDR_KIND_VIRTIO_S390:
    case ADDR_KIND_CCW:
    case ADDR_KIND_VIRTIO_MMIO:
    case ADDR_KIND_ISA:
    case ADDR_KIND_DIMM:
    case ADDR_KIND_UNASSIGNED:
        return false;
    }
    if (!*type)
        return false;
    /* no controller= means controller 0; it is field 0 of the three
     * kinds above */
    assert(strcmp(addr_kind_field(o->kind, 0), "controller") == 0);
    *index = o->field[0] >= 0 ? o->field[0] : 0;
    return true;
}

struct topo_users {
    long *user; /* NULL until found */
};

struct use {
    const char *type;
    long index;
    size_t pos;
};

static int compare_uses(const void *pa, const void *pb)
{
    const struct use *a = pa, *b = pb;
    int c = strcmp(a->type, b->type);

    if (c)
        return c;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The first user of (type, index) in the sorted uses, or -1. */
static long first_use(const struct use *u, size_t n, const char *type,
                      long index)
{
    size_t lo = 0, hi = n;
    struct use key = {type, index, 0};

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (compare_uses(&u[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && !strcmp(u[lo].type, type) && u[lo].index == index
               ? (long)u[lo].pos
               : -1;
}

/* Every controller's first user, from one sorted list of the addresses
 * that name a controller (n log n; a scan per controller was n^2). */
static void find_users(const struct topo *t, long *user)
{
    size_t n = 0, nd = t->dom->ndevs;
    struct use *u = xcalloc(nd + 1, sizeof(*u));

    for (size_t i = 0; i < nd; i++) {
        user[i] = -1;
        if (named_controller(t->dom->devs[i], &u[n].type, &u[n].index))
            u[n++].pos = i;
    }
    qsort(u, n, sizeof(*u), compare_uses);
    for (size_t i = 0; i < nd; i++) {
        const struct device *c = t->dom->devs[i];
        long idx = c->index < 0 ? 0 : c->index, a, b;

        if (c->kind != DEV_CONTROLLER || !c->type)
            continue;
        a = first_use(u, n, c->type, idx);
        b = c->ctrl_type != CTRL_TYPE_VIRTIO_SERIAL &&
                    c->ctrl_type != CTRL_TYPE_CCID
                ? first_use(u, n, "*", idx)
                : -1;
        user[i] = a < 0 ? b : b < 0 ? a : a < b ? a : b;
    }
    free(u);
}

void topo_build(struct topo *t, const struct domain *dom, const char *machine)
{
    size_t n = dom->ndevs ? dom->ndevs : 1;

    memset(t, 0, sizeof(*t));
    t->dom = dom;
    t->mach = find_machine(dom, machine);
    t->ordinal = xcalloc(n, sizeof(*t->ordinal));
    t->input_bus = xcalloc(n, sizeof(*t->input_bus));
    number_devices(t);
    read_input_buses(t);
    t->users = xcalloc(1, sizeof(*t->users));
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (!topo_is_pci_ctrl(dom->devs[i]))
            continue;
        t->nctrls++;
        add_bus(t, i);
    }
    add_chipset(t);
    for (size_t i = 0; i < dom->ndevs; i++)
        add_device(t, i);
}

void topo_free(struct topo *t)
{
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        free(t->bus[b]);
    free(t->ordinal);
    free(t->input_bus);
    if (t->users)
        free(t->users->user);
    free(t->users);
    memset(t, 0, sizeof(*t));
}

const struct topo_bus *topo_bus_of(const struct topo *t,
                                   const struct device *dev)
{
    const struct pci_addr *a = topo_pci_addr(dev);

    if (!a || a->domain != 0 || a->bus >= PCI_MAX_BUSES)
        return NULL;
    return t->bus[a->bus];
}

bool topo_slot_free(const struct topo_bus *b, unsigned slot)
{
    return b->used[slot] == 0;
}

unsigned topo_min_slot(const struct topo_bus *b)
{
    return pci_models[b->model].min_slot;
}

unsigned topo_max_slot(const struct topo_bus *b)
{
    return pci_models[b->model].max_slot;
}

const char *topo_chipset_name(const struct topo *t, unsigned slot, unsigned fn)
{
    for (const struct fixed_function *f = t->mach ? t->mach->fixed : NULL;
         f && f->what; f++) {
        if (f->slot == slot && f->function == fn)
            return f->what;
    }
    return NULL;
}

static void census_bus(const struct topo_bus *b, struct topo_census *c)
{
    unsigned accepts = pci_models[b->model].accepts;

    if (!(accepts & CONN_ENDPOINT))
        return; /* switch ports and expander buses take controllers only */
    for (unsigned s = topo_min_slot(b); s <= topo_max_slot(b); s++) {
        if (!topo_slot_free(b, s))
            continue;
        if (!b->hotplug)
            c->coldplug++;
        else if (accepts & CONN_PCIE_DEVICE)
            c->pcie_hotplug++;
        else
            c->pci_hotplug++;
    }
}

void topo_census(const struct topo *t, int bus, struct topo_census *c)
{
    memset(c, 0, sizeof(*c));
    for (int b = 0; b < PCI_MAX_BUSES; b++) {
        if (t->bus[b] && (bus < 0 || bus == b))
            census_bus(t->bus[b], c);
    }
}

/* Input text in a message: control characters become '?'. */
static void add_clean(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);

    for (; s && *s && n + 1 < len; s++, n++)
        buf[n] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[n] = '\0';
}

void topo_dev_name(const struct topo *t, size_t pos, char *name, size_t len)
{
    const struct device *dev = t->dom->devs[pos];
    char num[48];

    if (len == 0)
        return;
    name[0] = '\0';
    add_clean(name, len, dev_kind_name(dev->kind));
    if (dev->kind == DEV_CONTROLLER) {
        add_clean(name, len, " ");
        add_clean(name, len, dev->type ? dev->type : "?");
        if (dev->index < 0)
            return;
        snprintf(num, sizeof(num), " index %ld", dev->index);
    } else {
        snprintf(num, sizeof(num), " #%ld", t->ordinal[pos]);
    }
    add_clean(name, len, num);
}

/* What a device is, in a few words: its model, or bus and target. */
static void add_what(char *buf, size_t len, const struct topo *t,
                     const struct device *dev)
{
    switch (dev->kind) {
    case DEV_INTERFACE:
        /* a model-less NIC is the machine's default model */
        add_clean(buf, len,
                  dev->model ? dev->model
                  : t->mach && !(dev->type && !strcmp(dev->type, "hostdev"))
                      ? t->mach->nic_model
                      : dev->type);
        break;
    case DEV_FILESYSTEM:
        add_clean(buf, len, dev->fs_model ? dev->fs_model : dev->type);
        break;
    case DEV_DISK: /* "virtio vda", "virtio-transitional vda" */
        add_clean(buf, len, dev->model ? dev->model : dev->bus);
        if ((dev->model || dev->bus) && dev->dev)
            add_clean(buf, len, " ");
        add_clean(buf, len, dev->dev);
        break;
    case DEV_HOSTDEV:
        add_clean(buf, len, dev->type);
        break;
    case DEV_CONTROLLER:
        add_clean(buf, len, dev->model); /* the type is in the name */
        break;
    default:
        add_clean(buf, len, dev->model ? dev->model : dev->type);
        break;
    }
}

void topo_dev_detail(const struct topo *t, size_t pos, char *detail, size_t len)
{
    const struct device *dev = t->dom->devs[pos];
    /* the kind of slot only means something for a PCI device */
    const char *cls = topo_pci_addr(dev) ? topo_class_name(dev->bus_class) : "";

    if (len == 0)
        return;
    detail[0] = '\0';
    add_what(detail, len, t, dev);
    if (*cls && detail[0])
        add_clean(detail, len, ", ");
    add_clean(detail, len, cls);
}

long topo_user_of(const struct topo *t, size_t ctrl)
{
    assert(ctrl < t->dom->ndevs);
    if (!t->users->user) {
        t->users->user = xcalloc(t->dom->ndevs, sizeof(*t->users->user));
        find_users(t, t->users->user);
    }
    return t->users->user[ctrl];
}

void topo_dev_what(const struct topo *t, size_t pos, char *what, size_t len)
{
    if (len == 0)
        return;
    what[0] = '\0';
    add_what(what, len, t, t->dom->devs[pos]);
}

const char *topo_class_name(enum dev_class c)
{
    switch (c) {
    case CLASS_PCI:
        return "PCI";
    case CLASS_PCIE:
        return "PCIe";
    case CLASS_INTEGRATED:
        return "integrated";
    default:
        return "";
    }
}

void topo_format_addr(char *buf, size_t len, const struct pci_addr *a)
{
    snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot,
             a->function);
}
