/*
 * postparse.c: the domain as libvirt sees it before placing anything:
 * the machine, controller order and indexes, implicit devices and
 * controllers, and the device lists in libvirt's array orders.
 */
#include "plan/state.h"
#include "plan/plan.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/nonpci.h"
#include "util/xalloc.h"

static bool index_used(const struct planner *p, const struct device *like,
                       enum ctrl_type type, long index, const char *model);

/* ------------------------------------------------------------------ */
/* Post-parse: machine, indexes, implicit devices                      */

/* A machine type the profile's libvirt refuses, as it refuses it. */
static int machine_error(struct planner *p, const char *name,
                         enum machine_verdict v)
{
    const struct domain *dom = p->dom;
    const char *arch = dom->arch ? dom->arch : "x86_64";
    bool opt = p->opt->machine != NULL;
    int status = opt ? STATUS_USAGE : STATUS_INVALID;
    unsigned line = opt ? 0 : dom->os_type_line;
    const char *elem = opt ? NULL : "type";
    char list[512];

    if (v == MACHINE_NOT_IN_QEMU)
        return diag_fail(
            p->d, status, line, elem,
            "QEMU %s (libvirt %s) does not support machine type "
            "'%s' for arch %s (supported: %s)",
            p->profile->qemu, p->profile->version, name, arch,
            machine_supported(p->profile, arch, list, sizeof(list)));
    return diag_fail(
        p->d, status, line, elem,
        "unsupported machine type '%s'%s%s (supported: %s)", name,
        dom->arch ? " for arch " : "", dom->arch ? dom->arch : "",
        v == MACHINE_NOT_PLANNED
            ? machine_supported(p->profile, arch, list, sizeof(list))
            : machine_supported_list());
}

/* What the profile's libvirt validates that depends on its version. */
static int check_profile_rules(struct planner *p)
{
    const struct libvirt_profile *pr = p->profile;

    if (p->dom->acpi_line && !p->mach->acpi && pr->refuses_acpi)
        return diag_fail(p->d, STATUS_INVALID, p->dom->acpi_line, "acpi",
                         "machine type '%s' does not support ACPI (libvirt "
                         "%s)",
                         p->machine_name, pr->version);
    for (size_t i = 0; i < p->dom->ndevs; i++) {
        const struct device *dev = plan_dev(p, i);

        if (dev->kind == DEV_WATCHDOG && dev->model &&
            !str_in(dev->model, pr->watchdog_models))
            return plan_fail_device(p, STATUS_INVALID, i,
                                    "unknown watchdog model '%s'", dev->model);
        if (dev->kind == DEV_WATCHDOG && pr->ich9_watchdog &&
            str_eq(dev->model, pr->ich9_watchdog) &&
            p->mach->chipset != CHIPSET_ICH9)
            return plan_fail_device(p, STATUS_INVALID, i,
                                    "%s model of watchdog is only part of q35 "
                                    "machine",
                                    dev->model);
    }
    return 0;
}

/*
 * The machine type as the profile's libvirt resolves it: the XML's, or
 * --machine over it (same family or not), or the architecture's
 * default; an alias is written expanded only where pciplan writes the
 * machine, a type the XML names stays as written.
 */
int plan_resolve_machine(struct planner *p)
{
    struct domain *dom = p->dom;
    const char *name = p->opt->machine ? p->opt->machine : dom->machine;
    struct machine_choice ch;
    enum machine_verdict v;

    p->profile = p->opt->profile ? p->opt->profile : profile_at(0);
    if (!name) {
        const struct machine *def =
            machine_default(dom->arch ? dom->arch : "x86_64");

        name = def ? def->alias : "";
    }
    v = machine_resolve(p->profile, name, dom->arch, &ch);
    if (v != MACHINE_OK)
        return machine_error(p, name, v);
    p->mach = ch.mach;
    p->machine_name = ch.name;
    if (dom->os_type_elem >= 0 &&
        (!dom->machine ||
         (p->opt->machine && !str_eq(dom->machine, ch.name)))) {
        free(dom->machine);
        dom->machine = xstrdup(ch.name);
        dom->machine_changed = true;
    }
    p->pcie = p->mach->root == PCI_MODEL_PCIE_ROOT;
    return check_profile_rules(p);
}

