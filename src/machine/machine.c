/*
 * machine.c: the machine table. Each row is one machine family of one
 * architecture as libvirt 9.0 with QEMU 7.2 knows it: the names it goes
 * by, its root bus, the chipset functions that are always there, and the
 * default models of the controllers and devices libvirt adds to it. The
 * planner asks the row; it never tests a machine name.
 */
#include "machine/machine.h"

#include <string.h>

/* PIIX3 (i440fx): IDE and UHCI are functions of the chipset in slot 1.
 * libvirt recognises them at 00:01.1 and 00:01.2 on every machine (and
 * requires bus 0 to be conventional PCI there). */
const struct chipset_rule machine_piix3_functions[] = {
    {.element = "controller",
     .type = "ide",
     .index = 0,
     .slots = {1},
     .function = 1,
     .mode = RULE_FIXED,
     .what = "primary IDE controller"},
    {.element = "controller",
     .type = "usb",
     .index = 0,
     .models = {"piix3-uhci", NULL},
     .modelless = true,
     .slots = {1},
     .function = 2,
     .mode = RULE_FIXED,
     .what = "PIIX3 USB controller"},
    {.element = NULL},
};

/* ICH9 (q35): SATA in the LPC slot; UHCI, the DMI bridge and HDA where
 * real ICH9 hardware has them, when free. */
static const struct chipset_rule ich9_rules[] = {
    {.element = "controller",
     .type = "sata",
     .index = 0,
     .slots = {0x1f},
     .function = 2,
     .mode = RULE_FIXED_LATER,
     .what = "primary SATA controller"},
    {.element = "controller",
     .type = "usb",
     .index = -1,
     .models = {"ich9-uhci1", NULL},
     .slots = {0x1d, 0x1a},
     .multifunction = TRI_ON,
     .mode = RULE_PREFERRED,
     .what = "ICH9 USB"},
    {.element = "controller",
     .type = "pci",
     .index = -1,
     .models = {"dmi-to-pci-bridge", NULL},
     .slots = {0x1e},
     .multifunction = TRI_ABSENT,
     .mode = RULE_PREFERRED,
     .what = "dmi-to-pci-bridge"},
    {.element = "sound",
     .index = -1,
     .models = {"ich9", NULL},
     .slots = {0x1b},
     .multifunction = TRI_ABSENT,
     .mode = RULE_PREFERRED,
     .empty_address = true,
     .what = "ICH9 sound"},
    {.element = NULL},
};

static const struct machine machines[] = {
    {
        .alias = "pc",
        .arch = "x86_64",
        .canonical = "pc-i440fx-7.2",
        .prefixes = {"pc-i440fx-", "pc-0.", "pc-1.", NULL},
        .chipset = CHIPSET_PIIX3,
        .fixed = {{1, 0, "PIIX3 ISA bridge"}, {1, 3, "PIIX3 power management"}},
        .chipset_flags = CONN_AUTOASSIGN | CONN_PCI_DEVICE,
        .rules = machine_piix3_functions,
        .video_slot = 2,
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
        .arch = "x86_64",
        .canonical = "pc-q35-7.2",
        .prefixes = {"pc-q35-", NULL},
        .chipset = CHIPSET_ICH9,
        .fixed = {{0x1f, 0, "ICH9 LPC bridge"}, {0x1f, 3, "ICH9 SMBus"}},
        .chipset_flags = CONN_PCIE_DEVICE,
        .rules = ich9_rules,
        .video_slot = 1,
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
        .arch = "aarch64",
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
        .arch = "riscv64",
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
        .arch = "ppc64",
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
        .arch = "s390x",
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

/* ppc64le guests use the same machine types as ppc64. */
static bool arch_matches(const struct machine *m, const char *arch)
{
    return !arch || strcmp(arch, m->arch) == 0 ||
           (strcmp(arch, "ppc64le") == 0 && strcmp(m->arch, "ppc64") == 0);
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
