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

#include "util/diag.h"
#include "model/domain.h"

/* Adds a controller of 'type' and 'index'; the planner provides it. */
typedef struct device *(*add_controller_fn)(void *opaque, enum ctrl_type type,
                                            long index);

/* Shared by the address kinds (nonpci.c). */
bool nonpci_has_address(const struct device *dev, enum addr_kind kind);
/* Replace the device's address with one of 'kind'; attributes follow as
 * name, printf format, value triples (values are unsigned long). */
void nonpci_set_address(struct device *dev, enum addr_kind kind,
                        unsigned nattrs, ...);
/* The virtio devices that can leave PCI for virtio-mmio (and CCW). */
bool nonpci_virtio_transport_capable(const struct device *dev);

/* Drive, virtio-serial and CCID addresses with every field, as libvirt
 * writes them. */
void nonpci_complete_addresses(struct domain *dom);

int nonpci_assign_drives(struct domain *dom, struct diag *d);

int nonpci_assign_virtio_serial(struct domain *dom, add_controller_fn add,
                                void *opaque, struct diag *d);

/* spapr-vio registers: ibmvscsi controllers and spapr-vlan NICs on any
 * machine, serials and NVRAM on pSeries. */
int nonpci_assign_spapr_vio(struct domain *dom, bool default_spapr_serial,
                            struct diag *d);

/* Smartcards take CCID slots on controller 0 (added when missing). */
void nonpci_assign_smartcards(struct domain *dom, add_controller_fn add,
                              void *opaque);

/* ARM/RISC-V virt: once any device sits on virtio-mmio, every virtio
 * device libvirt could move there without an address goes too. */
/* 'always': the machine has no PCI, so even without a virtio-mmio
 * device in the input every virtio device goes there. */
void nonpci_assign_virtio_mmio(struct domain *dom, bool always);

/* s390: virtio devices get channel device numbers (0xfe.0.0000 up). */
int nonpci_assign_ccw(struct domain *dom, struct diag *d);
/* The positions of the disks in libvirt's array order (room for ndevs). */
void nonpci_disk_order(const struct domain *dom, size_t *order, size_t *n);

/* Memory hotplug: DIMM slots for dimm and nvdimm devices. */
int nonpci_assign_dimms(struct domain *dom, struct diag *d);

/* USB bus/port paths (after PCI, as libvirt), adding hubs when the
 * devices outnumber the ports. */
/* 'usb_net': usb-net interfaces take USB ports too (libvirt 11.3; 9.0
 * leaves them out and refuses one without an address). */
int nonpci_assign_usb(struct domain *dom, bool usb_net, struct diag *d);

#endif
