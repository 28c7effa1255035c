/* Unit tests for the planner: libvirt's rules on small domains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_suites.h"
#include "plan/plan.h"
#include "plan/state.h"
#include "util/xalloc.h"
#include "xml/load.h"

struct planned {
    struct xmldoc xd;
    struct domain dom;
    struct diag d;
    int rc;
};

static struct planned plan_with(const char *machine, const char *devices,
                                struct plan_options opt)
{
    struct planned p;
    size_t cap = strlen(devices) + 512;
    char *text = malloc(cap);

    memset(&p, 0, sizeof(p));
    snprintf(text, cap,
             "<domain type='qemu'>\n  <name>t</name>\n  <os>\n"
             "    <type arch='x86_64' machine='%s'>hvm</type>\n  </os>\n"
             "  <devices>\n%s  </devices>\n</domain>\n",
             machine, devices);
    p.rc = xmldoc_parse(&p.xd, text, strlen(text), &p.d);
    if (p.rc == 0)
        p.rc = domain_load(&p.dom, &p.xd, &p.d);
    if (p.rc == 0)
        p.rc = plan_run(&p.dom, &opt, &p.d);
    return p;
}

static struct planned plan(const char *machine, const char *devices)
{
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;

    return plan_with(machine, devices, opt);
}

static void done(struct planned *p)
{
    domain_free(&p->dom);
    xmldoc_free(&p->xd);
}

/* The nth (from 0) device of a kind. */
static const struct device *nth(const struct planned *p, enum dev_kind kind,
                                int n)
{
    for (size_t i = 0; i < p->dom.ndevs; i++) {
        if (p->dom.devs[i]->kind == kind && n-- == 0)
            return p->dom.devs[i];
    }
    ck_abort_msg("no device %d of kind %s", n, dev_kind_name(kind));
    return NULL;
}

static const struct device *controller(const struct planned *p,
                                       const char *type, long index)
{
    for (size_t i = 0; i < p->dom.ndevs; i++) {
        const struct device *dev = p->dom.devs[i];

        if (dev->kind == DEV_CONTROLLER && strcmp(dev->type, type) == 0 &&
            dev->index == index)
            return dev;
    }
    return NULL;
}

static int count_model(const struct planned *p, const char *model)
{
    int n = 0;

    for (size_t i = 0; i < p->dom.ndevs; i++) {
        const struct device *dev = p->dom.devs[i];

        n += dev->kind == DEV_CONTROLLER && dev->model &&
             strcmp(dev->model, model) == 0;
    }
    return n;
}

/* Buses that no device or controller sits on. */
static int empty_root_ports(const struct planned *p)
{
    int n = 0;

    for (size_t i = 0; i < p->dom.ndevs; i++) {
        const struct device *port = p->dom.devs[i];
        bool used = false;

        if (port->kind != DEV_CONTROLLER || !port->model ||
            strcmp(port->model, "pcie-root-port") != 0)
            continue;
        for (size_t j = 0; j < p->dom.ndevs; j++) {
            const struct device *dev = p->dom.devs[j];

            used |= dev->addr_type == ADDR_PCI &&
                    (long)dev->addr.bus == port->index;
        }
        n += !used;
    }
    return n;
}

static int free_slots_on(const struct planned *p, unsigned bus)
{
    bool used[32] = {false};
    int n = 0;

    for (size_t i = 0; i < p->dom.ndevs; i++) {
        const struct device *dev = p->dom.devs[i];

        if (dev->addr_type == ADDR_PCI && dev->addr.bus == bus)
            used[dev->addr.slot] = true;
    }
    for (unsigned s = bus == 0 ? 2 : 1; s < 32; s++)
        n += !used[s];
    return n;
}

#define ck_addr(dev, b, s, f)                                                  \
    do {                                                                       \
        ck_assert_int_eq((dev)->addr_type, ADDR_PCI);                          \
        ck_assert_uint_eq((dev)->addr.bus, (b));                               \
        ck_assert_uint_eq((dev)->addr.slot, (s));                              \
        ck_assert_uint_eq((dev)->addr.function, (f));                          \
    } while (0)

