/*
 * property-check.c: pciplan's promises, checked on generated domains.
 *
 * Each case is a random but valid pc or q35 domain (disks on virtio,
 * SATA, SCSI and IDE, NICs of several models, USB/SCSI/virtio-serial
 * controllers, sound, video, graphics, rng, balloon, watchdog, channels,
 * input; some devices with an address the user chose, some user
 * pcie-root-ports or pci-bridges) planned in process with a random
 * --reserve. Every output must:
 *   - parse again, with every device that needs PCI on a PCI address;
 *   - keep every address the input gave;
 *   - use no address twice (bus, slot, function);
 *   - put every address on a bus that a PCI controller of the output
 *     provides (its index), in a slot that controller's model has and
 *     of a kind that model accepts (pci_models in src/pci/pci.h);
 *   - come out byte for byte unchanged when planned again;
 *   - leave --reserve N spare: at least N free hotpluggable slots on pc,
 *     and on q35 exactly N empty root ports when the input has no PCI
 *     controller (N = 1: libvirt's own rule, one only when pciplan added
 *     controllers), at least N with user controllers.
 * A domain pciplan rejects must fail with status 3 or 4 and a one-line
 * message; those are counted and must stay a small minority.
 *
 * Usage: property-check [-n CASES] [-s SEED] [-1 SEED] [-v]
 *   -n CASES  number of cases (default 10000, or $PROPERTY_CASES)
 *   -s SEED   seed of the first case; case i uses SEED + i (default 1, or
 *             $PROPERTY_SEED; "random" takes the time)
 *   -1 SEED   run only the case with this seed (as printed on failure)
 *   -v        print each case's input and output (with -1)
 * Exit status 0 when every case holds, 1 otherwise (each failure names
 * its seed), 99 on a usage error.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "pci/addrset.h"
#include "util/diag.h"
#include "model/domain.h"
#include "app/run.h"
#include "plan/plan.h"
#include "render/writer.h"
#include "xml/xmldoc.h"

/* Rejections above this share of the cases mean the generator drifted. */
#define MAX_REJECT_PERCENT 5
#define MAX_USER_DEVS 256

/* ---- random numbers: xorshift64*, one stream per case ---- */

struct rng {
    uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    /* splitmix64 so neighbouring seeds give unrelated streams */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    r->s = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dULL;
}

static unsigned pick(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

static bool chance(struct rng *r, unsigned percent)
{
    return pick(r, 100) < percent;
}

static const char *pick_str(struct rng *r, const char *const *set, size_t n)
{
    return set[pick(r, (unsigned)n)];
}

#define PICK(r, set) pick_str(r, set, sizeof(set) / sizeof((set)[0]))

/* ---- a growable string ---- */

struct buf {
    char *p;
    size_t len, cap;
};

static void out_of_memory(void)
{
    fputs("property-check: out of memory\n", stderr);
    exit(99);
}

static void buf_add(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void buf_add(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
                      fmt, ap);
        va_end(ap);
        if (n < 0)
            out_of_memory();
        if (b->p && b->len + (size_t)n < b->cap)
            break;
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            out_of_memory();
    }
    b->len += (size_t)n;
}

/* ---- the generator ---- */

/* What the generator knows about a device it wrote (alias ua-dN). */
struct user_dev {
    bool needs_pci;
    bool has_addr;
    unsigned bus, slot;
};

struct gen {
    struct rng rng;
    bool q35;
    int reserve;
    int total_ports;     /* --root-ports (q35), 0 for none */
    unsigned root_ports; /* user pcie-root-ports, indexes 1..n (q35) */
    unsigned bridges;    /* user pci-bridges, indexes 1..n (pc) */
    bool usb_none;
    bool have_scsi_ctrl;
    uint8_t taken[PCI_MAX_BUSES][PCI_SLOTS]; /* slots of user addresses */
    struct user_dev devs[MAX_USER_DEVS];
    unsigned ndevs;
    unsigned vd, sd, hd; /* next disk name letter per prefix */
    struct buf *parts;   /* device snippets, shuffled before writing */
    size_t nparts, capparts;
};

