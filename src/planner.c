/*
 * planner.c: libvirt 9.0's PCI address assignment, restated.
 *
 * The shape follows libvirt's qemuDomainAssignPCIAddresses: implicit
 * devices are added first, then a sizing pass places every device in a
 * growable address set to learn how many buses (and of which models)
 * are needed, the missing controllers are created, and a final pass
 * places everything again from scratch, controllers first. Only the
 * final pass's choices are kept, except for the chipset placements,
 * which both passes store (libvirt does, and pass 2 depends on it).
 */
#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addrset.h"
#include "machine.h"
#include "nonpci.h"

#define PCI_CLASS (CONN_AUTOASSIGN | CONN_PCI_DEVICE)
#define NO_OWNER (-1)
#define CHIPSET_OWNER (-2)
#define SPARE_OWNER (-3)

/* Planning state of one device (indexed like dom->devs). */
struct devstate {
    unsigned flags;       /* connect flags; 0 = gets no PCI address */
    bool in_step;         /* the assignment steps consider it */
    bool has_addr;        /* 'addr' is a present (non-empty) address */
    struct pci_addr addr; /* as libvirt's device info holds it */
    enum addr_origin placed;
};

/* An ordered list of device positions. */
struct list {
    size_t *at;
    size_t n;
};

struct planner {
    struct domain *dom;
    const struct machine *mach;
    const struct plan_options *opt;
    struct diag *d;
    struct addrset *set;
    struct devstate *st;
    size_t nst;
    int (*owner)[PCI_SLOTS][PCI_FUNCTIONS]; /* device at each function */
    long max_idx;                /* highest PCI controller index in the input */
    int grown_by[PCI_MAX_BUSES]; /* device that made a bus appear */
    bool grown_for_address[PCI_MAX_BUSES]; /* ... by naming it in its address */
    bool pcie;                             /* index 0 is pcie-root */
    int reserve;                           /* spare capacity requested */
    struct list ctrls;                   /* libvirt's controller array order */
    struct list by_kind[DEV_KIND_COUNT]; /* document order per kind */
    struct list vdisks;                  /* virtio disks in libvirt's order */
    struct list videos;                  /* primary first */
    struct list hostdevs; /* interface hostdevs, then <hostdev> */
    struct list nets;     /* interfaces that are not hostdevs */
};

static int oom(struct planner *p)
{
    return diag_fail(p->d, STATUS_IO, 0, NULL, "out of memory");
}

static int list_push(struct list *l, size_t pos)
{
    size_t *at = realloc(l->at, (l->n + 1) * sizeof(*at));

    if (!at)
        return -1;
    at[l->n++] = pos;
    l->at = at;
    return 0;
}

static int list_insert(struct list *l, size_t where, size_t pos)
{
    if (list_push(l, pos) < 0)
        return -1;
    memmove(&l->at[where + 1], &l->at[where],
            (l->n - 1 - where) * sizeof(*l->at));
    l->at[where] = pos;
    return 0;
}

