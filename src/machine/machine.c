#include "machine/machine.h"

#include <string.h>

static const struct machine machines[] = {
    {
        .alias = "pc",
        .arches = {"x86_64", "i686", NULL},
        .canonical = "pc-i440fx-7.2",
        .prefixes = {"pc-i440fx-", "pc-0.", "pc-1.", NULL},
        .chipset = CHIPSET_PIIX3,
        .fixed = {{1, 0, "PIIX3 ISA bridge"}, {1, 3, "PIIX3 power management"}},
        .chipset_flags = CONN_AUTOASSIGN | CONN_PCI_DEVICE,
        .root = PCI_MODEL_PCI_ROOT,
        .implicit_usb = "piix3-uhci",
        .usb_model = "piix3-uhci",
        .scsi_model = "lsilogic",
        .video_model = "cirrus",
        .nic_model = "rtl8139",
        .implicit_balloon = true,
        .has_ide = true,
    },
    {
        .alias = "q35",
        .arches = {"x86_64", "i686", NULL},
        .canonical = "pc-q35-7.2",
        .prefixes = {"pc-q35-", NULL},
        .chipset = CHIPSET_ICH9,
        .fixed = {{0x1f, 0, "ICH9 LPC bridge"}, {0x1f, 3, "ICH9 SMBus"}},
        .chipset_flags = CONN_PCIE_DEVICE,
        .root = PCI_MODEL_PCIE_ROOT,
        .implicit_usb = "qemu-xhci",
        .usb_model = "piix3-uhci",
        .scsi_model = "lsilogic",
        .video_model = "cirrus",
        .nic_model = "rtl8139",
        .implicit_sata = true,
        .implicit_balloon = true,
        .virtio_iommu = true,
    },
    {
        .alias = "virt",
        .arches = {"aarch64", NULL},
        .canonical = "virt-7.2",
        .prefixes = {"virt-", NULL},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCIE_ROOT,
        .usb_model = "qemu-xhci",
        .scsi_model = "lsilogic",
        .video_model = "virtio",
        .nic_model = "virtio",
        .virtio_iommu = true,
        .virtio_mmio = true,
    },
    {
        .alias = "virt",
        .arches = {"riscv64", NULL},
        .canonical = "virt",
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCIE_ROOT,
        .usb_model = "piix3-uhci",
        .scsi_model = "lsilogic",
        .video_model = "virtio",
        .nic_model = "virtio",
        .implicit_balloon = true,
        .virtio_mmio = true,
    },
    {
        .alias = "pseries",
        .arches = {"ppc64", "ppc64le", NULL},
        .canonical = "pseries-7.2",
        .prefixes = {"pseries-", NULL},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCI_ROOT,
        .implicit_usb = "qemu-xhci",
        .usb_model = "qemu-xhci",
        .scsi_model = "ibmvscsi",
        .video_model = "vga",
        .nic_model = "rtl8139",
        .implicit_balloon = true,
        .multiple_roots = true,
        .spapr_vio = true,
        .usb_inputs = true,
        .root_model_name = "spapr-pci-host-bridge",
    },
    {
        .alias = "s390-ccw-virtio",
        .arches = {"s390x", NULL},
        .canonical = "s390-ccw-virtio-7.2",
        .prefixes = {"s390-ccw-virtio-", NULL},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCI_ROOT,
        .usb_model = "none",
        .scsi_model = "virtio-scsi",
        .video_model = "virtio",
        .nic_model = "virtio",
        .implicit_balloon = true,
        .ccw = true,
    },
};

#define NMACHINES (sizeof(machines) / sizeof(machines[0]))

static bool name_matches(const struct machine *m, const char *name)
{
    if (strcmp(name, m->alias) == 0 || strcmp(name, m->canonical) == 0)
        return true;
    for (size_t i = 0; i < 4 && m->prefixes[i]; i++) {
        size_t n = strlen(m->prefixes[i]);

        if (strncmp(name, m->prefixes[i], n) == 0 && name[n] != '\0')
            return true;
    }
    return false;
}

static bool arch_matches(const struct machine *m, const char *arch)
{
    for (size_t i = 0; arch && i < MACHINE_ARCHES && m->arches[i]; i++) {
        if (strcmp(arch, m->arches[i]) == 0)
            return true;
    }
    return !arch;
}

const struct machine *machine_lookup(const char *name, const char *arch)
{
    for (size_t i = 0; name && i < NMACHINES; i++) {
        if (!arch_matches(&machines[i], arch))
            continue;
        if (name_matches(&machines[i], name))
            return &machines[i];
    }
    return NULL;
}

const struct machine *machine_default(const char *arch)
{
    for (size_t i = 0; i < NMACHINES; i++) {
        if (arch_matches(&machines[i], arch))
            return &machines[i];
    }
    return NULL;
}

const char *machine_supported_list(void)
{
    return "pc, pc-i440fx-*, q35, pc-q35-* (x86_64); virt, virt-* (aarch64); "
           "virt (riscv64); pseries, pseries-* (ppc64); s390-ccw-virtio, "
           "s390-ccw-virtio-* (s390x)";
}
