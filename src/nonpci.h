/*
 * nonpci.h: the addresses libvirt fills in that are not PCI.
 *
 * Drive addresses come from the disk's target name (libvirt does this
 * while parsing, so they decide which disk controllers exist);
 * virtio-serial ports and pSeries spapr-vio registers are assigned
 * before PCI placement, because a full virtio-serial controller makes
 * libvirt add another one, which then needs a PCI slot.
 */
#ifndef PCIPLAN_NONPCI_H
#define PCIPLAN_NONPCI_H

#include "diag.h"
#include "domain.h"

/* Adds a controller of 'type' and 'index'; the planner provides it. */
typedef struct device *(*add_controller_fn)(void *opaque, const char *type,
                                            long index);

int nonpci_assign_drives(struct domain *dom, struct diag *d);

int nonpci_assign_virtio_serial(struct domain *dom, add_controller_fn add,
                                void *opaque, struct diag *d);

int nonpci_assign_spapr_vio(struct domain *dom, bool default_spapr_serial,
                            struct diag *d);

/* USB bus/port paths (after PCI, as libvirt), adding hubs when the
 * devices outnumber the ports. */
int nonpci_assign_usb(struct domain *dom, struct diag *d);

#endif