static struct device *dev_at(const struct planner *p, size_t pos)
{
    return p->dom->devs[pos];
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool str_in(const char *s, const char *const *set)
{
    for (; s && *set; set++) {
        if (strcmp(s, *set) == 0)
            return true;
    }
    return false;
}

static bool is_ctrl(const struct device *dev, const char *type)
{
    return dev->kind == DEV_CONTROLLER && str_eq(dev->type, type);
}

static bool is_pci_ctrl(const struct device *dev)
{
    return is_ctrl(dev, "pci");
}

static enum pci_model ctrl_pci_model(const struct device *dev)
{
    return pci_model_from_name(dev->model);
}

static bool is_usb2_companion(const struct device *dev)
{
    static const char *const models[] = {"ich9-ehci1", "ich9-uhci1",
                                         "ich9-uhci2", "ich9-uhci3", NULL};

    return is_ctrl(dev, "usb") && str_in(dev->model, models);
}

/* ------------------------------------------------------------------ */
/* Device classes (which bus a device needs)                           */

static unsigned pcie_class(const struct planner *p)
{
    return p->pcie ? (CONN_AUTOASSIGN | CONN_PCIE_DEVICE) : PCI_CLASS;
}

/* virtio devices are PCIe on PCIe machines unless made transitional. */
static unsigned virtio_class(const struct planner *p, const char *model)
{
    return str_eq(model, "virtio-transitional") ? PCI_CLASS : pcie_class(p);
}

static unsigned controller_class(const struct planner *p,
                                 const struct device *dev)
{
    static const char *const pcie_usb[] = {"qemu-xhci", "nec-xhci", NULL};
    static const char *const virtio_scsi[] = {
        "virtio-scsi", "virtio-transitional", "virtio-non-transitional", NULL};
    static const char *const no_pci[] = {"fdc", "ccid", "xenbus", "isa", NULL};

    if (is_pci_ctrl(dev)) {
        enum pci_model m = ctrl_pci_model(dev);

        return m == PCI_MODEL_NONE ? 0 : pci_models[m].connect;
    }
    if (str_in(dev->type, no_pci))
        return 0;
    if (str_eq(dev->type, "usb")) {
        if (str_eq(dev->model, "none"))
            return 0;
        return str_in(dev->model, pcie_usb) ? pcie_class(p) : PCI_CLASS;
    }
    if (str_eq(dev->type, "scsi")) {
        if (str_eq(dev->model, "ibmvscsi") || str_eq(dev->model, "ncr53c90"))
            return 0;
        if (str_in(dev->model, virtio_scsi))
            return virtio_class(p, dev->model);
        return PCI_CLASS;
    }
    if (str_eq(dev->type, "virtio-serial"))
        return virtio_class(p, dev->model);
    return PCI_CLASS; /* sata, ide */
}

static unsigned interface_class(const struct planner *p,
                                const struct device *dev)
{
    /* Models libvirt knows; any other string is taken as PCIe. */
    static const char *const known[] = {"netfront",
                                        "rtl8139",
                                        "virtio",
                                        "e1000",
                                        "e1000e",
                                        "virtio-transitional",
                                        "virtio-non-transitional",
                                        "usb-net",
                                        "spapr-vlan",
                                        "lan9118",
                                        "scm91c111",
                                        "vlance",
                                        "vmxnet",
                                        "vmxnet2",
                                        "vmxnet3",
                                        "Am79C970A",
                                        "Am79C973",
                                        "82540EM",
                                        "82545EM",
                                        "82543GC",
                                        NULL};
    const char *model = dev->model ? dev->model : p->mach->nic_model;

    if (str_eq(model, "virtio") || str_eq(model, "virtio-non-transitional") ||
        str_eq(model, "virtio-transitional"))
        return virtio_class(p, model);
    if (str_eq(model, "e1000e"))
        return pcie_class(p);
    if (str_eq(model, "usb-net") || str_eq(model, "spapr-vlan"))
        return 0;
    for (const char *const *k = known; *k; k++) {
        if (strcasecmp(model, *k) == 0)
            return PCI_CLASS;
    }
    return pcie_class(p);
}

static unsigned hostdev_class(const struct planner *p, const struct device *dev)
{
    /* libvirt probes the host; without one, assume PCIe as it does for
     * a host device it cannot find. */
    if (str_eq(dev->type, "pci") || dev->kind == DEV_INTERFACE)
        return pcie_class(p);
    if (str_eq(dev->type, "mdev"))
        return str_eq(dev->model, "vfio-pci") ? pcie_class(p) : 0;
    if (str_eq(dev->type, "scsi_host"))
        return virtio_class(p, dev->model);
    return 0;
}

static unsigned video_class(const struct planner *p, const struct device *dev)
{
    const char *model = dev->model ? dev->model : p->mach->video_model;

    if (str_eq(model, "virtio"))
        return pcie_class(p);
    if (str_eq(model, "bochs"))
        return pcie_class(p);
    return PCI_CLASS;
}

static unsigned filesystem_class(const struct planner *p,
                                 const struct device *dev)
{
    static const char *const virtio_drivers[] = {"path", "handle", "virtiofs",
                                                 NULL};

    if (dev->model && !str_in(dev->model, virtio_drivers))
        return 0;
    return virtio_class(p, dev->fs_model);
}

/* Connect flags of a device; 0 when it never takes a PCI address. */
static unsigned device_class(const struct planner *p, const struct device *dev)
{
    static const char *const pci_sound[] = {"es1370", "ac97", "ich6", "ich9",
                                            NULL};
    static const char *const virtio_mem[] = {"virtio-pmem", "virtio-mem", NULL};

    switch (dev->kind) {
    case DEV_DISK:
        return str_eq(dev->bus, "virtio") ? virtio_class(p, dev->model) : 0;
    case DEV_CONTROLLER:
        return controller_class(p, dev);
    case DEV_FILESYSTEM:
        return filesystem_class(p, dev);
    case DEV_INTERFACE:
        if (str_eq(dev->type, "hostdev"))
            return hostdev_class(p, dev);
        return interface_class(p, dev);
    case DEV_SOUND:
        return str_in(dev->model, pci_sound) ? PCI_CLASS : 0;
    case DEV_HOSTDEV:
        return hostdev_class(p, dev);
    case DEV_MEMBALLOON:
        if (str_eq(dev->model, "none") || str_eq(dev->model, "xen"))
            return 0;
        return virtio_class(p, dev->model);
    case DEV_RNG:
    case DEV_VSOCK:
        return virtio_class(p, dev->model);
    case DEV_WATCHDOG:
        return str_eq(dev->model, "i6300esb") ? PCI_CLASS : 0;
    case DEV_VIDEO:
        if (str_eq(dev->model, "none") || str_eq(dev->model, "ramfb"))
            return 0;
        return video_class(p, dev);
    case DEV_SHMEM:
        return PCI_CLASS;
    case DEV_INPUT:
        return str_eq(dev->bus, "virtio") ? virtio_class(p, dev->model) : 0;
    case DEV_SERIAL:
        return str_eq(dev->type, "pci-serial") ? PCI_CLASS : 0;
    case DEV_IOMMU:
        return str_eq(dev->model, "virtio") ? (pcie_class(p) | CONN_INTEGRATED)
                                            : 0;
    case DEV_MEMORY:
        return str_in(dev->model, virtio_mem) ? pcie_class(p) : 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

static void format_addr(char *buf, size_t len, const struct pci_addr *a)
{
    snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot,
             a->function);
}

static int fail_device(struct planner *p, int status, size_t pos,
                       const char *fmt, const char *detail)
{
    const struct device *dev = dev_at(p, pos);

    return diag_fail(p->d, status, dev->line, dev_kind_name(dev->kind), fmt,
                     detail);
}

static const char *bus_description(const struct planner *p, unsigned bus,
                                   char *buf, size_t len)
{
    enum pci_model m = p->set->buses[bus].model;

    snprintf(buf, len, "%s (index %u)",
             m == PCI_MODEL_NONE ? "a missing controller" : pci_models[m].name,
             bus);
    return buf;
}

static int fail_user_address(struct planner *p, size_t pos,
                             const struct pci_addr *a, enum addr_error err)
{
    char where[32], bus[64], msg[256];
    int other;

    format_addr(where, sizeof(where), a);
    switch (err) {
    case ADDR_ERR_IN_USE:
        other = p->owner[a->bus][a->slot][a->function];
        if (other >= 0)
            snprintf(msg, sizeof(msg), "<%s> at line %u",
                     dev_kind_name(dev_at(p, (size_t)other)->kind),
                     dev_at(p, (size_t)other)->line);
        else
            snprintf(msg, sizeof(msg), "the machine's built-in chipset");
        return diag_fail(p->d, STATUS_INVALID, dev_at(p, pos)->line,
                         dev_kind_name(dev_at(p, pos)->kind),
                         "PCI address %s is already used by %s", where, msg);
    case ADDR_ERR_NO_BUS:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: no controller provides "
                 "bus 0x%02x",
                 where, a->bus);
        break;
    case ADDR_ERR_SLOT_RANGE:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: slot 0x%02x is outside 0x%02x..0x%02x of %s",
                 where, a->slot, p->set->buses[a->bus].min_slot,
                 p->set->buses[a->bus].max_slot,
                 bus_description(p, a->bus, bus, sizeof(bus)));
        break;
    case ADDR_ERR_NOT_INTEGRATED:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: this device must be on bus 0x00", where);
        break;
    case ADDR_ERR_CANNOT_GROW:
    case ADDR_ERR_TOO_MANY_BUSES:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: bus 0x%02x does not exist and cannot be "
                 "added for this device",
                 where, a->bus);
        return fail_device(p, STATUS_UNSATISFIABLE, pos, "%s", msg);
    default:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: %s cannot hold this "
                 "device",
                 where, bus_description(p, a->bus, bus, sizeof(bus)));
        break;
    }
    return fail_device(p, STATUS_INVALID, pos, "%s", msg);
}

/* An added controller found no slot: name the device that needed it. */
static int fail_added_controller(struct planner *p, long index)
{
    int cause = index >= 0 && index < PCI_MAX_BUSES ? p->grown_by[index] : -1;

    if (cause < 0)
        return diag_fail(p->d, STATUS_UNSATISFIABLE, 0, NULL,
                         "no PCI slot is left for the controller of bus "
                         "0x%02lx",
                         index);
    if (p->grown_for_address[index])
        return diag_fail(p->d, STATUS_UNSATISFIABLE,
                         dev_at(p, (size_t)cause)->line,
                         dev_kind_name(dev_at(p, (size_t)cause)->kind),
                         "bus 0x%02x needs a pci-bridge, but no slot is left "
                         "for one",
                         p->st[cause].addr.bus);
    return fail_device(p, STATUS_UNSATISFIABLE, (size_t)cause, "%s",
                       "no free PCI slot, and no slot is left for a "
                       "pci-bridge to add more");
}

static int fail_no_room(struct planner *p, size_t pos, enum addr_error err)
{
    const struct device *dev = dev_at(p, pos);

    if (dev->elem < 0 && dev->kind == DEV_CONTROLLER &&
        err != ADDR_ERR_TOO_MANY_BUSES)
        return fail_added_controller(p, dev->index);
    const char *why = err == ADDR_ERR_TOO_MANY_BUSES
                          ? "all 256 PCI buses are in use"
                          : "no free PCI slot fits it and no controller can "
                            "be added for it";

    return diag_fail(p->d, STATUS_UNSATISFIABLE, dev->line,
                     dev_kind_name(dev->kind), "cannot place %s%s%s: %s",
                     dev->model ? dev->model : dev_kind_name(dev->kind),
                     dev->dev ? " " : "", dev->dev ? dev->dev : "", why);
}

/* ------------------------------------------------------------------ */
/* Reservations                                                        */

static void set_owner(struct planner *p, const struct pci_addr *a, int who)
{
    p->owner[a->bus][a->slot][a->function] = who;
}

/* Reserve an address the input (or a chipset rule) fixed. */
/* Remember which device made the sizing pass add buses, to name it if
 * the controller for such a bus cannot be placed. */
static void note_growth(struct planner *p, unsigned before, size_t pos,
                        bool for_address)
{
    for (unsigned b = before; b < p->set->nbuses; b++) {
        p->grown_by[b] = (int)pos;
        p->grown_for_address[b] = for_address;
    }
}

