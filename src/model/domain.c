/*
 * domain.c: the domain model's own operations: device kind names, adding
 * a device (as the planner does), disk target indexes, freeing.
 */
#include "model/domain.h"
#include "util/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[DEV_KIND_COUNT] = {
    "emulator",  "disk",      "controller", "lease",    "filesystem",
    "interface", "smartcard", "serial",     "parallel", "console",
    "channel",   "input",     "tpm",        "graphics", "sound",
    "audio",     "video",     "hostdev",    "redirdev", "redirfilter",
    "hub",       "watchdog",  "memballoon", "rng",      "nvram",
    "panic",     "shmem",     "memory",     "iommu",    "vsock",
    "?",
};

const char *dev_kind_name(enum dev_kind kind)
{
    return kind_names[kind];
}

enum dev_kind dev_kind_from_name(const char *name)
{
    for (int k = 0; k < DEV_OTHER; k++) {
        if (strcmp(kind_names[k], name) == 0)
            return k;
    }
    return DEV_OTHER;
}

static const char *const ctrl_type_names[CTRL_TYPE_KNOWN] = {
    [CTRL_TYPE_IDE] = "ide",
    [CTRL_TYPE_FDC] = "fdc",
    [CTRL_TYPE_SCSI] = "scsi",
    [CTRL_TYPE_SATA] = "sata",
    [CTRL_TYPE_VIRTIO_SERIAL] = "virtio-serial",
    [CTRL_TYPE_CCID] = "ccid",
    [CTRL_TYPE_USB] = "usb",
    [CTRL_TYPE_PCI] = "pci",
    [CTRL_TYPE_XENBUS] = "xenbus",
    [CTRL_TYPE_ISA] = "isa",
};

const char *ctrl_type_name(enum ctrl_type type)
{
    return type >= 0 && type < CTRL_TYPE_KNOWN ? ctrl_type_names[type] : NULL;
}

/*
 * The model= names libvirt's parser knows for each controller type
 * (its virDomainControllerModel* enums, the same in 9.0 and 11.3); a
 * type with none takes no model= at all. PCI models are pci.h's table.
 */
#define CTRL_MODELS_MAX 16
static const char *const ctrl_models[CTRL_TYPE_KNOWN][CTRL_MODELS_MAX] = {
    [CTRL_TYPE_IDE] = {"piix3", "piix4", "ich6"},
    [CTRL_TYPE_SCSI] = {"auto", "buslogic", "lsilogic", "lsisas1068",
                        "vmpvscsi", "ibmvscsi", "virtio-scsi", "lsisas1078",
                        "virtio-transitional", "virtio-non-transitional",
                        "ncr53c90", "dc390", "am53c974"},
    [CTRL_TYPE_VIRTIO_SERIAL] = {"virtio", "virtio-transitional",
                                 "virtio-non-transitional"},
    [CTRL_TYPE_USB] = {"piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1",
                       "ich9-uhci1", "ich9-uhci2", "ich9-uhci3",
                       "vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1",
                       "qusb2", "qemu-xhci", "none"},
};

bool ctrl_model_known(enum ctrl_type type, const char *model)
{
    assert(type != CTRL_TYPE_PCI && model);
    for (size_t i = 0; type >= 0 && type < CTRL_TYPE_KNOWN &&
                       i < CTRL_MODELS_MAX && ctrl_models[type][i];
         i++) {
        if (strcmp(ctrl_models[type][i], model) == 0)
            return true;
    }
    return false;
}

enum ctrl_type ctrl_type_from_name(const char *name)
{
    if (!name)
        return CTRL_TYPE_NONE;
    for (int t = 0; t < CTRL_TYPE_KNOWN; t++) {
        if (strcmp(ctrl_type_names[t], name) == 0)
            return t;
    }
    return CTRL_TYPE_OTHER;
}

void domain_resolve_controller(struct device *dev)
{
    assert(dev->kind == DEV_CONTROLLER);
    dev->ctrl_type = ctrl_type_from_name(dev->type);
    dev->pci_model = dev->ctrl_type == CTRL_TYPE_PCI
                         ? pci_model_from_name(dev->model)
                         : PCI_MODEL_NONE;
}

