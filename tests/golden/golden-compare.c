/*
 * golden-compare.c: compare the PCI aspects of two libvirt domain XML files
 *
 *   golden-compare EXPECTED.xml ACTUAL.xml
 *       exit 0 when ACTUAL agrees with EXPECTED on every PCI controller and
 *       every PCI device address, else print one line per difference and
 *       exit 1.
 *   golden-compare --summary FILE.xml
 *       print the normalised PCI summary that is compared.
 *   golden-compare --all EXPECTED.xml ACTUAL.xml
 *   golden-compare --summary --all FILE.xml
 *       the same, but every device address of any type is compared
 *       (drive, usb, virtio-serial, spapr-vio, ccw, isa, dimm, ccid,
 *       virtio-mmio, unassigned, ...), not only PCI ones.
 *
 * Compared: every <controller> under <devices>, keyed by (type, index):
 * model attribute, <model name>, all <target> attributes, <target><node>
 * and <address>.  Every other device with a PCI <address> (in either
 * file), keyed by element name and target dev (disks), ordinal among
 * inputs with the same bus (inputs) or ordinal among siblings of the same
 * name (everything else): its <address>.  Numbers are compared by value,
 * multifunction as given.  Nothing else is looked at.
 *
 * With --all, every device's <address> is compared whatever its type: type
 * and all attributes, numbers by value in libvirt's base for each
 * (reg='0x00002000' equals reg='2000', both hex), anything else (a USB port
 * path such as '1.2') as text.  A device of EXPECTED that carries an address
 * but has no counterpart in ACTUAL is reported missing, one of ACTUAL that
 * carries an address but has none in EXPECTED is reported unexpected.
 *
 * --full (what the libvirt checks use) is --all and more: every attribute
 * of a controller (model, ports, vectors, ...; only type and index, its key,
 * are left out) and every child of it but its address (<model>, <target>
 * with all its attributes and children, <master startport>, <driver>, ...),
 * compared as a canonical text; the <zpci uid fid> child of a PCI address
 * (s390x) as part of the address; devices of every <devices> element of
 * the domain, numbered across them.  A device or controller present on one
 * side only is a difference.
 *
 * Exit status: 0 equal, 1 different, 2 usage or parse error.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define MAX_FIELDS 32

typedef struct {
    const char *name; /* "model", "target port", "address", ... */
    char *value;      /* normalised; NULL = absent */
} Field;

typedef struct {
    char *key; /* "controller pci index 1", "disk vda", ... */
    bool controller;
    bool pci;     /* device with a PCI address */
    bool address; /* device with an address of any type */
    size_t nfields;
    Field fields[MAX_FIELDS];
} Item;

typedef struct {
    Item *items;
    size_t nitems;
} Summary;

/* --all: compare addresses of every type, not only PCI */
static bool all_addresses;
/* --full: --all plus every controller attribute and child, zpci, and all
 * <devices> elements */
static bool full;

/* per-name device counters across all <devices> elements (--full) */
typedef struct {
    char *name;
    size_t n;
} Counter;
static Counter *counters;
static size_t ncounters;
static bool primary_video_seen;

