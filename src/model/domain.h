/*
 * domain.h: the domain model shared by the planner and the writer.
 *
 * Built from the parsed document by domain_load(); the planner only reads and
 * changes these structures (it never sees XML), and the writer renders
 * exactly the changes the planner flagged (it never decides anything
 * about PCI).
 */
#ifndef PCIPLAN_DOMAIN_H
#define PCIPLAN_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "pci/pci.h"
#include "util/diag.h"

enum addr_type {
    ADDR_NONE,  /* no <address> element */
    ADDR_PCI,   /* <address type='pci'>; may be empty (bus 0 slot 0) */
    ADDR_OTHER, /* any other type: drive, usb, virtio-serial, ... */
};

/* Element names under <devices>, in libvirt's output order. */
enum dev_kind {
    DEV_EMULATOR,
    DEV_DISK,
    DEV_CONTROLLER,
    DEV_LEASE,
    DEV_FILESYSTEM,
    DEV_INTERFACE,
    DEV_SMARTCARD,
    DEV_SERIAL,
    DEV_PARALLEL,
    DEV_CONSOLE,
    DEV_CHANNEL,
    DEV_INPUT,
    DEV_TPM,
    DEV_GRAPHICS,
    DEV_SOUND,
    DEV_AUDIO,
    DEV_VIDEO,
    DEV_HOSTDEV,
    DEV_REDIRDEV,
    DEV_REDIRFILTER,
    DEV_HUB,
    DEV_WATCHDOG,
    DEV_MEMBALLOON,
    DEV_RNG,
    DEV_NVRAM,
    DEV_PANIC,
    DEV_SHMEM,
    DEV_MEMORY,
    DEV_IOMMU,
    DEV_VSOCK,
    DEV_OTHER, /* unknown element: kept, never addressed */
    DEV_KIND_COUNT
};

/* Element name of a kind ("disk", "controller", ...). */
const char *dev_kind_name(enum dev_kind kind);

/* The kind of an element name under <devices>; DEV_OTHER if unknown. */
enum dev_kind dev_kind_from_name(const char *name);

/*
 * Controller type= values, in libvirt's order (virDomainControllerType),
 * resolved once at load so that the planner and the views switch on them.
 */
enum ctrl_type {
    CTRL_TYPE_NONE = -1, /* not a controller, or no type= (an error) */
    CTRL_TYPE_IDE,
    CTRL_TYPE_FDC,
    CTRL_TYPE_SCSI,
    CTRL_TYPE_SATA,
    CTRL_TYPE_VIRTIO_SERIAL,
    CTRL_TYPE_CCID,
    CTRL_TYPE_USB,
    CTRL_TYPE_PCI,
    CTRL_TYPE_XENBUS,
    CTRL_TYPE_ISA,
    CTRL_TYPE_OTHER, /* a name libvirt does not know: refused at load */
};

#define CTRL_TYPE_KNOWN (CTRL_TYPE_ISA + 1)

/* type= of a controller type ("usb"); NULL for NONE and OTHER. */
const char *ctrl_type_name(enum ctrl_type type);

/* The type of a type= value: NONE for NULL, OTHER for an unknown name. */
enum ctrl_type ctrl_type_from_name(const char *name);

/* 'model' is a model= libvirt knows for a controller of 'type' (any type
 * but PCI, whose models are pci.h's). */
bool ctrl_model_known(enum ctrl_type type, const char *model);

/* Controller <target> values; -1 means the attribute is absent. */
struct ctrl_target {
    long chassis_nr;
    long chassis;
    long port;
    long bus_nr;
    long index;
    int hotplug; /* enum tristate */
    long node;   /* <node> child */
};

/* The kind of slot a device needs (libvirt's connect flags, simplified). */
enum dev_class {
    CLASS_NONE,       /* takes no PCI address */
    CLASS_PCI,        /* conventional PCI endpoint */
    CLASS_PCIE,       /* PCI Express endpoint */
    CLASS_INTEGRATED, /* must sit on bus 0 (virtio IOMMU) */
    CLASS_CONTROLLER, /* a PCI controller; plugs where its model may */
};

enum addr_origin {
    PLACED_NONE,      /* no PCI address (or not planned) */
    PLACED_KEPT,      /* the input's address, unchanged */
    PLACED_MOVED,     /* the input named a missing bus; libvirt moves it */
    PLACED_CHIPSET,   /* the machine's fixed place for it */
    PLACED_COMPANION, /* in the slot of its USB2 companion set */
    PLACED_FIRST_FREE /* lowest free slot that accepts its class */
};

enum addition {
    ADDED_NO,             /* from the input */
    ADDED_MACHINE,        /* a machine default libvirt always adds */
    ADDED_FOR_DISKS,      /* disk or SCSI host device controller */
    ADDED_FOR_CHANNELS,   /* virtio-serial or CCID controller */
    ADDED_FOR_GRAPHICS,   /* video for <graphics> */
    ADDED_FOR_BUS,        /* a bus a device needed (see added_for) */
    ADDED_SPARE,          /* an empty bus kept as hotplug reserve */
    ADDED_ROOT_PORTS,     /* --root-ports */
    ADDED_CONSOLE_COMPAT, /* serial 0 or console 0 of libvirt's console
                             compatibility rule (see mirror_elem) */
};