/* Each kind's numeric fields, with the base libvirt reads each in (its
 * device_conf.c parsers: 10 decimal, 16 hex with or without 0x, 0 C's
 * decimal, 0x-hex or 0-octal). */
static const struct {
    const char *name;
    const char *fields[OTHER_ADDR_FIELDS];
    int bases[OTHER_ADDR_FIELDS];
} addr_kinds[ADDR_KIND_COUNT] = {
    [ADDR_KIND_DRIVE] = {"drive",
                         {"controller", "bus", "target", "unit"},
                         {10, 10, 10, 10}},
    [ADDR_KIND_VIRTIO_SERIAL] = {"virtio-serial",
                                 {"controller", "bus", "port"},
                                 {10, 10, 10}},
    [ADDR_KIND_CCID] = {"ccid", {"controller", "slot"}, {10, 10}},
    [ADDR_KIND_USB] = {"usb", {"bus"}, {10}},
    [ADDR_KIND_SPAPR_VIO] = {"spapr-vio", {"reg"}, {16}},
    [ADDR_KIND_VIRTIO_S390] = {"virtio-s390", {NULL}, {0}},
    [ADDR_KIND_CCW] = {"ccw", {"cssid", "ssid", "devno"}, {0, 0, 0}},
    [ADDR_KIND_VIRTIO_MMIO] = {"virtio-mmio", {NULL}, {0}},
    [ADDR_KIND_ISA] = {"isa", {"iobase", "irq"}, {16, 16}},
    [ADDR_KIND_DIMM] = {"dimm", {"slot", "base"}, {10, 16}},
    [ADDR_KIND_UNASSIGNED] = {"unassigned", {NULL}, {0}},
};

const char *addr_kind_name(enum addr_kind kind)
{
    return kind >= 0 && kind < ADDR_KIND_COUNT ? addr_kinds[kind].name : "";
}

enum addr_kind addr_kind_from_name(const char *name)
{
    for (int k = 0; name && k < ADDR_KIND_COUNT; k++) {
        if (strcmp(addr_kinds[k].name, name) == 0)
            return k;
    }
    return ADDR_KIND_NONE;
}

const char *addr_kind_field(enum addr_kind kind, unsigned f)
{
    if (kind < 0 || kind >= ADDR_KIND_COUNT || f >= OTHER_ADDR_FIELDS)
        return NULL;
    return addr_kinds[kind].fields[f];
}

int addr_kind_field_base(enum addr_kind kind, unsigned f)
{
    assert(addr_kind_field(kind, f) != NULL);
    return addr_kinds[kind].bases[f];
}

bool domain_other_is_field(enum addr_kind kind, const char *name)
{
    const char *f;

    for (unsigned i = 0; (f = addr_kind_field(kind, i)) != NULL; i++) {
        if (strcmp(f, name) == 0)
            return true;
    }
    return false;
}

const char *domain_other_value(const struct other_addr *o, const char *name)
{
    for (unsigned i = 0; i < o->nattrs; i++) {
        if (strcmp(o->name[i], name) == 0)
            return o->value[i];
    }
    return NULL;
}

/*
 * A number as libvirt reads the attribute, in 'base', with nothing after
 * it (load has range-checked every field already), -1 for anything else.
 */
static long attr_number(const char *value, int base)
{
    char *end;
    long v;

    if (!value)
        return -1;
    v = strtol(value, &end, base);
    return *end || v < 0 ? -1 : v;
}

void domain_other_resolve(struct other_addr *o)
{
    o->present = 0;
    for (unsigned f = 0; f < OTHER_ADDR_FIELDS; f++) {
        const char *name = addr_kind_field(o->kind, f);
        const char *value = name ? domain_other_value(o, name) : NULL;

        o->field[f] =
            value ? attr_number(value, addr_kind_field_base(o->kind, f)) : -1;
        if (value)
            o->present |= 1u << f;
    }
}