static int reserve_fixed(struct planner *p, size_t pos, struct pci_addr *a,
                         unsigned flags)
{
    unsigned before = p->set->nbuses;
    enum addr_error err = addrset_reserve(p->set, a, flags, true);

    if (err != ADDR_OK)
        return fail_user_address(p, pos, a, err);
    note_growth(p, before, pos, true);
    set_owner(p, a, (int)pos);
    return 0;
}

static int reserve_chipset(struct planner *p, unsigned slot, unsigned fn,
                           unsigned flags, const char *what)
{
    struct pci_addr a = {0, 0, slot, fn, TRI_ABSENT};
    enum addr_error err = addrset_reserve(p->set, &a, flags, true);

    if (err == ADDR_ERR_IN_USE) {
        int other = p->owner[0][slot][fn];

        return diag_fail(
            p->d, STATUS_INVALID,
            other >= 0 ? dev_at(p, (size_t)other)->line : 0,
            other >= 0 ? dev_kind_name(dev_at(p, (size_t)other)->kind) : NULL,
            "address 0000:00:%02x.%x is reserved for the %s", slot, fn, what);
    }
    if (err != ADDR_OK)
        return diag_fail(p->d, STATUS_INVALID, 0, NULL,
                         "bus 0 cannot hold the machine's chipset devices");
    set_owner(p, &a, CHIPSET_OWNER);
    return 0;
}

/* Find and reserve the next free address; store it in the final pass. */
static int reserve_next(struct planner *p, size_t pos, int function)
{
    struct devstate *s = &p->st[pos];
    struct pci_addr a;
    enum addr_error err;

    unsigned before = p->set->nbuses;

    if (!s->flags)
        return fail_no_room(p, pos, ADDR_ERR_CANNOT_GROW);
    err = addrset_reserve_next(p->set, s->flags, function, &a);
    if (err != ADDR_OK)
        return fail_no_room(p, pos, err);
    note_growth(p, before, pos, false);
    set_owner(p, &a, (int)pos);
    if (!p->set->dry_run) {
        s->addr = a;
        s->has_addr = true;
        s->placed = PLACED_FIRST_FREE;
    }
    return 0;
}

/* A spare that exists only in the sizing pass. */
static int reserve_dummy(struct planner *p, unsigned flags)
{
    struct pci_addr a;
    unsigned before = p->set->nbuses;
    enum addr_error err = addrset_reserve_next(p->set, flags, -1, &a);

    for (unsigned b = before; b < p->set->nbuses; b++)
        p->grown_by[b] = SPARE_OWNER;
    if (err != ADDR_OK)
        return diag_fail(p->d, STATUS_UNSATISFIABLE, 0, NULL,
                         "no room for the requested hotplug reserve");
    return 0;
}

/* ------------------------------------------------------------------ */
/* One pass                                                            */

static bool wanted(const struct planner *p, size_t pos)
{
    const struct device *dev = dev_at(p, pos);

    return !p->st[pos].has_addr &&
           (dev->addr_type == ADDR_NONE || dev->addr_type == ADDR_PCI);
}

static void setup_buses(struct planner *p, unsigned nbuses)
{
    enum pci_model gap;

    addrset_init(p->set, nbuses, p->set->dry_run);
    p->set->multiple_roots = p->mach->multiple_roots;
    p->set->nest_bridges = true;
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = dev_at(p, p->ctrls.at[i]);
        enum pci_model m = ctrl_pci_model(dev);

        if (is_pci_ctrl(dev) && m != PCI_MODEL_NONE && dev->index >= 0 &&
            (unsigned)dev->index < nbuses)
            addrset_set_model(p->set, (unsigned)dev->index, m,
                              dev->target.hotplug != TRI_OFF);
    }
    if (nbuses > 0 && p->set->buses[0].model == PCI_MODEL_NONE)
        addrset_set_model(p->set, 0, PCI_MODEL_PCI_ROOT, true);
    gap = p->mach->multiple_roots ? PCI_MODEL_PCI_ROOT
          : p->pcie               ? PCI_MODEL_PCIE_ROOT_PORT
                                  : PCI_MODEL_PCI_BRIDGE;
    for (unsigned b = 1; b < nbuses; b++) {
        if (p->set->buses[b].model == PCI_MODEL_NONE)
            addrset_set_model(p->set, b, gap, true);
    }
}

/* The PIIX3 IDE and USB functions are reserved by the chipset rules. */
static bool is_piix3_function(const struct device *dev,
                              const struct pci_addr *a)
{
    if (a->bus != 0 || a->slot != 1)
        return false;
    if (is_ctrl(dev, "ide") && dev->index == 0 && a->function == 1)
        return true;
    return is_ctrl(dev, "usb") && dev->index == 0 &&
           (!dev->model || str_eq(dev->model, "piix3-uhci")) &&
           a->function == 2;
}

static int collect_present(struct planner *p)
{
    for (int kind = 0; kind < DEV_KIND_COUNT; kind++) {
        const struct list *l =
            kind == DEV_CONTROLLER ? &p->ctrls : &p->by_kind[kind];

        for (size_t i = 0; i < l->n; i++) {
            size_t pos = l->at[i];
            struct devstate *s = &p->st[pos];
            unsigned flags = s->flags ? s->flags : CONN_PCI_DEVICE;

            if (!s->has_addr)
                continue;
            if (is_piix3_function(dev_at(p, pos), &s->addr)) {
                if (!(p->set->buses[0].flags & CONN_PCI_DEVICE))
                    return fail_device(p, STATUS_INVALID, pos, "%s",
                                       "bus 0 must be conventional PCI for "
                                       "the PIIX3 IDE/USB functions");
                continue;
            }
            if (reserve_fixed(p, pos, &s->addr, flags) < 0)
                return -1;
        }
    }
    return 0;
}

static void pin(struct planner *p, size_t pos, unsigned slot, unsigned fn,
                int multifunction)
{
    p->st[pos].placed = PLACED_CHIPSET;
    p->st[pos].addr = (struct pci_addr){0, 0, slot, fn, multifunction};
    p->st[pos].has_addr = true;
}

/* The primary video's preferred slot, else its normal place. */
static int place_primary_video(struct planner *p, unsigned slot, unsigned flags)
{
    size_t pos;

    if (p->videos.n == 0)
        return 0;
    pos = p->videos.at[0];
    if (!p->st[pos].flags || !wanted(p, pos))
        return 0;
    if (addrset_slot_used(p->set, 0, slot))
        return reserve_next(p, pos, -1);
    if (reserve_chipset(p, slot, 0, flags, "primary video") < 0)
        return -1;
    set_owner(p, &(struct pci_addr){0, 0, slot, 0, TRI_ABSENT}, (int)pos);
    pin(p, pos, slot, 0, TRI_ABSENT);
    return 0;
}

static int piix3_rules(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        const struct device *dev = dev_at(p, pos);
        struct devstate *s = &p->st[pos];
        unsigned fn;

        if (is_ctrl(dev, "ide") && dev->index == 0)
            fn = 1;
        else if (is_ctrl(dev, "usb") && dev->index == 0 &&
                 (!dev->model || str_eq(dev->model, "piix3-uhci")))
            fn = 2;
        else
            continue;
        if (s->has_addr &&
            (s->addr.bus || s->addr.slot != 1 || s->addr.function != fn))
            return fail_device(p, STATUS_INVALID, pos, "%s",
                               fn == 1 ? "the primary IDE controller must "
                                         "be at PCI address 0000:00:01.1"
                                       : "the PIIX3 USB controller must be "
                                         "at PCI address 0000:00:01.2");
        pin(p, pos, 1, fn, s->has_addr ? s->addr.multifunction : TRI_ABSENT);
        if (reserve_fixed(p, pos, &s->addr, PCI_CLASS) < 0)
            return -1;
    }
    if (reserve_chipset(p, 1, 0, PCI_CLASS, "PIIX3 ISA bridge") < 0 ||
        reserve_chipset(p, 1, 3, PCI_CLASS, "PIIX3 power management") < 0)
        return -1;
    return place_primary_video(p, 2, PCI_CLASS);
}

