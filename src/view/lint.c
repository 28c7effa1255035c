/*
 * lint.c: warnings about a planned topology, each naming the fix.
 *
 * Every check reads the planned model through struct topo. Findings
 * about addresses only fire where the planner kept the input's address,
 * since pciplan's own choices are libvirt's and never risky on purpose.
 */
#include "view/lint.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LEN 96
#define DETAIL_LEN 128

static int add(struct lint_result *r, size_t order, unsigned line,
               const char *element, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int add(struct lint_result *r, size_t order, unsigned line,
               const char *element, const char *fmt, ...)
{
    struct lint_finding *f;
    va_list ap;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        r->v = xreallocarray(r->v, cap, sizeof(*r->v));
        r->cap = cap;
    }
    f = &r->v[r->n++];
    f->order = order;
    f->seq = r->n - 1;
    f->line = line;
    snprintf(f->element, sizeof(f->element), "%s", element ? element : "");
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    va_end(ap);
    return 0;
}

/* A finding about the device at 'pos', at its line. */
#define ADD_AT(r, t, pos, ...)                                                 \
    add((r), (pos), topo_dev((t), (pos))->line,                                \
        dev_kind_name(topo_dev((t), (pos))->kind), __VA_ARGS__)

/* "interface #2 (line 12)" into buf */
static const char *ref(const struct topo *t, size_t pos, char *buf, size_t len)
{
    size_t n;

    topo_dev_name(t, pos, buf, len);
    n = strlen(buf);
    if (topo_dev(t, pos)->line)
        snprintf(buf + n, len - n, " (line %u)", topo_dev(t, pos)->line);
    else if (device_is_added(topo_dev(t, pos)))
        snprintf(buf + n, len - n, " (added)");
    return buf;
}

static bool from_input(const struct device *d)
{
    return !device_is_added(d) &&
           (d->placed == PLACED_KEPT || d->placed == PLACED_MOVED);
}

static const char *bus_model(const struct topo_bus *b)
{
    return pci_models[b->model].name;
}

/* ---- a device on a bus that does not suit it ---- */

static bool conventional_bus(const struct topo_bus *b)
{
    unsigned accepts = pci_models[b->model].accepts;

    return (accepts & CONN_PCI_DEVICE) && !(accepts & CONN_PCIE_DEVICE);
}

static bool hotplug_kind(const struct device *d)
{
    return d->kind == DEV_DISK || d->kind == DEV_INTERFACE ||
           d->kind == DEV_HOSTDEV;
}

static int check_bus_fit(const struct topo *t, size_t pos,
                         struct lint_result *r)
{
    const struct device *d = topo_dev(t, pos);
    const struct topo_bus *b = topo_bus_of(t, d);
    char where[32];

    if (!b || !from_input(d))
        return 0;
    topo_format_addr(where, sizeof(where), &d->addr);
    if (d->bus_class == CLASS_PCIE && conventional_bus(b))
        return ADD_AT(r, t, pos,
                      "address %s is on %s index %u, a conventional PCI "
                      "bus, so this PCI Express device runs without PCIe "
                      "features; put it on a pcie-root-port (or drop the "
                      "address and let pciplan choose)",
                      where, bus_model(b), d->addr.bus);
    /* hotplug='off' on a root port is a choice; a root bus is not */
    if (hotplug_kind(d) && !pci_models[b->model].hotplug)
        return ADD_AT(r, t, pos,
                      "address %s is on %s, where the device cannot be "
                      "hot-unplugged; put it on a pcie-root-port (or drop "
                      "the address and let pciplan choose)",
                      where, bus_model(b));
    return 0;
}

/* ---- an address naming a bus only pciplan's additions provide ---- */

static int check_dangling(const struct topo *t, size_t pos,
                          struct lint_result *r)
{
    const struct device *d = topo_dev(t, pos);
    const struct topo_bus *b = topo_bus_of(t, d);
    const struct device *c;
    char where[32];

