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

static bool is_element(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           (!name || strcmp((const char *)n->name, name) == 0);
}

static xmlNodePtr child_element(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
        if (is_element(c, name))
            return c;
    }
    return NULL;
}

/*
 * Attribute value, NULL when absent; *tofree is what the caller frees
 * (NULL when the value is the DOM's own). A parsed attribute is one text
 * node, read in place; anything else (a value from the DTD's defaults,
 * several nodes) is what xmlGetNoNsProp() makes of it.
 */
static const char *attr_value(xmlNodePtr n, const char *name, char **tofree)
{
    xmlAttrPtr a;
    xmlChar *v;

    *tofree = NULL;
    if (!n)
        return NULL;
    for (a = n->properties; a; a = a->next) {
        xmlNodePtr t = a->children;

        if (a->ns || strcmp((const char *)a->name, name) != 0)
            continue;
        if (t && !t->next && t->type == XML_TEXT_NODE && t->content)
            return (const char *)t->content;
        break;
    }
    /* only a DTD can declare an attribute the element does not have */
    if (!a && !n->doc->intSubset && !n->doc->extSubset)
        return NULL;
    v = xmlGetNoNsProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    *tofree = xstrdup((const char *)v);
    xmlFree(v);
    return *tofree;
}

/* Attribute value as a malloc'ed string, NULL when absent. */
static char *attr(xmlNodePtr n, const char *name)
{
    char *tofree;
    const char *v = attr_value(n, name, &tofree);

    return tofree ? tofree : v ? xstrdup(v) : NULL;
}

static unsigned line_of(xmlNodePtr n)
{
    long line = xmlGetLineNo(n);

    return line > 0 ? (unsigned)line : 0;
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

static int number_attr_base(xmlNodePtr n, const char *name, int base,
                            unsigned long max, long *out, struct diag *d)
{
    char *tofree;
    const char *s = attr_value(n, name, &tofree);
    unsigned long v;
    int rc = 0;

    *out = -1;
    if (!s)
        return 0;
    if (parse_number_base(s, base, max, &v) < 0)
        rc = diag_fail(d, STATUS_INVALID, line_of(n), (const char *)n->name,
                       "invalid %s '%s' (expected %s0..%lu)", name, s,
                       base == 10 ? "a decimal number " : "", max);
    else
        *out = (long)v;
    free(tofree);
    return rc;
}

static int number_attr(xmlNodePtr n, const char *name, unsigned long max,
                       long *out, struct diag *d)
{
    return number_attr_base(n, name, 0, max, out, d);
}

static int tristate_attr(xmlNodePtr n, const char *name, int *out,
                         struct diag *d)
{
    char *tofree;
    const char *s = attr_value(n, name, &tofree);
    int rc = 0;

    *out = TRI_ABSENT;
    if (!s)
        return 0;
    if (strcmp(s, "on") == 0)
        *out = TRI_ON;
    else if (strcmp(s, "off") == 0)
        *out = TRI_OFF;
    else
        rc = diag_fail(d, STATUS_INVALID, line_of(n), (const char *)n->name,
                       "invalid %s '%s' (expected 'on' or 'off')", name, s);
    free(tofree);
    return rc;
}

/* s390 zPCI ids (<address type='pci'><zpci uid fid/>); libvirt reads
 * them on every architecture and rejects them where QEMU has no zPCI. */
static int load_zpci(struct device *dev, const struct xmldoc *xd, xmlNodePtr a,
                     struct diag *d)
{
    xmlNodePtr z = child_element(a, "zpci");

    if (!z)
        return 0;
    dev->zpci_elem = xmldoc_elem_index(xd, z);
    if (number_attr(z, "uid", 0xffffffffUL, &dev->input_zpci.uid, d) < 0 ||
        number_attr(z, "fid", 0xffffffffUL, &dev->input_zpci.fid, d) < 0)
        return -1;
    if (dev->input_zpci.uid == 0 || dev->input_zpci.uid > 0xffff)
        return diag_fail(d, STATUS_INVALID, line_of(z), "zpci",
                         "invalid uid '0x%04lx' (expected 0x0001..0xffff)",
                         (unsigned long)dev->input_zpci.uid);
    return 0;
}

static int load_pci_address(struct device *dev, const struct xmldoc *xd,
                            xmlNodePtr a, struct diag *d)
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
        load_zpci(dev, xd, a, d) < 0)
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

