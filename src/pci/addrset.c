/*
 * addrset.c: the PCI address set of one planning pass: reserving an
 * address a device asks for, finding the next free slot a device fits,
 * and growing the set by a bus when the sizing pass runs out (libvirt's
 * virDomainPCIAddressSet, restated).
 */
#include "pci/addrset.h"

#include <assert.h>
#include <string.h>

void addrset_init(struct addrset *set, unsigned nbuses, bool dry_run)
{
    memset(set, 0, sizeof(*set));
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        set->buses[b].model = PCI_MODEL_NONE;
    set->nbuses = nbuses;
    set->dry_run = dry_run;
}

void addrset_set_model(struct addrset *set, unsigned bus, enum pci_model m,
                       bool hotplug)
{
    struct pci_bus *b;
    const struct pci_model_info *info;

    assert(bus < PCI_MAX_BUSES && m > PCI_MODEL_NONE && m < PCI_MODEL_COUNT);
    b = &set->buses[bus];
    info = &pci_models[m];

    b->model = m;
    b->flags = info->accepts;
    if (info->hotplug && hotplug)
        b->flags |= CONN_HOTPLUGGABLE;
    b->min_slot = info->min_slot;
    b->max_slot = info->max_slot;
    set->ncursors = 0;
}

static bool flags_compatible(unsigned bus_no, unsigned bus_flags,
                             unsigned dev_flags, bool from_config,
                             enum addr_error *why)
{
    *why = ADDR_ERR_INCOMPATIBLE;
    if (dev_flags & CONN_INTEGRATED) {
        if (bus_no != 0) {
            *why = ADDR_ERR_NOT_INTEGRATED;
            return false;
        }
        bus_flags |= CONN_AUTOASSIGN;
    }
    if (from_config) {
        /* A user may put a conventional device on a PCIe slot and
         * vice versa, and a pci-bridge anywhere a PCI device fits. */
        if (bus_flags & CONN_ENDPOINT)
            bus_flags |= CONN_ENDPOINT;
        if (dev_flags & CONN_PCI_BRIDGE)
            dev_flags |= CONN_PCI_DEVICE;
    } else if ((dev_flags & CONN_AUTOASSIGN) &&
               !(bus_flags & CONN_AUTOASSIGN)) {
        return false;
    }
    if ((dev_flags & CONN_HOTPLUGGABLE) && !(bus_flags & CONN_HOTPLUGGABLE))
        return false;
    return (dev_flags & bus_flags & CONN_TYPES_MASK) != 0;
}

static bool any_bus_accepts(const struct addrset *set, unsigned flag)
{
    for (unsigned b = 0; b < set->nbuses; b++) {
        if (set->buses[b].flags & flag)
            return true;
    }
    return false;
}

/*
 * Add the buses needed for addr->bus to exist, choosing their models
 * from what the device needs. A conventional device on a machine with
 * only PCIe buses needs a root port and a pcie-to-pci-bridge before any
 * pci-bridge can exist; when only one bus was missing that makes one
 * more, and the device moves to the bridge's bus (libvirt does this
 * even to a bus number the user wrote).
 */
static enum addr_error addrset_grow(struct addrset *set, struct pci_addr *addr,
                                    unsigned flags)
{
    long add = (long)addr->bus - (long)set->nbuses + 1;
    enum pci_model model;
    bool need_bridge_path = false;
    unsigned i;

    if (add <= 0)
        return ADDR_OK;
    if (set->nest_bridges && (flags & CONN_PCI_BRIDGE))
        flags |= CONN_PCI_DEVICE;
    if (flags & CONN_PCI_DEVICE) {
        if (set->multiple_roots) {
            model = PCI_MODEL_PCI_ROOT;
        } else {
            model = PCI_MODEL_PCI_BRIDGE;
            need_bridge_path = !any_bus_accepts(set, CONN_PCI_BRIDGE);
            if (need_bridge_path && add == 1) {
                add++;
                addr->bus++;
            }
        }
    } else if (flags & (CONN_PCIE_DEVICE | CONN_UPSTREAM_PORT)) {
        model = PCI_MODEL_PCIE_ROOT_PORT;
    } else {
        return ADDR_ERR_CANNOT_GROW;
    }
    if (set->nbuses + add > PCI_MAX_BUSES)
        return ADDR_ERR_TOO_MANY_BUSES;

    i = set->nbuses;
    set->nbuses += add;
    if (need_bridge_path) {
        /* The root port may only take the bridge, so that a later
         * spare-port reservation cannot use it. */
        addrset_set_model(set, i, PCI_MODEL_PCIE_ROOT_PORT, true);
        set->buses[i++].flags = CONN_PCIE_TO_PCI_BRIDGE;
        addrset_set_model(set, i++, PCI_MODEL_PCIE_TO_PCI_BRIDGE, true);
    }
    for (; i < set->nbuses; i++)
        addrset_set_model(set, i, model, true);
    set->ncursors = 0;
    return ADDR_OK;
}

static enum addr_error addrset_validate(const struct addrset *set,
                                        const struct pci_addr *addr,
                                        unsigned flags, bool from_config)
{
    const struct pci_bus *bus;
    enum addr_error why;

    if (addr->bus >= set->nbuses)
        return ADDR_ERR_NO_BUS;
    bus = &set->buses[addr->bus];
    if (!flags_compatible(addr->bus, bus->flags, flags, from_config, &why))
        return why;
    if ((bus->min_slot && addr->slot < bus->min_slot) ||
        addr->slot > bus->max_slot || addr->function >= PCI_FUNCTIONS)
        return ADDR_ERR_SLOT_RANGE;
    return ADDR_OK;
}

