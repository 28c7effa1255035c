/*
 * classify.c: which kind of PCI slot each device needs (libvirt's
 * connect flags), and the devices a machine or QEMU 7.2 cannot have.
 */
#include "plan/state.h"

#include <assert.h>
#include <stdio.h>
#include <strings.h>

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
    enum pci_model m = plan_ctrl_pci_model(dev);

    switch (dev->ctrl_type) {
    case CTRL_TYPE_PCI:
        return m == PCI_MODEL_NONE ? 0 : pci_models[m].connect;
    case CTRL_TYPE_FDC:
    case CTRL_TYPE_CCID:
    case CTRL_TYPE_XENBUS:
    case CTRL_TYPE_ISA:
        return 0;
    case CTRL_TYPE_USB:
        if (str_eq(dev->model, "none"))
            return 0;
        return str_in(dev->model, pcie_usb) ? pcie_class(p) : PCI_CLASS;
    case CTRL_TYPE_SCSI:
        if (str_eq(dev->model, "ibmvscsi") || str_eq(dev->model, "ncr53c90"))
            return 0;
        if (str_in(dev->model, virtio_scsi))
            return virtio_class(p, dev->model);
        return PCI_CLASS;
    case CTRL_TYPE_VIRTIO_SERIAL:
        return virtio_class(p, dev->model);
    case CTRL_TYPE_SATA:
    case CTRL_TYPE_IDE:
    /* refused at load, as libvirt refuses them */
    case CTRL_TYPE_OTHER:
    case CTRL_TYPE_NONE:
        return PCI_CLASS;
    }
    assert(!"unreachable: every controller type is handled");
    return PCI_CLASS;
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
    /* Listed one by one, without a default, so that a kind added to
     * enum dev_kind is a compiler warning here and not silently "not
     * PCI". These take no PCI address in libvirt 9.0 (a <channel> or
     * <console> sits on virtio-serial, <redirdev> and <hub> on USB,
     * <smartcard> on CCID, <tpm> and <panic> on ISA/spapr/none). */
    case DEV_EMULATOR:
    case DEV_LEASE:
    case DEV_SMARTCARD:
    case DEV_PARALLEL:
    case DEV_CONSOLE:
    case DEV_CHANNEL:
    case DEV_TPM:
    case DEV_GRAPHICS:
    case DEV_AUDIO:
    case DEV_REDIRDEV:
    case DEV_REDIRFILTER:
    case DEV_HUB:
    case DEV_NVRAM:
    case DEV_PANIC:
    case DEV_OTHER:
        return 0;
    case DEV_KIND_COUNT:
        break;
    }
    assert(!"device kind out of range");
    return 0;
}

bool plan_address_is_present(const struct device *dev)
{
    return dev->addr_type == ADDR_PCI &&
           (dev->addr.domain || dev->addr.bus || dev->addr.slot);
}

/* What libvirt rejects about a device's own kind of address. */
static const char *address_problem(const struct device *dev)
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
    if (plan_is_ctrl(dev, CTRL_TYPE_USB) && dev->ports > 15 &&
        (str_eq(dev->model, "qemu-xhci") || str_eq(dev->model, "nec-xhci")))
        return "an xHCI controller has at most 15 ports";
    return NULL;
}

/* The address type each serial target type allows besides none
 * (qemuValidateDomainChrSerialTargetDef). */
static const struct {
    const char *target, *addr;
} serial_addresses[] = {
    {"isa-serial", "isa"},
    {"isa-debug", "isa"},
    {"usb-serial", "usb"},
    {"pci-serial", "pci"},
    {"spapr-vio-serial", "spapr-vio"},
    {"system-serial", NULL},
    {"sclp-serial", NULL},
};