static struct buf *new_part(struct gen *g)
{
    if (g->nparts == g->capparts) {
        g->capparts = g->capparts ? g->capparts * 2 : 32;
        g->parts = realloc(g->parts, g->capparts * sizeof(*g->parts));
        if (!g->parts)
            out_of_memory();
    }
    memset(&g->parts[g->nparts], 0, sizeof(g->parts[0]));
    return &g->parts[g->nparts++];
}

/* A free slot for a user address, or false. Slots the chipset or a
 * fixed-place device may claim (pc 1-2, q35 1-2, 0x1b, 0x1f) are left
 * alone so every user address is valid. */
static bool free_user_slot(struct gen *g, unsigned *bus, unsigned *slot)
{
    for (int tries = 0; tries < 8; tries++) {
        if (g->q35 && g->root_ports && chance(&g->rng, 50)) {
            *bus = 1 + pick(&g->rng, g->root_ports);
            *slot = 0;
        } else if (!g->q35 && g->bridges && chance(&g->rng, 50)) {
            *bus = 1 + pick(&g->rng, g->bridges);
            *slot = 1 + pick(&g->rng, 31);
        } else {
            *bus = 0;
            *slot = 3 + pick(&g->rng, g->q35 ? 0x1a - 3 + 1 : 29);
        }
        if (!g->taken[*bus][*slot]) {
            g->taken[*bus][*slot] = 1;
            return true;
        }
    }
    return false;
}

/*
 * Start a device: record it and write its alias, and, with 'percent'
 * chance, a user address. 'needs_pci' says the output must give it one.
 */
static void dev_common(struct gen *g, struct buf *b, bool needs_pci,
                       unsigned percent)
{
    struct user_dev *u;
    unsigned id = g->ndevs;

    if (g->ndevs == MAX_USER_DEVS)
        out_of_memory();
    u = &g->devs[g->ndevs++];
    memset(u, 0, sizeof(*u));
    u->needs_pci = needs_pci;
    buf_add(b, "      <alias name='ua-d%u'/>\n", id);
    if (needs_pci && chance(&g->rng, percent) &&
        free_user_slot(g, &u->bus, &u->slot)) {
        u->has_addr = true;
        buf_add(b,
                "      <address type='pci' domain='0x0000' bus='0x%02x' "
                "slot='0x%02x' function='0x0'/>\n",
                u->bus, u->slot);
    }
}

static void gen_disk(struct gen *g)
{
    static const char *const buses[] = {"virtio", "virtio", "sata", "scsi",
                                        "ide"};
    const char *bus = PICK(&g->rng, buses);
    struct buf *b = new_part(g);
    unsigned *counter;
    char prefix;

    if (strcmp(bus, "ide") == 0 && (g->q35 || g->hd >= 4))
        bus = "virtio";
    if (strcmp(bus, "virtio") != 0 && g->sd >= 26)
        bus = "virtio";
    if (strcmp(bus, "virtio") == 0 && g->vd >= 26)
        return;
    prefix = strcmp(bus, "virtio") == 0 ? 'v'
             : strcmp(bus, "ide") == 0  ? 'h'
                                        : 's';
    counter = prefix == 'v' ? &g->vd : prefix == 'h' ? &g->hd : &g->sd;
    buf_add(b, "    <disk type='file' device='%s'>\n",
            prefix != 'v' && chance(&g->rng, 20) ? "cdrom" : "disk");
    buf_add(b, "      <source file='/var/lib/libvirt/images/%cd%c.img'/>\n",
            prefix, 'a' + *counter);
    buf_add(b, "      <target dev='%cd%c' bus='%s'/>\n", prefix,
            'a' + (*counter)++, bus);
    if (strcmp(bus, "scsi") == 0)
        g->have_scsi_ctrl = true; /* libvirt adds one */
    dev_common(g, b, prefix == 'v', 25);
    buf_add(b, "    </disk>\n");
}

static void gen_interface(struct gen *g)
{
    static const char *const models[] = {"virtio", "virtio",  "e1000",
                                         "e1000e", "rtl8139", NULL};
    const char *model = PICK(&g->rng, models);
    struct buf *b = new_part(g);

    buf_add(b, "    <interface type='network'>\n");
    buf_add(b, "      <mac address='52:54:00:%02x:%02x:%02x'/>\n",
            pick(&g->rng, 256), pick(&g->rng, 256), g->ndevs & 0xff);
    buf_add(b, "      <source network='default'/>\n");
    if (model)
        buf_add(b, "      <model type='%s'/>\n", model);
    dev_common(g, b, true, 25);
    buf_add(b, "    </interface>\n");
}

