/*
 * machine.h: what each supported machine type brings with it.
 *
 * Everything that differs between machine types is a row in the table
 * in machine.c (fixed chipset slots, root bus model, implicit devices,
 * default models), so the planner has no per-machine branches.
 */
#ifndef PCIPLAN_MACHINE_H
#define PCIPLAN_MACHINE_H

#include <stdbool.h>

#include "pci/addrset.h"

/* Chipset devices with fixed places on bus 0. */
enum chipset {
    CHIPSET_NONE,
    CHIPSET_PIIX3, /* i440fx: ISA/IDE/USB/PM in slot 1, video in slot 2 */
    CHIPSET_ICH9,  /* q35: LPC/SATA/SMBus in 0x1f, video 1, audio 0x1b */
};

/* A function on bus 0 the chipset holds with no element in the XML. */
struct fixed_function {
    unsigned slot, function;
    const char *what; /* NULL ends the list */
};

#define MACHINE_ARCHES 3

struct machine {
    const char *alias; /* short name accepted on the command line */
    /* the guest architectures it serves (libvirt's <type arch>); the
     * first is the one whose default machine it is */
    const char *arches[MACHINE_ARCHES];
    const char *canonical;   /* the versioned name libvirt writes */
    const char *prefixes[4]; /* versioned names (prefix match) */
    enum chipset chipset;
    struct fixed_function fixed[3]; /* always reserved, NULL-terminated */
    unsigned chipset_flags;         /* how libvirt reserves them */
    enum pci_model root;            /* model of PCI controller index 0 */
    const char *implicit_usb;    /* USB controller added when none, or NULL */
    const char *usb_model;       /* model of a model-less USB controller */
    const char *scsi_model;      /* model of a model-less SCSI controller */
    const char *video_model;     /* model of the video added for graphics */
    const char *nic_model;       /* model of a model-less interface */
    bool implicit_sata;          /* SATA controller 0 always present */
    bool implicit_balloon;       /* virtio memballoon added when absent */
    bool multiple_roots;         /* grows by adding root buses (PHBs) */
    bool has_ide;                /* IDE controllers exist */
    bool virtio_iommu;           /* <iommu model='virtio'> is supported */
    bool spapr_vio;              /* pSeries: spapr-vio bus, serials on it */
    bool usb_inputs;             /* USB keyboard and mouse added for graphics */
    bool ccw;                    /* s390: virtio devices use CCW addresses */
    bool virtio_mmio;            /* virtio devices may sit on virtio-mmio */
    const char *root_model_name; /* <model name> of root buses, or NULL */
};

/*
 * Find a machine by name (alias, canonical or versioned) for 'arch'
 * (NULL: any architecture). NULL when unsupported.
 */
const struct machine *machine_lookup(const char *name, const char *arch);

/* The machine libvirt picks when the XML names none. */
const struct machine *machine_default(const char *arch);

/* "pc, pc-i440fx-*, q35, ..." for error messages. */
const char *machine_supported_list(void);

#endif