static char *virtio_disks(int n)
{
    char *buf = malloc((size_t)n * 128 + 1);
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        char name[8];

        if (i < 26)
            snprintf(name, sizeof(name), "vd%c", 'a' + i);
        else
            snprintf(name, sizeof(name), "vd%c%c", 'a' + i / 26 - 1,
                     'a' + i % 26);
        len += (size_t)sprintf(buf + len,
                               "<disk type='file'><target dev='%s' "
                               "bus='virtio'/></disk>\n",
                               name);
    }
    return buf;
}

START_TEST(pc_implicit_devices)
{
    struct planned p = plan("pc", "<graphics type='vnc'/>\n");

    ck_assert_int_eq(p.rc, 0);
    ck_addr(controller(&p, "usb", 0), 0, 1, 2);
    ck_assert_ptr_nonnull(controller(&p, "pci", 0));
    ck_addr(nth(&p, DEV_VIDEO, 0), 0, 2, 0);
    ck_addr(nth(&p, DEV_MEMBALLOON, 0), 0, 3, 0);
    done(&p);
}
END_TEST

START_TEST(pc_spare_slot_boundary)
{
    char *disks28 = virtio_disks(28), *disks29 = virtio_disks(29);
    struct planned p = plan("pc", disks28);

    /* 28 disks + balloon + the spare fill slots 2..31: no bridge */
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(count_model(&p, "pci-bridge"), 0);
    ck_addr(nth(&p, DEV_MEMBALLOON, 0), 0, 0x1e, 0);
    done(&p);
    /* one more and the spare forces a pci-bridge at 00:02.0 */
    p = plan("pc", disks29);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(count_model(&p, "pci-bridge"), 1);
    ck_addr(controller(&p, "pci", 1), 0, 2, 0);
    ck_assert_int_eq(controller(&p, "pci", 1)->target.chassis_nr, 1);
    ck_addr(nth(&p, DEV_MEMBALLOON, 0), 1, 1, 0);
    done(&p);
    free(disks28);
    free(disks29);
}
END_TEST

START_TEST(pc_displaced_primary_video)
{
    struct planned p = plan(
        "pc", "<interface type='user'><address type='pci' bus='0' slot='2'/>"
              "</interface>\n<video><model type='cirrus'/></video>\n");

    ck_assert_int_eq(p.rc, 0);
    ck_addr(nth(&p, DEV_VIDEO, 0), 0, 3, 0);
    done(&p);
}
END_TEST

START_TEST(pc_where_libvirt_fails)
{
    char *nics = malloc(59 * 64);
    struct planned p;

    nics[0] = '\0';
    for (int i = 0; i < 59; i++)
        strcat(nics, "<interface type='user'><model type='virtio'/>"
                     "</interface>\n");
    p = plan("pc", nics);
    /* libvirt 9.0 fails to place its second pci-bridge here */
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(count_model(&p, "pci-bridge"), 2);
    for (long i = 1; i <= 2; i++)
        ck_assert_uint_lt(controller(&p, "pci", i)->addr.bus, (unsigned)i);
    done(&p);
    free(nics);
}
END_TEST

START_TEST(pc_multifunction_on_function_zero)
{
    struct planned p = plan(
        "pc", "<interface type='user'><address type='pci' bus='0' slot='5' "
              "function='1'/></interface>\n"
              "<interface type='user'><address type='pci' bus='0' slot='5' "
              "function='0'/></interface>\n");

    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(nth(&p, DEV_INTERFACE, 1)->addr.multifunction, TRI_ON);
    ck_assert(nth(&p, DEV_INTERFACE, 1)->adds_multifunction);
    ck_assert_int_eq(nth(&p, DEV_INTERFACE, 0)->addr.multifunction, TRI_ABSENT);
    done(&p);
}
END_TEST

START_TEST(pc_double_use_names_both)
{
    struct planned p = plan(
        "pc", "<interface type='user'><address type='pci' bus='0' slot='4'/>"
              "</interface>\n<interface type='user'><address type='pci' "
              "bus='0' slot='4'/></interface>\n");

    ck_assert_int_eq(p.rc, -1);
    ck_assert_int_eq(p.d.status, STATUS_INVALID);
    ck_assert_uint_eq(p.d.line, 8);
    ck_assert_ptr_nonnull(strstr(p.d.msg, "already used by <interface> at "
                                          "line 7"));
    done(&p);
}
END_TEST