    if (!b || !from_input(d) || d->addr.bus == 0)
        return 0;
    c = topo_dev(t, (size_t)b->ctrl);
    if (!device_is_added(c) || c->added != ADDED_FOR_BUS)
        return 0;
    topo_format_addr(where, sizeof(where), &d->addr);
    if (d->placed == PLACED_MOVED)
        return ADD_AT(r, t, pos,
                      "its address names bus 0x%02lx, which no controller "
                      "in the input provides (libvirt adds controllers and "
                      "moves the device to %s on %s index %u, and so does "
                      "pciplan); declare the controllers, or drop the "
                      "address",
                      t->input_bus[pos], where, bus_model(b), d->addr.bus);
    return ADD_AT(r, t, pos,
                  "address %s names bus 0x%02x, which no controller in the "
                  "input provides (pciplan adds %s index %u for it, as "
                  "libvirt does); declare that controller, or drop the "
                  "address",
                  where, d->addr.bus, bus_model(b), d->addr.bus);
}

/* ---- conventional PCI devices on a PCI Express machine ---- */

static bool pcie_machine(const struct topo *t)
{
    return t->mach && t->mach->root == PCI_MODEL_PCIE_ROOT;
}

static const char *modern_model(const struct topo *t, const struct device *d)
{
    if (d->model && strstr(d->model, "transitional"))
        return "use the non-transitional virtio model";
    switch (d->kind) {
    case DEV_INTERFACE:
        return "use <model type='virtio'/> (or e1000e)";
    case DEV_CONTROLLER:
        if (d->ctrl_type == CTRL_TYPE_USB)
            return "use model='qemu-xhci'";
        if (d->ctrl_type == CTRL_TYPE_SCSI)
            return "use model='virtio-scsi'";
        return "use virtio disks, or a PCI Express controller model";
    case DEV_SOUND:
        return "use model='ich9'";
    case DEV_VIDEO:
        return "use <model type='virtio'/> (or bochs)";
    case DEV_WATCHDOG:
        if (t->mach && t->mach->chipset == CHIPSET_ICH9)
            /* libvirt 9.0 has no itco model (9.1 adds it) */
            return "use model='ib700', an ISA device on q35's LPC bridge";
        return "use a PCI Express model if there is one";
    case DEV_SERIAL:
        return "use a virtio console";
    default:
        return "use a PCI Express model if there is one";
    }
}

/* A conventional controller pciplan added: the fix is at its user. */
static int check_added_legacy(const struct topo *t, size_t pos,
                              const char *what, struct lint_result *r)
{
    const struct device *d = topo_dev(t, pos);
    long user = topo_user_of(t, pos);
    char name[NAME_LEN];

    if (user < 0 || d->kind != DEV_CONTROLLER)
        return 0;
    topo_dev_name(t, pos, name, sizeof(name));
    return ADD_AT(r, t, (size_t)user,
                  "needs %s, which pciplan adds (as libvirt does)%s%s, a "
                  "conventional PCI device on a PCI Express machine; %s",
                  name, *what ? " as " : "", what,
                  d->ctrl_type == CTRL_TYPE_SCSI
                      ? "declare <controller type='scsi' "
                        "model='virtio-scsi'/>"
                      : "use virtio disks, or fewer disks on this bus");
}

static int check_legacy(const struct topo *t, size_t pos, struct lint_result *r)
{
    const struct device *d = topo_dev(t, pos);
    const struct pci_addr *a = topo_pci_addr(d);
    char what[DETAIL_LEN];

    /* on bus 0 it is an integrated device, as the ICH9 chipset's are */
    if (!pcie_machine(t) || !a || a->bus == 0 || d->bus_class != CLASS_PCI)
        return 0;
    topo_dev_what(t, pos, what, sizeof(what));
    if (device_is_added(d))
        return check_added_legacy(t, pos, what, r);
    if (!what[0])
        topo_dev_name(t, pos, what, sizeof(what));
    return ADD_AT(r, t, pos,
                  "%s is a conventional PCI device: on a PCI Express "
                  "machine it needs a pcie-to-pci-bridge and gets no PCIe "
                  "features; %s",
                  what, modern_model(t, d));
}