static void gen_usb_controller(struct gen *g)
{
    static const char *const pc_models[] = {"piix3-uhci", "qemu-xhci",
                                            "nec-xhci", "ich9-ehci1", "none"};
    static const char *const q35_models[] = {"qemu-xhci", "nec-xhci",
                                             "ich9-ehci1", "none"};
    const char *model =
        g->q35 ? PICK(&g->rng, q35_models) : PICK(&g->rng, pc_models);
    struct buf *b = new_part(g);
    bool none = strcmp(model, "none") == 0;

    g->usb_none = none;
    buf_add(b, "    <controller type='usb' index='0' model='%s'>\n", model);
    /* the PIIX3 USB function has a fixed address: never a user one */
    dev_common(g, b, !none, strcmp(model, "piix3-uhci") == 0 ? 0 : 20);
    buf_add(b, "    </controller>\n");
}

static void gen_scsi_controller(struct gen *g, unsigned index)
{
    static const char *const models[] = {"virtio-scsi", "lsilogic", NULL};
    const char *model = PICK(&g->rng, models);
    struct buf *b = new_part(g);

    buf_add(b, "    <controller type='scsi' index='%u'", index);
    if (model)
        buf_add(b, " model='%s'", model);
    buf_add(b, ">\n");
    dev_common(g, b, true, 20);
    buf_add(b, "    </controller>\n");
}

static void gen_virtio_serial(struct gen *g)
{
    struct buf *b = new_part(g);

    buf_add(b, "    <controller type='virtio-serial' index='0'>\n");
    dev_common(g, b, true, 20);
    buf_add(b, "    </controller>\n");
}

static void gen_channel(struct gen *g, unsigned n)
{
    struct buf *b = new_part(g);

    buf_add(b, "    <channel type='unix'>\n");
    buf_add(b, "      <target type='virtio' name='org.example.channel.%u'/>\n",
            n);
    dev_common(g, b, false, 0);
    buf_add(b, "    </channel>\n");
}

static void gen_sound(struct gen *g)
{
    static const char *const models[] = {"ich6", "ich9", "ac97", "es1370"};
    struct buf *b = new_part(g);

    buf_add(b, "    <sound model='%s'>\n", PICK(&g->rng, models));
    dev_common(g, b, true, 20);
    buf_add(b, "    </sound>\n");
}

static void gen_video(struct gen *g)
{
    static const char *const models[] = {"vga", "cirrus", "qxl", "virtio",
                                         "bochs"};
    struct buf *b = new_part(g);

    buf_add(b, "    <video>\n      <model type='%s' heads='1'/>\n",
            PICK(&g->rng, models));
    /* the primary video's place is the machine's; no user address */
    dev_common(g, b, true, 0);
    buf_add(b, "    </video>\n");
}

static void gen_simple(struct gen *g, const char *open, const char *inner,
                       const char *close, bool needs_pci, unsigned percent)
{
    struct buf *b = new_part(g);

    buf_add(b, "    %s\n%s", open, inner);
    dev_common(g, b, needs_pci, percent);
    buf_add(b, "    %s\n", close);
}