START_TEST(pc_reserve_n_free_slots)
{
    char *disks = virtio_disks(27);

    for (int n = 0; n <= 8; n++) {
        struct plan_options opt = PLAN_OPTIONS_DEFAULT;
        struct planned p;
        int free_slots = 0;

        opt.reserve = n;
        p = plan_with("pc", disks, opt);
        ck_assert_int_eq(p.rc, 0);
        for (unsigned b = 0; b < 4; b++)
            free_slots +=
                b == 0 || controller(&p, "pci", b) ? free_slots_on(&p, b) : 0;
        ck_assert_int_ge(free_slots, n);
        done(&p);
    }
    free(disks);
}
END_TEST

START_TEST(q35_minimal)
{
    struct planned p = plan("q35", "");

    ck_assert_int_eq(p.rc, 0);
    ck_addr(controller(&p, "sata", 0), 0, 0x1f, 2);
    ck_addr(controller(&p, "usb", 0), 1, 0, 0);
    ck_addr(nth(&p, DEV_MEMBALLOON, 0), 2, 0, 0);
    ck_assert_int_eq(count_model(&p, "pcie-root-port"), 3);
    ck_addr(controller(&p, "pci", 1), 0, 1, 0);
    ck_assert_int_eq(controller(&p, "pci", 1)->addr.multifunction, TRI_ON);
    ck_assert_int_eq(controller(&p, "pci", 3)->target.port, 0xa);
    ck_assert_int_eq(empty_root_ports(&p), 1);
    done(&p);
}
END_TEST

START_TEST(q35_reserve_counts)
{
    static const int counts[] = {0, 1, 3, 8};

    for (size_t i = 0; i < 4; i++) {
        struct plan_options opt = PLAN_OPTIONS_DEFAULT;
        struct planned p;

        opt.reserve = counts[i];
        p = plan_with("q35",
                      "<disk type='file'><target dev='vda' "
                      "bus='virtio'/></disk>\n",
                      opt);
        ck_assert_int_eq(p.rc, 0);
        ck_assert_int_eq(empty_root_ports(&p), counts[i]);
        done(&p);
    }
}
END_TEST

START_TEST(q35_root_ports_total)
{
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;
    struct planned p;

    opt.root_ports = 14;
    p = plan_with("q35", "", opt);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(count_model(&p, "pcie-root-port"), 14);
    /* USB and balloon use two; libvirt adds no spare to a domain that
     * lists root ports, as with virt-install */
    ck_assert_int_eq(empty_root_ports(&p), 12);
    done(&p);
}
END_TEST

START_TEST(q35_conventional_device_bumped)
{
    struct planned p =
        plan("q35", "<interface type='user'><model type='e1000'/><address "
                    "type='pci' bus='1' slot='1'/></interface>\n");

    ck_assert_int_eq(p.rc, 0);
    ck_addr(nth(&p, DEV_INTERFACE, 0), 2, 1, 0);
    ck_assert_str_eq(controller(&p, "pci", 2)->model, "pcie-to-pci-bridge");
    ck_addr(controller(&p, "pci", 2), 1, 0, 0);
    done(&p);
}
END_TEST

START_TEST(machine_override_and_unknown)
{
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;
    struct planned p;

    opt.machine = "q35";
    p = plan_with("pc", "", opt);
    ck_assert_int_eq(p.rc, 0);
    ck_assert(p.dom.machine_changed);
    ck_assert_str_eq(p.dom.machine, "pc-q35-7.2");
    ck_assert_ptr_nonnull(controller(&p, "sata", 0));
    done(&p);

    p = plan("isapc", "");
    ck_assert_int_eq(p.d.status, STATUS_INVALID);
    ck_assert_ptr_nonnull(strstr(p.d.msg, "unsupported machine type"));
    done(&p);

    opt.machine = "nonsense";
    p = plan_with("pc", "", opt);
    ck_assert_int_eq(p.d.status, STATUS_USAGE);
    done(&p);
}
END_TEST