/* plan_controller_slot's rule by a walk over every controller, for a
 * type the runs do not track. */
static size_t slot_by_scan(const struct planner *p, const struct device *c)
{
    size_t at = p->ctrls.n;
    bool placed = false;

    for (size_t i = p->ctrls.n; i-- > 0;) {
        const struct device *cur = plan_dev(p, p->ctrls.at[i]);

        if (!plan_same_ctrl_type(cur, c))
            continue;
        if (c->index < 0)
            return i + 1;
        if (plan_ctrl_key_above(cur, c))
            at = i;
        else if (!placed)
            at = i + 1;
        placed = true;
    }
    return at;
}

/*
 * Where libvirt's parser (and, from 9.1, virDomainControllerInsert for
 * the controllers it adds) puts controller 'c' in its list: grouped by
 * type in order of first appearance, before the first of its type with
 * a higher index (or the same one, when that one has a <master> and c
 * has none), else after the last of its type. The type's run and its
 * highest key are kept, so a controller above all of its type (what
 * the planner adds, mostly) is placed without a walk.
 */
size_t plan_controller_slot(const struct planner *p, const struct device *c)
{
    const struct plan_ctrl_runs *runs = &p->ctrl_runs;
    int r = (int)c->ctrl_type + 1;
    struct device top;
    size_t start, end;

    if (r < 0 || r >= PLAN_CTRL_RUNS)
        return slot_by_scan(p, c);
    if (!runs->n[r])
        return p->ctrls.n;
    start = runs->start[r];
    end = start + runs->n[r];
    top.index = runs->max_index[r];
    top.has_master = runs->max_master[r];
    if (c->index < 0 || !runs->keyed[r] || !plan_ctrl_key_above(&top, c))
        return end;
    for (size_t i = start; i < end; i++) {
        if (plan_ctrl_key_above(plan_dev(p, p->ctrls.at[i]), c))
            return i;
    }
    assert(!"a run's highest key is in the run");
    return end;
}

/* A controller's place in libvirt's list as a sort key. */
struct order_key {
    const struct device *dev;
    size_t run;  /* position of the first controller of its type */
    bool keyed;  /* index and master below are set */
    long index;  /* its own, or for an index-less one the highest key */
    bool master; /* of its type before it */
    size_t pos;  /* in dom->devs */
};

static int compare_type_then_pos(const void *pa, const void *pb)
{
    const struct order_key *a = pa, *b = pb;
    enum ctrl_type x = a->dev->ctrl_type, y = b->dev->ctrl_type;
    int c = (x > y) - (x < y);

    if (!c && x == CTRL_TYPE_OTHER)
        c = strcmp(a->dev->type, b->dev->type);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

static int compare_order_keys(const void *pa, const void *pb)
{
    const struct order_key *a = pa, *b = pb;

    if (a->run != b->run)
        return a->run < b->run ? -1 : 1;
    if (a->keyed != b->keyed)
        return a->keyed ? 1 : -1;
    if (a->keyed && a->index != b->index)
        return a->index < b->index ? -1 : 1;
    if (a->keyed && a->master != b->master)
        return a->master ? 1 : -1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * The input's controllers in the order plan_controller_slot would put
 * them one by one, in O(n log n) rather than a walk per controller.
 * Inserting before the first higher key keeps the indexed controllers
 * of a type sorted by (index, master), stably; an index-less one is
 * appended, so it stays after everything that was there and before
 * every later one with a key below the highest key before it: it sorts
 * as if it had that key (after those with it, by position), or first
 * when there was none.
 */
int plan_order_controllers(struct planner *p)
{
    struct order_key *k = xcalloc(p->dom->ndevs + 1, sizeof(*k));
    struct order_key top = {0};
    size_t n = 0;

    assert(p->ctrls.n == 0);
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *c = plan_dev(p, pos);

        if (c->kind == DEV_CONTROLLER)
            k[n++] = (struct order_key){
                c, 0, c->index >= 0, c->index, c->has_master, pos};
    }
    qsort(k, n, sizeof(*k), compare_type_then_pos);
    for (size_t i = 0, first = 0; i < n; i++) {
        if (i == 0 || !plan_same_ctrl_type(k[i].dev, k[i - 1].dev)) {
            first = i;
            top.keyed = false;
        }
        k[i].run = k[first].pos;
        if (k[i].dev->index < 0) {
            k[i].keyed = top.keyed;
            k[i].index = top.index;
            k[i].master = top.master;
        } else if (!top.keyed || plan_ctrl_key_above(k[i].dev, top.dev))
            top = k[i];
    }
    qsort(k, n, sizeof(*k), compare_order_keys);
    for (size_t i = 0; i < n; i++)
        plan_ctrls_insert(p, p->ctrls.n, k[i].pos);
    free(k);
    for (size_t i = 0; i < p->ctrls.n; i++) {
        if (plan_dev(p, p->ctrls.at[i])->index >= 0)
            plan_index_controller(p, p->ctrls.at[i]);
    }
    return 0;
}

/* --root-ports: what virt-install and Nova do, bare root ports in the
 * input, so libvirt (and pciplan) place devices on them. */
int plan_add_root_ports(struct planner *p)
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
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        have += plan_is_pci_ctrl(dev) &&
                plan_ctrl_pci_model(dev) == PCI_MODEL_PCIE_ROOT_PORT;
    }
    for (long idx = 1; have < p->opt->root_ports; have++, idx++) {
        while (index_used(p, NULL, CTRL_TYPE_PCI, idx, NULL))
            idx++;
        plan_add_controller(p, CTRL_TYPE_PCI, idx, "pcie-root-port",
                            ADDED_ROOT_PORTS);
    }
    return 0;
}