static void load_other_address(struct device *dev, xmlNodePtr a,
                               const char *type)
{
    struct other_addr *o = device_set_other(dev, addr_kind_from_name(type));

    assert(o->kind != ADDR_KIND_NONE);
    for (xmlAttrPtr at = a->properties; at; at = at->next) {
        xmlChar *v;

        if (strcmp((const char *)at->name, "type") == 0 ||
            o->nattrs == OTHER_ADDR_ATTRS)
            continue;
        v = xmlNodeListGetString(a->doc, at->children, 1);
        snprintf(o->name[o->nattrs], sizeof(o->name[0]), "%s", at->name);
        keep_address_value(o->value[o->nattrs], sizeof(o->value[0]),
                           v ? (const char *)v : "");
        xmlFree(v);
        o->nattrs++;
    }
    domain_other_resolve(o);
}

/*
 * The address types libvirt knows, each numeric field read in the base
 * libvirt reads it in (the model's table); libvirt reads spapr-vio's reg
 * and a dimm's base as 64-bit numbers, the rest as unsigned ints.
 */
static int check_other_address(xmlNodePtr a, const char *type, struct diag *d)
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

static int load_address(struct device *dev, const struct xmldoc *xd,
                        xmlNodePtr n, struct diag *d)
{
    xmlNodePtr a = child_element(n, "address");
    char *type;
    long ctrl;

    dev->addr.multifunction = TRI_ABSENT;
    dev->addr_controller = -1;
    if (!a)
        return 0;
    dev->addr_elem = xmldoc_elem_index(xd, a);
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
        return load_pci_address(dev, xd, a, d);
    }
    dev->addr_type = ADDR_OTHER;
    dev->addr_type_name = type;
    if (check_other_address(a, type, d) < 0)
        return -1;
    if (number_attr(a, "controller", 0xffffffffUL, &ctrl, d) < 0)
        return -1;
    dev->addr_controller = ctrl;
    load_other_address(dev, a, type);
    return 0;
}