START_TEST(planned_domain_is_stable)
{
    struct planned p =
        plan("pc-i440fx-7.2", "<controller type='usb' index='0' "
                              "model='piix3-uhci'><address type='pci' "
                              "domain='0x0000' bus='0x00' slot='0x01' "
                              "function='0x2'/></controller>\n"
                              "<controller type='pci' index='0' "
                              "model='pci-root'/>\n<memballoon "
                              "model='virtio'><address type='pci' "
                              "domain='0x0000' bus='0x00' slot='0x02' "
                              "function='0x0'/></memballoon>\n");

    ck_assert_int_eq(p.rc, 0);
    for (size_t i = 0; i < p.dom.ndevs; i++) {
        const struct device *dev = p.dom.devs[i];

        ck_assert(!dev->addr_changed && !dev->adds_multifunction);
        ck_assert(!dev->model_name_added && !dev->target_added);
        ck_assert_int_ge(dev->elem, 0);
    }
    ck_assert(!p.dom.machine_changed);
    done(&p);
}
END_TEST

/* The model resolves type= and model= once: every known name round-trips,
 * and what the planner adds or defaults is resolved too. A type or a
 * model libvirt has no name for is refused at load, as libvirt does. */
START_TEST(model_controller_types_resolved)
{
    struct planned p =
        plan("pc-i440fx-7.2", "<controller type='scsi' index='0'/>\n"
                              "<disk type='file' device='disk'><target "
                              "dev='sdh' bus='scsi'/></disk>\n");
    size_t scsi = 0, root = 0;

    for (int t = 0; t < CTRL_TYPE_KNOWN; t++)
        ck_assert_int_eq(ctrl_type_from_name(ctrl_type_name(t)), t);
    ck_assert_int_eq(ctrl_type_from_name(NULL), CTRL_TYPE_NONE);
    ck_assert_int_eq(ctrl_type_from_name("foo"), CTRL_TYPE_OTHER);
    ck_assert_ptr_null(ctrl_type_name(CTRL_TYPE_OTHER));
    ck_assert_int_eq(p.rc, 0);
    for (size_t i = 0; i < p.dom.ndevs; i++) {
        const struct device *dev = p.dom.devs[i];

        if (dev->kind != DEV_CONTROLLER)
            continue;
        ck_assert_int_eq(dev->ctrl_type, ctrl_type_from_name(dev->type));
        scsi += dev->ctrl_type == CTRL_TYPE_SCSI;
        if (dev->ctrl_type == CTRL_TYPE_PCI)
            root += dev->pci_model == PCI_MODEL_PCI_ROOT;
        else
            ck_assert_int_eq(dev->pci_model, PCI_MODEL_NONE);
    }
    ck_assert_uint_eq(scsi, 2); /* sdh is on controller 1, added */
    ck_assert_uint_eq(root, 1);
    done(&p);

    p = plan("pc-i440fx-7.2", "<controller type='nvme' index='0'/>\n");
    ck_assert_int_eq(p.rc, -1);
    ck_assert_int_eq(p.d.status, STATUS_INVALID);
    ck_assert_str_eq(p.d.msg, "invalid type 'nvme' (expected ide, fdc, scsi, "
                              "sata, virtio-serial, ccid, usb, pci, xenbus or "
                              "isa)");
    done(&p);
    ck_assert(ctrl_model_known(CTRL_TYPE_USB, "qemu-xhci"));
    ck_assert(ctrl_model_known(CTRL_TYPE_SCSI, "am53c974"));
    ck_assert(!ctrl_model_known(CTRL_TYPE_SCSI, "qemu-xhci"));
    ck_assert(!ctrl_model_known(CTRL_TYPE_SATA, "ahci"));
    p = plan("pc-i440fx-7.2", "<controller type='sata' model='ahci'/>\n");
    ck_assert_int_eq(p.rc, -1);
    ck_assert_str_eq(p.d.msg,
                     "unknown model 'ahci' for controller type 'sata'");
    done(&p);
}
END_TEST

/* Index-less controllers are numbered per type through the controller
 * index: two types apart, an ICH9 companion on its set's. */
START_TEST(model_controller_index_per_type)
{
    struct planned p =
        plan("pc-q35-7.2", "<controller type='virtio-serial'/>\n"
                           "<controller type='ccid'/>\n"
                           "<controller type='virtio-serial'/>\n"
                           "<controller type='usb' model='ich9-ehci1'/>\n"
                           "<controller type='usb' model='ich9-uhci1'/>\n"
                           "<controller type='scsi' index='1'/>\n"
                           "<controller type='scsi'/>\n");

    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 0)->index, 0);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 1)->index, 0);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 2)->index, 1);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 3)->index, 0);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 4)->index, 0);
    ck_assert_int_eq(nth(&p, DEV_CONTROLLER, 6)->index, 0);
    ck_assert_ptr_nonnull(controller(&p, "sata", 0));
    ck_assert_ptr_null(controller(&p, "scsi", 2));
    done(&p);
}
END_TEST

