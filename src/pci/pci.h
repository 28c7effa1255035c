/*
 * pci.h: the vocabulary of PCI topology: addresses, connect flags and the
 * table of PCI controller models.
 *
 * Everything above the address set speaks these types; nothing here knows
 * about XML or about a particular domain.
 */
#ifndef PCIPLAN_PCI_H
#define PCIPLAN_PCI_H

#include <stdbool.h>

enum tristate { TRI_ABSENT = -1, TRI_OFF = 0, TRI_ON = 1 };

struct pci_addr {
    unsigned domain;
    unsigned bus;
    unsigned slot;
    unsigned function;
    int multifunction; /* enum tristate */
};

/* Bits of struct device.target_added: which <target> attributes the
 * planner filled in. Order is libvirt's attribute order. */
enum target_attr {
    TARGET_CHASSIS_NR = 1 << 0,
    TARGET_CHASSIS = 1 << 1,
    TARGET_PORT = 1 << 2,
    TARGET_BUS_NR = 1 << 3,
    TARGET_INDEX = 1 << 4,
};

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

#endif