static int ich9_controller_rules(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        const struct device *dev = dev_at(p, pos);
        struct devstate *s = &p->st[pos];

        if (is_ctrl(dev, "sata") && dev->index == 0) {
            if (s->has_addr &&
                (s->addr.bus || s->addr.slot != 0x1f || s->addr.function != 2))
                return fail_device(p, STATUS_INVALID, pos, "%s",
                                   "the primary SATA controller must be at "
                                   "PCI address 0000:00:1f.2");
            if (!s->has_addr)
                pin(p, pos, 0x1f, 2, TRI_ABSENT);
        } else if (is_ctrl(dev, "usb") && str_eq(dev->model, "ich9-uhci1") &&
                   dev->addr_type == ADDR_NONE && !s->has_addr) {
            unsigned slot = !addrset_slot_used(p->set, 0, 0x1d)   ? 0x1d
                            : !addrset_slot_used(p->set, 0, 0x1a) ? 0x1a
                                                                  : 0;
            if (!slot)
                continue;
            if (reserve_chipset(p, slot, 0, CONN_PCIE_DEVICE, "ICH9 USB") < 0)
                return -1;
            set_owner(p, &(struct pci_addr){0, 0, slot, 0, 0}, (int)pos);
            pin(p, pos, slot, 0, TRI_ON);
        } else if (is_pci_ctrl(dev) &&
                   ctrl_pci_model(dev) == PCI_MODEL_DMI_TO_PCI_BRIDGE &&
                   dev->addr_type == ADDR_NONE && !s->has_addr &&
                   !addrset_slot_used(p->set, 0, 0x1e)) {
            if (reserve_chipset(p, 0x1e, 0, CONN_PCIE_DEVICE,
                                "dmi-to-pci-bridge") < 0)
                return -1;
            set_owner(p, &(struct pci_addr){0, 0, 0x1e, 0, 0}, (int)pos);
            pin(p, pos, 0x1e, 0, TRI_ABSENT);
        }
    }
    return 0;
}

static int ich9_rules(struct planner *p)
{
    const struct list *sounds = &p->by_kind[DEV_SOUND];

    if (ich9_controller_rules(p) < 0 ||
        reserve_chipset(p, 0x1f, 0, CONN_PCIE_DEVICE, "ICH9 LPC bridge") < 0 ||
        reserve_chipset(p, 0x1f, 3, CONN_PCIE_DEVICE, "ICH9 SMBus") < 0 ||
        place_primary_video(p, 1, CONN_PCIE_DEVICE) < 0)
        return -1;
    if (addrset_slot_used(p->set, 0, 0x1b))
        return 0;
    for (size_t i = 0; i < sounds->n; i++) {
        size_t pos = sounds->at[i];

        if (!str_eq(dev_at(p, pos)->model, "ich9") || !wanted(p, pos))
            continue;
        if (reserve_chipset(p, 0x1b, 0, CONN_PCIE_DEVICE, "ICH9 sound") < 0)
            return -1;
        set_owner(p, &(struct pci_addr){0, 0, 0x1b, 0, 0}, (int)pos);
        pin(p, pos, 0x1b, 0, TRI_ABSENT);
        break;
    }
    return 0;
}

static int chipset_rules(struct planner *p)
{
    switch (p->mach->chipset) {
    case CHIPSET_PIIX3:
        return piix3_rules(p);
    case CHIPSET_ICH9:
        return ich9_rules(p);
    default:
        return 0;
    }
}

/* ICH9 USB2 companions share one slot, each at its own function. */
static int place_usb2_companion(struct planner *p, size_t pos)
{
    const struct device *dev = dev_at(p, pos);
    unsigned fn = str_eq(dev->model, "ich9-ehci1")   ? 7
                  : str_eq(dev->model, "ich9-uhci2") ? 1
                  : str_eq(dev->model, "ich9-uhci3") ? 2
                                                     : 0;
    int multi = fn == 0 ? TRI_ON : TRI_ABSENT;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t other = p->ctrls.at[i];
        const struct devstate *o = &p->st[other];

        if (!is_usb2_companion(dev_at(p, other)) ||
            dev_at(p, other)->index != dev->index || !o->has_addr)
            continue;
        struct pci_addr a = {0, o->addr.bus, o->addr.slot, fn, multi};

        if (reserve_fixed(p, pos, &a, p->st[pos].flags) < 0)
            return -1;
        p->st[pos].addr = a;
        p->st[pos].has_addr = true;
        p->st[pos].placed = PLACED_COMPANION;
        return 0;
    }
    if (reserve_next(p, pos, (int)fn) < 0)
        return -1;
    p->st[pos].addr.multifunction = multi;
    return 0;
}

static bool controller_in_step(const struct device *dev)
{
    if (is_pci_ctrl(dev))
        return false;
    if (is_ctrl(dev, "ide") && dev->index == 0)
        return false;
    return true;
}

static int assign_list(struct planner *p, const struct list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        size_t pos = l->at[i];

        if (!p->st[pos].in_step || !wanted(p, pos))
            continue;
        if (reserve_next(p, pos, -1) < 0)
            return -1;
    }
    return 0;
}

static int assign_controllers(struct planner *p, bool pci)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        const struct device *dev = dev_at(p, pos);

        if (is_pci_ctrl(dev) != pci || !p->st[pos].in_step || !wanted(p, pos))
            continue;
        if (!pci && !controller_in_step(dev))
            continue;
        if (is_usb2_companion(dev) ? place_usb2_companion(p, pos) < 0
                                   : reserve_next(p, pos, -1) < 0)
            return -1;
    }
    return 0;
}

/* libvirt's device order (S3 ... S19). */
static int assign_devices(struct planner *p)
{
    static const enum dev_kind after_videos[] = {
        DEV_SHMEM, DEV_INPUT, DEV_SERIAL, DEV_IOMMU, DEV_VSOCK, DEV_MEMORY};
    static const enum dev_kind before_videos[] = {DEV_MEMBALLOON, DEV_RNG,
                                                  DEV_WATCHDOG};

    if (assign_controllers(p, true) < 0 ||
        assign_list(p, &p->by_kind[DEV_FILESYSTEM]) < 0 ||
        assign_list(p, &p->nets) < 0 ||
        assign_list(p, &p->by_kind[DEV_SOUND]) < 0 ||
        assign_controllers(p, false) < 0 || assign_list(p, &p->vdisks) < 0 ||
        assign_list(p, &p->hostdevs) < 0)
        return -1;
    for (size_t k = 0; k < sizeof(before_videos) / sizeof(*before_videos);
         k++) {
        if (assign_list(p, &p->by_kind[before_videos[k]]) < 0)
            return -1;
    }
    if (assign_list(p, &p->videos) < 0)
        return -1;
    for (size_t k = 0; k < sizeof(after_videos) / sizeof(*after_videos); k++) {
        if (assign_list(p, &p->by_kind[after_videos[k]]) < 0)
            return -1;
    }
    return 0;
}

