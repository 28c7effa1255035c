/* Unit tests for the PCI address set: the rules every placement obeys. */
#include <check.h>

#include "pci/addrset.h"
#include "util/sortset.h"
#include "check_suites.h"

#define PCI_DEV (CONN_AUTOASSIGN | CONN_PCI_DEVICE)
#define PCIE_DEV (CONN_AUTOASSIGN | CONN_PCIE_DEVICE)

static struct addrset set;

static void pc_set(bool dry_run)
{
    addrset_init(&set, 1, dry_run);
    addrset_set_model(&set, 0, PCI_MODEL_PCI_ROOT, true);
}

static void q35_set(bool dry_run)
{
    addrset_init(&set, 1, dry_run);
    addrset_set_model(&set, 0, PCI_MODEL_PCIE_ROOT, true);
}

START_TEST(first_fit_skips_slot_zero)
{
    struct pci_addr a;

    pc_set(false);
    ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &a), ADDR_OK);
    ck_assert_uint_eq(a.bus, 0);
    ck_assert_uint_eq(a.slot, 1);
    ck_assert_uint_eq(a.function, 0);
}
END_TEST

START_TEST(endpoints_never_share_a_slot)
{
    struct pci_addr a = {0, 0, 3, 2, TRI_ABSENT}, b;

    pc_set(false);
    ck_assert_int_eq(addrset_reserve(&set, &a, PCI_DEV, true), ADDR_OK);
    for (unsigned s = 1; s < 3; s++)
        ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &b), ADDR_OK);
    ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &b), ADDR_OK);
    ck_assert_uint_eq(b.slot, 4);
}
END_TEST

START_TEST(double_use_is_refused)
{
    struct pci_addr a = {0, 0, 5, 0, TRI_ABSENT};

    pc_set(false);
    ck_assert_int_eq(addrset_reserve(&set, &a, PCI_DEV, true), ADDR_OK);
    ck_assert_int_eq(addrset_reserve(&set, &a, PCI_DEV, true), ADDR_ERR_IN_USE);
}
END_TEST

START_TEST(root_ports_aggregate_in_one_slot)
{
    unsigned rp = pci_models[PCI_MODEL_PCIE_ROOT_PORT].connect;
    struct pci_addr a;

    q35_set(false);
    for (unsigned f = 0; f < 8; f++) {
        ck_assert_int_eq(addrset_reserve_next(&set, rp, -1, &a), ADDR_OK);
        ck_assert_uint_eq(a.slot, 1);
        ck_assert_uint_eq(a.function, f);
    }
    ck_assert_int_eq(addrset_reserve_next(&set, rp, -1, &a), ADDR_OK);
    ck_assert_uint_eq(a.slot, 2);
    ck_assert_uint_eq(a.function, 0);
}
END_TEST

START_TEST(pcie_root_refuses_automatic_endpoints)
{
    struct pci_addr a;

    q35_set(false);
    ck_assert_int_eq(addrset_reserve_next(&set, PCIE_DEV, -1, &a),
                     ADDR_ERR_FULL);
    /* ... but a user may put one there by hand */
    a = (struct pci_addr){0, 0, 4, 0, TRI_ABSENT};
    ck_assert_int_eq(addrset_reserve(&set, &a, PCI_DEV, true), ADDR_OK);
}
END_TEST

START_TEST(sizing_pass_grows_root_ports_for_pcie)
{
    struct pci_addr a;

    q35_set(true);
    ck_assert_int_eq(addrset_reserve_next(&set, PCIE_DEV, -1, &a), ADDR_OK);
    ck_assert_uint_eq(set.nbuses, 2);
    ck_assert_int_eq(set.buses[1].model, PCI_MODEL_PCIE_ROOT_PORT);
    ck_assert_uint_eq(a.bus, 1);
    ck_assert_uint_eq(a.slot, 0);
}
END_TEST

START_TEST(conventional_on_pcie_needs_bridge_pair)
{
    struct pci_addr a;

    q35_set(true);
    ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &a), ADDR_OK);
    ck_assert_uint_eq(set.nbuses, 3);
    ck_assert_int_eq(set.buses[1].model, PCI_MODEL_PCIE_ROOT_PORT);
    /* the new root port takes only the bridge */
    ck_assert_uint_eq(set.buses[1].flags, CONN_PCIE_TO_PCI_BRIDGE);
    ck_assert_int_eq(set.buses[2].model, PCI_MODEL_PCIE_TO_PCI_BRIDGE);
    ck_assert_uint_eq(a.bus, 2);
    ck_assert_uint_eq(a.slot, 1);
}
END_TEST

