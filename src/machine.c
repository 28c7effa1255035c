#include "machine.h"

#include <string.h>

static const struct machine machines[] = {
    {"pc",
     "x86_64",
     "pc-i440fx-7.2",
     {"pc-i440fx-", "pc-0.", "pc-1.", NULL},
     CHIPSET_PIIX3,
     PCI_MODEL_PCI_ROOT,
     "piix3-uhci",
     "piix3-uhci",
     "lsilogic",
     "cirrus",
     "rtl8139",
     false,
     true,
     false},
    {"q35",
     "x86_64",
     "pc-q35-7.2",
     {"pc-q35-", NULL},
     CHIPSET_ICH9,
     PCI_MODEL_PCIE_ROOT,
     "qemu-xhci",
     "piix3-uhci",
     "lsilogic",
     "cirrus",
     "rtl8139",
     true,
     true,
     false},
    {"virt",
     "aarch64",
     "virt-7.2",
     {"virt-", NULL},
     CHIPSET_NONE,
     PCI_MODEL_PCIE_ROOT,
     NULL,
     "qemu-xhci",
     "lsilogic",
     "virtio",
     "virtio",
     false,
     false,
     false},
    {"virt",
     "riscv64",
     "virt",
     {NULL},
     CHIPSET_NONE,
     PCI_MODEL_PCIE_ROOT,
     NULL,
     "piix3-uhci",
     "lsilogic",
     "virtio",
     "virtio",
     false,
     true,
     false},
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

const struct machine *machine_lookup(const char *name, const char *arch)
{
    for (size_t i = 0; name && i < NMACHINES; i++) {
        if (arch && strcmp(arch, machines[i].arch) != 0)
            continue;
        if (name_matches(&machines[i], name))
            return &machines[i];
    }
    return NULL;
}

const struct machine *machine_default(const char *arch)
{
    for (size_t i = 0; i < NMACHINES; i++) {
        if (!arch || strcmp(arch, machines[i].arch) == 0)
            return &machines[i];
    }
    return NULL;
}

const char *machine_supported_list(void)
{
    return "pc, pc-i440fx-*, q35, pc-q35-* (x86_64); virt, virt-* (aarch64); "
           "virt (riscv64)";
}