/* ---- functions of one slot ---- */

/* The lowest used function above 0, or 0 when none. */
static unsigned other_function(const struct topo_bus *b, unsigned slot)
{
    if (!(b->used[slot] & ~1u))
        return 0;
    for (unsigned f = 1; f < PCI_FUNCTIONS; f++) {
        if (b->slot_fn[slot][f] != TOPO_FREE)
            return f;
    }
    return 0;
}

static int check_root_port_slot(const struct topo *t, const struct topo_bus *b,
                                unsigned bus, struct lint_result *r)
{
    char first[NAME_LEN + 16];
    long fn0 = b->slot_fn[0][0];

    if (b->model != PCI_MODEL_PCIE_ROOT_PORT &&
        b->model != PCI_MODEL_DOWNSTREAM_PORT)
        return 0;
    for (unsigned f = 1; f < PCI_FUNCTIONS; f++) {
        long who = b->slot_fn[0][f];

        if (who < 0 || fn0 < 0 || !from_input(topo_dev(t, (size_t)who)))
            continue;
        if (ADD_AT(r, t, (size_t)who,
                   "shares the only slot of %s index %u with %s, so "
                   "neither can be hot-unplugged alone; give it a "
                   "%s of its own",
                   bus_model(b), bus, ref(t, (size_t)fn0, first, sizeof(first)),
                   bus_model(b)) < 0)
            return -1;
    }
    return 0;
}

static int check_slot(const struct topo *t, const struct topo_bus *b,
                      unsigned bus, unsigned slot, struct lint_result *r)
{
    unsigned f = other_function(b, slot);
    long fn0 = b->slot_fn[slot][0], who = f ? b->slot_fn[slot][f] : -1;
    char other[NAME_LEN + 16];

    if (who >= 0 && fn0 == TOPO_FREE && from_input(topo_dev(t, (size_t)who)))
        return ADD_AT(r, t, (size_t)who,
                      "function %u of slot %02x:%02x is in use but "
                      "function 0 is not, so the guest does not see the "
                      "slot; move it to function 0",
                      f, bus, slot);
    /* libvirt's own placement can do it too: said on the first plan as on
     * every later one, where the address is the input's */
    if (who >= 0 && fn0 == TOPO_FREE)
        return ADD_AT(r, t, (size_t)who,
                      "is placed on function %u of slot %02x:%02x, as "
                      "libvirt places it, but nothing is on function 0, "
                      "so the guest does not see the slot; add what "
                      "belongs on function 0 (for a USB companion, its "
                      "EHCI controller) or give it function 0",
                      f, bus, slot);
    if (fn0 < 0 || !f)
        return 0;
    if (who >= 0)
        ref(t, (size_t)who, other, sizeof(other));
    else
        snprintf(other, sizeof(other), "the chipset");
    if (topo_dev(t, (size_t)fn0)->addr.multifunction == TRI_OFF)
        return ADD_AT(r, t, (size_t)fn0,
                      "multifunction='off' on function 0 of slot "
                      "%02x:%02x, whose function %u is in use by %s, hides "
                      "the other functions from the guest; set "
                      "multifunction='on'",
                      bus, slot, f, other);
    if (topo_dev(t, (size_t)fn0)->adds_multifunction)
        return ADD_AT(r, t, (size_t)fn0,
                      "multifunction='on' is missing on function 0 of slot "
                      "%02x:%02x, whose function %u is in use by %s "
                      "(pciplan adds it, as libvirt does); write "
                      "multifunction='on'",
                      bus, slot, f, other);
    return 0;
}

static int check_functions(const struct topo *t, struct lint_result *r)
{
    for (unsigned bus = 0; bus < PCI_MAX_BUSES; bus++) {
        const struct topo_bus *b = t->bus[bus];

        if (!b)
            continue;
        if (check_root_port_slot(t, b, bus, r) < 0)
            return -1;
        for (unsigned s = 0; s < PCI_SLOTS; s++) {
            if (check_slot(t, b, bus, s, r) < 0)
                return -1;
        }
    }
    return 0;
}