START_TEST(final_pass_never_grows)
{
    struct pci_addr a;

    pc_set(false);
    for (unsigned s = 1; s <= 31; s++)
        ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &a), ADDR_OK);
    ck_assert(addrset_bus_full(&set, 0));
    ck_assert_int_eq(addrset_reserve_next(&set, PCI_DEV, -1, &a),
                     ADDR_ERR_FULL);
}
END_TEST

START_TEST(root_port_has_one_slot)
{
    struct pci_addr a = {0, 1, 1, 0, TRI_ABSENT};

    q35_set(false);
    set.nbuses = 2;
    addrset_set_model(&set, 1, PCI_MODEL_PCIE_ROOT_PORT, true);
    ck_assert_int_eq(addrset_reserve(&set, &a, PCIE_DEV, true),
                     ADDR_ERR_SLOT_RANGE);
    a.bus = 7;
    ck_assert_int_eq(addrset_reserve(&set, &a, PCIE_DEV, true),
                     ADDR_ERR_NO_BUS);
}
END_TEST

START_TEST(hotplug_off_port_is_not_hotpluggable)
{
    struct pci_addr a;

    q35_set(false);
    set.nbuses = 2;
    addrset_set_model(&set, 1, PCI_MODEL_PCIE_ROOT_PORT, false);
    ck_assert_int_eq(
        addrset_reserve_next(&set, PCIE_DEV | CONN_HOTPLUGGABLE, -1, &a),
        ADDR_ERR_FULL);
    ck_assert_int_eq(addrset_reserve_next(&set, PCIE_DEV, -1, &a), ADDR_OK);
}
END_TEST

START_TEST(model_names_round_trip)
{
    for (int m = 0; m < PCI_MODEL_COUNT; m++)
        ck_assert_int_eq(pci_model_from_name(pci_models[m].name), m);
    ck_assert_int_eq(pci_model_from_name("pci-brigde"), PCI_MODEL_NONE);
}
END_TEST

/* The sorted multiset the address kinds share: order, repeats, the
 * lowest free value past a run (with a repeat inside it). */
START_TEST(sortset_multiset_and_lowest_free)
{
    static const unsigned long in[] = {7, 3, 5, 3, 4, 0x2000, 6};
    struct sortset s = {0};

    for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++)
        sortset_insert(&s, in[i]);
    for (size_t i = 0; i < 40; i++)
        sortset_insert(&s, 100 + i); /* grows past its first block */
    ck_assert_uint_eq(s.n, 47);
    for (size_t i = 1; i < s.n; i++)
        ck_assert_uint_le(s.v[i - 1], s.v[i]);
    ck_assert_uint_eq(sortset_count(&s, 3), 2);
    ck_assert_uint_eq(sortset_count(&s, 2), 0);
    ck_assert(sortset_contains(&s, 0x2000) && !sortset_contains(&s, 8));
    ck_assert_uint_eq(sortset_lowest_free(&s, 0), 0);
    ck_assert_uint_eq(sortset_lowest_free(&s, 3), 8);
    ck_assert_uint_eq(sortset_lowest_free(&s, 100), 140);
    ck_assert(!sortset_add(&s, 5) && sortset_add(&s, 8));
    ck_assert_uint_eq(sortset_lowest_free(&s, 3), 9);
    sortset_free(&s);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

Suite *addrset_suite(void)
{
    Suite *s = suite_create("addrset");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, first_fit_skips_slot_zero);
    tcase_add_test(tc, endpoints_never_share_a_slot);
    tcase_add_test(tc, double_use_is_refused);
    tcase_add_test(tc, root_ports_aggregate_in_one_slot);
    tcase_add_test(tc, pcie_root_refuses_automatic_endpoints);
    tcase_add_test(tc, sizing_pass_grows_root_ports_for_pcie);
    tcase_add_test(tc, conventional_on_pcie_needs_bridge_pair);
    tcase_add_test(tc, final_pass_never_grows);
    tcase_add_test(tc, root_port_has_one_slot);
    tcase_add_test(tc, hotplug_off_port_is_not_hotpluggable);
    tcase_add_test(tc, model_names_round_trip);
    tcase_add_test(tc, sortset_multiset_and_lowest_free);
    suite_add_tcase(s, tc);
    return s;
}