static int load_target(struct device *dev, const struct xmldoc *xd,
                       xmlNodePtr t, struct diag *d)
{
    struct ctrl_target *tg = &dev->target;
    xmlNodePtr node;

    dev->target_elem = xmldoc_elem_index(xd, t);
    if (number_attr(t, "chassisNr", 255, &tg->chassis_nr, d) < 0 ||
        number_attr(t, "chassis", 255, &tg->chassis, d) < 0 ||
        number_attr(t, "port", 255, &tg->port, d) < 0 ||
        number_attr(t, "busNr", 255, &tg->bus_nr, d) < 0 ||
        number_attr(t, "index", 255, &tg->index, d) < 0 ||
        tristate_attr(t, "hotplug", &tg->hotplug, d) < 0)
        return -1;
    node = child_element(t, "node");
    if (node) {
        xmlChar *text = xmlNodeGetContent(node);
        unsigned long v;
        int bad = parse_number((const char *)text, 0xffff, &v);

        xmlFree(text);
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
static void load_pcihole64(struct device *dev, const struct xmldoc *xd,
                           xmlNodePtr h)
{
    char *unit = attr(h, "unit");
    xmlChar *text = xmlNodeGetContent(h);
    unsigned long long scale = unit_scale(unit), v;
    char *end, canon[32];

    if (text && scale && *text >= '0' && *text <= '9') {
        errno = 0;
        v = strtoull((const char *)text, &end, 10);
        if (!errno && !*end && v <= ULLONG_MAX / scale) {
            dev->pcihole64_elem = xmldoc_elem_index(xd, h);
            dev->pcihole64_kib = (v * scale + 1023) / 1024;
            snprintf(canon, sizeof(canon), "%llu", dev->pcihole64_kib);
            dev->pcihole64_rewrite = !unit || strcmp(unit, "KiB") != 0 ||
                                     strcmp((const char *)text, canon) != 0;
        }
    }
    free(unit);
    xmlFree(text);
}

static int load_controller(struct device *dev, const struct xmldoc *xd,
                           xmlNodePtr n, struct diag *d)
{
    xmlNodePtr model = child_element(n, "model");
    xmlNodePtr target = child_element(n, "target");
    xmlNodePtr master = child_element(n, "master");
    bool usb;

    if (child_element(n, "pcihole64"))
        load_pcihole64(dev, xd, child_element(n, "pcihole64"));
    dev->model = attr(n, "model");
    domain_resolve_controller(dev);
    usb = dev->ctrl_type == CTRL_TYPE_USB;
    dev->has_master = master != NULL;
    dev->master_startport = -1;
    if (master && number_attr(master, "startport", 0x7fffffff,
                              &dev->master_startport, d) < 0)
        return -1;
    if (usb && !master &&
        (dev->master_startport = companion_startport(dev->model)) >= 0) {
        dev->has_master = true;
        dev->master_added = true;
    }
    if (number_attr(n, "ports", 255, &dev->ports, d) < 0)
        return -1;
    /* libvirt reads a controller index as a decimal int */
    if (number_attr_base(n, "index", 10, 0x7fffffffUL, &dev->index, d) < 0)
        return -1;
    if (model) {
        dev->model_name_elem = xmldoc_elem_index(xd, model);
        dev->model_name = attr(model, "name");
    }
    if (target)
        return load_target(dev, xd, target, d);
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
static char *model_child_type(xmlNodePtr n)
{
    return attr(child_element(n, "model"), "type");
}

static int load_details(struct device *dev, const struct domain *dom,
                        const struct xmldoc *xd, xmlNodePtr n, struct diag *d)
{
    xmlNodePtr target = child_element(n, "target");

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
        return load_controller(dev, xd, n, d);
    case DEV_FILESYSTEM:
        dev->model = attr(child_element(n, "driver"), "type");
        dev->fs_model = attr(n, "model");
        break;
    case DEV_INTERFACE:
    case DEV_SHMEM:
        dev->model = model_child_type(n);
        break;
    case DEV_VIDEO: {
        xmlNodePtr model = child_element(n, "model");
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
    const char *type = dev->addr_type == ADDR_PCI ? "pci" : dev->addr_type_name;

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

static int load_device(struct domain *dom, const struct xmldoc *xd,
                       xmlNodePtr n, struct diag *d)
{
    struct device *dev =
        domain_add_device(dom, dev_kind_from_name((const char *)n->name));

    dev->elem = xmldoc_elem_index(xd, n);
    dev->line = line_of(n);
    if (dev->kind == DEV_OTHER || dev->kind == DEV_EMULATOR)
        return 0;
    dev->type = attr(n, "type");
    if (load_details(dev, dom, xd, n, d) < 0 || load_address(dev, xd, n, d) < 0)
        return -1;
    return check_address_fits(dev, d);
}

static void load_memory_slots(struct domain *dom, xmlNodePtr root)
{
    char *slots = attr(child_element(root, "maxMemory"), "slots");
    unsigned long v;

    dom->memory_slots =
        slots && parse_number(slots, 4096, &v) == 0 ? (long)v : 0;
    free(slots);
}

static void load_os(struct domain *dom, const struct xmldoc *xd,
                    xmlNodePtr root)
{
    xmlNodePtr type = child_element(child_element(root, "os"), "type");
    xmlNodePtr cpu = child_element(root, "cpu");

    xmlNodePtr acpi = child_element(child_element(root, "features"), "acpi");

    dom->has_numa = child_element(cpu, "numa") != NULL;
    dom->acpi_line = acpi ? line_of(acpi) : 0;
    load_memory_slots(dom, root);
    if (!type)
        return;
    dom->os_type_elem = xmldoc_elem_index(xd, type);
    dom->os_type_line = line_of(type);
    dom->arch = attr(type, "arch");
    dom->machine = attr(type, "machine");
}

int domain_load(struct domain *dom, const struct xmldoc *xd, struct diag *d)
{
    xmlNodePtr root = xmlDocGetRootElement(xd->doc);
    xmlNodePtr devices = child_element(root, "devices");

    memset(dom, 0, sizeof(*dom));
    dom->os_type_elem = -1;
    dom->devices_elem = -1;
    load_os(dom, xd, root);
    if (!devices)
        return 0;
    dom->devices_elem = xmldoc_elem_index(xd, devices);
    dom->devices_line = devices ? line_of(devices) : 0;
    /* libvirt reads the devices of every <devices> element (and writes
     * one); added devices go to the first, the others' devices are
     * addressed where they are */
    for (; devices; devices = devices->next) {
        if (!is_element(devices, "devices"))
            continue;
        for (xmlNodePtr c = devices->children; c; c = c->next) {
            if (is_element(c, NULL) && load_device(dom, xd, c, d) < 0)
                return -1;
        }
    }
    return 0;
}
