/*
 * plan.c: libvirt 9.0's PCI address assignment, restated.
 *
 * The shape follows libvirt's qemuDomainAssignPCIAddresses: implicit
 * devices are added first, then a sizing pass places every device in a
 * growable address set to learn how many buses (and of which models)
 * are needed, the missing controllers are created, and a final pass
 * places everything again from scratch, controllers first. Only the
 * final pass's choices are kept, except for the chipset placements,
 * which both passes store (libvirt does, and pass 2 depends on it).
 */
#include "plan/state.h"
#include "plan/plan.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan/nonpci.h"
#include "util/xalloc.h"

static const char *bus_description(const struct planner *p, unsigned bus,
                                   char *buf, size_t len)
{
    enum pci_model m = p->set->buses[bus].model;

    snprintf(buf, len, "%s (index %u)",
             m == PCI_MODEL_NONE ? "a missing controller" : pci_models[m].name,
             bus);
    return buf;
}

/* The device at an address, -1 for none. */
static int owner_of(const struct planner *p, const struct pci_addr *a)
{
    return a->bus < p->owner_buses ? p->owner[a->bus][a->slot][a->function]
                                   : -1;
}

static int fail_user_address(struct planner *p, size_t pos,
                             const struct pci_addr *a, enum addr_error err)
{
    char where[32], bus[64], msg[256];
    int other;

    plan_format_addr(where, sizeof(where), a);
    switch (err) {
    case ADDR_ERR_IN_USE:
        other = owner_of(p, a);
        if (other >= 0)
            snprintf(msg, sizeof(msg), "<%s> at line %u",
                     dev_kind_name(plan_dev(p, (size_t)other)->kind),
                     plan_dev(p, (size_t)other)->line);
        else
            snprintf(msg, sizeof(msg), "the machine's built-in chipset");
        return diag_fail(p->d, STATUS_INVALID, plan_dev(p, pos)->line,
                         dev_kind_name(plan_dev(p, pos)->kind),
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
        return plan_fail_device(p, STATUS_UNSATISFIABLE, pos, "%s", msg);
    default:
        snprintf(msg, sizeof(msg),
                 "PCI address %s: %s cannot hold this "
                 "device",
                 where, bus_description(p, a->bus, bus, sizeof(bus)));
        break;
    }
    return plan_fail_device(p, STATUS_INVALID, pos, "%s", msg);
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
                         plan_dev(p, (size_t)cause)->line,
                         dev_kind_name(plan_dev(p, (size_t)cause)->kind),
                         "bus 0x%02x needs a pci-bridge, but no slot is left "
                         "for one",
                         p->st[cause].addr.bus);
    return plan_fail_device(p, STATUS_UNSATISFIABLE, (size_t)cause, "%s",
                            "no free PCI slot, and no slot is left for a "
                            "pci-bridge to add more");
}