/* Less common PCI devices: each needs a slot of its own. */
static void gen_rare(struct gen *g)
{
    char open[64], inner[160];

    switch (pick(&g->rng, 7)) {
    case 0:
        gen_simple(g, "<vsock model='virtio'>", "      <cid auto='yes'/>\n",
                   "</vsock>", true, 20);
        break;
    case 1:
        gen_simple(g, "<input type='tablet' bus='virtio'>", "", "</input>",
                   true, 20);
        break;
    case 2:
        snprintf(inner, sizeof(inner),
                 "      <source dir='/srv/share%u'/>\n"
                 "      <target dir='share%u'/>\n",
                 g->ndevs, g->ndevs);
        gen_simple(g, "<filesystem type='mount' accessmode='mapped'>", inner,
                   "</filesystem>", true, 20);
        break;
    case 3:
        snprintf(open, sizeof(open), "<shmem name='shm%u'>", g->ndevs);
        gen_simple(g, open,
                   "      <model type='ivshmem-plain'/>\n"
                   "      <size unit='M'>4</size>\n",
                   "</shmem>", true, 20);
        break;
    case 4:
        /* the <source> address is the host's, not a guest address */
        snprintf(inner, sizeof(inner),
                 "      <source>\n        <address domain='0x0000' "
                 "bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
                 "      </source>\n",
                 0x40 + pick(&g->rng, 0x40), g->ndevs & 0x1f, pick(&g->rng, 8));
        gen_simple(g, "<hostdev mode='subsystem' type='pci' managed='yes'>",
                   inner, "</hostdev>", true, 25);
        break;
    case 5:
        if (!g->usb_none)
            gen_simple(g, "<redirdev bus='usb' type='spicevmc'>", "",
                       "</redirdev>", false, 0);
        break;
    default:
        gen_simple(g, "<serial type='pty'>",
                   "      <target type='pci-serial'/>\n", "</serial>", true,
                   20);
        break;
    }
}

static void gen_misc(struct gen *g)
{
    switch (pick(&g->rng, 6)) {
    case 0:
        gen_simple(g, "<rng model='virtio'>",
                   "      <backend model='random'>/dev/urandom</backend>\n",
                   "</rng>", true, 25);
        break;
    case 1:
        if (!g->q35 && chance(&g->rng, 40))
            gen_simple(g, "<watchdog model='ib700' action='reset'>", "",
                       "</watchdog>", false, 0);
        else
            gen_simple(g, "<watchdog model='i6300esb' action='reset'>", "",
                       "</watchdog>", true, 25);
        break;
    case 2:
        gen_simple(g, "<graphics type='vnc' port='-1' autoport='yes'>", "",
                   "</graphics>", false, 0);
        break;
    case 3:
        if (!g->usb_none)
            gen_simple(g, "<input type='tablet' bus='usb'>", "", "</input>",
                       false, 0);
        break;
    case 4:
        gen_simple(g, "<serial type='pty'>", "      <target port='0'/>\n",
                   "</serial>", false, 0);
        break;
    default:
        gen_simple(g, "<input type='keyboard' bus='ps2'>", "", "</input>",
                   false, 0);
        break;
    }
}

/* User PCI controllers: root ports on q35, pci-bridges on pc. */
static void gen_pci_controllers(struct gen *g)
{
    unsigned n = chance(&g->rng, 25) ? 1 + pick(&g->rng, 4) : 0;
    const char *model = g->q35 ? "pcie-root-port" : "pci-bridge";

    if (chance(&g->rng, 15)) {
        struct buf *b = new_part(g);

        buf_add(b, "    <controller type='pci' index='0' model='%s'/>\n",
                g->q35 ? "pcie-root" : "pci-root");
    }
    for (unsigned i = 1; i <= n; i++) {
        struct buf *b = new_part(g);

        buf_add(b, "    <controller type='pci' index='%u' model='%s'>\n", i,
                model);
        dev_common(g, b, true, 30);
        buf_add(b, "    </controller>\n");
    }
    if (g->q35)
        g->root_ports = n;
    else
        g->bridges = n;
}

static void gen_devices(struct gen *g)
{
    bool big = chance(&g->rng, 8);
    unsigned ndisks = pick(&g->rng, big ? 30 : 6);
    unsigned nnics = pick(&g->rng, big ? 30 : 4);
    unsigned nmisc = pick(&g->rng, 6);
    unsigned nchan = chance(&g->rng, 30) ? 1 + pick(&g->rng, 3) : 0;

    gen_pci_controllers(g);
    if (chance(&g->rng, 40))
        gen_usb_controller(g);
    if (chance(&g->rng, 25))
        gen_scsi_controller(g, 0);
    if (chance(&g->rng, 8))
        gen_scsi_controller(g, 1);
    if (chance(&g->rng, 15))
        gen_virtio_serial(g);
    for (unsigned i = 0; i < ndisks; i++)
        gen_disk(g);
    for (unsigned i = 0; i < nnics; i++)
        gen_interface(g);
    for (unsigned i = 0; i < nchan; i++)
        gen_channel(g, i);
    if (chance(&g->rng, 35))
        gen_sound(g);
    if (chance(&g->rng, 45))
        gen_video(g);
    for (unsigned i = 0; i < nmisc; i++)
        gen_misc(g);
    for (unsigned i = chance(&g->rng, 30) ? pick(&g->rng, 4) : 0; i > 0; i--)
        gen_rare(g);
    if (chance(&g->rng, 30)) {
        bool none = chance(&g->rng, 40);

        gen_simple(g,
                   none ? "<memballoon model='none'>"
                        : "<memballoon model='virtio'>",
                   "", "</memballoon>", !none, 20);
    }
}

