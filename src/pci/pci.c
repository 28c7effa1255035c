/*
 * pci.c: what each PCI controller model is, as data: the connect flags it
 * needs as a device, what its downstream bus accepts, its slot range and
 * the <target> attributes libvirt fills in for it.
 */
#include "pci/pci.h"

#include <string.h>

#define AUTO CONN_AUTOASSIGN

const struct pci_model_info pci_models[PCI_MODEL_COUNT] = {
    [PCI_MODEL_PCI_ROOT] = {"pci-root", NULL, 0,
                            AUTO | CONN_PCI_DEVICE | CONN_PCI_BRIDGE |
                                CONN_PCI_EXPANDER_BUS,
                            true, 1, 31, 0, .needs_root = PCI_MODEL_PCI_ROOT},
    [PCI_MODEL_PCIE_ROOT] = {"pcie-root", NULL, 0,
                             CONN_PCIE_DEVICE | CONN_ROOT_PORT |
                                 CONN_DMI_TO_PCI_BRIDGE |
                                 CONN_PCIE_EXPANDER_BUS,
                             false, 1, 31, 0,
                             .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_PCI_BRIDGE] = {"pci-bridge", "pci-bridge", CONN_PCI_BRIDGE,
                              AUTO | CONN_PCI_DEVICE | CONN_PCI_BRIDGE, true, 1,
                              31, TARGET_CHASSIS_NR,
                              .needs_root = PCI_MODEL_NONE},
    [PCI_MODEL_DMI_TO_PCI_BRIDGE] = {"dmi-to-pci-bridge", "i82801b11-bridge",
                                     CONN_DMI_TO_PCI_BRIDGE,
                                     CONN_PCI_DEVICE | CONN_PCI_BRIDGE, false,
                                     0, 31, 0,
                                     .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_PCIE_ROOT_PORT] = {"pcie-root-port", "pcie-root-port",
                                  CONN_ROOT_PORT | CONN_AGGREGATE_SLOT,
                                  AUTO | CONN_PCIE_DEVICE | CONN_UPSTREAM_PORT |
                                      CONN_PCIE_TO_PCI_BRIDGE,
                                  true, 0, 0, TARGET_CHASSIS | TARGET_PORT,
                                  .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_UPSTREAM_PORT] = {"pcie-switch-upstream-port", "x3130-upstream",
                                 CONN_UPSTREAM_PORT, CONN_DOWNSTREAM_PORT,
                                 false, 0, 31, 0,
                                 .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_DOWNSTREAM_PORT] = {"pcie-switch-downstream-port",
                                   "xio3130-downstream", CONN_DOWNSTREAM_PORT,
                                   AUTO | CONN_PCIE_DEVICE |
                                       CONN_UPSTREAM_PORT |
                                       CONN_PCIE_TO_PCI_BRIDGE,
                                   true, 0, 0, TARGET_CHASSIS | TARGET_PORT,
                                   .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_PCI_EXPANDER_BUS] = {"pci-expander-bus", "pxb",
                                    CONN_PCI_EXPANDER_BUS,
                                    AUTO | CONN_PCI_DEVICE | CONN_PCI_BRIDGE,
                                    true, 0, 31, TARGET_BUS_NR,
                                    .needs_root = PCI_MODEL_PCI_ROOT},
    [PCI_MODEL_PCIE_EXPANDER_BUS] = {"pcie-expander-bus", "pxb-pcie",
                                     CONN_PCIE_EXPANDER_BUS,
                                     CONN_ROOT_PORT | CONN_DMI_TO_PCI_BRIDGE,
                                     false, 0, 31, TARGET_BUS_NR,
                                     .needs_root = PCI_MODEL_PCIE_ROOT},
    [PCI_MODEL_PCIE_TO_PCI_BRIDGE] = {"pcie-to-pci-bridge", "pcie-pci-bridge",
                                      CONN_PCIE_TO_PCI_BRIDGE,
                                      AUTO | CONN_PCI_DEVICE | CONN_PCI_BRIDGE,
                                      true, 1, 31, 0,
                                      .needs_root = PCI_MODEL_PCIE_ROOT},
};

enum pci_model pci_model_from_name(const char *name)
{
    for (int m = 0; name && m < PCI_MODEL_COUNT; m++) {
        if (strcmp(pci_models[m].name, name) == 0)
            return m;
    }
    return PCI_MODEL_NONE;
}