static int run_pass(struct planner *p, unsigned nbuses, bool dry_run)
{
    p->set->dry_run = dry_run;
    setup_buses(p, nbuses);
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        memset(p->owner[b], 0xff, sizeof(p->owner[b]));
    return collect_present(p) < 0 || chipset_rules(p) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Spare capacity                                                      */

static bool all_buses_full(const struct planner *p)
{
    for (unsigned b = 0; b < p->set->nbuses; b++) {
        if (!addrset_bus_full(p->set, b))
            return false;
    }
    return true;
}

/*
 * The default (1) is libvirt's own reserve: one conventional slot held
 * back before any device is placed on pci-root machines, one PCIe slot
 * after all devices on pcie-root machines whose input had no PCI
 * controller but the root and that needed new buses. Any other count is
 * pciplan's: that many spares, each in a hotpluggable place, whatever
 * the input had.
 */
static unsigned spare_flags(const struct planner *p, unsigned class_flags)
{
    return p->reserve == 1 ? class_flags : class_flags | CONN_HOTPLUGGABLE;
}

static int reserve_conventional_spares(struct planner *p)
{
    if (p->pcie || all_buses_full(p))
        return 0;
    for (int i = 0; i < p->reserve; i++) {
        if (reserve_dummy(p, spare_flags(p, PCI_CLASS)) < 0)
            return -1;
    }
    return 0;
}

static int reserve_pcie_spares(struct planner *p, unsigned nbuses_before)
{
    if (!p->pcie)
        return 0;
    if (p->reserve == 1 && (p->max_idx > 0 || p->set->nbuses <= nbuses_before))
        return 0;
    for (int i = 0; i < p->reserve; i++) {
        if (reserve_dummy(
                p, spare_flags(p, CONN_AUTOASSIGN | CONN_PCIE_DEVICE)) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Growing the device arrays                                           */

static int grow_state(struct planner *p)
{
    struct devstate *st;

    if (p->nst >= p->dom->ndevs)
        return 0;
    st = realloc(p->st, p->dom->ndevs * sizeof(*st));
    if (!st)
        return oom(p);
    memset(&st[p->nst], 0, (p->dom->ndevs - p->nst) * sizeof(*st));
    p->st = st;
    p->nst = p->dom->ndevs;
    return 0;
}

static struct device *add_controller(struct planner *p, const char *type,
                                     long index, const char *model,
                                     enum addition why)
{
    struct device *dev = domain_add_device(p->dom, DEV_CONTROLLER);

    if (dev)
        dev->added = why;

    if (!dev || !(dev->type = strdup(type)) ||
        (model && !(dev->model = strdup(model))) ||
        list_push(&p->ctrls, p->dom->ndevs - 1) < 0) {
        oom(p);
        return NULL;
    }
    dev->index = index;
    return dev;
}

static bool find_controller(const struct planner *p, const char *type,
                            long index)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = dev_at(p, p->ctrls.at[i]);

        if (is_ctrl(dev, type) && dev->index == index)
            return true;
    }
    return false;
}

static struct device *add_channel_controller(void *opaque, const char *type,
                                             long index)
{
    return add_controller(opaque, type, index, NULL, ADDED_FOR_CHANNELS);
}

/* Create the controllers for the buses the sizing pass added. */
static int materialise_buses(struct planner *p)
{
    for (unsigned b = 1; b < p->set->nbuses; b++) {
        enum pci_model m = p->set->buses[b].model;
        size_t pos;

        if (find_controller(p, "pci", b))
            continue;
        if (!add_controller(p, "pci", b, pci_models[m].name, ADDED_FOR_BUS) ||
            grow_state(p) < 0)
            return -1;
        pos = p->dom->ndevs - 1;
        if (p->grown_by[b] == SPARE_OWNER)
            dev_at(p, pos)->added = ADDED_SPARE;
        else
            dev_at(p, pos)->added_for = p->grown_by[b];
        p->st[pos].flags = pci_models[m].connect;
        p->st[pos].in_step = m != PCI_MODEL_PCI_ROOT;
        if (p->st[pos].in_step && reserve_next(p, pos, -1) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Post-parse: machine, indexes, implicit devices                      */

static int resolve_machine(struct planner *p)
{
    struct domain *dom = p->dom;
    const char *name = p->opt->machine ? p->opt->machine : dom->machine;

    p->mach = name ? machine_lookup(name, dom->arch)
                   : machine_default(dom->arch ? dom->arch : "x86_64");
    if (!p->mach) {
        int status = p->opt->machine ? STATUS_USAGE : STATUS_INVALID;

        return diag_fail(p->d, status, p->opt->machine ? 0 : dom->os_type_line,
                         p->opt->machine ? NULL : "type",
                         "unsupported machine type '%s'%s%s (supported: %s)",
                         name ? name : "", dom->arch ? " for arch " : "",
                         dom->arch ? dom->arch : "", machine_supported_list());
    }
    if (dom->os_type_elem >= 0 &&
        (!dom->machine ||
         (p->opt->machine &&
          machine_lookup(dom->machine, dom->arch) != p->mach))) {
        free(dom->machine);
        dom->machine = strdup(p->opt->machine && strchr(p->opt->machine, '-')
                                  ? p->opt->machine
                                  : p->mach->canonical);
        if (!dom->machine)
            return oom(p);
        dom->machine_changed = true;
    }
    p->pcie = p->mach->root == PCI_MODEL_PCIE_ROOT;
    return 0;
}

/* libvirt's parse-time controller order: grouped by type in order of
 * first appearance, index-sorted within a type. */
static int order_controllers(struct planner *p)
{
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *c = dev_at(p, pos);
        size_t at = p->ctrls.n;
        bool placed = false;

        if (c->kind != DEV_CONTROLLER)
            continue;
        for (size_t i = p->ctrls.n; i-- > 0;) {
            const struct device *cur = dev_at(p, p->ctrls.at[i]);

            if (!str_eq(cur->type, c->type) &&
                !(cur->type == NULL && c->type == NULL))
                continue;
            if (c->index < 0) {
                at = i + 1;
                break;
            }
            if (cur->index > c->index) {
                at = i;
                placed = true;
            } else if (!c->has_master && cur->has_master &&
                       cur->index == c->index) {
                at = i;
                placed = true;
            } else if (!placed) {
                at = i + 1;
                placed = true;
            }
        }
        if (list_insert(&p->ctrls, at, pos) < 0)
            return oom(p);
    }
    return 0;
}

static bool index_used(const struct planner *p, const char *type, long index,
                       const char *model);

/* --root-ports: what virt-install and Nova do, bare root ports in the
 * input, so libvirt (and pciplan) place devices on them. */
static int add_root_ports(struct planner *p)
{
    long have = 0;

    if (p->opt->root_ports <= 0)
        return 0;
    if (!p->pcie)
        return diag_fail(p->d, STATUS_USAGE, 0, NULL,
                         "--root-ports needs a PCI Express machine (q35, "
                         "virt), not %s",
                         p->mach->alias);
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = dev_at(p, p->ctrls.at[i]);

        have +=
            is_pci_ctrl(dev) && ctrl_pci_model(dev) == PCI_MODEL_PCIE_ROOT_PORT;
    }
    for (long idx = 1; have < p->opt->root_ports; have++, idx++) {
        while (index_used(p, "pci", idx, NULL))
            idx++;
        if (!add_controller(p, "pci", idx, "pcie-root-port", ADDED_ROOT_PORTS))
            return -1;
    }
    return 0;
}

static bool index_used(const struct planner *p, const char *type, long index,
                       const char *model)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = dev_at(p, p->ctrls.at[i]);

        if (str_eq(dev->type, type) && dev->index == index &&
            (!model || str_eq(dev->model, model)))
            return true;
    }
    return false;
}

/* Give index-less controllers the lowest free index of their type;
 * an ICH9 USB2 companion joins the set of the companion before it. */
static void number_controllers(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        struct device *dev = dev_at(p, p->ctrls.at[i]);
        long idx = 0;

        if (dev->index >= 0 || !dev->type)
            continue;
        if (is_usb2_companion(dev) && i > 0) {
            const struct device *prev = dev_at(p, p->ctrls.at[i - 1]);

            if (is_usb2_companion(prev) &&
                !index_used(p, "usb", prev->index, dev->model)) {
                dev->index = prev->index;
                dev->index_added = true;
                continue;
            }
        }
        while (index_used(p, dev->type, idx, NULL))
            idx++;
        dev->index = idx;
        dev->index_added = true;
    }
}