static int fail_no_room(struct planner *p, size_t pos, enum addr_error err)
{
    const struct device *dev = plan_dev(p, pos);

    if (device_is_added(dev) && dev->kind == DEV_CONTROLLER &&
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
    assert(a->bus < PCI_MAX_BUSES && a->slot < PCI_SLOTS &&
           a->function < PCI_FUNCTIONS);
    /* a device's state exists before it takes an address */
    assert(who < 0 || (size_t)who < p->nst);
    /* buses are cleared as they are first written: a small domain
     * touches one of the 256 (the table is 256 KiB) */
    if (a->bus >= p->owner_buses) {
        memset(p->owner[p->owner_buses], 0xff,
               (a->bus + 1 - p->owner_buses) * sizeof(p->owner[0]));
        p->owner_buses = a->bus + 1;
    }
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
        int other = owner_of(p, &a);

        return diag_fail(
            p->d, STATUS_INVALID,
            other >= 0 ? plan_dev(p, (size_t)other)->line : 0,
            other >= 0 ? dev_kind_name(plan_dev(p, (size_t)other)->kind) : NULL,
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
    struct plan_devstate *s = &p->st[pos];
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
    const struct device *dev = plan_dev(p, pos);

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
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);
        enum pci_model m = plan_ctrl_pci_model(dev);

        if (plan_is_pci_ctrl(dev) && m != PCI_MODEL_NONE && dev->index >= 0 &&
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

/* ------------------------------------------------------------------ */
/* Chipset rules (machine data: machine.c)                             */

static bool rule_matches(const struct chipset_rule *r, const struct device *dev)
{
    if (!str_eq(dev_kind_name(dev->kind), r->element))
        return false;
    if (dev->kind == DEV_CONTROLLER &&
        ((r->type && !str_eq(dev->type, r->type)) ||
         (r->index >= 0 && dev->index != r->index)))
        return false;
    if (!r->models[0])
        return true;
    return dev->model ? str_in(dev->model, r->models) : r->modelless;
}

/* The rule of 'rules' for a device, or NULL. */
static const struct chipset_rule *rule_in(const struct chipset_rule *rules,
                                          const struct device *dev)
{
    for (const struct chipset_rule *r = rules; r && r->element; r++) {
        if (rule_matches(r, dev))
            return r;
    }
    return NULL;
}

/* An input address of a PIIX3 function, which the chipset rules reserve
 * (on a machine without PIIX3, libvirt rejects it). */
static bool piix3_function(const struct device *dev, const struct pci_addr *a)
{
    const struct chipset_rule *r = rule_in(machine_piix3_functions, dev);

    return r && r->mode == RULE_FIXED && a->bus == 0 &&
           a->slot == r->slots[0] && a->function == r->function;
}

static int collect_present(struct planner *p)
{
    for (int kind = 0; kind < DEV_KIND_COUNT; kind++) {
        const struct plan_list *l =
            kind == DEV_CONTROLLER ? &p->ctrls : &p->by_kind[kind];

        for (size_t i = 0; i < l->n; i++) {
            size_t pos = l->at[i];
            struct plan_devstate *s = &p->st[pos];
            unsigned flags = s->flags ? s->flags : CONN_PCI_DEVICE;

            if (!s->has_addr)
                continue;
            if (piix3_function(plan_dev(p, pos), &s->addr)) {
                if (!(p->set->buses[0].flags & CONN_PCI_DEVICE))
                    return plan_fail_device(
                        p, STATUS_INVALID, pos, "%s",
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

/* The chipset functions the machine always has (ISA/LPC bridge, ...). */
static int reserve_fixed_functions(struct planner *p)
{
    for (const struct fixed_function *f = p->mach->fixed; f->what; f++) {
        if (reserve_chipset(p, f->slot, f->function, p->mach->chipset_flags,
                            f->what) < 0)
            return -1;
    }
    return 0;
}

/* RULE_FIXED and RULE_FIXED_LATER: the device's one place. */
static int apply_fixed_rule(struct planner *p, size_t pos,
                            const struct chipset_rule *r)
{
    struct plan_devstate *s = &p->st[pos];
    unsigned slot = r->slots[0];
    char where[64];

    if (s->has_addr && (s->addr.bus || s->addr.slot != slot ||
                        s->addr.function != r->function)) {
        snprintf(where, sizeof(where),
                 "%s must be at PCI address 0000:00:%02x.%x", r->what, slot,
                 r->function);
        return plan_fail_device(p, STATUS_INVALID, pos, "the %s", where);
    }
    if (r->mode == RULE_FIXED_LATER) {
        if (!s->has_addr)
            pin(p, pos, slot, r->function, TRI_ABSENT);
        return 0;
    }
    pin(p, pos, slot, r->function,
        s->has_addr ? s->addr.multifunction : TRI_ABSENT);
    return reserve_fixed(p, pos, &s->addr, p->mach->chipset_flags);
}

/* RULE_PREFERRED: the first free preferred slot, if the device has no
 * address of its own. */
static int apply_preferred_rule(struct planner *p, size_t pos,
                                const struct chipset_rule *r)
{
    const struct device *dev = plan_dev(p, pos);
    const unsigned *slot = r->slots;

    if (r->empty_address ? !wanted(p, pos)
                         : dev->addr_type != ADDR_NONE || p->st[pos].has_addr)
        return 0;
    while (*slot && addrset_slot_used(p->set, 0, *slot))
        slot++;
    if (!*slot)
        return 0;
    if (reserve_chipset(p, *slot, r->function, p->mach->chipset_flags,
                        r->what) < 0)
        return -1;
    set_owner(p, &(struct pci_addr){0, 0, *slot, r->function, 0}, (int)pos);
    pin(p, pos, *slot, r->function, r->multifunction);
    return 0;
}

static int apply_rule(struct planner *p, size_t pos)
{
    const struct chipset_rule *r = rule_in(p->mach->rules, plan_dev(p, pos));

    if (!r)
        return 0;
    return r->mode == RULE_PREFERRED ? apply_preferred_rule(p, pos, r)
                                     : apply_fixed_rule(p, pos, r);
}

/*
 * libvirt's order: the controllers' rules in controller order, the
 * chipset's own functions, the primary video, then the other devices'
 * rules in document order.
 */
static int chipset_rules(struct planner *p)
{
    if (!p->mach->rules)
        return 0;
    for (size_t i = 0; i < p->ctrls.n; i++) {
        if (apply_rule(p, p->ctrls.at[i]) < 0)
            return -1;
    }
    if (reserve_fixed_functions(p) < 0 ||
        place_primary_video(p, p->mach->video_slot, p->mach->chipset_flags) < 0)
        return -1;
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        if (plan_dev(p, pos)->kind != DEV_CONTROLLER && apply_rule(p, pos) < 0)
            return -1;
    }
    return 0;
}

/* ICH9 USB2 companions share one slot, each at its own function. */
static int place_usb2_companion(struct planner *p, size_t pos)
{
    const struct device *dev = plan_dev(p, pos);
    unsigned fn = str_eq(dev->model, "ich9-ehci1")   ? 7
                  : str_eq(dev->model, "ich9-uhci2") ? 1
                  : str_eq(dev->model, "ich9-uhci3") ? 2
                                                     : 0;
    int multi = fn == 0 ? TRI_ON : TRI_ABSENT;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t other = p->ctrls.at[i];
        const struct plan_devstate *o = &p->st[other];

        if (!plan_is_usb2_companion(plan_dev(p, other)) ||
            plan_dev(p, other)->index != dev->index || !o->has_addr)
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
    if (plan_is_pci_ctrl(dev))
        return false;
    if (plan_is_ctrl(dev, CTRL_TYPE_IDE) && dev->index == 0)
        return false;
    return true;
}

static int assign_list(struct planner *p, const struct plan_list *l)
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
        const struct device *dev = plan_dev(p, pos);

        if (plan_is_pci_ctrl(dev) != pci || !p->st[pos].in_step ||
            !wanted(p, pos))
            continue;
        if (!pci && !controller_in_step(dev))
            continue;
        if (plan_is_usb2_companion(dev) ? place_usb2_companion(p, pos) < 0
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
    p->owner_buses = 0;
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

/* Create the controllers for the buses the sizing pass added. */
static int materialise_buses(struct planner *p)
{
    for (unsigned b = 1; b < p->set->nbuses; b++) {
        enum pci_model m = p->set->buses[b].model;
        size_t pos;

        if (plan_find_controller(p, CTRL_TYPE_PCI, b))
            continue;
        plan_add_controller(p, CTRL_TYPE_PCI, b, pci_models[m].name,
                            ADDED_FOR_BUS);
        plan_grow_state(p);
        pos = p->dom->ndevs - 1;
        if (p->grown_by[b] == SPARE_OWNER)
            plan_dev(p, pos)->added = ADDED_SPARE;
        p->st[pos].flags = pci_models[m].connect;
        p->st[pos].in_step = m != PCI_MODEL_PCI_ROOT;
        if (p->st[pos].in_step && reserve_next(p, pos, -1) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* After placement                                                     */

/* The sizing pass grew bus b for a device naming a higher bus in its
 * address: libvirt adds every index below the highest one named. */
static bool fills_gap(const struct planner *p, unsigned b)
{
    int cause = p->grown_by[b];
    const struct device *dev;

    if (cause < 0 || !p->grown_for_address[b])
        return false;
    dev = plan_dev(p, (size_t)cause);
    /* before record_changes, addr is still the input's */
    return plan_address_is_present(dev) && dev->addr.bus > b;
}

/* Walk up from a device's bus through the controllers providing each
 * bus, noting the device on every bus of the chain. */
static void note_chain(const struct planner *p, const long *provider,
                       size_t pos, long *first, bool *sizing_cause)
{
    unsigned b = p->st[pos].addr.bus;

    for (unsigned depth = 0; depth < PCI_MAX_BUSES; depth++) {
        long c;

        assert(b < PCI_MAX_BUSES);
        c = provider[b];
        if (c < 0)
            return;
        if (first[b] < 0)
            first[b] = (long)pos;
        if (p->grown_by[b] == (int)pos)
            sizing_cause[b] = true;
        if (!p->st[c].has_addr || p->st[c].addr.bus == b)
            return;
        b = p->st[c].addr.bus;
    }
}

/*
 * Name, for every bus the planner added, a device that sits below it in
 * the final plan. The sizing pass learns which device made a bus appear,
 * but the final pass places the controllers first and the devices after
 * them, so a device can end on another bus than the one grown for it
 * (a pcie-to-pci-bridge takes the first free root port, the NIC that grew
 * that port the next one). The device that grew the bus is kept when it
 * sits below it, else the first one that does (in device order). A bus
 * that fills a gap below a higher index is added with or without devices
 * on it, so no other device is named for it; nor for a bus that ends
 * empty. Both keep the device they were grown for as sized_for. A spare
 * that ends holding devices is a bus for them.
 */
static void attribute_added_buses(struct planner *p)
{
    long provider[PCI_MAX_BUSES], first[PCI_MAX_BUSES];
    bool sizing_cause[PCI_MAX_BUSES] = {false};

    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        provider[b] = first[b] = -1;
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *c = plan_dev(p, p->ctrls.at[i]);

        if (plan_is_pci_ctrl(c) && c->index >= 0 && c->index < PCI_MAX_BUSES)
            provider[c->index] = (long)p->ctrls.at[i];
    }
    for (size_t pos = 0; pos < p->nst; pos++) {
        const struct device *dev = plan_dev(p, pos);

        if (p->st[pos].has_addr &&
            !(plan_is_pci_ctrl(dev) && device_is_added(dev)))
            note_chain(p, provider, pos, first, sizing_cause);
    }
    for (unsigned b = 1; b < PCI_MAX_BUSES; b++) {
        struct device *c =
            provider[b] >= 0 ? plan_dev(p, (size_t)provider[b]) : NULL;
        bool gap = p->grown_by[b] == NO_OWNER || fills_gap(p, b);

        if (!c || !device_is_added(c) ||
            (c->added != ADDED_FOR_BUS && c->added != ADDED_SPARE))
            continue;
        c->added_for = c->sized_for = -1;
        if (!sizing_cause[b] && (gap || first[b] < 0)) {
            if (c->added == ADDED_FOR_BUS && p->grown_by[b] >= 0)
                c->sized_for = p->grown_by[b];
            continue;
        }
        c->added = ADDED_FOR_BUS;
        c->added_for = sizing_cause[b] ? p->grown_by[b] : first[b];
    }
}

static bool in_slot_table(const struct plan_devstate *s)
{
    return s->addr.bus < PCI_MAX_BUSES && s->addr.slot < PCI_SLOTS;
}

/* The first device in order with an address on function 0 of s's slot,
 * + 1, or 0: by a walk, for an address outside the table. */
static int first_function0(const struct planner *p,
                           const struct plan_devstate *s)
{
    for (size_t j = 0; j < p->nst; j++) {
        const struct plan_devstate *o = &p->st[j];

        if (o->has_addr && o->addr.bus == s->addr.bus &&
            o->addr.slot == s->addr.slot && o->addr.function == 0)
            return (int)j + 1;
    }
    return 0;
}

/*
 * A device on function 1-7 makes function 0 of its slot multifunction:
 * the first device in order there, found in a table per bus and slot
 * made once, not by a search per device.
 */
static void set_multifunction(struct planner *p)
{
    int(*first)[PCI_SLOTS] = NULL;

    for (size_t i = 0; i < p->nst; i++) {
        const struct plan_devstate *s = &p->st[i];
        int f0;

        if (!s->has_addr || s->addr.function == 0)
            continue;
        if (!first) {
            first = xcalloc(PCI_MAX_BUSES, sizeof(*first));
            for (size_t j = p->nst; j-- > 0;) {
                const struct plan_devstate *o = &p->st[j];

                if (o->has_addr && o->addr.function == 0 && in_slot_table(o))
                    first[o->addr.bus][o->addr.slot] = (int)j + 1;
            }
        }
        f0 = in_slot_table(s) ? first[s->addr.bus][s->addr.slot]
                              : first_function0(p, s);
        if (f0 && p->st[f0 - 1].addr.multifunction == TRI_ABSENT)
            p->st[f0 - 1].addr.multifunction = TRI_ON;
    }
    free(first);
}

/* A pci-bridge must sit on a bus with a lower index than its own. */
static int fail_bridge_order(struct planner *p, size_t pos)
{
    const struct device *dev = plan_dev(p, pos);

    if (plan_address_is_present(dev))
        return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                         "pci-bridge index %ld must be greater than the bus "
                         "0x%02x it is plugged into",
                         dev->index, p->st[pos].addr.bus);
    if (device_is_added(dev))
        return fail_added_controller(p, dev->index);
    return plan_fail_device(
        p, STATUS_UNSATISFIABLE, pos, "%s",
        "no bus with an index below this pci-bridge's takes "
        "it; give it a higher index or add a bridge below it");
}

static long lowest_bus_nr(const struct planner *p)
{
    long lowest = 256;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        if (plan_is_pci_ctrl(dev) && dev->target.bus_nr >= 0 &&
            dev->target.bus_nr < lowest)
            lowest = dev->target.bus_nr;
    }
    return lowest;
}

static void fill_target(struct device *dev, unsigned bit, long *field,
                        long value)
{
    /* a negative value is "none left" (a 32nd PHB): write nothing rather
     * than a value the next run would read differently */
    if (*field >= 0 || value < 0)
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
    dev->model_name = xstrdup(name);
    dev->model_name_added = true;
    return 0;
}

/* Target indexes of pSeries PHBs: 0 for index 0, the others 1..31. */
#define PHB_INDEXES 32

/* pSeries PHBs are numbered by their target index: the lowest in 1..31
 * that no controller already made a PHB uses. 'uses' counts the PCI
 * controllers with a model name on each target index. */
static long free_phb_index(const unsigned *uses, const struct device *self)
{
    for (long idx = 1; idx < PHB_INDEXES; idx++) {
        unsigned own = self->model_name && self->target.index == idx;

        if (uses[idx] == own)
            return idx;
    }
    return -1;
}

/* Count dev in 'uses' when it makes a PHB of a target index. */
static void count_phb_index(unsigned *uses, const struct device *dev)
{
    if (plan_is_pci_ctrl(dev) && dev->model_name && dev->target.index >= 1 &&
        dev->target.index < PHB_INDEXES)
        uses[dev->target.index]++;
}

/* A PHB's target index, counted in 'uses' once it has one. */
static void fill_phb_index(unsigned *uses, struct device *dev)
{
    long before = dev->target.index;

    fill_target(dev, TARGET_INDEX, &dev->target.index,
                dev->index == 0 ? 0 : free_phb_index(uses, dev));
    if (dev->target.index != before)
        count_phb_index(uses, dev);
}

/*
 * Model names and <target> defaults of the PCI controllers, in
 * controller order. What a later one depends on (the PHB target indexes
 * in use, the lowest busNr) is kept up to date as they are filled, not
 * searched for per controller.
 */
static int controller_defaults(struct planner *p)
{
    unsigned phb_uses[PHB_INDEXES] = {0};
    long lowest = lowest_bus_nr(p);

    for (size_t i = 0; i < p->ctrls.n; i++)
        count_phb_index(phb_uses, plan_dev(p, p->ctrls.at[i]));
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        struct device *dev = plan_dev(p, pos);
        const struct pci_addr *a = &p->st[pos].addr;
        enum pci_model m;
        unsigned fill;
        bool named;

        if (!plan_is_pci_ctrl(dev))
            continue;
        m = plan_ctrl_pci_model(dev);
        fill = pci_models[m].target_fill;
        named = dev->model_name != NULL;
        if (set_model_name(p, dev, m) < 0)
            return -1;
        if (!named)
            count_phb_index(phb_uses, dev);
        if (m == PCI_MODEL_PCI_ROOT && p->mach->multiple_roots)
            fill_phb_index(phb_uses, dev);
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
            long nr = lowest - 2;

            if (nr <= 1)
                return plan_fail_device(p, STATUS_UNSATISFIABLE, pos, "%s",
                                        "no free busNr below the lowest one in "
                                        "use; set <target busNr> by hand");
            fill_target(dev, TARGET_BUS_NR, &dev->target.bus_nr, nr);
            lowest = nr;
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

static void record_changes(struct planner *p)
{
    for (size_t pos = 0; pos < p->nst; pos++) {
        struct device *dev = plan_dev(p, pos);
        const struct plan_devstate *s = &p->st[pos];
        bool kept = plan_address_is_present(dev) && !device_is_added(dev);

        dev->bus_class = plan_class_of(s->flags);
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

    if (plan_resolve_machine(p) < 0 || plan_order_controllers(p) < 0 ||
        plan_add_root_ports(p) < 0)
        return -1;
    plan_number_controllers(p);
    if (nonpci_assign_drives(p->dom, p->d) < 0 ||
        plan_add_implicit_devices(p) < 0 || plan_console_compat(p) < 0 ||
        plan_check_controllers(p) < 0 ||
        nonpci_assign_virtio_serial(p->dom, plan_add_channel_controller, p,
                                    p->d) < 0 ||
        nonpci_assign_spapr_vio(p->dom, p->mach->spapr_vio, p->d) < 0)
        return -1;
    if (p->mach->virtio_mmio)
        nonpci_assign_virtio_mmio(p->dom, p->mach->no_pci);
    if ((p->mach->ccw && nonpci_assign_ccw(p->dom, p->d) < 0) ||
        plan_build_lists(p) < 0 || plan_classify(p) < 0)
        return -1;

    nbuses = (unsigned)(p->max_idx + 1);
    if (run_pass(p, nbuses, true) < 0 || reserve_conventional_spares(p) < 0 ||
        assign_devices(p) < 0 || reserve_pcie_spares(p, nbuses) < 0 ||
        materialise_buses(p) < 0)
        return -1;
    nbuses = p->set->nbuses;
    if (run_pass(p, nbuses, false) < 0 || assign_devices(p) < 0)
        return -1;
    attribute_added_buses(p);
    set_multifunction(p);
    if (controller_defaults(p) < 0 ||
        nonpci_assign_usb(p->dom, !p->profile->usb_net_needs_address, p->d) <
            0 ||
        nonpci_assign_dimms(p->dom, p->d) < 0)
        return -1;
    nonpci_complete_addresses(p->dom);
    record_changes(p);
    plan_mirror_console(p->dom);
    return plan_assign_zpci(p);
}

int plan_run(struct domain *dom, const struct plan_options *opt, struct diag *d)
{
    struct planner p = {
        .dom = dom, .opt = opt, .d = d, .max_idx = -1, .reserve = opt->reserve};
    int rc = -1;

    for (unsigned b = 0; b < PCI_MAX_BUSES; b++)
        p.grown_by[b] = -1;
    p.set = xcalloc(1, sizeof(*p.set));
    p.owner = xmalloc(PCI_MAX_BUSES * sizeof(*p.owner));
    rc = plan(&p);
    free(p.set);
    free(p.owner);
    free(p.st);
    free(p.ctrls.at);
    plan_free_controller_index(&p);
    free(p.vdisks.at);
    free(p.videos.at);
    free(p.hostdevs.at);
    free(p.nets.at);
    for (int k = 0; k < DEV_KIND_COUNT; k++)
        free(p.by_kind[k].at);
    return rc;
}