/* ---- controller cycles ---- */

/* The bus the controller of 'bus' plugs into, or -1 for none. */
static int parent_bus(const struct topo *t, int bus)
{
    const struct pci_addr *a =
        topo_pci_addr(topo_dev(t, (size_t)t->bus[bus]->ctrl));

    if (!a || a->domain != 0 || a->bus >= PCI_MAX_BUSES || !t->bus[a->bus])
        return -1;
    return (int)a->bus;
}

static int report_cycle(const struct topo *t, const int *path, size_t n,
                        struct lint_result *r)
{
    char list[256] = "";
    size_t first = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list);

        snprintf(list + len, sizeof(list) - len, "%s%d", i ? ", " : "",
                 path[i]);
        if (t->bus[path[i]]->ctrl < t->bus[path[first]]->ctrl)
            first = i;
    }
    return ADD_AT(r, t, (size_t)t->bus[path[first]]->ctrl,
                  "the controllers with index %s plug into each other's "
                  "buses and reach no root bus, so QEMU cannot start the "
                  "guest; plug one of them into a bus that reaches the root",
                  list);
}

static int check_cycles(const struct topo *t, struct lint_result *r)
{
    unsigned char state[PCI_MAX_BUSES] = {0}; /* 1 on the path, 2 done */
    int path[PCI_MAX_BUSES];

    for (int b = 0; b < PCI_MAX_BUSES; b++) {
        size_t n = 0, start = 0;
        int x = b;

        while (x >= 0 && t->bus[x] && state[x] == 0) {
            state[x] = 1;
            path[n++] = x;
            x = parent_bus(t, x);
        }
        if (x >= 0 && state[x] == 1) {
            while (path[start] != x)
                start++;
            if (report_cycle(t, path + start, n - start, r) < 0)
                return -1;
        }
        for (size_t i = 0; i < n; i++)
            state[path[i]] = 2;
    }
    return 0;
}

/* ---- hotplug room ---- */

static int check_hotplug_room(const struct topo *t,
                              const struct lint_options *o,
                              struct lint_result *r)
{
    struct topo_census c;

    if (o->reserve == 0 || (t->mach && t->mach->no_pci))
        return 0; /* asked for no spare room, or there is no PCI at all */
    topo_census(t, -1, &c);
    if (c.pcie_hotplug + c.pci_hotplug > 0)
        return 0;
    return add(r, t->dom->ndevs, o->devices_line,
               o->devices_line ? "devices" : NULL,
               "no free hotpluggable slot is left, so hot-adding a "
               "device will fail; plan with --reserve N%s",
               pcie_machine(t) ? " (empty pcie-root-ports)" : "");
}

/* ---- entry points ---- */

static int compare_findings(const void *a, const void *b)
{
    const struct lint_finding *x = a, *y = b;

    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

int lint_run(const struct topo *t, const struct lint_options *o,
             struct lint_result *r)
{
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < t->dom->ndevs; i++) {
        if (check_bus_fit(t, i, r) < 0 || check_dangling(t, i, r) < 0 ||
            check_legacy(t, i, r) < 0)
            return -1;
    }
    if (check_functions(t, r) < 0 || check_cycles(t, r) < 0 ||
        check_hotplug_room(t, o, r) < 0)
        return -1;
    if (r->n > 0)
        qsort(r->v, r->n, sizeof(*r->v), compare_findings);
    return 0;
}

/* ---- printing: findings that differ only in numbers, grouped ---- */

/* From this many findings of one shape on, one line stands for them all:
 * 2,000 SCSI disks needing 286 lsilogic controllers give one warning. */
#define GROUP_MIN 4

static bool word_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '_';
}

static bool hex_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Whether s[0..len) is a number: decimal, 0x hex, or one or two hex
 * digits (a slot of an address); not a word like e1000 or ich6. */
