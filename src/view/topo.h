/*
 * topo.h: the planned PCI topology as buses and slots, for the reports.
 *
 * Built from a planned struct domain (never from XML, never by planning
 * again): which controller provides each bus, whether its slots are
 * hotpluggable, and which device (or chipset function) holds each
 * function. --explain, --show, --capacity and the lint all read this
 * one view, so they cannot disagree about what is free.
 */
#ifndef PCIPLAN_TOPO_H
#define PCIPLAN_TOPO_H

#include <stdbool.h>
#include <stddef.h>

#include "pci/addrset.h"
#include "model/domain.h"
#include "machine/machine.h"

struct topo_users;

/* What a function of a slot holds, besides a device position. */
#define TOPO_FREE (-1)
#define TOPO_CHIPSET (-2) /* built into the machine, not in the XML */

struct topo_bus {
    long ctrl; /* position in dom->devs of the controller providing it */
    enum pci_model model;
    bool hotplug; /* its slots take hotplugged devices */
    long slot_fn[PCI_SLOTS][PCI_FUNCTIONS]; /* device position, TOPO_* */
    /* per slot, bit f set when slot_fn[slot][f] is not TOPO_FREE: the
     * checks of every slot of every bus read this byte, not 8 entries */
    unsigned char used[PCI_SLOTS];
};

struct topo {
    const struct domain *dom;
    const struct machine *mach; /* NULL when the machine is unknown */
    const struct libvirt_profile *profile; /* planned for, or NULL */
    const char *profile_why;               /* how it was chosen */
    struct topo_bus *bus[PCI_MAX_BUSES];   /* NULL: no controller has it */
    unsigned nctrls;                       /* PCI controllers (indexes used) */
    long *ordinal;   /* per device: its number among its kind, from 1 */
    long *input_bus; /* per device: the bus its PCI address names in the
                        input, -1 for none (differs when PLACED_MOVED) */
    /* per device: for a controller, the first device whose address names
     * it, else -1; found by the first topo_user_of(), which the default
     * output seldom asks (so a const view can still fill it in) */
    struct topo_users *users;
};

/* The slots of a bus's free-slot census (topo_census). */
struct topo_census {
    unsigned pcie_hotplug; /* free hotpluggable slots taking PCIe devices */
    unsigned pci_hotplug;  /* free hotpluggable conventional PCI slots */
    unsigned coldplug;     /* free slots for endpoints, not hotpluggable */
};

/*
 * Build the view of a planned domain. 'machine' is --machine (NULL:
 * the domain's own).
 */
void topo_build(struct topo *t, const struct domain *dom, const char *machine);

void topo_free(struct topo *t);

/* A PCI device address of the planned domain, or NULL. */
const struct pci_addr *topo_pci_addr(const struct device *dev);

/* True when dev is a <controller type='pci'>. */
bool topo_is_pci_ctrl(const struct device *dev);

/* The bus a device sits on, or NULL. */
const struct topo_bus *topo_bus_of(const struct topo *t,
                                   const struct device *dev);

/* A slot with no function in use (device or chipset). */
bool topo_slot_free(const struct topo_bus *b, unsigned slot);

/* Lowest and highest slot a bus of this model offers. */
unsigned topo_min_slot(const struct topo_bus *b);
unsigned topo_max_slot(const struct topo_bus *b);

/* Name of the chipset function at 00:SLOT.FN, or NULL. */
const char *topo_chipset_name(const struct topo *t, unsigned slot, unsigned fn);

/* Free slots of one bus by kind, or of every bus (bus < 0). */
void topo_census(const struct topo *t, int bus, struct topo_census *c);

/*
 * "interface #1", "controller pci index 3": how messages name a device.
 * 'detail' receives what is in the parentheses after it ("virtio,
 * PCIe"), "" when nothing applies. Control characters of the input
 * become '?'.
 */
void topo_dev_name(const struct topo *t, size_t pos, char *name, size_t len);
void topo_dev_detail(const struct topo *t, size_t pos, char *detail,
                     size_t len);

/*
 * The first device whose (non-PCI) address names the controller at
 * position 'ctrl': a disk on a SCSI/SATA/IDE controller, a channel on a
 * virtio-serial one, a smartcard on CCID. -1 when none does.
 */
long topo_user_of(const struct topo *t, size_t ctrl);

/* What the device is in a few words ("virtio", "virtio vda"), or "". */
void topo_dev_what(const struct topo *t, size_t pos, char *what, size_t len);

/* "PCIe", "PCI", "integrated" or "" (controllers, no PCI address). */
const char *topo_class_name(enum dev_class c);

/* "0000:03:00.0" */
void topo_format_addr(char *buf, size_t len, const struct pci_addr *a);

/* The device at a position of the planned domain. */
static inline const struct device *topo_dev(const struct topo *t, size_t pos)
{
    return t->dom->devs[pos];
}

#endif