#define OTHER_ADDR_ATTRS 6
#define OTHER_ADDR_FIELDS 4

/* The non-PCI address types load accepts (libvirt's address types). */
enum addr_kind {
    ADDR_KIND_NONE = -1, /* no non-PCI address (device_other's empty one) */
    ADDR_KIND_DRIVE,
    ADDR_KIND_VIRTIO_SERIAL,
    ADDR_KIND_CCID,
    ADDR_KIND_USB,
    ADDR_KIND_SPAPR_VIO,
    ADDR_KIND_VIRTIO_S390,
    ADDR_KIND_CCW,
    ADDR_KIND_VIRTIO_MMIO,
    ADDR_KIND_ISA,
    ADDR_KIND_DIMM,
    ADDR_KIND_UNASSIGNED,
};

#define ADDR_KIND_COUNT (ADDR_KIND_UNASSIGNED + 1)

/* The numbers of each kind, in libvirt's attribute order; -1 when the
 * attribute is absent or not a number (a USB port is a path: it stays in
 * the attributes). */
struct drive_addr {
    long controller, bus, target, unit;
};
struct vserial_addr {
    long controller, bus, port;
};
struct ccid_addr {
    long controller, slot;
};
struct usb_addr {
    long bus;
};
struct spapr_vio_addr {
    long reg;
};
struct ccw_addr {
    long cssid, ssid, devno;
};
struct isa_addr {
    long iobase, irq;
};
struct dimm_addr {
    long slot, base;
};

/* s390 zPCI identifiers inside a PCI address; -1 when absent. */
struct zpci_ids {
    long uid;
    long fid;
};

/*
 * A non-PCI address, allocated only for a device that has one: its kind
 * and numbers, read once (domain_other_resolve), and its attributes as
 * written (or as planned) in that order, which the writer and the views
 * echo so that a value keeps the user's spelling.
 */
struct other_addr {
    enum addr_kind kind;
    unsigned present; /* bit f: field f of the kind is written */
    union {
        long field[OTHER_ADDR_FIELDS];
        struct drive_addr drive;
        struct vserial_addr vserial;
        struct ccid_addr ccid;
        struct usb_addr usb;
        struct spapr_vio_addr spapr;
        struct ccw_addr ccw;
        struct isa_addr isa;
        struct dimm_addr dimm;
    };
    unsigned nattrs;
    char name[OTHER_ADDR_ATTRS][16];
    char value[OTHER_ADDR_ATTRS][24];
};

/* type= of an address kind ("" for NONE); the kind of a name, or NONE. */
const char *addr_kind_name(enum addr_kind kind);
enum addr_kind addr_kind_from_name(const char *name);
/* Field f's attribute name of a kind, NULL past its last field. */
const char *addr_kind_field(enum addr_kind kind, unsigned f);

/* The base libvirt reads field 'f' of 'kind' in (10, 16 or 0: C's
 * prefixes); 'f' must name a field. */
int addr_kind_field_base(enum addr_kind kind, unsigned f);

/* Whether 'name' is one of the numeric fields of 'kind'. */
bool domain_other_is_field(enum addr_kind kind, const char *name);

/* Read the kind's numbers from the attributes (kind set), once. */
void domain_other_resolve(struct other_addr *o);
/* The value of attribute 'name' as written, or NULL. */
const char *domain_other_value(const struct other_addr *o, const char *name);

struct device {
    enum dev_kind kind;
    long elem;         /* xmldoc element index; -1 if pciplan adds it */
    long addr_elem;    /* the existing <address> element, or -1 */
    bool addr_dropped; /* addr_elem is an <address> libvirt ignores and
                          does not write: the writer deletes it */
    unsigned line;     /* source line for messages (0 if added) */

    /*
     * What the device is, as written (NULL when absent):
     *   type   the element's type attribute (controller/interface/
     *          hostdev/input/disk/filesystem/channel/console...),
     *          for <serial>/<channel>/<console> the <target type>
     *   model  controller model=; <model type> of interface and video;
     *          model= of sound, watchdog, memballoon, rng, iommu, vsock,
     *          shmem <model type>, memory model=, input model=,
     *          disk model=, filesystem <driver type>
     *   bus    disk <target bus>, input bus=
     *   dev    disk <target dev>
     */
    char *type;
    char *model;
    char *bus;
    char *dev;
    char *fs_model;        /* filesystem model= (virtio-transitional ...) */
    char *action;          /* watchdog action= */
    bool primary;          /* video <model primary='yes'/> */
    bool bus_added;        /* input: write bus='bus' (libvirt's default) */
    bool has_master;       /* controller has <master> (USB companion), as
                              written or as libvirt's parser gives it */
    long master_startport; /* <master startport>, -1 when absent */
    bool master_added;     /* write <master startport='...'/> */