/* Whether a controller of 'type' (of like's type when 'like' is given)
 * has 'index' (and 'model', when given). */
static bool index_used(const struct planner *p, const struct device *like,
                       enum ctrl_type type, long index, const char *model)
{
    for (size_t e = plan_ctrl_first(p, like ? like->ctrl_type : type,
                                    like ? like->type : NULL, index);
         e; e = plan_ctrl_next(p, e)) {
        if (!model || str_eq(plan_ctrl_dev(p, e)->model, model))
            return true;
    }
    return false;
}

/* Give index-less controllers the lowest free index of their type;
 * an ICH9 USB2 companion joins the set of the companion before it. */
void plan_number_controllers(struct planner *p)
{
    /* Indexes are only ever taken here, so a type's lowest free one
     * never goes down: each search resumes where its last one ended
     * (an unknown type, told apart by name, starts from 0). */
    long lowest_free[CTRL_TYPE_KNOWN] = {0};

    for (size_t i = 0; i < p->ctrls.n; i++) {
        struct device *dev = plan_dev(p, p->ctrls.at[i]);
        bool known = dev->ctrl_type >= 0 && dev->ctrl_type < CTRL_TYPE_KNOWN;
        long idx = known ? lowest_free[dev->ctrl_type] : 0;

        if (dev->index >= 0 || !dev->type)
            continue;
        if (plan_is_usb2_companion(dev) && i > 0) {
            const struct device *prev = plan_dev(p, p->ctrls.at[i - 1]);

            if (plan_is_usb2_companion(prev) &&
                !index_used(p, NULL, CTRL_TYPE_USB, prev->index, dev->model)) {
                dev->index = prev->index;
                dev->index_added = true;
                plan_index_controller(p, p->ctrls.at[i]);
                continue;
            }
        }
        while (index_used(p, dev, dev->ctrl_type, idx, NULL))
            idx++;
        if (known)
            lowest_free[dev->ctrl_type] = idx + 1;
        dev->index = idx;
        dev->index_added = true;
        plan_index_controller(p, p->ctrls.at[i]);
    }
}

/* The versioned machine name, as libvirt would report it. */
static const char *machine_display_name(const struct planner *p)
{
    return p->machine_name;
}

