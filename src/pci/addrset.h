/*
 * addrset.h: the PCI address space of a guest, bus by bus.
 *
 * Each bus is the downstream side of one PCI controller (bus N belongs
 * to the controller with index N) and records which functions of each
 * slot are taken. The connect flags say what a bus accepts and what a
 * device needs; a device fits a bus when they share a type bit.
 */
#ifndef PCIPLAN_ADDRSET_H
#define PCIPLAN_ADDRSET_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/pci.h"

struct pci_bus {
    enum pci_model model;
    unsigned flags; /* what the bus accepts (conn_flag bits) */
    unsigned min_slot, max_slot;
    uint8_t functions[PCI_SLOTS]; /* bit f set: function f in use */
    bool aggregate[PCI_SLOTS];    /* slot shared by root ports */
};

/*
 * Where a search for one kind of request may resume: every slot before
 * (bus, slot) was found unfit for it. A slot never becomes fit again
 * (functions are only taken, and a slot's aggregate mark is set once,
 * when its first function is), so the mark only moves forward until the
 * buses change (addrset_init, addrset_set_model, growing).
 */
#define ADDRSET_CURSORS 16
struct addrset_cursor {
    unsigned flags;
    int function;
    unsigned bus, slot;
};

struct addrset {
    struct pci_bus buses[PCI_MAX_BUSES];
    struct addrset_cursor cursor[ADDRSET_CURSORS];
    unsigned ncursors;
    unsigned nbuses;
    bool dry_run;        /* sizing pass: grow instead of failing */
    bool multiple_roots; /* grow by adding root buses (pSeries PHBs) */
    bool nest_bridges;   /* a pci-bridge with no free slot gets a new
                            pci-bridge to sit on (libvirt fails there) */
};

/* Outcome of a reservation or search, for the caller's message. */
enum addr_error {
    ADDR_OK = 0,
    ADDR_ERR_NO_BUS,       /* bus number beyond the last bus */
    ADDR_ERR_INCOMPATIBLE, /* bus does not accept this kind of device */
    ADDR_ERR_NOT_INTEGRATED,
    ADDR_ERR_SLOT_RANGE,
    ADDR_ERR_IN_USE,
    ADDR_ERR_FULL,        /* no free slot and growing is not allowed */
    ADDR_ERR_CANNOT_GROW, /* no controller can be added for it */
    ADDR_ERR_TOO_MANY_BUSES,
};

void addrset_init(struct addrset *set, unsigned nbuses, bool dry_run);
void addrset_set_model(struct addrset *set, unsigned bus, enum pci_model m,
                       bool hotplug);

/*
 * Reserve one function at 'addr' for a device with connect 'flags'.
 * 'from_config' relaxes the endpoint-type check as libvirt does for
 * addresses the user wrote. In a dry run a missing bus is added first
 * (which may move addr->bus, see addrset_grow).
 */
enum addr_error addrset_reserve(struct addrset *set, struct pci_addr *addr,
                                unsigned flags, bool from_config);

/* Find the first free slot (function 'function', -1 = any) that fits. */
enum addr_error addrset_next(struct addrset *set, unsigned flags, int function,
                             struct pci_addr *addr);

/* Find and reserve in one step. */
enum addr_error addrset_reserve_next(struct addrset *set, unsigned flags,
                                     int function, struct pci_addr *addr);

bool addrset_bus_full(const struct addrset *set, unsigned bus);
bool addrset_bus_empty(const struct addrset *set, unsigned bus);
bool addrset_slot_used(const struct addrset *set, unsigned bus, unsigned slot);
bool addrset_function_used(const struct addrset *set,
                           const struct pci_addr *addr);

#endif