static void generate(struct gen *g, uint64_t seed, struct buf *xml)
{
    static const int reserves[] = {0, 1, 1, 2, 3, 5};
    static const char *const pc_names[] = {"pc", "pc-i440fx-7.2", NULL};
    static const char *const q35_names[] = {"q35", "pc-q35-7.2"};
    const char *machine;

    memset(g, 0, sizeof(*g));
    rng_seed(&g->rng, seed);
    g->q35 = chance(&g->rng, 50);
    g->reserve = reserves[pick(&g->rng, 6)];
    machine = g->q35 ? PICK(&g->rng, q35_names) : PICK(&g->rng, pc_names);
    if (g->q35 && chance(&g->rng, 15))
        g->total_ports = 1 + (int)pick(&g->rng, 20);
    gen_devices(g);
    /* libvirt accepts the devices in any order */
    for (size_t i = g->nparts; i > 1; i--) {
        size_t j = pick(&g->rng, (unsigned)i);
        struct buf t = g->parts[i - 1];

        g->parts[i - 1] = g->parts[j];
        g->parts[j] = t;
    }
    buf_add(xml, "<domain type='kvm'>\n  <name>prop-%llu</name>\n",
            (unsigned long long)seed);
    buf_add(xml, "  <memory unit='MiB'>1024</memory>\n  <os>\n");
    if (machine)
        buf_add(xml, "    <type arch='x86_64' machine='%s'>hvm</type>\n",
                machine);
    else
        buf_add(xml, "    <type arch='x86_64'>hvm</type>\n");
    buf_add(xml, "  </os>\n  <devices>\n");
    for (size_t i = 0; i < g->nparts; i++) {
        buf_add(xml, "%s", g->parts[i].p);
        free(g->parts[i].p);
    }
    free(g->parts);
    g->parts = NULL;
    buf_add(xml, "  </devices>\n</domain>\n");
}

/* ---- running pciplan in process ---- */

/* ---- reading the output back ---- */

struct out_dev {
    char name[24];
    int alias; /* N of ua-dN, -1 for a device pciplan added */
    bool pci_ctrl;
    long index; /* PCI controllers */
    enum pci_model model;
    bool hotplug_off;
    bool has_pci_addr;
    unsigned domain, bus, slot, function;
};

struct out_domain {
    struct out_dev *devs;
    size_t n;
};

static xmlChar *prop(xmlNodePtr n, const char *name)
{
    return xmlGetNoNsProp(n, (const xmlChar *)name);
}

static bool prop_is(xmlNodePtr n, const char *name, const char *value)
{
    xmlChar *v = prop(n, name);
    bool same = v && strcmp((const char *)v, value) == 0;

    xmlFree(v);
    return same;
}

static unsigned long prop_num(xmlNodePtr n, const char *name)
{
    xmlChar *v = prop(n, name);
    unsigned long x = v ? strtoul((const char *)v, NULL, 0) : 0;

    xmlFree(v);
    return x;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            strcmp((const char *)c->name, name) == 0)
            return c;
    }
    return NULL;
}