/* A non-PCI address is typed once at load: its numbers with a flag per
 * written attribute, its attributes kept as written; completing it adds
 * only the missing ones and keeps the user's spelling of the others. */
START_TEST(model_typed_drive_address)
{
    struct planned p =
        plan("pc-i440fx-7.2",
             "<disk type='file' device='disk'><target dev='sda' bus='scsi'/>"
             "<address type='drive' unit=' +3' controller='00'/></disk>\n"
             "<disk type='file' device='disk'><target dev='sdb' bus='scsi'/>"
             "</disk>\n<channel type='pty'><target type='virtio'/>"
             "<address type='virtio-serial' controller='0' bus='0' port='2'/>"
             "</channel>\n");
    const struct device *a = nth(&p, DEV_DISK, 0), *b = nth(&p, DEV_DISK, 1);
    const struct device *ch = nth(&p, DEV_CHANNEL, 0);
    static const char *const names[] = {"controller", "bus", "target", "unit"};
    static const char *const values[] = {"00", "0", "0", "3"};

    ck_assert_int_eq(p.rc, 0);
    ck_assert_ptr_nonnull(a->other);
    ck_assert_int_eq(a->other->kind, ADDR_KIND_DRIVE);
    ck_assert_uint_eq(a->other->present, 0xf); /* completed */
    ck_assert(a->addr_changed);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_str_eq(a->other->name[i], names[i]);
        ck_assert_str_eq(a->other->value[i], values[i]);
    }
    ck_assert_int_eq(a->other->drive.unit, 3);
    ck_assert_int_eq(b->other->drive.unit, 1);
    ck_assert_int_eq(ch->other->vserial.port, 2);
    ck_assert(!ch->addr_changed); /* complete as written */
    ck_assert_ptr_null(nth(&p, DEV_MEMBALLOON, 0)->other);
    ck_assert_int_eq(device_other(nth(&p, DEV_MEMBALLOON, 0))->kind,
                     ADDR_KIND_NONE);
    done(&p);
}
END_TEST

/* Numbering resumes where the type's last search ended: it still skips
 * every index the input took, before and after. */