static bool is_number(const char *s, size_t len)
{
    size_t start = len > 2 && s[0] == '0' && s[1] == 'x' ? 2 : 0;
    bool decimal = true, hex = true, digit = false;

    for (size_t j = start; j < len; j++) {
        decimal = decimal && s[j] >= '0' && s[j] <= '9';
        hex = hex && hex_char(s[j]);
        digit = digit || (s[j] >= '0' && s[j] <= '9');
    }
    if (start == 2)
        return hex;
    return len > 0 && (decimal || (len <= 2 && hex && digit));
}

static size_t word_len(const char *s)
{
    size_t n = 0;

    while (word_char(s[n]))
        n++;
    return n;
}

/* The length of the number at s, 0 if none: numbers joined by ':' or
 * '.' are one (0000:00:1f.0, 02:03), compared part by part. */
static size_t number_len(const char *s)
{
    size_t len = 0;

    for (;;) {
        size_t w = word_len(s + len);

        if (!is_number(s + len, w))
            return len ? len - 1 : 0;
        len += w;
        if ((s[len] != ':' && s[len] != '.') || !word_char(s[len + 1]))
            return len;
        len++;
    }
}

/* The next token of s at or after *pos: a number or a word. *pos
 * becomes its start; returns its length (0 at the end), *number whether
 * it is a number. */
static size_t next_token(const char *s, size_t *pos, bool *number)
{
    size_t i = *pos, n;

    while (s[i] && !word_char(s[i]))
        i++;
    *pos = i;
    if (!s[i])
        return 0;
    n = number_len(s + i);
    *number = n > 0;
    return n ? n : word_len(s + i);
}

#define NUMBER_MARK '\001'

/* Text of a message into a shape key: a NUMBER_MARK in it becomes
 * another byte, so that only numbers are marked. */
static size_t copy_text(char *key, size_t out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        key[out++] = s[i] == NUMBER_MARK ? '\002' : s[i];
    return out;
}

/* The finding's element and message with every number as NUMBER_MARK:
 * the shape that findings differing only in numbers share. */
static char *shape_of(const struct lint_finding *x)
{
    size_t n = strlen(x->element), pos = 0, done = 0, len, out;
    char *key = xmalloc(n + strlen(x->msg) + 2);
    bool number;

    memcpy(key, x->element, n);
    key[n] = '\n';
    out = n + 1;
    while ((len = next_token(x->msg, &pos, &number)) > 0) {
        out = copy_text(key, out, x->msg + done, pos - done);
        if (number)
            key[out++] = NUMBER_MARK;
        else
            out = copy_text(key, out, x->msg + pos, len);
        pos += len;
        done = pos;
    }
    out = copy_text(key, out, x->msg + done, strlen(x->msg + done));
    key[out] = '\0';
    return key;
}

/* Whether the number goes on after the part that ends at s. */
static bool more_parts(const char *s)
{
    return (*s == ':' || *s == '.') && number_len(s + 1) > 0;
}

/* Compare two numbers part by part (hex and decimal digits order
 * alike), a number with more parts after the equal ones being larger. */
static int compare_numbers(const char *a, const char *b)
{
    for (;;) {
        char *ea, *eb;
        unsigned long long x = strtoull(a, &ea, 16), y = strtoull(b, &eb, 16);
        bool more_a, more_b;

        if (x != y)
            return x < y ? -1 : 1;
        more_a = more_parts(ea);
        more_b = more_parts(eb);
        if (!more_a || !more_b)
            return more_a - more_b;
        a = ea + 1;
        b = eb + 1;
    }
}

struct shaped {
    char *key;
    size_t i; /* index into the findings */
};

static int compare_shaped(const void *a, const void *b)
{
    const struct shaped *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c)
        return c;
    return x->i < y->i ? -1 : (x->i > y->i);
}

/* The next number of the message at *cur (of the group's shape): its
 * start, and *cur past it. */
static const char *next_number(const char *msg, size_t *cur, size_t *len)
{
    bool number = false;

    while ((*len = next_token(msg, cur, &number)) > 0 && !number)
        *cur += *len;
    assert(number); /* a message of the shape has as many numbers */
    *cur += *len;
    return msg + *cur - *len;
}