static int check_pci_model(struct planner *p, size_t pos)
{
    const struct device *dev = plan_dev(p, pos);
    enum pci_model m = plan_ctrl_pci_model(dev);
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

struct ctrl_key {
    enum ctrl_type ctrl_type;
    const char *type; /* tells two unknown types apart */
    long index;
    size_t order; /* position in p->ctrls */
};

static int compare_ctrl_type_index(const struct ctrl_key *a,
                                   const struct ctrl_key *b)
{
    int c = (a->ctrl_type > b->ctrl_type) - (a->ctrl_type < b->ctrl_type);

    if (!c && a->ctrl_type == CTRL_TYPE_OTHER)
        c = strcmp(a->type, b->type);
    if (c)
        return c;
    return (a->index > b->index) - (a->index < b->index);
}

static int compare_ctrl_keys(const void *pa, const void *pb)
{
    const struct ctrl_key *a = pa, *b = pb;
    int c = compare_ctrl_type_index(a, b);

    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/*
 * Two controllers of one type on one index are an error (USB ones may
 * share an index: an ICH9 set does; two with ports on one index fail when
 * ports are assigned). Sorted by (type, index, order), so n log n; the
 * pair named is the one a walk in controller order meets first.
 */
static int check_duplicate_indexes(struct planner *p)
{
    struct ctrl_key *k = xcalloc(p->ctrls.n + 1, sizeof(*k));
    size_t n = 0, worst = SIZE_MAX, first = 0;
    int rc = 0;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        if (!plan_is_ctrl(dev, CTRL_TYPE_USB))
            k[n++] =
                (struct ctrl_key){dev->ctrl_type, dev->type, dev->index, i};
    }
    qsort(k, n, sizeof(*k), compare_ctrl_keys);
    for (size_t i = 1; i < n; i++) {
        /* the second of a run of equal keys names the pair */
        bool second =
            compare_ctrl_type_index(&k[i], &k[i - 1]) == 0 &&
            !(i >= 2 && compare_ctrl_type_index(&k[i], &k[i - 2]) == 0);

        if (second && k[i].order < worst) {
            worst = k[i].order;
            first = k[i - 1].order;
        }
    }
    if (worst != SIZE_MAX) {
        const struct device *dev = plan_dev(p, p->ctrls.at[worst]);
        const struct device *o = plan_dev(p, p->ctrls.at[first]);

        rc = diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                       "duplicate %s controller index %ld (also used at "
                       "line %u)",
                       dev->type, dev->index, o->line);
    }
    free(k);
    return rc;
}

/*
 * libvirt's parser needs one USB controller that is not a companion
 * (no <master>, as written or as its parser gives an ich9-uhci one) as
 * soon as there is a USB controller other than model='none'.
 */
static int check_usb_master(struct planner *p)
{
    long first = -1;

    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        if (!plan_is_ctrl(dev, CTRL_TYPE_USB))
            continue;
        if (!dev->has_master)
            return 0;
        if (first < 0 && !str_eq(dev->model, "none"))
            first = (long)p->ctrls.at[i];
    }
    if (first < 0)
        return 0;
    return plan_fail_device(p, STATUS_INVALID, (size_t)first, "%s",
                            "a USB companion controller with no master: "
                            "add its EHCI controller (libvirt: no master "
                            "USB controller specified)");
}

int plan_check_controllers(struct planner *p)
{
    if (check_duplicate_indexes(p) < 0 || check_usb_master(p) < 0)
        return -1;
    for (size_t i = 0; i < p->ctrls.n; i++) {
        size_t pos = p->ctrls.at[i];
        struct device *dev = plan_dev(p, pos);

        /* load gives every controller a type (IDE without type=) */
        assert(dev->type);
        if (!plan_is_pci_ctrl(dev))
            continue;
        if (dev->index >= PCI_MAX_BUSES)
            return diag_fail(p->d, STATUS_INVALID, dev->line, "controller",
                             "PCI controller index %ld too high, maximum "
                             "is %d",
                             dev->index, PCI_MAX_BUSES - 1);
        if (!dev->model && dev->index == 0) {
            dev->model = xstrdup(pci_models[p->mach->root].name);
            dev->model_added = true;
            domain_resolve_controller(dev);
        }
        if (plan_ctrl_pci_model(dev) == PCI_MODEL_NONE)
            return plan_fail_device(
                p, STATUS_INVALID, pos,
                "unknown or missing PCI controller model '%s'",
                dev->model ? dev->model : "");
        if (check_pci_model(p, pos) < 0)
            return -1;
        if ((dev->index == 0) !=
            (plan_ctrl_pci_model(dev) == p->mach->root && dev->index == 0))
            return plan_fail_device(p, STATUS_INVALID, pos,
                                    "PCI controller index 0 must be model '%s'",
                                    pci_models[p->mach->root].name);
        if (dev->index > 0 &&
            (plan_ctrl_pci_model(dev) == PCI_MODEL_PCI_ROOT ||
             plan_ctrl_pci_model(dev) == PCI_MODEL_PCIE_ROOT) &&
            !p->mach->multiple_roots)
            return plan_fail_device(p, STATUS_INVALID, pos, "%s",
                                    "a root PCI controller must have index 0");
        if (dev->index > p->max_idx)
            p->max_idx = dev->index;
    }
    return 0;
}