START_TEST(model_controller_numbering_resumes)
{
    struct planned p =
        plan("pc-i440fx-7.2", "<controller type='xenbus' index='1'/>\n"
                              "<controller type='xenbus'/>\n"
                              "<controller type='xenbus'/>\n"
                              "<controller type='xenbus' index='3'/>\n"
                              "<controller type='xenbus'/>\n"
                              "<controller type='xenbus'/>\n");
    static const long want[] = {1, 0, 2, 3, 4, 5};

    ck_assert_int_eq(p.rc, 0);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(nth(&p, DEV_CONTROLLER, i)->index, want[i]);
    done(&p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Controller order against the walk it replaced                        */

/* The rule as one walk per controller over a plain list (what
 * plan_controller_slot did before the runs): the oracle. */
static size_t oracle_slot(struct device **list, size_t n,
                          const struct device *c)
{
    size_t at = n;
    bool placed = false;

    for (size_t i = n; i-- > 0;) {
        const struct device *cur = list[i];

        if (!plan_same_ctrl_type(cur, c))
            continue;
        if (c->index < 0)
            return i + 1;
        if (cur->index > c->index ||
            (!c->has_master && cur->has_master && cur->index == c->index))
            at = i;
        else if (!placed)
            at = i + 1;
        placed = true;
    }
    return at;
}

static void oracle_insert(struct device **list, size_t *n, struct device *c)
{
    size_t at = oracle_slot(list, *n, c);

    for (size_t i = *n; i > at; i--)
        list[i] = list[i - 1];
    list[at] = c;
    (*n)++;
}

/* A small generator of its own: the cases are the same on every libc. */
static unsigned next_random(unsigned *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static void assert_same_order(const struct planner *p, struct device **list,
                              size_t n, unsigned seed)
{
    ck_assert_uint_eq(p->ctrls.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(plan_dev(p, p->ctrls.at[i]) == list[i],
                      "seed %u: controller %zu differs", seed, i);
}

/* Random controllers of a few types (two unknown ones, one with no
 * type), indexes from a small range or none, some with a <master>:
 * plan_order_controllers gives the oracle's order; then controllers
 * are numbered and added (libvirt 11.3 inserts by index) and each
 * lands where the oracle puts it, also in runs numbering left unsorted. */
START_TEST(controller_order_matches_walk)
{
    static const char *const types[] = {"scsi", "usb", "pci", "virtio-serial",
                                        "foo",  "bar", NULL};
    static const enum ctrl_type added[] = {
        CTRL_TYPE_SCSI, CTRL_TYPE_USB, CTRL_TYPE_PCI, CTRL_TYPE_VIRTIO_SERIAL};

    for (unsigned seed = 1; seed <= 400; seed++) {
        struct domain dom = {0};
        struct planner p = {0};
        struct device *list[96] = {0};
        size_t n = 0, ninput = 1 + seed % 40;
        unsigned r = seed * 2654435761u;

        p.dom = &dom;
        p.profile = profile_at(1);
        ck_assert_int_eq(p.profile->ctrl_insert, CTRL_INSERT_BY_INDEX);
        for (size_t i = 0; i < ninput; i++) {
            struct device *dev = domain_add_device(&dom, DEV_CONTROLLER);
            const char *type = types[next_random(&r) % 7];

            dev->type = type ? xstrdup(type) : NULL;
            dev->index =
                next_random(&r) % 3 == 0 ? -1 : (long)(next_random(&r) % 6);
            dev->has_master = next_random(&r) % 4 == 0;
            domain_resolve_controller(dev);
            if (next_random(&r) % 3 == 0)
                domain_add_device(&dom, DEV_DISK);
            oracle_insert(list, &n, dev);
        }
        ck_assert_int_eq(plan_order_controllers(&p), 0);
        assert_same_order(&p, list, n, seed);
        /* number the index-less ones high or low, unsorting their runs */
        for (size_t i = 0; i < p.ctrls.n; i++) {
            struct device *dev = plan_dev(&p, p.ctrls.at[i]);

            if (dev->index < 0 && dev->type) {
                dev->index = next_random(&r) % 2 ? 0 : 9;
                plan_index_controller(&p, p.ctrls.at[i]);
            }
        }
        for (size_t i = 0; i < 40; i++) {
            enum ctrl_type t = added[next_random(&r) % 4];
            struct device *dev = plan_add_controller(
                &p, t, next_random(&r) % 12, NULL, ADDED_MACHINE);

            oracle_insert(list, &n, dev);
            assert_same_order(&p, list, n, seed);
        }
        plan_free_controller_index(&p);
        free(p.ctrls.at);
        domain_free(&dom);
    }
}
END_TEST

Suite *planner_suite(void)
{
    Suite *s = suite_create("planner");
    TCase *pc = tcase_create("pc");
    TCase *q35 = tcase_create("q35");

    tcase_add_test(pc, pc_implicit_devices);
    tcase_add_test(pc, pc_spare_slot_boundary);
    tcase_add_test(pc, pc_displaced_primary_video);
    tcase_add_test(pc, pc_where_libvirt_fails);
    tcase_add_test(pc, pc_multifunction_on_function_zero);
    tcase_add_test(pc, pc_double_use_names_both);
    tcase_add_test(pc, pc_reserve_n_free_slots);
    tcase_add_test(pc, planned_domain_is_stable);
    tcase_add_test(pc, model_controller_types_resolved);
    tcase_add_test(pc, model_typed_drive_address);
    tcase_add_test(pc, model_controller_numbering_resumes);
    tcase_add_test(pc, controller_order_matches_walk);
    tcase_add_test(q35, model_controller_index_per_type);
    tcase_add_test(q35, q35_minimal);
    tcase_add_test(q35, q35_reserve_counts);
    tcase_add_test(q35, q35_root_ports_total);
    tcase_add_test(q35, q35_conventional_device_bumped);
    tcase_add_test(q35, machine_override_and_unknown);
    suite_add_tcase(s, pc);
    suite_add_tcase(s, q35);
    return s;
}