static size_t next_ordinal(const char *name);
static const char *intern(const char *name);

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);

    if (!p) {
        fputs("golden-compare: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *fmt(const char *f, ...)
{
    va_list ap;
    int len;
    char *s;

    va_start(ap, f);
    len = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    s = xalloc((size_t)len + 1);
    va_start(ap, f);
    vsnprintf(s, (size_t)len + 1, f, ap);
    va_end(ap);
    return s;
}

static bool is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           (!name || xmlStrEqual(n->name, BAD_CAST name));
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    xmlNode *c;

    for (c = n->children; c; c = c->next)
        if (is_elem(c, name))
            return c;
    return NULL;
}

/* Attribute value or NULL; the result must be freed with xmlFree. */
static char *attr(const xmlNode *n, const char *name)
{
    return (char *)xmlGetNoNsProp(n, BAD_CAST name);
}

static bool attr_is(const xmlNode *n, const char *name, const char *value)
{
    char *v = attr(n, name);
    bool ret = v && strcmp(v, value) == 0;

    xmlFree(v);
    return ret;
}

/* Parse a number in 'base' (0: decimal, 0x hex or 0 octal) as libvirt
 * does: leading blanks and a + allowed, no -, nothing after it. */
static bool number_base(const char *s, int base, unsigned long long *val)
{
    char *end;

    if (!s)
        return false;
    s += strspn(s, " \t\n\r\v\f");
    if (!*s || *s == '-')
        return false;
    *val = strtoull(s, &end, base);
    return *end == '\0';
}

static bool number(const char *s, unsigned long long *val)
{
    return number_base(s, 0, val);
}

/*
 * The base libvirt 9.0 and 11.3 read an attribute of an <address> in
 * (src/conf/device_conf.c, domain_conf.c): drive, virtio-serial, ccid and
 * usb numbers and a dimm slot in decimal, a spapr-vio reg, isa iobase and
 * irq and a dimm base in hex (with or without 0x), the rest (pci, ccw)
 * with C's prefixes.  Written independently of pciplan's own table.
 */
static int address_attr_base(const xmlAttr *a)
{
    static const struct {
        const char *type, *attr;
        int base;
    } bases[] = {
        {"drive", "*", 10},       {"virtio-serial", "*", 10},
        {"ccid", "*", 10},        {"usb", "bus", 10},
        {"dimm", "slot", 10},     {"dimm", "base", 16},
        {"spapr-vio", "reg", 16}, {"isa", "iobase", 16},
        {"isa", "irq", 16},
    };
    const xmlNode *n = a->parent;
    char *type;
    int base = 0;

    if (!n || !xmlStrEqual(n->name, BAD_CAST "address"))
        return 0;
    type = attr(n, "type");
    for (size_t i = 0; type && i < sizeof(bases) / sizeof(*bases); i++) {
        if (strcmp(type, bases[i].type) == 0 &&
            (strcmp(bases[i].attr, "*") == 0 ||
             xmlStrEqual(a->name, BAD_CAST bases[i].attr)))
            base = bases[i].base;
    }
    xmlFree(type);
    return base;
}

/* "name=value" with the value normalised numerically when possible. */
static char *norm_attr(const xmlAttr *a)
{
    char *v = (char *)xmlNodeGetContent((const xmlNode *)a);
    unsigned long long n;
    char *s;

    if (!xmlStrEqual(a->name, BAD_CAST "type") &&
        number_base(v, address_attr_base(a), &n))
        s = fmt("%s=%llu", (const char *)a->name, n);
    else
        s = fmt("%s=%s", (const char *)a->name, v ? v : "");
    xmlFree(v);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All attributes except those in @skip, sorted, space separated. */
static char *attr_list(const xmlNode *n, const char *const *skip)
{
    char *parts[64];
    size_t np = 0, i, len = 1;
    const xmlAttr *a;
    char *s;

    for (a = n->properties; a && np < 64; a = a->next) {
        bool skipped = false;

        for (i = 0; skip && skip[i]; i++)
            if (xmlStrEqual(a->name, BAD_CAST skip[i]))
                skipped = true;
        if (!skipped)
            parts[np++] = norm_attr(a);
    }
    qsort(parts, np, sizeof(*parts), cmp_str);
    for (i = 0; i < np; i++)
        len += strlen(parts[i]) + 1;
    s = xalloc(len);
    for (i = 0; i < np; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, parts[i]);
        free(parts[i]);
    }
    return s;
}

static unsigned long long num_attr(const xmlNode *n, const char *name, bool *ok)
{
    char *v = attr(n, name);
    unsigned long long val = 0;

    if (v && !number(v, &val))
        *ok = false;
    xmlFree(v);
    return val;
}

/* Normalised <address>: "pci 0000:00:02.0 multifunction=on" or
 * "drive bus=0 controller=0 target=0 unit=1". */
static char *norm_address(const xmlNode *a)
{
    static const char *const pci_skip[] = {"type", "domain",   "bus",
                                           "slot", "function", NULL};
    static const char *const type_skip[] = {"type", NULL};
    char *type = attr(a, "type");
    char *rest, *s;

    if (type && strcmp(type, "pci") == 0) {
        bool ok = true;
        unsigned long long dom = num_attr(a, "domain", &ok);
        unsigned long long bus = num_attr(a, "bus", &ok);
        unsigned long long slot = num_attr(a, "slot", &ok);
        unsigned long long fn = num_attr(a, "function", &ok);

        rest = attr_list(a, pci_skip);
        if (full) {
            const xmlNode *z = child(a, "zpci");

            if (z) {
                char *zl = attr_list(z, NULL);
                char *with = fmt("%s%szpci(%s)", rest, *rest ? " " : "", zl);

                free(zl);
                free(rest);
                rest = with;
            }
        }
        if (ok)
            s = fmt("pci %04llx:%02llx:%02llx.%llx%s%s", dom, bus, slot, fn,
                    *rest ? " " : "", rest);
        else
            s = fmt("pci (unparsable) %s", rest);
    } else {
        rest = attr_list(a, type_skip);
        s = fmt("%s%s%s", type ? type : "(no type)", *rest ? " " : "", rest);
    }
    free(rest);
    xmlFree(type);
    return s;
}

/* Canonical text of an element: name, sorted normalised attributes,
 * trimmed text and the children in order, recursively. */
static char *canon(const xmlNode *n)
{
    char *attrs = attr_list(n, NULL);
    char *s = fmt("%s%s%s", (const char *)n->name, *attrs ? " " : "", attrs);
    const xmlNode *c;
    bool any = false;

    free(attrs);
    for (c = n->children; c; c = c->next) {
        char *part = NULL, *t;

        if (is_elem(c, NULL)) {
            part = canon(c);
        } else if (c->type == XML_TEXT_NODE && c->content) {
            const char *b = (const char *)c->content;
            size_t len;

            while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
                b++;
            len = strlen(b);
            while (len && (b[len - 1] == ' ' || b[len - 1] == '\t' ||
                           b[len - 1] == '\n' || b[len - 1] == '\r'))
                len--;
            if (len)
                part = fmt("'%.*s'", (int)len, b);
        }
        if (!part)
            continue;
        t = fmt("%s%s%s", s, any ? ", " : " {", part);
        free(s);
        free(part);
        s = t;
        any = true;
    }
    if (any) {
        char *t = fmt("%s}", s);

        free(s);
        s = t;
    }
    return s;
}

static void add_field(Item *it, const char *name, char *value)
{
    if (it->nfields < MAX_FIELDS) {
        it->fields[it->nfields].name = name;
        it->fields[it->nfields].value = value;
        it->nfields++;
    } else {
        free(value);
    }
}

static Item *new_item(Summary *sum, char *key)
{
    Item *it;

    sum->items = realloc(sum->items, (sum->nitems + 1) * sizeof(Item));
    if (!sum->items) {
        fputs("golden-compare: out of memory\n", stderr);
        exit(2);
    }
    it = &sum->items[sum->nitems++];
    memset(it, 0, sizeof(*it));
    it->key = key;
    return it;
}

static const Item *find_item(const Summary *sum, const char *key)
{
    size_t i;

    for (i = 0; i < sum->nitems; i++)
        if (strcmp(sum->items[i].key, key) == 0)
            return &sum->items[i];
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? fmt("%s", s) : NULL;
}

/* Field names taken from the document outlive it: keep one copy each. */
static char **interned;
static size_t ninterned;

static const char *intern(const char *name)
{
    size_t i;

    for (i = 0; i < ninterned; i++)
        if (strcmp(interned[i], name) == 0)
            return interned[i];
    interned = realloc(interned, (ninterned + 1) * sizeof(*interned));
    if (!interned) {
        fputs("golden-compare: out of memory\n", stderr);
        exit(2);
    }
    interned[ninterned] = fmt("%s", name);
    return interned[ninterned++];
}

static size_t next_ordinal(const char *name)
{
    size_t i;

    for (i = 0; i < ncounters; i++)
        if (strcmp(counters[i].name, name) == 0)
            return ++counters[i].n;
    counters = realloc(counters, (ncounters + 1) * sizeof(*counters));
    if (!counters) {
        fputs("golden-compare: out of memory\n", stderr);
        exit(2);
    }
    counters[ncounters].name = fmt("%s", name);
    counters[ncounters].n = 1;
    return counters[ncounters++].n;
}

static void reset_counters(void)
{
    size_t i;

    for (i = 0; i < ncounters; i++)
        free(counters[i].name);
    free(counters);
    counters = NULL;
    ncounters = 0;
    primary_video_seen = false;
}

static void add_controller(Summary *sum, const xmlNode *c)
{
    static const char *const target_attrs[] = {
        "chassisNr", "chassis", "port", "busNr", "index", "hotplug"};
    char *type = attr(c, "type"), *index = attr(c, "index");
    char *model = attr(c, "model");
    unsigned long long idx;
    const xmlNode *n;
    char *key, *base;
    size_t i, dup = 0;
    Item *it;

    if (number(index, &idx))
        base = fmt("controller %s index %llu", type ? type : "?", idx);
    else
        base = fmt("controller %s index %s", type ? type : "?",
                   index ? index : "?");
    /* an ICH9 USB2 set shares one index: each member is known by its
     * model (libvirt may reorder them) */
    if (model && strncmp(model, "ich9-", 5) == 0) {
        char *with_model = fmt("%s %s", base, model);

        free(base);
        base = with_model;
    }
    /* anything else sharing an index: number them */
    key = fmt("%s", base);
    while (find_item(sum, key)) {
        free(key);
        key = fmt("%s #%zu", base, ++dup + 1);
    }
    free(base);

    it = new_item(sum, key);
    it->controller = true;
    if (full) {
        static const char *const key_attrs[] = {"type", "index", NULL};
        char *rest = attr_list(c, key_attrs);

        if (*rest) {
            add_field(it, "attributes", rest);
        } else {
            free(rest);
            add_field(it, "attributes", NULL);
        }
        for (n = c->children; n; n = n->next) {
            if (!is_elem(n, NULL) || is_elem(n, "address"))
                continue;
            /* one field per child element name (<model>, <target>,
             * <master>, <driver>, ...); repeated ones are joined */
            {
                const char *fname = (const char *)n->name;
                char *v = canon(n);
                size_t k;
                bool merged = false;

                for (k = 0; k < it->nfields; k++) {
                    if (strcmp(it->fields[k].name, fname) == 0) {
                        char *j = fmt("%s; %s", it->fields[k].value, v);

                        free(it->fields[k].value);
                        free(v);
                        it->fields[k].value = j;
                        merged = true;
                        break;
                    }
                }
                if (!merged)
                    add_field(it, intern(fname), v);
            }
        }
        n = child(c, "address");
        add_field(it, "address", n ? norm_address(n) : NULL);
        xmlFree(type);
        xmlFree(index);
        xmlFree(model);
        return;
    }
    add_field(it, "model", dup_or_null(model));

    n = child(c, "model");
    if (n) {
        char *name = attr(n, "name");
        add_field(it, "model name", dup_or_null(name));
        xmlFree(name);
    } else {
        add_field(it, "model name", NULL);
    }

    n = child(c, "target");
    for (i = 0; i < sizeof(target_attrs) / sizeof(*target_attrs); i++) {
        xmlAttr *a = n ? xmlHasProp(n, BAD_CAST target_attrs[i]) : NULL;
        char *v = a ? norm_attr(a) : NULL;
        char *eq = v ? strchr(v, '=') : NULL;

        add_field(it, target_attrs[i], eq ? fmt("%s", eq + 1) : NULL);
        free(v);
    }
    n = n ? child(n, "node") : NULL;
    if (n) {
        char *v = (char *)xmlNodeGetContent(n);
        unsigned long long num;

        add_field(it, "node",
                  number(v, &num) ? fmt("%llu", num) : fmt("%s", v ? v : ""));
        xmlFree(v);
    } else {
        add_field(it, "node", NULL);
    }

    n = child(c, "address");
    add_field(it, "address", n ? norm_address(n) : NULL);

    xmlFree(type);
    xmlFree(index);
    xmlFree(model);
}

static bool is_primary_video(const xmlNode *v)
{
    const xmlNode *m = child(v, "model");

    return m && attr_is(m, "primary", "yes");
}

/* Identity key of a non-controller device element. */
static char *device_key(const xmlNode *dev)
{
    size_t nth = 1;

    /* ordinals count across every <devices> element, as libvirt reads
     * them all */
    if (!is_elem(dev, "disk")) {
        char *prefix, *key;

        if (is_elem(dev, "input")) {
            char *bus = attr(dev, "bus");

            prefix = fmt("input bus=%s", bus ? bus : "");
            xmlFree(bus);
        } else {
            prefix = fmt("%s", (const char *)dev->name);
        }
        if (is_elem(dev, "video") && is_primary_video(dev))
            nth = 1;
        else if (is_elem(dev, "video"))
            nth = next_ordinal(prefix) + primary_video_seen;
        else
            nth = next_ordinal(prefix);
        key = fmt("%s #%zu", prefix, nth);
        free(prefix);
        return key;
    }

    const xmlNode *t = child(dev, "target");
    char *d = t ? attr(t, "dev") : NULL;

    if (d) {
        char *key = fmt("disk %s", d);
        xmlFree(d);
        return key;
    }
    return fmt("disk #%zu", next_ordinal("disk"));
}

static void add_device(Summary *sum, const xmlNode *dev)
{
    const xmlNode *a = child(dev, "address");
    Item *it;

    /* devices with a non-PCI address are kept too (but not compared on
     * their own unless --all), so that a move between address types is
     * reported; with --all, devices without an address are kept as well,
     * so that a missing device can be told from one lacking an address */
    if (!a && !all_addresses)
        return;
    it = new_item(sum, device_key(dev));
    it->pci = a && attr_is(a, "type", "pci");
    it->address = a != NULL;
    add_field(it, "address", a ? norm_address(a) : NULL);
}

static int load(const char *path, Summary *sum)
{
    xmlDoc *doc;
    xmlNode *root, *devs, *n;

    doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    if (!doc) {
        fprintf(stderr, "golden-compare: %s: cannot parse\n", path);
        return -1;
    }
    root = xmlDocGetRootElement(doc);
    if (!root || !is_elem(root, "domain")) {
        fprintf(stderr, "golden-compare: %s: not a <domain>\n", path);
        xmlFreeDoc(doc);
        return -1;
    }
    reset_counters();
    /* libvirt reads every <devices> element, and so does each mode */
    for (devs = root->children; devs; devs = devs->next) {
        if (!is_elem(devs, "devices"))
            continue;
        for (n = devs->children; n; n = n->next)
            if (is_elem(n, "video") && is_primary_video(n))
                primary_video_seen = true;
    }
    for (devs = child(root, "devices"); devs; devs = devs->next) {
        if (!is_elem(devs, "devices"))
            continue;
        for (n = devs->children; n; n = n->next) {
            if (is_elem(n, "controller"))
                add_controller(sum, n);
            else if (is_elem(n, NULL))
                add_device(sum, n);
        }
    }
    reset_counters();
    xmlFreeDoc(doc);
    return 0;
}

static void free_summary(Summary *sum)
{
    size_t i, j;

    for (i = 0; i < sum->nitems; i++) {
        for (j = 0; j < sum->items[i].nfields; j++)
            free(sum->items[i].fields[j].value);
        free(sum->items[i].key);
    }
    free(sum->items);
}

static const char *field_value(const Item *it, const char *name)
{
    size_t i;

    for (i = 0; it && i < it->nfields; i++)
        if (strcmp(it->fields[i].name, name) == 0)
            return it->fields[i].value;
    return NULL;
}

/* Whether the item takes part in the comparison: controllers and devices
 * with a PCI address, with --all devices with any address. */
static bool compared(const Item *it)
{
    return it && (it->controller || it->pci || (all_addresses && it->address));
}

static void print_fields(const Item *it)
{
    size_t i;
    bool first = true;

    for (i = 0; i < it->nfields; i++) {
        const Field *f = &it->fields[i];

        if (!f->value)
            continue;
        if (strcmp(f->name, "address") == 0)
            printf("%s@ %s", first ? "" : " ", f->value);
        else if (strcmp(f->name, "attributes") == 0)
            printf("%s%s", first ? "" : " ", f->value);
        else
            printf("%s<%s>", first ? "" : " ", f->value);
        first = false;
    }
}

static void print_item(const Item *it)
{
    size_t i;

    printf("%s:", it->key);
    if (full) {
        putchar(' ');
        print_fields(it);
        putchar('\n');
        return;
    }
    for (i = 0; i < it->nfields; i++) {
        const Field *f = &it->fields[i];

        if (!f->value)
            continue;
        if (strcmp(f->name, "address") == 0)
            printf(" @ %s", f->value);
        else
            printf(" %s=%s", f->name, f->value);
    }
    putchar('\n');
}

static bool has_field(const Item *it, const char *name)
{
    size_t i;

    for (i = 0; i < it->nfields; i++)
        if (strcmp(it->fields[i].name, name) == 0)
            return true;
    return false;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int compare_item(const Item *exp, const Item *act)
{
    const Item *ref = exp ? exp : act;
    int diffs = 0;
    size_t i, nexp, nact;

    if (ref->controller && (!exp || !act)) {
        printf("%s: %s", ref->key,
               exp ? "missing" : "not expected but present");
        if (full) {
            fputs(" (", stdout);
            print_fields(ref);
            putchar(')');
        }
        putchar('\n');
        return 1;
    }
    if (all_addresses && (!exp || !act)) {
        const char *addr = field_value(ref, "address");

        if (exp)
            printf("%s: missing (expected %s)\n", ref->key, addr);
        else
            printf("%s: not expected but present, address %s\n", ref->key,
                   addr);
        return 1;
    }
    nexp = exp ? exp->nfields : 0;
    nact = act ? act->nfields : 0;
    for (i = 0; i < nexp + nact; i++) {
        const char *name =
            i < nexp ? exp->fields[i].name : act->fields[i - nexp].name;
        const char *e = field_value(exp, name), *a = field_value(act, name);

        /* a field of ACTUAL that EXPECTED has too was compared already */
        if (i >= nexp && exp && has_field(exp, name))
            continue;
        if (same(e, a))
            continue;
        diffs++;
        if (strcmp(name, "address") == 0 && !a)
            printf("%s lacks an address (expected %s)\n", ref->key, e);
        else if (strcmp(name, "address") == 0 && !e)
            printf("%s has address %s, expected none\n", ref->key, a);
        else if (strcmp(name, "address") == 0)
            printf("%s: address %s, expected %s\n", ref->key, a, e);
        else
            printf("%s: %s is %s, expected %s\n", ref->key, name,
                   a ? a : "(unset)", e ? e : "(unset)");
    }
    return diffs;
}

static int compare(const Summary *exp, const Summary *act)
{
    int diffs = 0;
    size_t i;

    for (i = 0; i < exp->nitems; i++) {
        const Item *e = &exp->items[i], *a = find_item(act, e->key);

        if (compared(e) || compared(a))
            diffs += compare_item(e, a);
    }
    for (i = 0; i < act->nitems; i++) {
        const Item *a = &act->items[i], *e = find_item(exp, a->key);

        if (!e && compared(a))
            diffs += compare_item(NULL, a);
    }
    return diffs;
}

int main(int argc, char **argv)
{
    Summary exp = {0}, act = {0};
    bool summary = false, bad = false;
    int ret = 2, argi, nfiles;
    size_t i;

    for (argi = 1; argi < argc && argv[argi][0] == '-' && !bad; argi++) {
        if (strcmp(argv[argi], "--summary") == 0)
            summary = true;
        else if (strcmp(argv[argi], "--all") == 0)
            all_addresses = true;
        else if (strcmp(argv[argi], "--full") == 0)
            all_addresses = full = true;
        else
            bad = true;
    }
    nfiles = argc - argi;

    if (!bad && summary && nfiles == 1) {
        if (load(argv[argi], &exp) == 0) {
            for (i = 0; i < exp.nitems; i++)
                if (compared(&exp.items[i]))
                    print_item(&exp.items[i]);
            ret = 0;
        }
    } else if (!bad && !summary && nfiles == 2) {
        if (load(argv[argi], &exp) == 0 && load(argv[argi + 1], &act) == 0)
            ret = compare(&exp, &act) ? 1 : 0;
    } else {
        fprintf(stderr,
                "usage: golden-compare [--all|--full] EXPECTED.xml ACTUAL.xml\n"
                "       golden-compare --summary [--all|--full] FILE.xml\n");
    }
    free_summary(&exp);
    free_summary(&act);
    for (i = 0; i < ninterned; i++)
        free(interned[i]);
    free(interned);
    xmlCleanupParser();
    return ret;
}