enum addr_error addrset_reserve(struct addrset *set, struct pci_addr *addr,
                                unsigned flags, bool from_config)
{
    enum addr_error err;
    struct pci_bus *bus;

    if (addr->bus >= PCI_MAX_BUSES)
        return ADDR_ERR_NO_BUS;
    if (set->dry_run && (err = addrset_grow(set, addr, flags)) != ADDR_OK)
        return err;
    if ((err = addrset_validate(set, addr, flags, from_config)) != ADDR_OK)
        return err;
    /* validation keeps every index inside the tables */
    assert(addr->bus < set->nbuses && addr->slot < PCI_SLOTS &&
           addr->function < PCI_FUNCTIONS);
    bus = &set->buses[addr->bus];
    if (bus->functions[addr->slot] & (1u << addr->function))
        return ADDR_ERR_IN_USE;
    if (!bus->functions[addr->slot] && (flags & CONN_AGGREGATE_SLOT))
        bus->aggregate[addr->slot] = true;
    bus->functions[addr->slot] |= (uint8_t)(1u << addr->function);
    return ADDR_OK;
}

/* First usable function of a slot for the request, or -1. */
static int slot_fit(const struct pci_bus *bus, unsigned slot, unsigned flags,
                    int function)
{
    unsigned want = function < 0 ? 0 : (unsigned)function;
    uint8_t used = bus->functions[slot];

    if (used == 0)
        return (int)want;
    if (!(flags & CONN_AGGREGATE_SLOT) || !bus->aggregate[slot])
        return -1;
    if (!(used & (1u << want)))
        return (int)want;
    if (function >= 0)
        return -1;
    for (unsigned f = 0; f < PCI_FUNCTIONS; f++) {
        if (!(used & (1u << f)))
            return (int)f;
    }
    return -1;
}

static bool search_bus(const struct addrset *set, unsigned b, unsigned from,
                       unsigned flags, int function, struct pci_addr *addr)
{
    const struct pci_bus *bus = &set->buses[b];
    enum addr_error why;

    if (!flags_compatible(b, bus->flags, flags, false, &why))
        return false;
    for (unsigned s = from > bus->min_slot ? from : bus->min_slot;
         s <= bus->max_slot; s++) {
        int f = slot_fit(bus, s, flags, function);

        if (f >= 0) {
            *addr = (struct pci_addr){0, b, s, (unsigned)f, TRI_ABSENT};
            return true;
        }
    }
    return false;
}

/* The resume mark of a kind of request; NULL when all are taken. */
static struct addrset_cursor *find_cursor(struct addrset *set, unsigned flags,
                                          int function)
{
    for (unsigned i = 0; i < set->ncursors; i++) {
        if (set->cursor[i].flags == flags &&
            set->cursor[i].function == function)
            return &set->cursor[i];
    }
    if (set->ncursors == ADDRSET_CURSORS)
        return NULL;
    set->cursor[set->ncursors] = (struct addrset_cursor){flags, function, 0, 0};
    return &set->cursor[set->ncursors++];
}

/* The first fit from bus 0 slot 0, resuming where the last search for
 * the same request stopped: O(buses x slots) per kind of request in
 * all, instead of per request. */
enum addr_error addrset_next(struct addrset *set, unsigned flags, int function,
                             struct pci_addr *addr)
{
    struct addrset_cursor *c = find_cursor(set, flags, function);
    enum addr_error err;

    for (unsigned b = c ? c->bus : 0; b < set->nbuses; b++) {
        if (search_bus(set, b, c && b == c->bus ? c->slot : 0, flags, function,
                       addr)) {
            if (c) {
                c->bus = addr->bus;
                c->slot = addr->slot;
            }
            return ADDR_OK;
        }
    }
    if (c) {
        c->bus = set->nbuses;
        c->slot = 0;
    }
    if (!set->dry_run)
        return ADDR_ERR_FULL;
    *addr = (struct pci_addr){
        0, set->nbuses, 0, function < 0 ? 0 : (unsigned)function, TRI_ABSENT};
    if ((err = addrset_grow(set, addr, flags)) != ADDR_OK)
        return err;
    addr->slot = set->buses[addr->bus].min_slot;
    return ADDR_OK;
}

enum addr_error addrset_reserve_next(struct addrset *set, unsigned flags,
                                     int function, struct pci_addr *addr)
{
    enum addr_error err = addrset_next(set, flags, function, addr);

    if (err != ADDR_OK)
        return err;
    return addrset_reserve(set, addr, flags, false);
}

bool addrset_bus_full(const struct addrset *set, unsigned bus)
{
    const struct pci_bus *b = &set->buses[bus];

    for (unsigned s = b->min_slot; s <= b->max_slot; s++) {
        if (!b->functions[s])
            return false;
    }
    return true;
}

bool addrset_bus_empty(const struct addrset *set, unsigned bus)
{
    const struct pci_bus *b = &set->buses[bus];

    for (unsigned s = b->min_slot; s <= b->max_slot; s++) {
        if (b->functions[s])
            return false;
    }
    return true;
}

bool addrset_slot_used(const struct addrset *set, unsigned bus, unsigned slot)
{
    return set->buses[bus].functions[slot] != 0;
}

bool addrset_function_used(const struct addrset *set,
                           const struct pci_addr *addr)
{
    return (set->buses[addr->bus].functions[addr->slot] >> addr->function) & 1u;
}
