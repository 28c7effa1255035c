/*
 * load.c: the one place where a parsed domain XML becomes the typed model.
 *
 * Every value the planner and the views use is read and range-checked
 * here, once; what the renderer needs to splice into the original bytes
 * (element indexes of the device, its <address>, <target> and <model>) is
 * kept beside it as anchors, which no layer above the renderer reads.
 */
#include "xml/load.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <strings.h>
#include <stddef.h>
#include <limits.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

/*
 * An element of the document: its index in the table, -1 for none. The
 * lookups take a missing element and give a missing one (or NULL) back,
 * so a chain like attr(child(n, "model"), "type") needs no test between.
 */
struct elem {
    const struct xmldoc *xd;
    long i;
};

static bool present(struct elem n)
{
    return n.i >= 0;
}

static struct elem child(struct elem parent, const char *name)
{
    return (struct elem){parent.xd, xmldoc_child(parent.xd, parent.i, name)};
}

static struct elem next(struct elem n, const char *name)
{
    return (struct elem){n.xd, xmldoc_next(n.xd, n.i, name)};
}

static const char *attr_value(struct elem n, const char *name)
{
    return xmldoc_attr(n.xd, n.i, name);
}

/* Attribute value as a malloc'ed string, NULL when absent. */
static char *attr(struct elem n, const char *name)
{
    const char *v = attr_value(n, name);

    return v ? xstrdup(v) : NULL;
}

static unsigned line_of(struct elem n)
{
    return xmldoc_line(n.xd, n.i);
}

static const char *name_of(struct elem n)
{
    return xmldoc_name(n.xd, n.i);
}

/*
 * Parse an unsigned number the way libvirt does for addresses and
 * indexes: decimal, 0x-hex or 0-octal, nothing else on the line.
 */