    /* controllers only */
    enum ctrl_type ctrl_type; /* 'type' resolved (domain_resolve_controller) */
    enum pci_model pci_model; /* type pci: 'model' resolved, else NONE */
    long index;               /* -1 when absent */
    long ports;               /* ports= (virtio-serial), -1 when absent */
    char *model_name;         /* <model name=...> */
    long model_name_elem;     /* existing <model> element, or -1 */
    /* <pcihole64>: libvirt writes it back as unit='KiB' */
    long pcihole64_elem; /* the element, or -1 */
    unsigned long long pcihole64_kib;
    bool pcihole64_rewrite; /* not written as libvirt writes it */
    struct ctrl_target target;
    long target_elem; /* existing <target> element, or -1 */

    /* the address as read (and as planned) */
    enum addr_type addr_type;
    struct pci_addr addr;
    struct pci_addr input_addr; /* ADDR_PCI: the address as read, kept
                                   when the planner moves 'addr' */
    long addr_controller;       /* drive/virtio-serial/ccid controller=, -1 */
    struct other_addr *other;   /* ADDR_OTHER: as read, or as planned;
                                   NULL for the other address types */
    struct zpci_ids input_zpci; /* ADDR_PCI: its <zpci> as read */
    long zpci_elem;             /* that <zpci> element, or -1 */
    struct zpci_ids zpci;       /* as planned (s390); uid -1: none */

    /* an added <serial> or <console> (ADDED_CONSOLE_COMPAT) is a copy of
     * this chardev element: its type= and source children; its <target>
     * is type (target type), model_name (target model) and port 0 */
    long mirror_elem;

    /* set by the planner, rendered by the writer */
    bool addr_changed;       /* write the address (PCI: addr, else: other) */
    bool model_name_added;   /* write <model name='model_name'/> */
    unsigned target_added;   /* enum target_attr bits to write */
    bool adds_multifunction; /* only multifunction='on' is new */
    bool type_added;         /* controller: write type='type' (IDE) */
    bool index_added;        /* controller: write index='index' */
    bool model_added;        /* controller: write model='model' */
    bool zpci_changed;       /* write the missing ids of 'zpci' */

    /* why the planner did it, for --explain */
    enum dev_class bus_class; /* what kind of slot it needs */
    enum addr_origin placed;  /* how its address was chosen */
    enum addition added;      /* why pciplan added it (elem == -1) */
    long added_for;           /* ADDED_FOR_BUS: position in devs of a
                                 device that sits below the bus and needed
                                 it, or -1 */
    long sized_for;           /* ADDED_FOR_BUS with no added_for: the
                                 device libvirt's sizing pass added the bus
                                 for, which ended elsewhere or names a
                                 higher bus in its address, or -1 */
};

struct domain {
    struct device **devs; /* document order; planner additions appended */
    size_t ndevs;
    size_t cap;

    char *arch;        /* <os><type arch=...>, NULL if absent */
    char *machine;     /* <os><type machine=...>, NULL if absent */
    long os_type_elem; /* the <os><type> element, -1 if absent */
    unsigned os_type_line;
    long devices_elem;     /* the <devices> element, -1 if absent */
    unsigned devices_line; /* its source line, 0 if absent */
    bool machine_changed;  /* the writer sets machine= to 'machine' */
    bool has_numa;         /* <cpu><numa> exists */
    long memory_slots;     /* <maxMemory slots=...>, 0 when absent */
    unsigned acpi_line;    /* <features><acpi/>'s line, 0 when absent */
};

/* Whether pciplan adds the device (it has no element in the input).
 * 'elem' and the other *_elem fields are the renderer's anchors into the
 * document; the planner and the views ask this instead. */
static inline bool device_is_added(const struct device *dev)
{
    return dev->elem < 0;
}

/* Append a device the planner adds (elem = -1, fields zeroed/absent). */
struct device *domain_add_device(struct domain *dom, enum dev_kind kind);

/* Resolve a controller's 'type' and 'model' strings to ctrl_type and
 * pci_model; called whenever either string is set. */
void domain_resolve_controller(struct device *dev);

/* type= of the device's address: "pci", the kind's name ("drive",
 * "usb", ...) or NULL for none. */
const char *device_addr_type(const struct device *dev);
/* dev->other, or an empty address of kind ADDR_KIND_NONE. */
const struct other_addr *device_other(const struct device *dev);
/* Give dev an empty non-PCI address of 'kind' (replacing any). */
struct other_addr *device_set_other(struct device *dev, enum addr_kind kind);
/* Copy src's non-PCI address to dst (none when src has none). */
void device_copy_other(struct device *dst, const struct device *src);

void domain_free(struct domain *dom);

/* libvirt's index of a disk target name (vda = 0, sdaa = 26), or -1. */
long domain_disk_name_index(const char *name);

#endif
