/*
 * machine.h: what each supported machine type brings with it.
 *
 * Everything that differs between machine types is a row in the table
 * in machine.c (fixed chipset slots, root bus model, implicit devices,
 * default models), so the planner has no per-machine branches.  Which
 * names exist is not decided here but by the QEMU a libvirt profile runs
 * (qemu-machines.c): a row only says which of those names it plans.
 */
#ifndef PCIPLAN_MACHINE_H
#define PCIPLAN_MACHINE_H

#include <stdbool.h>

#include "machine/profile.h"
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

/* How a chipset rule places the devices it matches. */
enum chipset_rule_mode {
    /* The device belongs at this address: an input address elsewhere is
     * an error; it is pinned there and reserved at once. */
    RULE_FIXED,
    /* As RULE_FIXED, but a device without an address is only pinned
     * here; it is reserved with the other present addresses. */
    RULE_FIXED_LATER,
    /* An unaddressed device takes the first of the preferred slots that
     * is still free, or is placed as any other device. */
    RULE_PREFERRED,
};

/*
 * A chipset device's place on bus 0 (libvirt's
 * qemuDomainValidateDevicePCISlotsPIIX3/Q35). Controllers match on type,
 * index and model; other devices (element "sound") on model.
 */
struct chipset_rule {
    const char *element;   /* "controller", "sound"; NULL ends the list */
    const char *type;      /* controller type, NULL for any */
    long index;            /* controller index, -1 for any */
    const char *models[3]; /* matching models, NULL-terminated; {NULL}: any */
    bool modelless;        /* a device without a model matches too */
    unsigned slots[3];     /* in order of preference, 0 ends */
    unsigned function;
    int multifunction; /* enum tristate of a pinned RULE_PREFERRED address */
    enum chipset_rule_mode mode;
    bool empty_address; /* RULE_PREFERRED: an empty <address type='pci'/>
                           counts as unaddressed (else only a missing one) */
    const char *what;   /* for messages: "primary IDE controller" */
};

/* The PIIX3 IDE and USB functions, whose addresses libvirt treats as the
 * chipset's on every machine. */
extern const struct chipset_rule machine_piix3_functions[];

struct machine {
    const char *alias; /* the family's short name (libvirt's default) */
    /* the guest architectures it serves (libvirt's <type arch>); the
     * first is the one whose default machine it is */
    const char *arches[MACHINE_ARCHES];
    /* the machine types it plans: exact names, or "prefix*" */
    const char *names[3];
    enum chipset chipset;
    struct fixed_function fixed[3];   /* always reserved, NULL-terminated */
    unsigned chipset_flags;           /* how libvirt reserves them */
    const struct chipset_rule *rules; /* chipset devices' places, or NULL */
    unsigned video_slot; /* primary video's preferred slot on bus 0, or 0 */
    enum pci_model root; /* model of PCI controller index 0 */
    const char *implicit_usb; /* USB controller added when none, or NULL */
    const char *usb_model;    /* model of a model-less USB controller */
    const char *scsi_model;   /* model of a model-less SCSI controller */
    const char *video_model;  /* model of the video added for graphics */
    const char *nic_model;    /* model of a model-less interface */
    bool no_pci; /* no PCI host bridge (Arm vexpress): every virtio device
                    goes on virtio-mmio, nothing on PCI */
    /* the <target type> and <model name> libvirt gives a serial it adds
     * for a console (qemuDomainChrDefPostParse) */
    const char *serial_target;
    const char *serial_model;
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
    bool acpi;                   /* QEMU gives it ACPI */
};

/*
 * The row that plans machine type 'name' on 'arch' (NULL: any
 * architecture), whatever QEMU lists: for reading a domain that has
 * been planned already. NULL when no row plans it.
 */
const struct machine *machine_lookup(const char *name, const char *arch);

/* The machine libvirt picks when the XML names none. */
const struct machine *machine_default(const char *arch);

/* The qemu-system binary of a libvirt arch ("i686" -> "i386"), or NULL. */
const char *machine_qemu_arch(const char *arch);

enum machine_verdict {
    MACHINE_OK,
    MACHINE_NO_ARCH,     /* no QEMU for the architecture */
    MACHINE_NOT_IN_QEMU, /* the profile's QEMU does not list the name */
    MACHINE_NOT_PLANNED, /* QEMU has it, pciplan has no row for it */
};

struct machine_choice {
    const struct machine *mach; /* MACHINE_OK only */
    const char *name;           /* the type libvirt writes: an alias expanded */
    bool alias;                 /* the name asked for was an alias */
};

/*
 * Resolve machine type 'name' on 'arch' (NULL: x86_64) as the profile's
 * libvirt does: accepted exactly when its QEMU lists it, an alias
 * standing for the versioned type QEMU names.
 */
enum machine_verdict machine_resolve(const struct libvirt_profile *pr,
                                     const char *name, const char *arch,
                                     struct machine_choice *out);

/*
 * The machine types the profile accepts and pciplan plans for 'arch',
 * briefly ("pc, pc-i440fx-2.4 ... pc-i440fx-10.0, q35, ..."), in 'buf'.
 * With arch NULL, every architecture's (names only).
 */
const char *machine_supported(const struct libvirt_profile *pr,
                              const char *arch, char *buf, size_t len);

/* Every name machine_lookup() knows, for messages before a profile is
 * chosen: "pc, pc-i440fx-*, q35, ..." */
const char *machine_supported_list(void);

#endif