static const char *serial_address_problem(const struct planner *p,
                                          const struct device *dev)
{
    static char why[96];
    const char *target = dev->type ? dev->type : p->mach->serial_target;
    const char *given = device_addr_type(dev);

    if (dev->kind != DEV_SERIAL || dev->addr_type == ADDR_NONE || !target)
        return NULL;
    /* libvirt turns an isa-serial of a pSeries guest into spapr-vty */
    if (p->mach->spapr_vio && str_eq(target, "isa-serial"))
        target = "spapr-vio-serial";
    for (size_t i = 0; i < sizeof(serial_addresses) / sizeof(*serial_addresses);
         i++) {
        const char *want = serial_addresses[i].addr;

        if (!str_eq(target, serial_addresses[i].target) ||
            (want && str_eq(given, want)))
            continue;
        snprintf(why, sizeof(why),
                 "target type '%s' requires address type '%s'", target,
                 want ? want : "none");
        return why;
    }
    return NULL;
}

/* Devices the machine (or QEMU 7.2) cannot have, which libvirt
 * rejects too, with what to do instead. */
static int check_support(struct planner *p, size_t pos)
{
    const struct device *dev = plan_dev(p, pos);
    const char *why = address_problem(dev);

    if (why || (why = serial_address_problem(p, dev)))
        ;
    else if (dev->kind == DEV_IOMMU && str_eq(dev->model, "virtio") &&
             !p->mach->virtio_iommu)
        why = "a virtio IOMMU needs a q35 or virt machine";
    else if (dev->kind == DEV_IOMMU && str_eq(dev->model, "intel") &&
             p->mach->chipset != CHIPSET_ICH9)
        why = "an intel IOMMU needs a q35 machine";
    else if (!p->mach->has_ide &&
             (plan_is_ctrl(dev, CTRL_TYPE_IDE) ||
              (dev->kind == DEV_DISK && str_eq(dev->bus, "ide"))))
        why = "this machine has no IDE controller; use bus='sata'";
    else if (p->mach->has_ide &&
             ((plan_is_ctrl(dev, CTRL_TYPE_IDE) && dev->index > 0) ||
              (dev->kind == DEV_DISK && str_eq(dev->bus, "ide") &&
               dev->addr_controller > 0)))
        why = "this machine has one IDE controller (4 IDE disks, hda..hdd); "
              "put further disks on bus='sata' or 'virtio'";
    else if (dev->kind == DEV_SOUND && str_eq(dev->model, "ich7"))
        why = "QEMU 7.2 has no ich7 sound device; use ich9";
    else if (dev->kind == DEV_INTERFACE && str_eq(dev->model, "usb-net") &&
             dev->addr_type == ADDR_NONE && p->profile->usb_net_needs_address)
        why = "a usb-net interface needs an explicit <address type='usb' "
              "bus='0' port='N'/> (libvirt cannot choose one)";
    if (why)
        return plan_fail_device(p, STATUS_INVALID, pos, "%s", why);
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

int plan_classify(struct planner *p)
{
    plan_grow_state(p);
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *dev = plan_dev(p, pos);
        struct plan_devstate *s = &p->st[pos];

        if (check_support(p, pos) < 0)
            return -1;
        s->flags = device_class(p, dev);
        /* without PCI, libvirt assigns no PCI address at all: the
         * devices that would need one keep none */
        if (p->mach->no_pci)
            s->flags = 0;
        s->in_step = s->flags != 0 || (dev->kind == DEV_INTERFACE &&
                                       str_eq(dev->model, "usb-net") &&
                                       p->profile->usb_net_needs_address);
        if (dev->kind == DEV_HOSTDEV && dev->addr_type == ADDR_OTHER &&
            device_other(dev)->kind == ADDR_KIND_UNASSIGNED)
            s->in_step = false;
        s->has_addr = plan_address_is_present(dev) && !is_serial_mirror(p, dev);
        s->addr = dev->addr;
        if (!s->has_addr)
            s->addr.multifunction = TRI_ABSENT;
    }
    return 0;
}

/* Tell the writer what changed. */
enum dev_class plan_class_of(unsigned flags)
{
    if (!flags)
        return CLASS_NONE;
    if (flags & CONN_INTEGRATED)
        return CLASS_INTEGRATED;
    if (flags & CONN_PCI_DEVICE)
        return CLASS_PCI;
    return flags & CONN_PCIE_DEVICE ? CLASS_PCIE : CLASS_CONTROLLER;
}