static int parse_number_base(const char *s, int base, unsigned long max,
                             unsigned long *out)
{
    char *end;
    unsigned long v;

    /* like libvirt's virStrToLong_uip: leading blanks and '+' are fine,
     * a sign of '-' is not */
    if (!s)
        return -1;
    s += strspn(s, " \t\n\r\v\f");
    if (!*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoul(s, &end, base);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_number(const char *s, unsigned long max, unsigned long *out)
{
    return parse_number_base(s, 0, max, out);
}

static int number_attr_base(struct elem n, const char *name, int base,
                            unsigned long max, long *out, struct diag *d)
{
    const char *s = attr_value(n, name);
    unsigned long v;
    int rc = 0;

    *out = -1;
    if (!s)
        return 0;
    if (parse_number_base(s, base, max, &v) < 0)
        rc = diag_fail(d, STATUS_INVALID, line_of(n), name_of(n),
                       "invalid %s '%s' (expected %s0..%lu)", name, s,
                       base == 10 ? "a decimal number " : "", max);
    else
        *out = (long)v;
    return rc;
}

static int number_attr(struct elem n, const char *name, unsigned long max,
                       long *out, struct diag *d)
{
    return number_attr_base(n, name, 0, max, out, d);
}

static int tristate_attr(struct elem n, const char *name, int *out,
                         struct diag *d)
{
    const char *s = attr_value(n, name);
    int rc = 0;

    *out = TRI_ABSENT;
    if (!s)
        return 0;
    if (strcmp(s, "on") == 0)
        *out = TRI_ON;
    else if (strcmp(s, "off") == 0)
        *out = TRI_OFF;
    else
        rc = diag_fail(d, STATUS_INVALID, line_of(n), name_of(n),
                       "invalid %s '%s' (expected 'on' or 'off')", name, s);
    return rc;
}

/* s390 zPCI ids (<address type='pci'><zpci uid fid/>); libvirt reads
 * them on every architecture and rejects them where QEMU has no zPCI. */
static int load_zpci(struct device *dev, struct elem a, struct diag *d)
{
    struct elem z = child(a, "zpci");

    if (!present(z))
        return 0;
    dev->zpci_elem = z.i;
    if (number_attr(z, "uid", 0xffffffffUL, &dev->input_zpci.uid, d) < 0 ||
        number_attr(z, "fid", 0xffffffffUL, &dev->input_zpci.fid, d) < 0)
        return -1;
    if (dev->input_zpci.uid == 0 || dev->input_zpci.uid > 0xffff)
        return diag_fail(d, STATUS_INVALID, line_of(z), "zpci",
                         "invalid uid '0x%04lx' (expected 0x0001..0xffff)",
                         (unsigned long)dev->input_zpci.uid);
    return 0;
}

static int load_pci_address(struct device *dev, struct elem a, struct diag *d)
{
    static const struct {
        const char *name;
        unsigned long max;
    } fields[] = {
        {"domain", 0xffff}, {"bus", 0xff}, {"slot", 0x1f}, {"function", 7}};
    unsigned *dest[] = {&dev->addr.domain, &dev->addr.bus, &dev->addr.slot,
                        &dev->addr.function};

    for (size_t i = 0; i < 4; i++) {
        long v;

        if (number_attr(a, fields[i].name, fields[i].max, &v, d) < 0)
            return -1;
        *dest[i] = v < 0 ? 0 : (unsigned)v;
    }
    if (dev->addr.domain != 0)
        return diag_fail(d, STATUS_INVALID, line_of(a), "address",
                         "PCI domain 0x%04x is not supported (only 0)",
                         dev->addr.domain);
    if (tristate_attr(a, "multifunction", &dev->addr.multifunction, d) < 0 ||
        load_zpci(dev, a, d) < 0)
        return -1;
    dev->input_addr = dev->addr;
    return 0;
}

/* Keep a non-PCI address's attributes as written (those that fit). */
/*
 * An address attribute as the model keeps it. libvirt reads numbers past
 * leading blanks and a '+', and writes them back without: so does
 * pciplan when it completes the address. A number too long for the slot
 * (leading zeros) is kept by value; anything else as written.
 */
static void keep_address_value(char *out, size_t size, const char *v)
{
    const char *s = v + strspn(v, " \t\n\r\v\f");
    unsigned long long n;
    char *end;
    bool hex;

    if (*s == '+')
        s++;
    if (strlen(s) < size) {
        snprintf(out, size, "%s", s);
        return;
    }
    hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    errno = 0;
    n = strtoull(s, &end, hex ? 16 : 10);
    if (!errno && end != s && !*end) {
        snprintf(out, size, hex ? "0x%llx" : "%llu", n);
        return;
    }
    snprintf(out, size, "%s", v);
}

static void load_other_address(struct device *dev, struct elem a,
                               const char *type)
{
    struct other_addr *o = device_set_other(dev, addr_kind_from_name(type));

    assert(o->kind != ADDR_KIND_NONE);
    for (size_t i = 0; i < xmldoc_nattrs(a.xd, a.i); i++) {
        const char *name = xmldoc_attr_name(a.xd, a.i, i);

        if (strcmp(name, "type") == 0 || o->nattrs == OTHER_ADDR_ATTRS)
            continue;
        snprintf(o->name[o->nattrs], sizeof(o->name[0]), "%s", name);
        keep_address_value(o->value[o->nattrs], sizeof(o->value[0]),
                           xmldoc_attr_value(a.xd, a.i, i));
        o->nattrs++;
    }
    domain_other_resolve(o);
}

/*
 * The address types libvirt knows, each numeric field read in the base
 * libvirt reads it in (the model's table); libvirt reads spapr-vio's reg
 * and a dimm's base as 64-bit numbers, the rest as unsigned ints.
 */
static int check_other_address(struct elem a, const char *type, struct diag *d)
{
    enum addr_kind kind = addr_kind_from_name(type);
    const char *name;

    if (kind == ADDR_KIND_NONE)
        return diag_fail(d, STATUS_INVALID, line_of(a), "address",
                         "unknown address type '%s'", type);
    for (unsigned f = 0; (name = addr_kind_field(kind, f)) != NULL; f++) {
        bool wide = strcmp(name, "reg") == 0 || strcmp(name, "base") == 0;
        long v;

        if (number_attr_base(a, name, addr_kind_field_base(kind, f),
                             wide ? (unsigned long)LONG_MAX : 0xffffffffUL, &v,
                             d) < 0)
            return -1;
    }
    return 0;
}

static int load_address(struct device *dev, struct elem n, struct diag *d)
{
    struct elem a = child(n, "address");
    char *type;
    long ctrl;

    dev->addr.multifunction = TRI_ABSENT;
    dev->addr_controller = -1;
    if (!present(a))
        return 0;
    dev->addr_elem = a.i;
    /* libvirt's parser skips the address of a model='none' USB
     * controller (it is no device): it takes no slot and is dropped */
    if (dev->kind == DEV_CONTROLLER && dev->ctrl_type == CTRL_TYPE_USB &&
        str_eq(dev->model, "none")) {
        dev->addr_dropped = true;
        return 0;
    }
    type = attr(a, "type");
    if (!type)
        return diag_fail(d, STATUS_INVALID, line_of(a), "address",
                         "missing type attribute");
    if (strcmp(type, "pci") == 0) {
        free(type);
        dev->addr_type = ADDR_PCI;
        return load_pci_address(dev, a, d);
    }
    if (check_other_address(a, type, d) < 0 ||
        number_attr(a, "controller", 0xffffffffUL, &ctrl, d) < 0) {
        free(type);
        return -1;
    }
    dev->addr_type = ADDR_OTHER;
    dev->addr_controller = ctrl;
    load_other_address(dev, a, type);
    free(type);
    return 0;
}

static int load_target(struct device *dev, struct elem t, struct diag *d)
{
    struct ctrl_target *tg = &dev->target;
    struct elem node;

    dev->target_elem = t.i;
    if (number_attr(t, "chassisNr", 255, &tg->chassis_nr, d) < 0 ||
        number_attr(t, "chassis", 255, &tg->chassis, d) < 0 ||
        number_attr(t, "port", 255, &tg->port, d) < 0 ||
        number_attr(t, "busNr", 255, &tg->bus_nr, d) < 0 ||
        number_attr(t, "index", 255, &tg->index, d) < 0 ||
        tristate_attr(t, "hotplug", &tg->hotplug, d) < 0)
        return -1;
    node = child(t, "node");
    if (present(node)) {
        char *text = xmldoc_text(node.xd, node.i);
        unsigned long v;
        int bad = parse_number(text, 0xffff, &v);

        free(text);
        if (bad)
            return diag_fail(d, STATUS_INVALID, line_of(node), "node",
                             "invalid NUMA node number");
        tg->node = (long)v;
    }
    return 0;
}

/*
 * The first root port an ICH9 UHCI companion serves on its EHCI1, which
 * libvirt's parser fills in when the controller has no <master>; -1 for
 * every other model.
 */
static long companion_startport(const char *model)
{
    static const char *const companions[] = {"ich9-uhci1", "ich9-uhci2",
                                             "ich9-uhci3"};

    for (size_t i = 0; model && i < 3; i++) {
        if (strcmp(model, companions[i]) == 0)
            return 2 * (long)i;
    }
    return -1;
}

/* The byte multiple of a libvirt unit suffix (virScaleInteger), 0 if
 * unknown; no suffix means KiB here. */
static unsigned long long unit_scale(const char *unit)
{
    static const char powers[] = "kmgtpe";
    const char *p;
    unsigned long long base, scale = 1;

    if (!unit || !*unit)
        return 1024;
    if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
        strcasecmp(unit, "bytes") == 0)
        return 1;
    if (!unit[1] || strcasecmp(unit + 1, "iB") == 0)
        base = 1024;
    else if (strcasecmp(unit + 1, "B") == 0)
        base = 1000;
    else
        return 0;
    if (!(p = strchr(powers, tolower((unsigned char)unit[0]))))
        return 0;
    for (ptrdiff_t i = 0; i <= p - powers; i++)
        scale *= base;
    return scale;
}

/*
 * <pcihole64 unit=...>N</pcihole64> of a root bus: libvirt keeps the size
 * in KiB (rounded up) and writes it back as unit='KiB'. A value it cannot
 * read is left as written (libvirt's own check reports it).
 */
static void load_pcihole64(struct device *dev, struct elem h)
{
    char *unit = attr(h, "unit");
    char *text = xmldoc_text(h.xd, h.i);
    unsigned long long scale = unit_scale(unit), v;
    char *end, canon[32];

    if (text && scale && *text >= '0' && *text <= '9') {
        errno = 0;
        v = strtoull((const char *)text, &end, 10);
        if (!errno && !*end && v <= ULLONG_MAX / scale) {
            dev->pcihole64_elem = h.i;
            dev->pcihole64_kib = (v * scale + 1023) / 1024;
            snprintf(canon, sizeof(canon), "%llu", dev->pcihole64_kib);
            dev->pcihole64_rewrite = !unit || strcmp(unit, "KiB") != 0 ||
                                     strcmp((const char *)text, canon) != 0;
        }
    }
    free(unit);
    free(text);
}

/*
 * libvirt's parser refuses a controller type it has no name for, and a
 * model= it does not know for the type; PCI models are checked with the
 * PCI rules.
 */
static int check_controller_names(const struct device *dev, struct elem n,
                                  struct diag *d)
{
    if (dev->ctrl_type == CTRL_TYPE_OTHER)
        return diag_fail(d, STATUS_INVALID, line_of(n), "controller",
                         "invalid type '%s' (expected ide, fdc, scsi, sata, "
                         "virtio-serial, ccid, usb, pci, xenbus or isa)",
                         dev->type);
    if (dev->model && dev->ctrl_type != CTRL_TYPE_PCI &&
        dev->ctrl_type != CTRL_TYPE_NONE &&
        !ctrl_model_known(dev->ctrl_type, dev->model))
        return diag_fail(d, STATUS_INVALID, line_of(n), "controller",
                         "unknown model '%s' for controller type '%s'",
                         dev->model, dev->type);
    return 0;
}

/* libvirt's parser allows one <model> and one <target> in a controller. */
static int check_single_children(struct elem n, struct diag *d)
{
    static const char *const single[] = {"model", "target"};

    for (size_t i = 0; i < 2; i++) {
        struct elem first = child(n, single[i]);
        struct elem second = next(first, single[i]);

        if (present(second))
            return diag_fail(d, STATUS_INVALID, line_of(second), single[i],
                             "a controller has one <%s> at most (the first "
                             "is at line %u)",
                             single[i], line_of(first));
    }
    return 0;
}

static int load_controller(struct device *dev, struct elem n, struct diag *d)
{
    struct elem model = child(n, "model");
    struct elem target = child(n, "target");
    struct elem master = child(n, "master");
    bool usb;

    if (present(child(n, "pcihole64")))
        load_pcihole64(dev, child(n, "pcihole64"));
    dev->model = attr(n, "model");
    /* no type= is libvirt's first type, and its output says so */
    if (!dev->type) {
        dev->type = xstrdup(ctrl_type_name(CTRL_TYPE_IDE));
        dev->type_added = true;
    }
    domain_resolve_controller(dev);
    if (check_controller_names(dev, n, d) < 0 ||
        check_single_children(n, d) < 0)
        return -1;
    usb = dev->ctrl_type == CTRL_TYPE_USB;
    dev->has_master = present(master);
    dev->master_startport = -1;
    if (present(master) && number_attr(master, "startport", 0x7fffffff,
                                       &dev->master_startport, d) < 0)
        return -1;
    if (usb && !present(master) &&
        (dev->master_startport = companion_startport(dev->model)) >= 0) {
        dev->has_master = true;
        dev->master_added = true;
    }
    if (number_attr(n, "ports", 255, &dev->ports, d) < 0)
        return -1;
    /* libvirt reads a controller index as a decimal int */
    if (number_attr_base(n, "index", 10, 0x7fffffffUL, &dev->index, d) < 0)
        return -1;
    if (present(model)) {
        dev->model_name_elem = model.i;
        dev->model_name = attr(model, "name");
    }
    if (present(target))
        return load_target(dev, target, d);
    return 0;
}

/* The bus libvirt infers for a disk target without bus=. */
static char *default_disk_bus(const char *device, const char *dev)
{
    static const struct {
        const char *prefix, *bus;
    } by_prefix[] = {{"hd", "ide"},
                     {"sd", "scsi"},
                     {"vd", "virtio"},
                     {"xvd", "xen"},
                     {"ubd", "uml"}};

    if (device && strcmp(device, "floppy") == 0)
        return xstrdup("fdc");
    for (size_t i = 0; dev && i < sizeof(by_prefix) / sizeof(*by_prefix); i++) {
        if (strncmp(dev, by_prefix[i].prefix, strlen(by_prefix[i].prefix)) == 0)
            return xstrdup(by_prefix[i].bus);
    }
    return xstrdup("ide");
}

/*
 * The bus libvirt's parser gives an <input> without bus= in an hvm
 * guest: PS/2 for an x86 mouse or keyboard, virtio on s390 and for
 * passthrough, none for evdev, USB for the rest (a tablet everywhere).
 */
static const char *default_input_bus(const char *type, const char *arch)
{
    bool x86 =
        !arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0;
    bool s390 = arch && strncmp(arch, "s390", 4) == 0;

    if (!type)
        return NULL;
    if (x86 && (strcmp(type, "mouse") == 0 || strcmp(type, "keyboard") == 0))
        return "ps2";
    if (s390 || strcmp(type, "passthrough") == 0)
        return "virtio";
    if (strcmp(type, "evdev") == 0)
        return NULL;
    return "usb";
}

/* The model string of <model type='...'/> children (interface, video,
 * shmem). */
static char *model_child_type(struct elem n)
{
    return attr(child(n, "model"), "type");
}

static int load_details(struct device *dev, const struct domain *dom,
                        struct elem n, struct diag *d)
{
    struct elem target = child(n, "target");

    switch (dev->kind) {
    case DEV_DISK:
        free(dev->type);
        dev->type = attr(n, "device");
        dev->model = attr(n, "model");
        dev->bus = attr(target, "bus");
        dev->dev = attr(target, "dev");
        if (!dev->bus)
            dev->bus = default_disk_bus(dev->type, dev->dev);
        break;
    case DEV_CONTROLLER:
        return load_controller(dev, n, d);
    case DEV_FILESYSTEM:
        dev->model = attr(child(n, "driver"), "type");
        dev->fs_model = attr(n, "model");
        break;
    case DEV_INTERFACE:
    case DEV_SHMEM:
        dev->model = model_child_type(n);
        break;
    case DEV_VIDEO: {
        struct elem model = child(n, "model");
        char *primary = attr(model, "primary");

        dev->model = attr(model, "type");
        dev->primary = primary && strcmp(primary, "yes") == 0;
        free(primary);
        break;
    }
    case DEV_SERIAL:
    case DEV_CHANNEL:
    case DEV_CONSOLE:
        free(dev->type);
        dev->type = attr(target, "type");
        break;
    case DEV_INPUT: {
        const char *bus = NULL;

        dev->bus = attr(n, "bus");
        dev->model = attr(n, "model");
        if (!dev->bus && (bus = default_input_bus(dev->type, dom->arch))) {
            dev->bus = xstrdup(bus);
            dev->bus_added = true;
        }
        break;
    }
    case DEV_REDIRDEV:
        dev->bus = attr(n, "bus");
        break;
    case DEV_WATCHDOG:
        dev->model = attr(n, "model");
        dev->action = attr(n, "action");
        break;
    default:
        dev->model = attr(n, "model");
        break;
    }
    return 0;
}

/*
 * The address kinds libvirt allows for a device's bus: a USB input or
 * redirdev takes a USB address, an IDE, floppy, SCSI or SATA disk a
 * drive address (or none).
 */
static int check_address_fits(const struct device *dev, struct diag *d)
{
    static const char *const drive_buses[] = {"ide", "fdc", "scsi", "sata"};
    const char *type = device_addr_type(dev);

    if (dev->addr_type == ADDR_NONE)
        return 0;
    if ((dev->kind == DEV_INPUT || dev->kind == DEV_REDIRDEV) &&
        str_eq(dev->bus, "usb") && !str_eq(type, "usb"))
        return diag_fail(d, STATUS_INVALID, dev->line, dev_kind_name(dev->kind),
                         "invalid address type '%s' for a USB device", type);
    for (size_t i = 0; dev->kind == DEV_DISK && i < 4; i++) {
        if (str_eq(dev->bus, drive_buses[i]) && !str_eq(type, "drive"))
            return diag_fail(d, STATUS_INVALID, dev->line, "disk",
                             "invalid address type '%s' for the disk '%s' "
                             "with the bus type '%s'",
                             type, dev->dev ? dev->dev : "", dev->bus);
    }
    return 0;
}

static int load_device(struct domain *dom, struct elem n, struct diag *d)
{
    struct device *dev = domain_add_device(dom, dev_kind_from_name(name_of(n)));

    dev->elem = n.i;
    dev->line = line_of(n);
    if (dev->kind == DEV_OTHER || dev->kind == DEV_EMULATOR)
        return 0;
    dev->type = attr(n, "type");
    if (load_details(dev, dom, n, d) < 0 || load_address(dev, n, d) < 0)
        return -1;
    return check_address_fits(dev, d);
}

static void load_memory_slots(struct domain *dom, struct elem root)
{
    char *slots = attr(child(root, "maxMemory"), "slots");
    unsigned long v;

    dom->memory_slots =
        slots && parse_number(slots, 4096, &v) == 0 ? (long)v : 0;
    free(slots);
}

static void load_os(struct domain *dom, struct elem root)
{
    struct elem type = child(child(root, "os"), "type");
    struct elem cpu = child(root, "cpu");

    struct elem acpi = child(child(root, "features"), "acpi");

    dom->has_numa = present(child(cpu, "numa"));
    dom->acpi_line = line_of(acpi);
    load_memory_slots(dom, root);
    if (!present(type))
        return;
    dom->os_type_elem = type.i;
    dom->os_type_line = line_of(type);
    dom->arch = attr(type, "arch");
    dom->machine = attr(type, "machine");
}

int domain_load(struct domain *dom, const struct xmldoc *xd, struct diag *d)
{
    struct elem root = {xd, 0};
    struct elem devices = child(root, "devices");

    memset(dom, 0, sizeof(*dom));
    dom->os_type_elem = -1;
    dom->devices_elem = -1;
    load_os(dom, root);
    if (!present(devices))
        return 0;
    dom->devices_elem = devices.i;
    dom->devices_line = line_of(devices);
    /* libvirt reads the devices of every <devices> element (and writes
     * one); added devices go to the first, the others' devices are
     * addressed where they are */
    for (; present(devices); devices = next(devices, "devices")) {
        for (struct elem c = child(devices, NULL); present(c);
             c = next(c, NULL)) {
            if (load_device(dom, c, d) < 0)
                return -1;
        }
    }
    return 0;
}