/* The versioned machine name, as libvirt would report it. */
static const char *machine_display_name(const struct planner *p)
{
    const char *written = p->dom->machine;

    return written && strchr(written, '-') ? written : p->mach->canonical;
}

static int check_pci_model(struct planner *p, size_t pos)
{
    const struct device *dev = dev_at(p, pos);
    enum pci_model m = ctrl_pci_model(dev);
    int needs = pci_models[m].needs_root;

    if (needs != PCI_MODEL_NONE && needs != (int)p->mach->root)
        return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                         "model='%s' is not available on machine type %s",
                         pci_models[m].name, machine_display_name(p));
    if ((m == PCI_MODEL_PCI_ROOT || m == PCI_MODEL_PCIE_ROOT) &&
        dev->addr_type != ADDR_NONE)
        return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                         "%s must not have an address", pci_models[m].name);
    return 0;
}

static int check_controllers(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        struct device *dev = dev_at(p, pos);

        if (!dev->type)
            return fail_device(p, STATUS_INVALID, pos, "%s",
                               "missing type attribute");
        for (size_t j = 0; j < i; j++) {
            const struct device *o = dev_at(p, p->ctrls.at[j]);

            if (str_eq(o->type, dev->type) && o->index == dev->index &&
                !is_usb2_companion(dev))
                return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                                 "duplicate %s controller index %ld (also "
                                 "used at line %u)",
                                 dev->type, dev->index, o->line);
        }
        if (!is_pci_ctrl(dev))
            continue;
        if (!dev->model && dev->index == 0) {
            dev->model = strdup(pci_models[p->mach->root].name);
            dev->model_added = true;
            if (!dev->model)
                return oom(p);
        }
        if (ctrl_pci_model(dev) == PCI_MODEL_NONE)
            return fail_device(p, STATUS_INVALID, pos,
                               "unknown or missing PCI controller model '%s'",
                               dev->model ? dev->model : "");
        if (check_pci_model(p, pos) < 0)
            return -1;
        if ((dev->index == 0) !=
            (ctrl_pci_model(dev) == p->mach->root && dev->index == 0))
            return fail_device(p, STATUS_INVALID, pos,
                               "PCI controller index 0 must be model '%s'",
                               pci_models[p->mach->root].name);
        if (dev->index > 0 &&
            (ctrl_pci_model(dev) == PCI_MODEL_PCI_ROOT ||
             ctrl_pci_model(dev) == PCI_MODEL_PCIE_ROOT) &&
            !p->mach->multiple_roots)
            return fail_device(p, STATUS_INVALID, pos, "%s",
                               "a root PCI controller must have index 0");
        if (dev->index > p->max_idx)
            p->max_idx = dev->index;
    }
    return 0;
}

static int set_default_models(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        struct device *dev = dev_at(p, p->ctrls.at[i]);
        const char *model = NULL;

        if (dev->model && !str_eq(dev->model, "auto"))
            continue;
        if (is_ctrl(dev, "usb"))
            model = p->mach->usb_model;
        else if (is_ctrl(dev, "scsi"))
            model = p->mach->scsi_model;
        if (!model || dev->model)
            continue;
        if (!(dev->model = strdup(model)))
            return oom(p);
        dev->model_added = true;
    }
    return 0;
}

static bool has_kind(const struct planner *p, enum dev_kind kind)
{
    for (size_t i = 0; i < p->dom->ndevs; i++) {
        if (dev_at(p, i)->kind == kind)
            return true;
    }
    return false;
}

static long disk_controller(const struct device *dev, long per_controller)
{
    long idx;

    if (dev->addr_type == ADDR_OTHER && str_eq(dev->addr_type_name, "drive"))
        return dev->addr_controller < 0 ? 0 : dev->addr_controller;
    if (dev->addr_type != ADDR_NONE)
        return -1;
    idx = disk_name_index(dev->dev);
    return idx < 0 ? -1 : idx / per_controller;
}

/* Controllers 0..max for each disk bus that needs them. */
static int add_disk_controllers(struct planner *p)
{
    static const struct {
        const char *bus;
        long per_controller;
    } buses[] = {{"scsi", 7}, {"fdc", 2}, {"ide", 4}, {"sata", 6}};

    for (size_t b = 0; b < 4; b++) {
        long max = -1;

        for (size_t i = 0; i < p->dom->ndevs; i++) {
            const struct device *dev = dev_at(p, i);
            long c = -1;

            if (dev->kind == DEV_DISK && str_eq(dev->bus, buses[b].bus))
                c = disk_controller(dev, buses[b].per_controller);
            else if (b == 0 && dev->kind == DEV_HOSTDEV &&
                     str_eq(dev->type, "scsi"))
                c = dev->addr_controller < 0 ? 0 : dev->addr_controller;
            if (c > max)
                max = c;
        }
        if (max > 255)
            max = 255;
        for (long c = 0; c <= max; c++) {
            if (!find_controller(p, buses[b].bus, c) &&
                !add_controller(p, buses[b].bus, c,
                                b == 0 ? p->mach->scsi_model : NULL,
                                ADDED_FOR_DISKS))
                return -1;
        }
    }
    return 0;
}

static struct device *add_channel_controller(void *opaque, const char *type,
                                             long index);

/* Each virtio channel or console needs the virtio-serial controller
 * its address names (0 when it has none). */
static int add_virtio_serial_controllers(struct planner *p)
{
    static const enum dev_kind kinds[] = {DEV_CHANNEL, DEV_CONSOLE};

    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < p->dom->ndevs; i++) {
            const struct device *dev = dev_at(p, i);
            long c = dev->addr_controller < 0 ? 0 : dev->addr_controller;

            if (dev->kind != kinds[k] || !str_eq(dev->type, "virtio"))
                continue;
            if (c < 256 && !find_controller(p, "virtio-serial", c) &&
                !add_controller(p, "virtio-serial", c, NULL,
                                ADDED_FOR_CHANNELS))
                return -1;
        }
    }
    return nonpci_assign_smartcards(p->dom, add_channel_controller, p, p->d);
}

static int add_machine_defaults(struct planner *p)
{
    const struct machine *m = p->mach;

    if (m->implicit_usb && !find_controller(p, "usb", 0) &&
        !add_controller(p, "usb", 0, m->implicit_usb, ADDED_MACHINE))
        return -1;
    if (m->implicit_sata && !find_controller(p, "sata", 0) &&
        !add_controller(p, "sata", 0, NULL, ADDED_MACHINE))
        return -1;
    if (!find_controller(p, "pci", 0) &&
        !add_controller(p, "pci", 0, pci_models[m->root].name, ADDED_MACHINE))
        return -1;
    if (m->implicit_balloon && !has_kind(p, DEV_MEMBALLOON)) {
        struct device *dev = domain_add_device(p->dom, DEV_MEMBALLOON);

        if (!dev || !(dev->model = strdup("virtio")))
            return oom(p);
        dev->added = ADDED_MACHINE;
    }
    return 0;
}

static bool has_input(const struct planner *p, const char *type,
                      const char *bus)
{
    for (size_t i = 0; i < p->dom->ndevs; i++) {
        const struct device *dev = dev_at(p, i);

        if (dev->kind == DEV_INPUT && str_eq(dev->type, type) &&
            str_eq(dev->bus, bus))
            return true;
    }
    return false;
}

static int add_input(struct planner *p, const char *type)
{
    struct device *dev = domain_add_device(p->dom, DEV_INPUT);

    if (!dev || !(dev->type = strdup(type)) || !(dev->bus = strdup("usb")))
        return oom(p);
    dev->added = ADDED_MACHINE;
    return 0;
}

/* pSeries guests with graphics get a USB keyboard, and a USB mouse
 * unless a USB tablet already points. */
