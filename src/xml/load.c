/*
 * load.c: the one place where a parsed domain XML becomes the typed model.
 *
 * Every value the planner and the views use is read and range-checked
 * here, once; what the renderer needs to splice into the original bytes
 * (element indexes of the device, its <address>, <target> and <model>) is
 * kept beside it as anchors, which no layer above the renderer reads.
 */
#include "xml/load.h"
#include "util/xalloc.h"

#include <errno.h>
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

/* Attribute value as a malloc'ed string, NULL when absent. */
static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
    char *copy;

    if (!v)
        return NULL;
    copy = xstrdup((const char *)v);
    xmlFree(v);
    return copy;
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
static int parse_number(const char *s, unsigned long max, unsigned long *out)
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
    v = strtoul(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int number_attr(xmlNodePtr n, const char *name, unsigned long max,
                       long *out, struct diag *d)
{
    char *s = attr(n, name);
    unsigned long v;
    int rc = 0;

    *out = -1;
    if (!s)
        return 0;
    if (parse_number(s, max, &v) < 0)
        rc = diag_fail(d, STATUS_INVALID, line_of(n), (const char *)n->name,
                       "invalid %s '%s' (expected 0..%lu)", name, s, max);
    else
        *out = (long)v;
    free(s);
    return rc;
}

static int tristate_attr(xmlNodePtr n, const char *name, int *out,
                         struct diag *d)
{
    char *s = attr(n, name);
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
    free(s);
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
static void load_other_address(struct other_addr *o, xmlNodePtr a,
                               const char *type)
{
    snprintf(o->type, sizeof(o->type), "%s", type);
    for (xmlAttrPtr at = a->properties; at; at = at->next) {
        xmlChar *v;

        if (strcmp((const char *)at->name, "type") == 0 ||
            o->nattrs == OTHER_ADDR_ATTRS)
            continue;
        v = xmlNodeListGetString(a->doc, at->children, 1);
        snprintf(o->name[o->nattrs], sizeof(o->name[0]), "%s", at->name);
        snprintf(o->value[o->nattrs], sizeof(o->value[0]), "%s",
                 v ? (const char *)v : "");
        xmlFree(v);
        o->nattrs++;
    }
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
    if (number_attr(a, "controller", 0xffffffffUL, &ctrl, d) < 0)
        return -1;
    dev->addr_controller = ctrl;
    load_other_address(&dev->other, a, type);
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

static int load_controller(struct device *dev, const struct xmldoc *xd,
                           xmlNodePtr n, struct diag *d)
{
    xmlNodePtr model = child_element(n, "model");
    xmlNodePtr target = child_element(n, "target");

    dev->model = attr(n, "model");
    dev->has_master = child_element(n, "master") != NULL;
    if (number_attr(n, "ports", 255, &dev->ports, d) < 0)
        return -1;
    if (number_attr(n, "index", 255, &dev->index, d) < 0)
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

/* The model string of <model type='...'/> children (interface, video,
 * shmem). */
static char *model_child_type(xmlNodePtr n)
{
    return attr(child_element(n, "model"), "type");
}

static int load_details(struct device *dev, const struct xmldoc *xd,
                        xmlNodePtr n, struct diag *d)
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
    case DEV_INPUT:
        dev->bus = attr(n, "bus");
        dev->model = attr(n, "model");
        break;
    case DEV_REDIRDEV:
        dev->bus = attr(n, "bus");
        break;
    default:
        dev->model = attr(n, "model");
        break;
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
    if (load_details(dev, xd, n, d) < 0)
        return -1;
    return load_address(dev, xd, n, d);
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

    dom->has_numa = child_element(cpu, "numa") != NULL;
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
    for (xmlNodePtr c = devices->children; c; c = c->next) {
        if (is_element(c, NULL) && load_device(dom, xd, c, d) < 0)
            return -1;
    }
    return 0;
}