static void read_device(xmlNodePtr n, struct out_dev *o)
{
    xmlNodePtr alias = child(n, "alias"), addr = child(n, "address");
    xmlNodePtr target = child(n, "target");
    xmlChar *v;

    memset(o, 0, sizeof(*o));
    snprintf(o->name, sizeof(o->name), "%s", (const char *)n->name);
    o->alias = -1;
    v = alias ? prop(alias, "name") : NULL;
    if (v && strncmp((const char *)v, "ua-d", 4) == 0)
        o->alias = (int)strtol((const char *)v + 4, NULL, 10);
    xmlFree(v);
    o->model = PCI_MODEL_NONE;
    if (strcmp(o->name, "controller") == 0 && prop_is(n, "type", "pci")) {
        v = prop(n, "model");
        o->pci_ctrl = true;
        o->index = (long)prop_num(n, "index");
        o->model = pci_model_from_name((const char *)v);
        o->hotplug_off = target && prop_is(target, "hotplug", "off");
        xmlFree(v);
    }
    if (addr && prop_is(addr, "type", "pci")) {
        o->has_pci_addr = true;
        o->domain = (unsigned)prop_num(addr, "domain");
        o->bus = (unsigned)prop_num(addr, "bus");
        o->slot = (unsigned)prop_num(addr, "slot");
        o->function = (unsigned)prop_num(addr, "function");
    }
}

/* NULL and a reason when the output is not a domain document. */
static const char *read_output(const char *text, size_t len,
                               struct out_domain *od)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNodePtr devices = child(root, "devices");
    size_t cap = 0;

    memset(od, 0, sizeof(*od));
    if (!root || !devices) {
        xmlFreeDoc(doc);
        return "the output does not parse as a domain with <devices>";
    }
    for (xmlNodePtr n = devices->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (od->n == cap) {
            cap = cap ? cap * 2 : 64;
            od->devs = realloc(od->devs, cap * sizeof(*od->devs));
            if (!od->devs)
                out_of_memory();
        }
        read_device(n, &od->devs[od->n++]);
    }
    xmlFreeDoc(doc);
    return NULL;
}

/* ---- the checks ---- */

struct verdict {
    char msg[512];
};