static int add_usb_inputs(struct planner *p)
{
    bool mouse = !has_input(p, "tablet", "usb");

    if (!p->mach->usb_inputs || !has_kind(p, DEV_GRAPHICS))
        return 0;
    if (!has_input(p, "keyboard", "usb") && add_input(p, "keyboard") < 0)
        return -1;
    if (mouse && !has_input(p, "mouse", "usb") && add_input(p, "mouse") < 0)
        return -1;
    return 0;
}

static int add_implicit_video(struct planner *p)
{
    struct device *dev;

    if (!has_kind(p, DEV_GRAPHICS) || has_kind(p, DEV_VIDEO))
        return 0;
    dev = domain_add_device(p->dom, DEV_VIDEO);
    if (!dev || !(dev->model = strdup(p->mach->video_model)))
        return oom(p);
    dev->added = ADDED_FOR_GRAPHICS;
    dev->primary = true;
    return 0;
}

static int add_implicit_devices(struct planner *p)
{
    if (add_machine_defaults(p) < 0 || add_usb_inputs(p) < 0 ||
        set_default_models(p) < 0 || add_disk_controllers(p) < 0 ||
        add_virtio_serial_controllers(p) < 0 || add_implicit_video(p) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Device lists in libvirt's orders                                    */

static int build_lists(struct planner *p)
{
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *dev = dev_at(p, pos);

        if (dev->kind != DEV_CONTROLLER &&
            list_push(&p->by_kind[dev->kind], pos) < 0)
            return oom(p);
    }
    for (size_t i = 0; i < p->by_kind[DEV_INTERFACE].n; i++) {
        size_t pos = p->by_kind[DEV_INTERFACE].at[i];

        if (list_push(str_eq(dev_at(p, pos)->type, "hostdev") ? &p->hostdevs
                                                              : &p->nets,
                      pos) < 0)
            return oom(p);
    }
    for (size_t i = 0; i < p->by_kind[DEV_HOSTDEV].n; i++) {
        if (list_push(&p->hostdevs, p->by_kind[DEV_HOSTDEV].at[i]) < 0)
            return oom(p);
    }
    /* virtio disks, stably sorted by target index */
    for (size_t i = 0; i < p->by_kind[DEV_DISK].n; i++) {
        size_t pos = p->by_kind[DEV_DISK].at[i];
        long idx = disk_name_index(dev_at(p, pos)->dev);
        size_t at = p->vdisks.n;

        if (!str_eq(dev_at(p, pos)->bus, "virtio"))
            continue;
        while (at > 0 &&
               disk_name_index(dev_at(p, p->vdisks.at[at - 1])->dev) > idx)
            at--;
        if (list_insert(&p->vdisks, at, pos) < 0)
            return oom(p);
    }
    /* videos: the one marked primary first */
    for (size_t i = 0; i < p->by_kind[DEV_VIDEO].n; i++) {
        size_t pos = p->by_kind[DEV_VIDEO].at[i];
        bool first = dev_at(p, pos)->primary && p->videos.n > 0 &&
                     !dev_at(p, p->videos.at[0])->primary;

        if (list_insert(&p->videos, first ? 0 : p->videos.n, pos) < 0)
            return oom(p);
    }
    return 0;
}

static bool address_is_present(const struct device *dev)
{
    return dev->addr_type == ADDR_PCI &&
           (dev->addr.domain || dev->addr.bus || dev->addr.slot);
}

/* What libvirt rejects about a device's own kind of address. */
static const char *address_problem(const struct planner *p,
                                   const struct device *dev)
{
    static const char *const drive_buses[] = {"ide", "sata", "scsi",
                                              "fdc", "usb",  NULL};

    if (dev->kind == DEV_DISK && dev->addr_type == ADDR_PCI &&
        str_in(dev->bus, drive_buses))
        return "a disk on this bus cannot have a PCI address; give it "
               "<address type='drive'/> or none";
    if (dev->kind == DEV_VIDEO && str_eq(dev->model, "ramfb") &&
        dev->addr_type != ADDR_NONE)
        return "a ramfb video takes no address; remove it";
    if (dev->kind == DEV_IOMMU && str_eq(dev->model, "virtio") &&
        dev->addr_type == ADDR_OTHER)
        return "a virtio IOMMU needs a PCI address (or none)";
    if (is_ctrl(dev, "usb") && dev->ports > 15 &&
        (str_eq(dev->model, "qemu-xhci") || str_eq(dev->model, "nec-xhci")))
        return "an xHCI controller has at most 15 ports";
    (void)p;
    return NULL;
}

/* Devices the machine (or QEMU 7.2) cannot have, which libvirt
 * rejects too, with what to do instead. */
static int check_support(struct planner *p, size_t pos)
{
    const struct device *dev = dev_at(p, pos);
    const char *why = address_problem(p, dev);

    if (why)
        ;
    else if (dev->kind == DEV_IOMMU && str_eq(dev->model, "virtio") &&
             !p->mach->virtio_iommu)
        why = "a virtio IOMMU needs a q35 or virt machine";
    else if (dev->kind == DEV_IOMMU && str_eq(dev->model, "intel") &&
             p->mach->chipset != CHIPSET_ICH9)
        why = "an intel IOMMU needs a q35 machine";
    else if (!p->mach->has_ide &&
             (is_ctrl(dev, "ide") ||
              (dev->kind == DEV_DISK && str_eq(dev->bus, "ide"))))
        why = "this machine has no IDE controller; use bus='sata'";
    else if (dev->kind == DEV_SOUND && str_eq(dev->model, "ich7"))
        why = "QEMU 7.2 has no ich7 sound device; use ich9";
    else if (dev->kind == DEV_INTERFACE && str_eq(dev->model, "usb-net") &&
             dev->addr_type == ADDR_NONE)
        why = "a usb-net interface needs an explicit <address type='usb' "
              "bus='0' port='N'/> (libvirt cannot choose one)";
    if (why)
        return fail_device(p, STATUS_INVALID, pos, "%s", why);
    return 0;
}

/* A <console> of target type serial is serial 0 again (libvirt's
 * compatibility console): its address is that device's. */
static bool is_serial_mirror(const struct planner *p, const struct device *dev)
{
    return dev->kind == DEV_CONSOLE &&
           (!dev->type || str_eq(dev->type, "serial")) &&
           p->by_kind[DEV_SERIAL].n > 0;
}

static int classify(struct planner *p)
{
    if (grow_state(p) < 0)
        return -1;
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *dev = dev_at(p, pos);
        struct devstate *s = &p->st[pos];

        if (check_support(p, pos) < 0)
            return -1;
        s->flags = device_class(p, dev);
        s->in_step = s->flags != 0 || (dev->kind == DEV_INTERFACE &&
                                       str_eq(dev->model, "usb-net"));
        if (dev->kind == DEV_HOSTDEV && dev->addr_type == ADDR_OTHER &&
            str_eq(dev->addr_type_name, "unassigned"))
            s->in_step = false;
        s->has_addr = address_is_present(dev) && !is_serial_mirror(p, dev);
        s->addr = dev->addr;
        if (!s->has_addr)
            s->addr.multifunction = TRI_ABSENT;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* After placement                                                     */

static void set_multifunction(struct planner *p)
{
    for (size_t i = 0; i < p->nst; i++) {
        const struct devstate *s = &p->st[i];

        if (!s->has_addr || s->addr.function == 0)
            continue;
        for (size_t j = 0; j < p->nst; j++) {
            struct devstate *o = &p->st[j];

            if (o->has_addr && o->addr.bus == s->addr.bus &&
                o->addr.slot == s->addr.slot && o->addr.function == 0) {
                if (o->addr.multifunction == TRI_ABSENT)
                    o->addr.multifunction = TRI_ON;
                break;
            }
        }
    }
}

/* A pci-bridge must sit on a bus with a lower index than its own. */
static int fail_bridge_order(struct planner *p, size_t pos)
{
    const struct device *dev = dev_at(p, pos);

    if (address_is_present(dev))
        return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                         "pci-bridge index %ld must be greater than the bus "
                         "0x%02x it is plugged into",
                         dev->index, p->st[pos].addr.bus);
    if (dev->elem < 0)
        return fail_added_controller(p, dev->index);
    return fail_device(p, STATUS_UNSATISFIABLE, pos,
                       "no bus with an index below %s takes this pci-bridge; "
                       "give it a higher index or add a bridge below it",
                       "its own");
}

static long lowest_bus_nr(const struct planner *p)
{
    long lowest = 256;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = dev_at(p, p->ctrls.at[i]);

        if (is_pci_ctrl(dev) && dev->target.bus_nr >= 0 &&
            dev->target.bus_nr < lowest)
            lowest = dev->target.bus_nr;
    }
    return lowest;
}

