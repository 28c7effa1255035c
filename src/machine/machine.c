/*
 * machine.c: the machine types pciplan plans, one row per family (its
 * root bus, the chipset functions that are always there and where the
 * chipset's devices go, the default models of what libvirt adds), and
 * the resolution of a machine type name against a profile's QEMU. The
 * planner asks the row; it never tests a machine name.
 */
#include "machine/machine.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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
        .arches = {"x86_64", "i686", NULL},
        .serial_target = "isa-serial",
        .serial_model = "isa-serial",
        .names = {"pc", "pc-i440fx-*"},
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
        .acpi = true,
    },
    {
        .alias = "q35",
        .arches = {"x86_64", "i686", NULL},
        .serial_target = "isa-serial",
        .serial_model = "isa-serial",
        .names = {"q35", "pc-q35-*"},
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
        .acpi = true,
    },
    {
        .alias = "virt",
        .arches = {"aarch64", NULL},
        .serial_target = "system-serial",
        .serial_model = "pl011",
        .names = {"virt", "virt-*"},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCIE_ROOT,
        .usb_model = "qemu-xhci",
        .scsi_model = "lsilogic",
        .video_model = "virtio",
        .nic_model = "virtio",
        .virtio_iommu = true,
        .virtio_mmio = true,
        .acpi = true,
    },
    {
        /* libvirt gives vexpress no PCI controller and puts every virtio
         * device on virtio-mmio (qemuDomainAssignARMVirtioMMIOAddresses) */
        .alias = "vexpress-a15",
        .arches = {"aarch64", NULL},
        .serial_target = "system-serial",
        .serial_model = "pl011",
        .names = {"vexpress-a9", "vexpress-a15"},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCI_ROOT,
        .no_pci = true,
        .usb_model = "qemu-xhci",
        .scsi_model = "lsilogic",
        .video_model = "virtio",
        .nic_model = "lan9118",
        .virtio_mmio = true,
    },
    {
        .alias = "virt",
        .arches = {"riscv64", NULL},
        .serial_target = "system-serial",
        .serial_model = "16550a",
        .names = {"virt"},
        .chipset = CHIPSET_NONE,
        .root = PCI_MODEL_PCIE_ROOT,
        .usb_model = "piix3-uhci",
        .scsi_model = "lsilogic",
        .video_model = "virtio",
        .nic_model = "virtio",
        .implicit_balloon = true,
        .virtio_mmio = true,
        .acpi = true,
    },
    {
        .alias = "pseries",
        .arches = {"ppc64", "ppc64le", NULL},
        .serial_target = "spapr-vio-serial",
        .serial_model = "spapr-vty",
        .names = {"pseries", "pseries-*"},
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
        .serial_target = "sclp-serial",
        .serial_model = "sclpconsole",
        .names = {"s390-ccw-virtio", "s390-ccw-virtio-*"},
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

/* libvirt's architecture names and the qemu-system binary of each */
static const struct {
    const char *arch, *qemu;
} qemu_arches[] = {
    {"x86_64", "x86_64"}, {"i686", "i386"},     {"aarch64", "aarch64"},
    {"ppc64", "ppc64"},   {"ppc64le", "ppc64"}, {"riscv64", "riscv64"},
    {"s390x", "s390x"},
};

const char *machine_qemu_arch(const char *arch)
{
    for (size_t i = 0; arch && i < sizeof(qemu_arches) / sizeof(qemu_arches[0]);
         i++) {
        if (strcmp(arch, qemu_arches[i].arch) == 0)
            return qemu_arches[i].qemu;
    }
    return NULL;
}

static bool name_matches(const struct machine *m, const char *name)
{
    for (size_t i = 0; i < 3 && m->names[i]; i++) {
        size_t n = strlen(m->names[i]);

        if (m->names[i][n - 1] == '*'
                ? strncmp(name, m->names[i], n - 1) == 0 && name[n - 1] != '\0'
                : strcmp(name, m->names[i]) == 0)
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

static const struct qemu_machine *find_name(const struct qemu_machine *list,
                                            const char *name)
{
    for (; list && list->name; list++) {
        if (strcmp(list->name, name) == 0)
            return list;
    }
    return NULL;
}

enum machine_verdict machine_resolve(const struct libvirt_profile *pr,
                                     const char *name, const char *arch,
                                     struct machine_choice *out)
{
    const char *q = machine_qemu_arch(arch ? arch : "x86_64");
    const struct qemu_machine *row;

    memset(out, 0, sizeof(*out));
    if (!q || !profile_machines(pr, q))
        return MACHINE_NO_ARCH;
    row = find_name(profile_machines(pr, q), name);
    if (!row)
        return MACHINE_NOT_IN_QEMU;
    out->alias = row->alias_of != NULL;
    out->name = row->alias_of ? row->alias_of : row->name;
    out->mach = machine_lookup(out->name, arch ? arch : "x86_64");
    return out->mach ? MACHINE_OK : MACHINE_NOT_PLANNED;
}

/* Machine type versions compare number by number: 2.12 after 2.9. */
static int version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            unsigned long x = strtoul(a, (char **)&a, 10);
            unsigned long y = strtoul(b, (char **)&b, 10);

            if (x != y)
                return x < y ? -1 : 1;
        } else if (*a != *b) {
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        } else {
            a++, b++;
        }
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static void put(char *buf, size_t len, size_t *at, const char *s)
{
    int n = snprintf(buf + *at, len - *at, "%s", s);

    if (n > 0)
        *at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

/* One row's names: its aliases, then "oldest ... newest" of the rest. */
static void put_family(const struct machine *m, const struct qemu_machine *list,
                       char *buf, size_t len, size_t *at)
{
    const char *lo = NULL, *hi = NULL;

    for (const struct qemu_machine *r = list; r->name; r++) {
        if (!name_matches(m, r->alias_of ? r->alias_of : r->name))
            continue;
        if (r->alias_of) {
            put(buf, len, at, *at ? ", " : "");
            put(buf, len, at, r->name);
            continue;
        }
        if (!lo || version_cmp(r->name, lo) < 0)
            lo = r->name;
        if (!hi || version_cmp(r->name, hi) > 0)
            hi = r->name;
    }
    if (!lo)
        return;
    put(buf, len, at, *at ? ", " : "");
    put(buf, len, at, lo);
    if (hi != lo) {
        put(buf, len, at, " ... ");
        put(buf, len, at, hi);
    }
}

const char *machine_supported(const struct libvirt_profile *pr,
                              const char *arch, char *buf, size_t len)
{
    const char *q = machine_qemu_arch(arch ? arch : "x86_64");
    size_t at = 0;

    assert(len > 0);
    buf[0] = '\0';
    if (!arch || !q)
        return machine_supported_list();
    for (size_t i = 0; i < NMACHINES; i++) {
        if (arch_matches(&machines[i], arch) && profile_machines(pr, q))
            put_family(&machines[i], profile_machines(pr, q), buf, len, &at);
    }
    return buf;
}

const char *machine_supported_list(void)
{
    return "pc, pc-i440fx-*, q35, pc-q35-* (x86_64, i686); virt, virt-* "
           "(aarch64); virt (riscv64); pseries, pseries-* (ppc64); "
           "s390-ccw-virtio, s390-ccw-virtio-* (s390x)";
}