static int set_default_models(struct planner *p)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        struct device *dev = plan_dev(p, p->ctrls.at[i]);
        const char *model = NULL;

        if (dev->model && !str_eq(dev->model, "auto"))
            continue;
        /* where no USB model exists (s390), an address keeps it unset */
        if (plan_is_ctrl(dev, CTRL_TYPE_USB) &&
            !(str_eq(p->mach->usb_model, "none") &&
              dev->addr_type != ADDR_NONE))
            model = p->mach->usb_model;
        else if (plan_is_ctrl(dev, CTRL_TYPE_SCSI))
            model = p->mach->scsi_model;
        if (!model || (dev->model && !str_eq(dev->model, "auto")))
            continue;
        free(dev->model);
        dev->model = xstrdup(model);
        dev->model_added = true;
        domain_resolve_controller(dev);
    }
    return 0;
}

static bool has_kind(const struct planner *p, enum dev_kind kind)
{
    for (size_t i = 0; i < p->dom->ndevs; i++) {
        if (plan_dev(p, i)->kind == kind)
            return true;
    }
    return false;
}

static long disk_controller(const struct device *dev, long per_controller)
{
    long idx;

    if (nonpci_has_address(dev, ADDR_KIND_DRIVE))
        return dev->addr_controller < 0 ? 0 : dev->addr_controller;
    if (dev->addr_type != ADDR_NONE)
        return -1;
    idx = domain_disk_name_index(dev->dev);
    return idx < 0 ? -1 : idx / per_controller;
}

/* More controllers of one type than 256 buses of 32 slots can hold. */
#define PLAN_MAX_DISK_CONTROLLERS (PCI_MAX_BUSES * 32L)

/* Controllers 0..max for each disk bus that needs them. */
/* Controllers 'type' 0..max that do not exist yet, added in index order:
 * one pass over the controllers, not a lookup per index (a drive address
 * may name controller 8000). */
static void add_missing_controllers(struct planner *p, enum ctrl_type type,
                                    long max, const char *model,
                                    enum addition why)
{
    bool *have;

    if (max < 0)
        return;
    have = xcalloc((size_t)max + 1, sizeof(*have));
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        if (plan_is_ctrl(dev, type) && dev->index >= 0 && dev->index <= max)
            have[dev->index] = true;
    }
    for (long c = 0; c <= max; c++) {
        if (!have[c])
            plan_add_controller(p, type, c, model, why);
    }
    free(have);
}

/* The model of the user's SCSI controller 'index', or NULL (one added
 * for disks has no model yet when libvirt looks). */
static const char *user_scsi_model(const struct planner *p, long index)
{
    for (size_t e = plan_ctrl_first(p, CTRL_TYPE_SCSI, NULL, index); e;
         e = plan_ctrl_next(p, e)) {
        if (!device_is_added(plan_ctrl_dev(p, e)))
            return plan_ctrl_dev(p, e)->model;
    }
    return NULL;
}

/*
 * SCSI host devices need controllers up to the highest one they name
 * (virDomainDefMaybeAddHostdevSCSIcontroller): each added one takes the
 * model of the controller of the hostdev that last raised that highest
 * index, if the user gave it one, so that all keep one model.
 */