static bool failed(struct verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool failed(struct verdict *v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
    va_end(ap);
    return false;
}

static const struct out_dev *controller_for_bus(const struct out_domain *od,
                                                unsigned bus)
{
    for (size_t i = 0; i < od->n; i++) {
        if (od->devs[i].pci_ctrl && od->devs[i].index == (long)bus)
            return &od->devs[i];
    }
    return NULL;
}

static void describe(const struct out_dev *o, char *buf, size_t len)
{
    if (o->alias >= 0)
        snprintf(buf, len, "<%s> ua-d%d", o->name, o->alias);
    else
        snprintf(buf, len, "<%s> (added)", o->name);
}

/* The bus of 'o' exists and its controller's model accepts 'o' there. */
static bool check_bus(const struct out_domain *od, const struct out_dev *o,
                      struct verdict *v)
{
    const struct out_dev *c = controller_for_bus(od, o->bus);
    const struct pci_model_info *info;
    unsigned wants;
    char what[64];

    describe(o, what, sizeof(what));
    if (o->domain != 0)
        return failed(v, "%s: PCI domain %u", what, o->domain);
    if (!c || c->model == PCI_MODEL_NONE)
        return failed(v, "%s: bus %u has no known PCI controller", what,
                      o->bus);
    info = &pci_models[c->model];
    if (o->slot < info->min_slot || o->slot > info->max_slot ||
        o->function >= PCI_FUNCTIONS)
        return failed(v, "%s: slot %u.%u is outside %s's slots %u..%u", what,
                      o->slot, o->function, info->name, info->min_slot,
                      info->max_slot);
    wants = o->pci_ctrl && o->model != PCI_MODEL_NONE
                ? pci_models[o->model].connect & CONN_TYPES_MASK
                : CONN_ENDPOINT;
    if (!(info->accepts & wants))
        return failed(v, "%s on bus %u: %s does not accept it", what, o->bus,
                      info->name);
    return true;
}

static bool check_addresses(const struct gen *g, const struct out_domain *od,
                            struct verdict *v)
{
    static uint8_t used[PCI_MAX_BUSES][PCI_SLOTS];
    char what[64];

    memset(used, 0, sizeof(used));
    for (size_t i = 0; i < od->n; i++) {
        const struct out_dev *o = &od->devs[i];
        const struct user_dev *u =
            o->alias >= 0 && (unsigned)o->alias < g->ndevs ? &g->devs[o->alias]
                                                           : NULL;

        describe(o, what, sizeof(what));
        if (u && u->needs_pci && !o->has_pci_addr)
            return failed(v, "%s has no PCI address", what);
        if (!o->has_pci_addr)
            continue;
        if (u && u->has_addr && (o->bus != u->bus || o->slot != u->slot))
            return failed(v, "%s moved from %02x:%02x.0 to %02x:%02x.%x", what,
                          u->bus, u->slot, o->bus, o->slot, o->function);
        if (o->bus >= PCI_MAX_BUSES || o->slot >= PCI_SLOTS ||
            o->function >= PCI_FUNCTIONS)
            return failed(v, "%s: address %x:%x.%x out of range", what, o->bus,
                          o->slot, o->function);
        if (used[o->bus][o->slot] & (1u << o->function))
            return failed(v, "%s: address 00:%02x:%02x.%x used twice", what,
                          o->bus, o->slot, o->function);
        used[o->bus][o->slot] |= (uint8_t)(1u << o->function);
        if (!check_bus(od, o, v))
            return false;
    }
    return true;
}

static bool bus_in_use(const struct out_domain *od, long bus)
{
    for (size_t i = 0; i < od->n; i++) {
        if (od->devs[i].has_pci_addr && (long)od->devs[i].bus == bus)
            return true;
    }
    return false;
}

static bool slot_in_use(const struct out_domain *od, long bus, unsigned slot)
{
    for (size_t i = 0; i < od->n; i++) {
        const struct out_dev *o = &od->devs[i];

        if (o->has_pci_addr && (long)o->bus == bus && o->slot == slot)
            return true;
    }
    return false;
}

static bool check_reserve(const struct gen *g, const struct out_domain *od,
                          struct verdict *v)
{
    unsigned ports = 0, empty = 0, free_slots = 0;
    bool user_ctrls = g->root_ports || g->bridges;

    for (size_t i = 0; i < od->n; i++) {
        const struct out_dev *c = &od->devs[i];

        if (!c->pci_ctrl)
            continue;
        if (c->model == PCI_MODEL_PCIE_ROOT_PORT) {
            ports++;
            empty += !c->hotplug_off && !bus_in_use(od, c->index);
        } else if (c->model == PCI_MODEL_PCI_ROOT ||
                   c->model == PCI_MODEL_PCI_BRIDGE) {
            /* pci-root's slot 1 is the chipset's */
            for (unsigned s = c->model == PCI_MODEL_PCI_ROOT ? 2 : 1; s < 32;
                 s++)
                free_slots += !slot_in_use(od, c->index, s);
        }
    }
    if (!g->q35) {
        if (free_slots < (unsigned)g->reserve)
            return failed(v, "--reserve %d: only %u free hotplug slots",
                          g->reserve, free_slots);
        return true;
    }
    if (ports < (unsigned)g->total_ports)
        return failed(v, "--root-ports=%d: only %u root ports", g->total_ports,
                      ports);
    if (user_ctrls || g->total_ports) {
        if (g->reserve > 1 && empty < (unsigned)g->reserve)
            return failed(v, "--reserve %d: only %u empty root ports",
                          g->reserve, empty);
        return true;
    }
    {
        unsigned want = (unsigned)g->reserve;

        /* libvirt keeps its spare port only when it added controllers */
        if (want == 1 && ports == empty)
            want = 0;
        if (empty != want)
            return failed(v,
                          "--reserve %d: %u empty root ports (of %u), "
                          "expected %u",
                          g->reserve, empty, ports, want);
    }
    return true;
}

/* ---- one case ---- */

enum outcome { CASE_OK, CASE_REJECTED, CASE_FAILED };

struct stats {
    unsigned long cases, rejected, failed, devices;
    unsigned long by_status[8];
};

static bool one_line(const struct diag *d)
{
    return d->msg[0] && !strchr(d->msg, '\n') && !strchr(d->element, '\n');
}

static enum outcome check_case(uint64_t seed, bool verbose, struct stats *st,
                               struct verdict *v)
{
    struct gen g;
    struct buf xml = {0};
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;
    struct diag d = {0}, d2 = {0};
    struct out_domain od = {0};
    struct run_options ro = {
        .name = "<generated>", .explain = true, .capacity = true};
    struct run_result r = {0}, r2 = {0};
    char *out = NULL;
    size_t outlen;
    enum outcome res = CASE_FAILED;
    const char *why;

    generate(&g, seed, &xml);
    opt.reserve = g.reserve;
    opt.root_ports = g.total_ports;
    st->devices += g.ndevs;
    if (verbose)
        printf("---- input (--reserve %d --root-ports=%d)\n%s", g.reserve,
               g.total_ports, xml.p);
    ro.plan = opt;
    /* the views run too: the property check drives the shipped path */
    if (run_document(xml.p, xml.len, &ro, &r, &d) < 0) {
        if (d.status < 8)
            st->by_status[d.status]++;
        if (verbose)
            printf("---- rejected: status %d: %s\n", d.status, d.msg);
        if ((d.status == STATUS_INVALID || d.status == STATUS_UNSATISFIABLE) &&
            one_line(&d))
            res = CASE_REJECTED;
        else
            failed(v, "rejected with status %d: %s", d.status, d.msg);
        goto done;
    }
    out = r.out;
    outlen = r.outlen;
    if (verbose)
        printf("---- output\n%.*s", (int)outlen, out);
    if ((why = read_output(out, outlen, &od)) != NULL) {
        failed(v, "%s", why);
        goto done;
    }
    if (!check_addresses(&g, &od, v) || !check_reserve(&g, &od, v))
        goto done;
    if (run_document(out, outlen, &ro, &r2, &d2) < 0) {
        failed(v, "pciplan rejects its own output: %s", d2.msg);
        goto done;
    }
    if (r2.changed) {
        failed(v, "planning the output again changes it");
        goto done;
    }
    res = CASE_OK;
done:
    free(od.devs);
    run_result_free(&r2);
    run_result_free(&r);
    free(xml.p);
    return res;
}

/* ---- main ---- */

static uint64_t parse_seed(const char *s)
{
    char *end;
    unsigned long long v;

    if (strcmp(s, "random") == 0)
        return (uint64_t)time(NULL);
    v = strtoull(s, &end, 0);
    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "property-check: bad seed '%s'\n", s);
        exit(99);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *env_cases = getenv("PROPERTY_CASES");
    const char *env_seed = getenv("PROPERTY_SEED");
    unsigned long cases = env_cases ? strtoul(env_cases, NULL, 10) : 10000;
    uint64_t seed = env_seed ? parse_seed(env_seed) : 1;
    bool single = false, verbose = false;
    struct stats st = {0};
    clock_t t0 = clock();

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            cases = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            seed = parse_seed(argv[++i]);
        } else if (strcmp(argv[i], "-1") == 0 && i + 1 < argc) {
            seed = parse_seed(argv[++i]);
            cases = 1;
            single = true;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = true;
        } else {
            fputs("usage: property-check [-n CASES] [-s SEED] [-1 SEED] "
                  "[-v]\n",
                  stderr);
            return 99;
        }
    }
    xmlInitParser();
    printf("property-check: %lu cases from seed %llu\n", cases,
           (unsigned long long)seed);
    for (unsigned long i = 0; i < cases; i++) {
        struct verdict v = {{0}};
        uint64_t s = seed + i;

        st.cases++;
        switch (check_case(s, verbose && single, &st, &v)) {
        case CASE_REJECTED:
            st.rejected++;
            break;
        case CASE_FAILED:
            st.failed++;
            printf("FAIL seed %llu: %s\n", (unsigned long long)s, v.msg);
            printf("     rerun: tests/property/property-check -1 %llu -v\n",
                   (unsigned long long)s);
            break;
        default:
            break;
        }
    }
    xmlCleanupParser();
    printf("property-check: %lu cases (%lu devices), %lu passed, %lu "
           "rejected (status 3: %lu, 4: %lu), %lu failed, %.1f s\n",
           st.cases, st.devices, st.cases - st.rejected - st.failed,
           st.rejected, st.by_status[3], st.by_status[4], st.failed,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    if (!single && st.rejected * 100 > st.cases * MAX_REJECT_PERCENT) {
        printf("FAIL more than %d%% of the generated domains were rejected\n",
               MAX_REJECT_PERCENT);
        return 1;
    }
    return st.failed ? 1 : 0;
}