static void fill_target(struct device *dev, unsigned bit, long *field,
                        long value)
{
    if (*field >= 0)
        return;
    *field = value;
    dev->target_added |= bit;
}

static int set_model_name(struct planner *p, struct device *dev,
                          enum pci_model m)
{
    const char *name = pci_models[m].model_name;

    if (m == PCI_MODEL_PCI_ROOT || m == PCI_MODEL_PCIE_ROOT)
        name = p->mach->root_model_name;
    if (dev->model_name || !name)
        return 0;
    if (!(dev->model_name = strdup(name)))
        return oom(p);
    dev->model_name_added = true;
    return 0;
}

/* pSeries PHBs are numbered by their target index: the lowest in 1..31
 * that no controller already made a PHB uses. */
static long free_phb_index(const struct planner *p, const struct device *self)
{
    for (long idx = 1; idx < 32; idx++) {
        bool used = false;

        for (size_t i = 0; i < p->ctrls.n && !used; i++) {
            const struct device *dev = dev_at(p, p->ctrls.at[i]);

            used = dev != self && is_pci_ctrl(dev) && dev->model_name &&
                   dev->target.index == idx;
        }
        if (!used)
            return idx;
    }
    return -1;
}

static int controller_defaults(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        struct device *dev = dev_at(p, pos);
        const struct pci_addr *a = &p->st[pos].addr;
        enum pci_model m;
        unsigned fill;

        if (!is_pci_ctrl(dev))
            continue;
        m = ctrl_pci_model(dev);
        fill = pci_models[m].target_fill;
        if (set_model_name(p, dev, m) < 0)
            return -1;
        if (m == PCI_MODEL_PCI_ROOT && p->mach->multiple_roots)
            fill_target(dev, TARGET_INDEX, &dev->target.index,
                        dev->index == 0 ? 0 : free_phb_index(p, dev));
        if (fill & TARGET_CHASSIS_NR)
            fill_target(dev, TARGET_CHASSIS_NR, &dev->target.chassis_nr,
                        dev->index);
        if (fill & TARGET_CHASSIS)
            fill_target(dev, TARGET_CHASSIS, &dev->target.chassis, dev->index);
        if (fill & TARGET_PORT)
            fill_target(dev, TARGET_PORT, &dev->target.port,
                        m == PCI_MODEL_PCIE_ROOT_PORT
                            ? (long)(a->slot << 3 | a->function)
                            : (long)a->slot);
        if ((fill & TARGET_BUS_NR) && dev->target.bus_nr < 0) {
            long nr = lowest_bus_nr(p) - 2;

            if (nr <= 1)
                return fail_device(p, STATUS_UNSATISFIABLE, pos, "%s",
                                   "no free busNr below the lowest one in "
                                   "use; set <target busNr> by hand");
            fill_target(dev, TARGET_BUS_NR, &dev->target.bus_nr, nr);
        }
        if (m == PCI_MODEL_PCI_BRIDGE && p->st[pos].has_addr &&
            (long)a->bus >= dev->index)
            return fail_bridge_order(p, pos);
    }
    return 0;
}

static bool same_address(const struct pci_addr *a, const struct pci_addr *b)
{
    return a->bus == b->bus && a->slot == b->slot &&
           a->function == b->function && a->domain == b->domain;
}

/* Tell the writer what changed. */
static enum dev_class class_of(unsigned flags)
{
    if (!flags)
        return CLASS_NONE;
    if (flags & CONN_INTEGRATED)
        return CLASS_INTEGRATED;
    if (flags & CONN_PCI_DEVICE)
        return CLASS_PCI;
    return flags & CONN_PCIE_DEVICE ? CLASS_PCIE : CLASS_CONTROLLER;
}

static void record_changes(struct planner *p)
{
    for (size_t pos = 0; pos < p->nst; pos++) {
        struct device *dev = dev_at(p, pos);
        const struct devstate *s = &p->st[pos];
        bool kept = address_is_present(dev) && dev->elem >= 0;

        dev->bus_class = class_of(s->flags);
        if (!s->has_addr)
            continue;
        dev->placed = !kept                                ? s->placed
                      : same_address(&dev->addr, &s->addr) ? PLACED_KEPT
                                                           : PLACED_MOVED;
        if (!kept || dev->placed == PLACED_MOVED)
            dev->addr_changed = true;
        else if (dev->addr.multifunction != s->addr.multifunction)
            dev->adds_multifunction = true;
        dev->addr = s->addr;
        dev->addr_type = ADDR_PCI;
    }
}

/* ------------------------------------------------------------------ */

static int plan(struct planner *p)
{
    unsigned nbuses;

    if (resolve_machine(p) < 0 || order_controllers(p) < 0 ||
        add_root_ports(p) < 0)
        return -1;
    number_controllers(p);
    if (nonpci_assign_drives(p->dom, p->d) < 0 || add_implicit_devices(p) < 0 ||
        check_controllers(p) < 0 ||
        nonpci_assign_virtio_serial(p->dom, add_channel_controller, p, p->d) <
            0 ||
        nonpci_assign_spapr_vio(p->dom, p->mach->spapr_vio, p->d) < 0 ||
        (p->mach->virtio_mmio && nonpci_assign_virtio_mmio(p->dom, p->d) < 0) ||
        (p->mach->ccw && nonpci_assign_ccw(p->dom, p->d) < 0) ||
        build_lists(p) < 0 || classify(p) < 0)
        return -1;

    nbuses = (unsigned)(p->max_idx + 1);
    if (run_pass(p, nbuses, true) < 0 || reserve_conventional_spares(p) < 0 ||
        assign_devices(p) < 0 || reserve_pcie_spares(p, nbuses) < 0 ||
        materialise_buses(p) < 0)
        return -1;
    nbuses = p->set->nbuses;
    if (run_pass(p, nbuses, false) < 0 || assign_devices(p) < 0)
        return -1;
    set_multifunction(p);
    if (controller_defaults(p) < 0 || nonpci_assign_usb(p->dom, p->d) < 0 ||
        nonpci_assign_dimms(p->dom, p->d) < 0)
        return -1;
    record_changes(p);
    return 0;
}

int planner_run(struct domain *dom, const struct plan_options *opt,
                struct diag *d)
{
    struct planner p = {
        .dom = dom, .opt = opt, .d = d, .max_idx = -1, .reserve = opt->reserve};
    int rc = -1;

    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        p.grown_by[b] = -1;
    p.set = calloc(1, sizeof(*p.set));
    p.owner = malloc(PCI_MAX_BUSES * sizeof(*p.owner));
    if (p.set && p.owner)
        rc = plan(&p);
    else
        oom(&p);
    free(p.set);
    free(p.owner);
    free(p.st);
    free(p.ctrls.at);
    free(p.vdisks.at);
    free(p.videos.at);
    free(p.hostdevs.at);
    free(p.nets.at);
    for (int k = 0; k < DEV_KIND_COUNT; k++)
        free(p.by_kind[k].at);
    return rc;
}