static int add_hostdev_scsi_controllers(struct planner *p)
{
    const char *model = NULL;
    long max = -1;

    for (size_t i = 0; i < p->dom->ndevs; i++) {
        const struct device *dev = plan_dev(p, i);
        long c = dev->addr_controller < 0 ? 0 : dev->addr_controller;
        const char *m;

        if (dev->kind != DEV_HOSTDEV || !str_eq(dev->type, "scsi") || c <= max)
            continue;
        max = c;
        if ((m = user_scsi_model(p, c)))
            model = m;
    }
    if (max >= PLAN_MAX_DISK_CONTROLLERS)
        return diag_fail(p->d, STATUS_UNSATISFIABLE, 0, NULL,
                         "scsi controller index %ld needs %ld scsi "
                         "controllers, more than PCI can hold",
                         max, max + 1);
    add_missing_controllers(
        p, CTRL_TYPE_SCSI, max,
        model && !str_eq(model, "auto") ? model : p->mach->scsi_model,
        ADDED_FOR_DISKS);
    return 0;
}

static int add_disk_controllers(struct planner *p)
{
    static const struct {
        enum ctrl_type type; /* its name is the disk's <target bus> */
        long per_controller;
    } buses[] = {{CTRL_TYPE_SCSI, 7},
                 {CTRL_TYPE_FDC, 2},
                 {CTRL_TYPE_IDE, 4},
                 {CTRL_TYPE_SATA, 6}};

    for (size_t b = 0; b < 4; b++) {
        const char *bus = ctrl_type_name(buses[b].type);
        long max = -1;

        for (size_t i = 0; i < p->dom->ndevs; i++) {
            const struct device *dev = plan_dev(p, i);
            long c = -1;

            if (dev->kind == DEV_DISK && str_eq(dev->bus, bus))
                c = disk_controller(dev, buses[b].per_controller);
            if (c > max)
                max = c;
        }
        /* libvirt adds them all; each takes a PCI slot, so past what
         * 256 buses can hold it fails for want of one */
        if (max >= PLAN_MAX_DISK_CONTROLLERS)
            return diag_fail(p->d, STATUS_UNSATISFIABLE, 0, NULL,
                             "%s controller index %ld needs %ld %s "
                             "controllers, more than PCI can hold",
                             bus, max, max + 1, bus);
        add_missing_controllers(p, buses[b].type, max,
                                b == 0 ? p->mach->scsi_model : NULL,
                                ADDED_FOR_DISKS);
    }
    return add_hostdev_scsi_controllers(p);
}

/* Each virtio channel or console needs the virtio-serial controller
 * its address names (0 when it has none). */
static int add_virtio_serial_controllers(struct planner *p)
{
    static const enum dev_kind kinds[] = {DEV_CHANNEL, DEV_CONSOLE};

    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < p->dom->ndevs; i++) {
            const struct device *dev = plan_dev(p, i);
            long c = dev->addr_controller < 0 ? 0 : dev->addr_controller;

            if (dev->kind != kinds[k] || !str_eq(dev->type, "virtio"))
                continue;
            if (!plan_find_controller(p, CTRL_TYPE_VIRTIO_SERIAL, c))
                plan_add_controller(p, CTRL_TYPE_VIRTIO_SERIAL, c, NULL,
                                    ADDED_FOR_CHANNELS);
        }
    }
    nonpci_assign_smartcards(p->dom, plan_add_channel_controller, p);
    return 0;
}

/* The chipset's watchdog, unless the domain has one of that model; it
 * takes the action of the domain's first watchdog (all must agree). */
static void add_chipset_watchdog(struct planner *p, const char *model)
{
    const struct device *first = NULL;
    struct device *dev;

    for (size_t i = 0; i < p->dom->ndevs; i++) {
        const struct device *w = plan_dev(p, i);

        if (w->kind != DEV_WATCHDOG)
            continue;
        if (str_eq(w->model, model))
            return;
        if (!first)
            first = w;
    }
    dev = domain_add_device(p->dom, DEV_WATCHDOG);
    dev->model = xstrdup(model);
    dev->action = xstrdup(first && first->action ? first->action : "reset");
    dev->added = ADDED_MACHINE;
}

