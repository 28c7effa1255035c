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

#include "domain.h"

#define PCI_MAX_BUSES 256
#define PCI_SLOTS 32
#define PCI_FUNCTIONS 8

enum conn_flag {
    CONN_HOTPLUGGABLE = 1 << 0,
    CONN_AUTOASSIGN = 1 << 1,
    CONN_INTEGRATED = 1 << 2,
    CONN_AGGREGATE_SLOT = 1 << 3,
    CONN_PCI_DEVICE = 1 << 4,
    CONN_PCIE_DEVICE = 1 << 5,
    CONN_ROOT_PORT = 1 << 6,
    CONN_UPSTREAM_PORT = 1 << 7,
    CONN_DOWNSTREAM_PORT = 1 << 8,
    CONN_DMI_TO_PCI_BRIDGE = 1 << 9,
    CONN_PCI_EXPANDER_BUS = 1 << 10,
    CONN_PCIE_EXPANDER_BUS = 1 << 11,
    CONN_PCI_BRIDGE = 1 << 12,
    CONN_PCIE_TO_PCI_BRIDGE = 1 << 13,
};

#define CONN_ENDPOINT (CONN_PCI_DEVICE | CONN_PCIE_DEVICE)
#define CONN_TYPES_MASK                                                        \
    (CONN_ENDPOINT | CONN_ROOT_PORT | CONN_UPSTREAM_PORT |                     \
     CONN_DOWNSTREAM_PORT | CONN_DMI_TO_PCI_BRIDGE | CONN_PCI_EXPANDER_BUS |   \
     CONN_PCIE_EXPANDER_BUS | CONN_PCI_BRIDGE | CONN_PCIE_TO_PCI_BRIDGE)

/* PCI controller models, in the order of libvirt's enumeration. */
enum pci_model {
    PCI_MODEL_NONE = -1,
    PCI_MODEL_PCI_ROOT,
    PCI_MODEL_PCIE_ROOT,
    PCI_MODEL_PCI_BRIDGE,
    PCI_MODEL_DMI_TO_PCI_BRIDGE,
    PCI_MODEL_PCIE_ROOT_PORT,
    PCI_MODEL_UPSTREAM_PORT,
    PCI_MODEL_DOWNSTREAM_PORT,
    PCI_MODEL_PCI_EXPANDER_BUS,
    PCI_MODEL_PCIE_EXPANDER_BUS,
    PCI_MODEL_PCIE_TO_PCI_BRIDGE,
    PCI_MODEL_COUNT
};

/* What each controller model is and provides; a table, not code. */
struct pci_model_info {
    const char *name;       /* model= attribute */
    const char *model_name; /* default <model name>, NULL for none */
    unsigned connect;       /* its own connect flags as a device */
    unsigned accepts;       /* downstream: type bits + AUTOASSIGN */
    bool hotplug;           /* downstream slots are hotpluggable */
    unsigned min_slot, max_slot;
    unsigned target_fill; /* enum target_attr bits libvirt fills */
    int needs_root;       /* enum pci_model of the machine's root bus this
                             model exists on; PCI_MODEL_NONE: any */
};

extern const struct pci_model_info pci_models[PCI_MODEL_COUNT];

enum pci_model pci_model_from_name(const char *name);

struct pci_bus {
    enum pci_model model;
    unsigned flags; /* what the bus accepts (conn_flag bits) */
    unsigned min_slot, max_slot;
    uint8_t functions[PCI_SLOTS]; /* bit f set: function f in use */
    bool aggregate[PCI_SLOTS];    /* slot shared by root ports */
};

struct addrset {
    struct pci_bus buses[PCI_MAX_BUSES];
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