/* The first message of the group with each number that varies in it as
 * "LOWEST to HIGHEST". */
static void print_ranges(FILE *f, const struct lint_result *r,
                         const struct shaped *g, size_t k)
{
    const char *msg = r->v[g[0].i].msg;
    size_t *cur = xcalloc(k, sizeof(*cur));
    size_t pos = 0, done = 0, len;
    bool number;

    while ((len = next_token(msg, &pos, &number)) > 0) {
        const char *lo = msg + pos, *hi = lo;
        size_t lolen = len, hilen = len;

        fwrite(msg + done, 1, pos - done, f);
        for (size_t j = 0; number && j < k; j++) {
            size_t l;
            const char *s = next_number(r->v[g[j].i].msg, &cur[j], &l);

            if (compare_numbers(s, lo) < 0) {
                lo = s;
                lolen = l;
            }
            if (compare_numbers(s, hi) > 0) {
                hi = s;
                hilen = l;
            }
        }
        fwrite(lo, 1, lolen, f);
        if (lo != hi && compare_numbers(lo, hi) != 0)
            fprintf(f, " to %.*s", (int)hilen, hi);
        pos += len;
        done = pos;
    }
    fputs(msg + done, f);
    free(cur);
}

static void print_head(FILE *f, const char *file, const struct lint_finding *x)
{
    fprintf(f, "pciplan: %s:", file);
    if (x->line)
        fprintf(f, "%u:", x->line);
    if (x->element[0])
        fprintf(f, " <%s>:", x->element);
    fputs(" warning: ", f);
}

/* "N <disk> elements (lines A to B): MESSAGE WITH RANGES" */
static void print_group(FILE *f, const char *file, const struct lint_result *r,
                        const struct shaped *g, size_t k)
{
    const struct lint_finding *x = &r->v[g[0].i];
    unsigned lo = x->line, hi = x->line;

    for (size_t j = 1; j < k; j++) {
        unsigned l = r->v[g[j].i].line;

        lo = l < lo ? l : lo;
        hi = l > hi ? l : hi;
    }
    print_head(f, file, x);
    if (x->element[0])
        fprintf(f, "%zu <%s> elements", k, x->element);
    else
        fprintf(f, "%zu times", k);
    if (lo && lo != hi)
        fprintf(f, " (lines %u to %u)", lo, hi);
    fputs(": ", f);
    print_ranges(f, r, g, k);
    fputc('\n', f);
}

void lint_print(const struct lint_result *r, const char *file, FILE *f)
{
    struct shaped *by_shape = xcalloc(r->n + 1, sizeof(*by_shape));
    size_t *group = xcalloc(r->n + 1, sizeof(*group)); /* in by_shape */
    size_t *size = xcalloc(r->n + 1, sizeof(*size));   /* by group start */

    for (size_t i = 0; i < r->n; i++)
        by_shape[i] = (struct shaped){shape_of(&r->v[i]), i};
    qsort(by_shape, r->n, sizeof(*by_shape), compare_shaped);
    for (size_t a = 0, b; a < r->n; a = b) {
        for (b = a; b < r->n && !strcmp(by_shape[a].key, by_shape[b].key); b++)
            group[by_shape[b].i] = a;
        size[a] = b - a;
    }
    for (size_t i = 0; i < r->n; i++) {
        size_t a = group[i];

        if (size[a] >= GROUP_MIN) {
            /* the group goes where its first finding would */
            if (by_shape[a].i == i)
                print_group(f, file, r, by_shape + a, size[a]);
            continue;
        }
        print_head(f, file, &r->v[i]);
        fprintf(f, "%s\n", r->v[i].msg);
    }
    for (size_t i = 0; i < r->n; i++)
        free(by_shape[i].key);
    free(by_shape);
    free(group);
    free(size);
}

void lint_free(struct lint_result *r)
{
    free(r->v);
    memset(r, 0, sizeof(*r));
}