static int add_machine_defaults(struct planner *p)
{
    const struct machine *m = p->mach;

    if (m->implicit_usb && !plan_find_controller(p, CTRL_TYPE_USB, 0))
        plan_add_controller(p, CTRL_TYPE_USB, 0, m->implicit_usb,
                            ADDED_MACHINE);
    if (m->implicit_sata && !plan_find_controller(p, CTRL_TYPE_SATA, 0))
        plan_add_controller(p, CTRL_TYPE_SATA, 0, NULL, ADDED_MACHINE);
    if (!m->no_pci && !plan_find_controller(p, CTRL_TYPE_PCI, 0))
        plan_add_controller(p, CTRL_TYPE_PCI, 0, pci_models[m->root].name,
                            ADDED_MACHINE);
    if (m->chipset == CHIPSET_ICH9 && p->profile->ich9_watchdog)
        add_chipset_watchdog(p, p->profile->ich9_watchdog);
    if (m->implicit_balloon && !has_kind(p, DEV_MEMBALLOON)) {
        struct device *dev = domain_add_device(p->dom, DEV_MEMBALLOON);

        dev->model = xstrdup("virtio");
        dev->added = ADDED_MACHINE;
    }
    return 0;
}

static bool has_input(const struct planner *p, const char *type,
                      const char *bus)
{
    for (size_t i = 0; i < p->dom->ndevs; i++) {
        const struct device *dev = plan_dev(p, i);

        if (dev->kind == DEV_INPUT && str_eq(dev->type, type) &&
            str_eq(dev->bus, bus))
            return true;
    }
    return false;
}

static int add_input(struct planner *p, const char *type)
{
    struct device *dev = domain_add_device(p->dom, DEV_INPUT);

    dev->type = xstrdup(type);
    dev->bus = xstrdup("usb");
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
    dev->model = xstrdup(p->mach->video_model);
    dev->added = ADDED_FOR_GRAPHICS;
    dev->primary = true;
    return 0;
}

int plan_add_implicit_devices(struct planner *p)
{
    if (add_machine_defaults(p) < 0 || add_usb_inputs(p) < 0 ||
        set_default_models(p) < 0 || add_disk_controllers(p) < 0 ||
        add_virtio_serial_controllers(p) < 0 || add_implicit_video(p) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Device lists in libvirt's orders                                    */

struct disk_key {
    long index; /* target name index */
    size_t pos; /* in dom->devs: keeps the sort stable */
};

static int compare_disk_keys(const void *pa, const void *pb)
{
    const struct disk_key *a = pa, *b = pb;

    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The virtio disks, stably sorted by target index: one sort, not an
 * insertion per disk (O(n^2) for names in reverse order). */
static void add_virtio_disks(struct planner *p)
{
    const struct plan_list *disks = &p->by_kind[DEV_DISK];
    struct disk_key *k = xcalloc(disks->n + 1, sizeof(*k));
    size_t n = 0;

    for (size_t i = 0; i < disks->n; i++) {
        const struct device *dev = plan_dev(p, disks->at[i]);

        if (str_eq(dev->bus, "virtio"))
            k[n++] = (struct disk_key){domain_disk_name_index(dev->dev),
                                       disks->at[i]};
    }
    qsort(k, n, sizeof(*k), compare_disk_keys);
    for (size_t i = 0; i < n; i++)
        plan_list_push(&p->vdisks, k[i].pos);
    free(k);
}

int plan_build_lists(struct planner *p)
{
    for (size_t pos = 0; pos < p->dom->ndevs; pos++) {
        const struct device *dev = plan_dev(p, pos);

        if (dev->kind != DEV_CONTROLLER)
            plan_list_push(&p->by_kind[dev->kind], pos);
    }
    for (size_t i = 0; i < p->by_kind[DEV_INTERFACE].n; i++) {
        size_t pos = p->by_kind[DEV_INTERFACE].at[i];

        plan_list_push(str_eq(plan_dev(p, pos)->type, "hostdev") ? &p->hostdevs
                                                                 : &p->nets,
                       pos);
    }
    for (size_t i = 0; i < p->by_kind[DEV_HOSTDEV].n; i++) {
        plan_list_push(&p->hostdevs, p->by_kind[DEV_HOSTDEV].at[i]);
    }
    add_virtio_disks(p);
    /* videos: the one marked primary first */
    for (size_t i = 0; i < p->by_kind[DEV_VIDEO].n; i++) {
        size_t pos = p->by_kind[DEV_VIDEO].at[i];
        bool first = plan_dev(p, pos)->primary && p->videos.n > 0 &&
                     !plan_dev(p, p->videos.at[0])->primary;

        plan_list_insert(&p->videos, first ? 0 : p->videos.n, pos);
    }
    return 0;
}