const struct other_addr *device_other(const struct device *dev)
{
    static const struct other_addr none = {.kind = ADDR_KIND_NONE,
                                           .field = {-1, -1, -1, -1}};

    return dev->other ? dev->other : &none;
}

const char *device_addr_type(const struct device *dev)
{
    switch (dev->addr_type) {
    case ADDR_NONE:
        return NULL;
    case ADDR_PCI:
        return "pci";
    case ADDR_OTHER:
        /* an address of a type libvirt does not know is refused at load */
        assert(dev->other && dev->other->kind != ADDR_KIND_NONE);
        return addr_kind_name(dev->other->kind);
    }
    return NULL;
}

struct other_addr *device_set_other(struct device *dev, enum addr_kind kind)
{
    if (!dev->other)
        dev->other = xmalloc(sizeof(*dev->other));
    memset(dev->other, 0, sizeof(*dev->other));
    dev->other->kind = kind;
    domain_other_resolve(dev->other);
    return dev->other;
}

void device_copy_other(struct device *dst, const struct device *src)
{
    if (!src->other) {
        free(dst->other);
        dst->other = NULL;
        return;
    }
    if (!dst->other)
        dst->other = xmalloc(sizeof(*dst->other));
    *dst->other = *src->other;
}

static struct device *new_device(enum dev_kind kind)
{
    struct device *dev = xcalloc(1, sizeof(*dev));

    dev->kind = kind;
    dev->elem = -1;
    dev->addr_elem = -1;
    dev->ctrl_type = CTRL_TYPE_NONE;
    dev->pci_model = PCI_MODEL_NONE;
    dev->index = -1;
    dev->ports = -1;
    dev->model_name_elem = -1;
    dev->pcihole64_elem = -1;
    dev->target_elem = -1;
    dev->master_startport = -1;
    dev->addr_controller = -1;
    dev->added_for = -1;
    dev->sized_for = -1;
    dev->zpci_elem = -1;
    dev->mirror_elem = -1;
    dev->input_zpci = (struct zpci_ids){-1, -1};
    dev->zpci = (struct zpci_ids){-1, -1};
    dev->addr.multifunction = TRI_ABSENT;
    dev->target = (struct ctrl_target){-1, -1, -1, -1, -1, TRI_ABSENT, -1};
    return dev;
}

struct device *domain_add_device(struct domain *dom, enum dev_kind kind)
{
    struct device *dev = new_device(kind);

    assert(dom->ndevs <= dom->cap);
    if (dom->ndevs == dom->cap) {
        dom->cap = dom->cap ? dom->cap * 2 : 64;
        dom->devs = xreallocarray(dom->devs, dom->cap, sizeof(*dom->devs));
    }
    dom->devs[dom->ndevs++] = dev;
    return dev;
}

/* Index of a disk target name: vda = 0, vdz = 25, vdaa = 26, ...;
 * trailing digits (partitions) are allowed, anything else is -1. */
long domain_disk_name_index(const char *name)
{
    static const char *const prefixes[] = {"fd",  "hd",  "vd", "sd",
                                           "xvd", "ubd", NULL};
    const char *s = NULL;
    long idx = 0;

    for (size_t i = 0; name && prefixes[i]; i++) {
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
            s = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!s)
        return -1;
    for (size_t i = 0; *s >= 'a' && *s <= 'z'; i++, s++) {
        if (idx > 1000000)
            return -1;
        idx = (idx + (i > 0)) * 26 + (*s - 'a');
    }
    s += strspn(s, "0123456789");
    return *s ? -1 : idx;
}

static void device_free(struct device *dev)
{
    free(dev->type);
    free(dev->model);
    free(dev->bus);
    free(dev->dev);
    free(dev->fs_model);
    free(dev->action);
    free(dev->model_name);
    free(dev->other);
    free(dev);
}

void domain_free(struct domain *dom)
{
    for (size_t i = 0; i < dom->ndevs; i++)
        device_free(dom->devs[i]);
    free(dom->devs);
    free(dom->arch);
    free(dom->machine);
    memset(dom, 0, sizeof(*dom));
}
