/*
 * report.c: --explain, --show and --capacity, formatted from the model.
 */
#include "view/report.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAME_LEN 96
#define DETAIL_LEN 128

static const char *machine_name(const struct topo *t)
{
    if (t->dom->machine)
        return t->dom->machine;
    return t->mach ? t->mach->alias : "unknown machine";
}

/* Input text printed as is, but never a control character. */
static void put_clean(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* "interface #1 (virtio, PCIe)" */
static void put_dev(FILE *f, const struct topo *t, size_t pos)
{
    char name[NAME_LEN], detail[DETAIL_LEN];

    topo_dev_name(t, pos, name, sizeof(name));
    topo_dev_detail(t, pos, detail, sizeof(detail));
    fputs(name, f);
    if (detail[0])
        fprintf(f, " (%s)", detail);
}

/* "interface #1 (line 14)", or without the line for an added device */
static void put_dev_ref(FILE *f, const struct topo *t, size_t pos)
{
    char name[NAME_LEN];

    topo_dev_name(t, pos, name, sizeof(name));
    fputs(name, f);
    if (topo_dev(t, pos)->line)
        fprintf(f, " (line %u)", topo_dev(t, pos)->line);
    else if (device_is_added(topo_dev(t, pos)))
        fputs(" (added)", f);
}

static const char *hotplug_word(const struct topo_bus *b)
{
    if (!(pci_models[b->model].accepts & CONN_ENDPOINT))
        return "controllers only";
    return b->hotplug ? "hotpluggable" : "not hotpluggable";
}

/* ------------------------------------------------------------------ */
/* --explain                                                           */

/* The value of attribute 'name' of a planned non-PCI address, or NULL. */
static const char *other_attr(const struct device *dev, const char *name)
{
    return domain_other_value(device_other(dev), name);
}

static void put_other_addr(FILE *f, const struct device *dev)
{
    const struct other_addr *o = device_other(dev);

    put_clean(f, addr_kind_name(o->kind));
    for (unsigned i = 0; i < o->nattrs; i++) {
        fputc(' ', f);
        put_clean(f, o->name[i]);
        fputc('=', f);
        put_clean(f, o->value[i]);
    }
}

static const char *chipset_reason(const struct topo *t, const struct device *d)
{
    if (d->kind == DEV_VIDEO)
        return "the primary video's fixed slot on this machine";
    if (d->kind == DEV_SOUND)
        return "the ICH9 sound device's fixed slot";
    if (d->kind != DEV_CONTROLLER)
        return "its fixed place on this machine";
    switch (d->ctrl_type) {
    case CTRL_TYPE_IDE:
        return "the PIIX3 IDE function of the chipset";
    case CTRL_TYPE_SATA:
        return "the ICH9 SATA function of the chipset";
    case CTRL_TYPE_USB:
        return t->mach && t->mach->chipset == CHIPSET_PIIX3
                   ? "the PIIX3 USB function of the chipset"
                   : "the ICH9 USB slot, as libvirt places it";
    case CTRL_TYPE_PCI:
        if (d->pci_model == PCI_MODEL_DMI_TO_PCI_BRIDGE)
            return "slot 0x1e, where libvirt puts a dmi-to-pci-bridge";
        return "its fixed place on this machine";
    case CTRL_TYPE_FDC:
    case CTRL_TYPE_SCSI:
    case CTRL_TYPE_VIRTIO_SERIAL:
    case CTRL_TYPE_CCID:
    case CTRL_TYPE_XENBUS:
    case CTRL_TYPE_ISA:
    case CTRL_TYPE_OTHER:
    case CTRL_TYPE_NONE:
        break;
    }
    return "its fixed place on this machine";
}

static void put_first_free_reason(FILE *f, const struct device *d)
{
    switch (d->bus_class) {
    case CLASS_PCIE:
        fputs("lowest free slot for a PCIe device", f);
        break;
    case CLASS_PCI:
        fputs("lowest free slot for a conventional PCI device", f);
        break;
    case CLASS_INTEGRATED:
        fputs("lowest free slot on bus 0x00 (it must be integrated)", f);
        break;
    default:
        fputs("lowest free slot for a ", f);
        put_clean(f, d->model ? d->model : "controller");
        break;
    }
}

/* Why an address of a device from the input was chosen. */
static void put_pci_reason(FILE *f, const struct topo *t, size_t pos)
{
    const struct device *d = topo_dev(t, pos);

    switch (d->placed) {
    case PLACED_CHIPSET:
        fputs(chipset_reason(t, d), f);
        break;
    case PLACED_COMPANION:
        fprintf(f, "function %u of its USB2 companion set's slot",
                d->addr.function);
        break;
    case PLACED_MOVED:
        fprintf(f,
                "its address named bus 0x%02lx, which no controller "
                "provided; libvirt moves it to a bus it adds for it, and so "
                "does pciplan",
                t->input_bus[pos]);
        break;
    default:
        put_first_free_reason(f, d);
        break;
    }
}

static void put_other_reason(FILE *f, const struct device *d)
{
    const char *type = addr_kind_name(device_other(d)->kind);

    if (d->kind == DEV_CONSOLE && (!d->type || str_eq(d->type, "serial"))) {
        fputs("serial 0's address (libvirt's console 0 is serial 0 again)", f);
    } else if (str_eq(type, "drive") && d->dev) {
        fputs("from its target dev='", f);
        put_clean(f, d->dev);
        fputs("'", f);
    } else if (str_eq(type, "virtio-serial")) {
        fputs("next free port of virtio-serial controller ", f);
        put_clean(f, other_attr(d, "controller"));
    } else if (str_eq(type, "ccid")) {
        fputs("next free slot of CCID controller ", f);
        put_clean(f, other_attr(d, "controller"));
    } else if (str_eq(type, "usb")) {
        fputs("next free USB port", f);
    } else if (str_eq(type, "spapr-vio")) {
        fputs("next free spapr-vio register", f);
    } else if (str_eq(type, "virtio-mmio")) {
        fputs("virtio-mmio, as the domain already uses it (libvirt does the "
              "same)",
              f);
    } else if (str_eq(type, "dimm")) {
        fputs("next free DIMM slot", f);
    } else if (str_eq(type, "ccw")) {
        fputs("next free CCW device number", f);
    } else {
        fputs("assigned as libvirt does", f);
    }
}

static void put_machine_reason(FILE *f, const struct device *d)
{
    if (d->kind == DEV_MEMBALLOON)
        fputs("added, as libvirt adds a virtio memballoon by default", f);
    else if (d->kind == DEV_INPUT)
        fputs("added, as libvirt adds USB input devices for <graphics> on "
              "this machine",
              f);
    else if (d->ctrl_type == CTRL_TYPE_USB)
        fputs("added, as libvirt adds the machine's default USB controller", f);
    else if (d->ctrl_type == CTRL_TYPE_SATA)
        fputs("added, as this machine always has SATA controller 0", f);
    else if (d->ctrl_type == CTRL_TYPE_PCI)
        fputs("added, as libvirt adds the root bus", f);
    else
        fputs("added, as libvirt does on this machine", f);
}

static void put_user_reason(FILE *f, const struct topo *t, size_t pos,
                            const char *generic)
{
    long user = topo_user_of(t, pos);

    if (user < 0) {
        fputs(generic, f);
        return;
    }
    fputs("added because ", f);
    put_dev_ref(f, t, (size_t)user);
    fputs(" uses it", f);
}

static const char *slot_kind(const struct device *d)
{
    switch (d->bus_class) {
    case CLASS_PCIE:
        return "a PCIe slot";
    case CLASS_PCI:
        return "a conventional PCI slot";
    case CLASS_INTEGRATED:
        return "a slot on bus 0x00";
    default:
        return "a slot to plug into";
    }
}

/* Whether the input address of the device at pos named bus 'index' or a
 * higher one (libvirt adds every index up to the highest named). */
static bool names_bus(const struct topo *t, size_t pos, long index)
{
    const struct device *d = topo_dev(t, pos);

    return (d->placed == PLACED_KEPT || d->placed == PLACED_MOVED) &&
           t->input_bus[pos] >= index;
}

/* "added because X (line N) needed a PCIe slot", or "... names bus 0x03
 * in its address". */
static void put_bus_cause(FILE *f, const struct topo *t, const struct device *d,
                          size_t pos)
{
    const struct device *cause = topo_dev(t, pos);
    long named = t->input_bus[pos];

    fputs("added because ", f);
    put_dev_ref(f, t, pos);
    if (names_bus(t, pos, d->index))
        fprintf(f, " names bus 0x%02lx in its address%s", named,
                named > d->index ? ", and libvirt adds every index below it too"
                                 : "");
    else
        fprintf(f, " needed %s", slot_kind(cause));
}

/* A bus libvirt's sizing pass added for a device that the final pass put
 * elsewhere (say, the pcie-to-pci-bridge it needed took a free port). */
static void put_empty_bus(FILE *f, const struct topo *t, size_t pos)
{
    const struct pci_addr *a = topo_pci_addr(topo_dev(t, pos));
    char where[32] = "another bus";

    if (a)
        topo_format_addr(where, sizeof(where), a);
    fputs("added empty: libvirt's sizing pass added it for ", f);
    put_dev_ref(f, t, pos);
    fprintf(f,
            ", which needed %s, but the final placement put that device at "
            "%s, not below it",
            slot_kind(topo_dev(t, pos)), where);
}

static bool valid_pos(const struct topo *t, long pos)
{
    return pos >= 0 && (size_t)pos < t->dom->ndevs;
}

static void put_bus_reason(FILE *f, const struct topo *t,
                           const struct device *d)
{
    if (d->kind == DEV_HUB) {
        fputs("added, as libvirt adds a USB hub when the devices outnumber "
              "the ports",
              f);
        return;
    }
    if (valid_pos(t, d->added_for)) {
        put_bus_cause(f, t, d, (size_t)d->added_for);
        return;
    }
    if (valid_pos(t, d->sized_for)) {
        if (names_bus(t, (size_t)d->sized_for, d->index + 1))
            put_bus_cause(f, t, d, (size_t)d->sized_for);
        else
            put_empty_bus(f, t, (size_t)d->sized_for);
        return;
    }
    /* no device asked for it: an index below a higher one in use */
    fprintf(f,
            "added for bus 0x%02lx, below the highest controller index, "
            "as libvirt fills such gaps",
            d->index);
}

/* Why pciplan added a device. */
static void put_added_reason(FILE *f, const struct topo *t, size_t pos,
                             int reserve)
{
    const struct device *d = topo_dev(t, pos);

    switch (d->added) {
    case ADDED_MACHINE:
        put_machine_reason(f, d);
        break;
    case ADDED_FOR_DISKS:
        put_user_reason(f, t, pos,
                        "added for the disks or SCSI host devices on it");
        break;
    case ADDED_FOR_CHANNELS:
        put_user_reason(f, t, pos,
                        "added for the channels, consoles or smartcards on "
                        "it");
        break;
    case ADDED_FOR_GRAPHICS:
        fputs("added, as libvirt adds a video device for <graphics>", f);
        break;
    case ADDED_FOR_BUS:
        put_bus_reason(f, t, d);
        break;
    case ADDED_SPARE:
        if (reserve == 1)
            fputs("added empty as hotplug reserve, as libvirt does "
                  "(--reserve)",
                  f);
        else
            fprintf(f, "added empty as hotplug reserve (--reserve %d)",
                    reserve);
        break;
    case ADDED_ROOT_PORTS:
        fputs("added for --root-ports", f);
        break;
    case ADDED_CONSOLE_COMPAT:
        fputs(d->kind == DEV_SERIAL
                  ? "added, as libvirt makes the serial-type console serial 0"
                  : "added, as libvirt gives serial 0 a console",
              f);
        break;
    default:
        fputs("added", f);
        break;
    }
}

/* " on pcie-root-port index 3 (hotpluggable)" */
static void put_bus_of(FILE *f, const struct topo *t, const struct device *d)
{
    const struct topo_bus *b = topo_bus_of(t, d);

    if (!b)
        return;
    fprintf(f, " on %s index %u (%s)", pci_models[b->model].name, d->addr.bus,
            hotplug_word(b));
}

static void explain_device(FILE *f, const struct topo *t, size_t pos,
                           const char *prefix, int reserve)
{
    const struct device *d = topo_dev(t, pos);
    const struct pci_addr *a = topo_pci_addr(d);
    char where[32];

    fputs(prefix, f);
    put_dev(f, t, pos);
    if (a) {
        topo_format_addr(where, sizeof(where), a);
        fprintf(f, " -> %s", where);
    } else if (d->addr_type == ADDR_OTHER && d->addr_changed) {
        fputs(" -> ", f);
        put_other_addr(f, d);
    }
    if (device_is_added(d)) {
        fputs(": ", f);
        put_added_reason(f, t, pos, reserve);
    } else if (a && d->addr_changed) {
        put_bus_of(f, t, d);
        fputs(": ", f);
        put_pci_reason(f, t, pos);
    } else if (a) {
        fprintf(f,
                ": multifunction='on' added, as other functions of slot "
                "0x%02x are in use (libvirt does the same)",
                a->slot);
    } else {
        fputs(": ", f);
        put_other_reason(f, d);
    }
    fputc('\n', f);
}

void report_explain(FILE *f, const struct topo *t, const char *prefix,
                    int reserve)
{
    bool header = t->profile != NULL;

    for (size_t i = 0; i < t->dom->ndevs; i++) {
        const struct device *d = topo_dev(t, i);

        if (!d->addr_changed && !d->adds_multifunction && !device_is_added(d))
            continue;
        /* which libvirt the addresses are for, once, when there are any */
        if (header)
            fprintf(f, "%splanned for libvirt %s (QEMU %s, %s): %s\n", prefix,
                    t->profile->version, t->profile->qemu, t->profile->debian,
                    t->profile_why ? t->profile_why : "");
        header = false;
        explain_device(f, t, i, prefix, reserve);
    }
}

/* ------------------------------------------------------------------ */
/* --show=tree                                                         */

static void indent(FILE *f, unsigned depth)
{
    for (unsigned i = 0; i < depth; i++)
        fputs("  ", f);
}

static void tree_marks(FILE *f, const struct device *d)
{
    if (d->added == ADDED_SPARE)
        fputs(" [added: hotplug reserve]", f);
    else if (d->added == ADDED_ROOT_PORTS)
        fputs(" [added: --root-ports]", f);
    else if (device_is_added(d))
        fputs(" [added]", f);
    else if (d->addr_changed)
        fputs(" [new address]", f);
}

static void tree_bus(FILE *f, const struct topo *t, unsigned bus,
                     unsigned depth, bool *seen);

/* A controller line; the bus it provides follows, one level deeper. */
static void tree_controller_bus(FILE *f, const struct topo *t, size_t pos,
                                unsigned depth, bool *seen)
{
    const struct device *d = topo_dev(t, pos);
    const struct topo_bus *b;

    if (!topo_is_pci_ctrl(d) || d->index < 0 || d->index >= PCI_MAX_BUSES)
        return;
    b = t->bus[d->index];
    if (!b || (size_t)b->ctrl != pos || seen[d->index])
        return;
    fprintf(f, " -> bus 0x%02lx, %s", d->index, hotplug_word(b));
    tree_marks(f, d);
    fputc('\n', f);
    tree_bus(f, t, (unsigned)d->index, depth + 1, seen);
}

static void tree_function(FILE *f, const struct topo *t, unsigned bus,
                          unsigned slot, unsigned fn, unsigned depth,
                          bool *seen)
{
    long who = t->bus[bus]->slot_fn[slot][fn];

    indent(f, depth);
    fprintf(f, "%02x:%02x.%x  ", bus, slot, fn);
    if (who == TOPO_CHIPSET) {
        fprintf(f, "reserved: %s\n", topo_chipset_name(t, slot, fn));
        return;
    }
    put_dev(f, t, (size_t)who);
    if (topo_is_pci_ctrl(topo_dev(t, (size_t)who)) &&
        topo_dev(t, (size_t)who)->index >= 0 &&
        topo_dev(t, (size_t)who)->index < PCI_MAX_BUSES &&
        t->bus[topo_dev(t, (size_t)who)->index] &&
        !seen[topo_dev(t, (size_t)who)->index]) {
        tree_controller_bus(f, t, (size_t)who, depth, seen);
        return;
    }
    tree_marks(f, topo_dev(t, (size_t)who));
    fputc('\n', f);
}

static void tree_free_run(FILE *f, const struct topo_bus *b, unsigned bus,
                          unsigned first, unsigned last, unsigned depth)
{
    const char *what =
        pci_models[b->model].accepts & CONN_ENDPOINT ? "" : " for controllers";

    indent(f, depth);
    if (first == last)
        fprintf(f, "%02x:%02x    free%s\n", bus, first, what);
    else
        fprintf(f, "%02x:%02x-%02x free%s (%u slots)\n", bus, first, last, what,
                last - first + 1);
}

static void tree_bus(FILE *f, const struct topo *t, unsigned bus,
                     unsigned depth, bool *seen)
{
    const struct topo_bus *b = t->bus[bus];
    unsigned s, run = PCI_SLOTS;

    seen[bus] = true;
    for (s = 0; s < PCI_SLOTS; s++) {
        bool usable = s >= topo_min_slot(b) && s <= topo_max_slot(b);

        if (usable && topo_slot_free(b, s)) {
            if (run == PCI_SLOTS)
                run = s;
            continue;
        }
        if (run != PCI_SLOTS)
            tree_free_run(f, b, bus, run, s - 1, depth);
        run = PCI_SLOTS;
        for (unsigned fn = 0; fn < PCI_FUNCTIONS; fn++) {
            if (b->slot_fn[s][fn] != TOPO_FREE)
                tree_function(f, t, bus, s, fn, depth, seen);
        }
    }
    if (run != PCI_SLOTS)
        tree_free_run(f, b, bus, run, PCI_SLOTS - 1, depth);
}

/* Root buses: PCI controllers that plug into nothing. */
static bool is_root_bus(const struct topo *t, unsigned bus)
{
    return t->bus[bus] &&
           !topo_pci_addr(topo_dev(t, (size_t)t->bus[bus]->ctrl));
}

static void tree_census_line(FILE *f, const struct topo *t)
{
    struct topo_census c;

    topo_census(t, -1, &c);
    fprintf(f,
            "free slots: %u PCIe hotpluggable, %u conventional PCI "
            "hotpluggable, %u cold-plug only\n",
            c.pcie_hotplug, c.pci_hotplug, c.coldplug);
}

static void show_tree(FILE *f, const struct topo *t)
{
    bool seen[PCI_MAX_BUSES] = {false};

    fputs("machine ", f);
    put_clean(f, machine_name(t));
    if (t->dom->arch) {
        fputs(" (", f);
        put_clean(f, t->dom->arch);
        fputs(")", f);
    }
    fprintf(f, ", %u PCI controller%s\n", t->nctrls, t->nctrls == 1 ? "" : "s");
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++) {
        if (!is_root_bus(t, b))
            continue;
        put_dev(f, t, (size_t)t->bus[b]->ctrl);
        tree_controller_bus(f, t, (size_t)t->bus[b]->ctrl, 0, seen);
    }
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++) {
        if (!t->bus[b] || seen[b])
            continue;
        fputs("not reachable from a root bus (a controller cycle): ", f);
        put_dev(f, t, (size_t)t->bus[b]->ctrl);
        tree_controller_bus(f, t, (size_t)t->bus[b]->ctrl, 0, seen);
    }
    tree_census_line(f, t);
}

/* ------------------------------------------------------------------ */
/* --show=dot                                                          */

/* Text inside a double-quoted dot string. */
static void put_dot_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
    }
}

static const char *dot_fill(const struct topo *t, const struct device *d)
{
    if (topo_is_pci_ctrl(d)) {
        const struct topo_bus *b =
            d->index >= 0 && d->index < PCI_MAX_BUSES ? t->bus[d->index] : NULL;

        return b && b->hotplug ? "#cfe2f3" : "#d9d9d9";
    }
    switch (d->bus_class) {
    case CLASS_PCIE:
        return "#d9ead3";
    case CLASS_PCI:
        return "#fff2cc";
    default:
        return "#ead1dc";
    }
}

static void dot_node(FILE *f, const struct topo *t, size_t pos)
{
    const struct device *d = topo_dev(t, pos);
    char name[NAME_LEN], detail[DETAIL_LEN];

    topo_dev_name(t, pos, name, sizeof(name));
    topo_dev_detail(t, pos, detail, sizeof(detail));
    fprintf(f, "  d%zu [label=\"", pos);
    put_dot_text(f, name);
    if (detail[0]) {
        fputs("\\n", f);
        put_dot_text(f, detail);
    }
    if (topo_is_pci_ctrl(d) && d->index >= 0 && d->index < PCI_MAX_BUSES &&
        t->bus[d->index])
        fprintf(f, "\\nbus 0x%02lx, %s", d->index,
                hotplug_word(t->bus[d->index]));
    if (d->added == ADDED_SPARE)
        fputs("\\n(hotplug reserve)", f);
    fprintf(f, "\", fillcolor=\"%s\"%s];\n", dot_fill(t, d),
            device_is_added(d) ? ", style=\"rounded,filled,bold\"" : "");
}

static void dot_chipset(FILE *f, const struct topo *t, unsigned bus,
                        unsigned slot, unsigned fn)
{
    fprintf(f,
            "  chip%u_%u_%u [label=\"%s\\n(built in)\", "
            "fillcolor=\"#eeeeee\", style=\"rounded,filled,dashed\"];\n",
            bus, slot, fn, topo_chipset_name(t, slot, fn));
    fprintf(f, "  d%ld -> chip%u_%u_%u [label=\"%02x:%02x.%x\"];\n",
            t->bus[bus]->ctrl, bus, slot, fn, bus, slot, fn);
}

/* One node for all free slots of a bus. */
static void dot_free(FILE *f, const struct topo_bus *b, unsigned bus)
{
    unsigned nfree = 0;

    for (unsigned s = topo_min_slot(b); s <= topo_max_slot(b); s++)
        nfree += topo_slot_free(b, s);
    if (nfree == 0)
        return;
    fprintf(f,
            "  free%u [label=\"%u free slot%s\\n%s\", "
            "style=\"rounded,dashed\"];\n",
            bus, nfree, nfree == 1 ? "" : "s", hotplug_word(b));
    fprintf(f, "  d%ld -> free%u [style=dashed];\n", b->ctrl, bus);
}

static void dot_node_once(FILE *f, const struct topo *t, size_t pos,
                          bool *declared)
{
    if (!declared[pos])
        dot_node(f, t, pos);
    declared[pos] = true;
}

/* A bus's nodes and edges in slot order, which dot keeps top to
 * bottom (it orders nodes by their first appearance). */
static void dot_bus(FILE *f, const struct topo *t, unsigned bus, bool *declared)
{
    const struct topo_bus *b = t->bus[bus];

    dot_node_once(f, t, (size_t)b->ctrl, declared);
    for (unsigned s = 0; s < PCI_SLOTS; s++) {
        for (unsigned fn = 0; fn < PCI_FUNCTIONS; fn++) {
            long who = b->slot_fn[s][fn];

            if (who == TOPO_CHIPSET) {
                dot_chipset(f, t, bus, s, fn);
            } else if (who >= 0) {
                dot_node_once(f, t, (size_t)who, declared);
                fprintf(f, "  d%ld -> d%ld [label=\"%02x:%02x.%x\"];\n",
                        b->ctrl, who, bus, s, fn);
            }
        }
    }
    dot_free(f, b, bus);
}

static void show_dot(FILE *f, const struct topo *t)
{
    fputs("digraph pciplan {\n", f);
    fputs("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, "
          "labelloc=t, label=\"",
          f);
    put_dot_text(f, machine_name(t));
    fputs("\\nbold: added by pciplan; dashed: free or built in\"];\n", f);
    fputs("  node [shape=box, style=\"rounded,filled\", "
          "fontname=\"Helvetica\", fontsize=10];\n",
          f);
    fputs("  edge [fontname=\"Helvetica\", fontsize=9, arrowhead=none];\n", f);
    bool *declared = xcalloc(t->dom->ndevs ? t->dom->ndevs : 1, 1);

    for (unsigned b = 0; b < PCI_MAX_BUSES; b++) {
        if (t->bus[b])
            dot_bus(f, t, b, declared);
    }
    free(declared);
    fputs("}\n", f);
}

/* ------------------------------------------------------------------ */
/* --show=json                                                         */

static void put_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static const char *origin_name(enum addr_origin o)
{
    static const char *const names[] = {"none",    "kept",      "moved",
                                        "chipset", "companion", "first-free"};

    return names[o];
}

static const char *addition_name(enum addition a)
{
    static const char *const names[] = {NULL,       "machine",   "disks",
                                        "channels", "graphics",  "bus",
                                        "reserve",  "root-ports"};

    return names[a];
}

static const char *json_class(const struct device *d)
{
    if (topo_is_pci_ctrl(d))
        return "controller";
    switch (d->bus_class) {
    case CLASS_PCIE:
        return "pcie";
    case CLASS_PCI:
        return "pci";
    case CLASS_INTEGRATED:
        return "integrated";
    default:
        return "other";
    }
}

static const char *json_tristate(int v)
{
    return v == TRI_ON ? "true" : v == TRI_OFF ? "false" : "null";
}

static void json_address(FILE *f, const struct topo *t, const struct device *d)
{
    const struct pci_addr *a = topo_pci_addr(d);
    const struct topo_bus *b = topo_bus_of(t, d);
    char where[32];

    if (!a) {
        fputs(", \"address\": null", f);
        return;
    }
    topo_format_addr(where, sizeof(where), a);
    fprintf(f,
            ", \"address\": \"%s\", \"bus\": %u, \"slot\": %u, "
            "\"function\": %u, \"multifunction\": %s, \"hotpluggable\": %s",
            where, a->bus, a->slot, a->function,
            json_tristate(a->multifunction),
            b && b->hotplug ? "true" : "false");
}

static void json_device(FILE *f, const struct topo *t, size_t pos, bool first)
{
    const struct device *d = topo_dev(t, pos);
    char name[NAME_LEN];

    topo_dev_name(t, pos, name, sizeof(name));
    fprintf(f, "%s\n    {\"id\": %zu, \"element\": \"%s\", \"name\": ",
            first ? "" : ",", pos, dev_kind_name(d->kind));
    put_json_string(f, name);
    fputs(", \"line\": ", f);
    if (d->line)
        fprintf(f, "%u", d->line);
    else
        fputs("null", f);
    fputs(", \"type\": ", f);
    put_json_string(f, d->type);
    fputs(", \"model\": ", f);
    put_json_string(f, d->model);
    fprintf(f, ", \"class\": \"%s\"", json_class(d));
    json_address(f, t, d);
    fprintf(f, ", \"origin\": \"%s\", \"changed\": %s", origin_name(d->placed),
            d->addr_changed || d->adds_multifunction ? "true" : "false");
    fputs(", \"added\": ", f);
    put_json_string(f, device_is_added(d) ? addition_name(d->added) : NULL);
    if (d->added_for >= 0)
        fprintf(f, ", \"added_for\": %ld", d->added_for);
    else
        fputs(", \"added_for\": null", f);
    if (d->sized_for >= 0)
        fprintf(f, ", \"sized_for\": %ld", d->sized_for);
    else
        fputs(", \"sized_for\": null", f);
    if (topo_is_pci_ctrl(d) && d->index >= 0)
        fprintf(f, ", \"provides_bus\": %ld}", d->index);
    else
        fputs(", \"provides_bus\": null}", f);
}

static void json_free_slots(FILE *f, const struct topo_bus *b)
{
    bool first = true;

    fputs(", \"free_slots\": [", f);
    for (unsigned s = topo_min_slot(b); s <= topo_max_slot(b); s++) {
        if (!topo_slot_free(b, s))
            continue;
        fprintf(f, "%s%u", first ? "" : ", ", s);
        first = false;
    }
    fputs("]", f);
}

static void json_reserved(FILE *f, const struct topo *t,
                          const struct topo_bus *b)
{
    bool first = true;

    fputs(", \"reserved\": [", f);
    for (unsigned s = 0; s < PCI_SLOTS; s++) {
        for (unsigned fn = 0; fn < PCI_FUNCTIONS; fn++) {
            if (b->slot_fn[s][fn] != TOPO_CHIPSET)
                continue;
            fprintf(f, "%s{\"slot\": %u, \"function\": %u, \"name\": ",
                    first ? "" : ", ", s, fn);
            put_json_string(f, topo_chipset_name(t, s, fn));
            fputs("}", f);
            first = false;
        }
    }
    fputs("]", f);
}

static void json_bus(FILE *f, const struct topo *t, unsigned bus, bool first)
{
    const struct topo_bus *b = t->bus[bus];
    const struct pci_addr *up = topo_pci_addr(topo_dev(t, (size_t)b->ctrl));
    unsigned accepts = pci_models[b->model].accepts;

    fprintf(f,
            "%s\n    {\"bus\": %u, \"controller\": %ld, \"model\": \"%s\", "
            "\"hotpluggable\": %s, \"endpoints\": %s, \"parent\": ",
            first ? "" : ",", bus, b->ctrl, pci_models[b->model].name,
            b->hotplug ? "true" : "false",
            accepts & CONN_ENDPOINT ? "true" : "false");
    if (up)
        fprintf(f, "{\"bus\": %u, \"slot\": %u, \"function\": %u}", up->bus,
                up->slot, up->function);
    else
        fputs("null", f);
    fprintf(f, ", \"first_slot\": %u, \"last_slot\": %u", topo_min_slot(b),
            topo_max_slot(b));
    json_free_slots(f, b);
    json_reserved(f, t, b);
    fputs("}", f);
}

static void json_capacity(FILE *f, const struct topo *t)
{
    struct topo_census c;

    topo_census(t, -1, &c);
    fprintf(f,
            "  \"capacity\": {\"pcie_hotpluggable\": %u, "
            "\"pci_hotpluggable\": %u, \"coldplug\": %u, "
            "\"controller_indexes_used\": %u, "
            "\"controller_indexes_free\": %u}\n",
            c.pcie_hotplug, c.pci_hotplug, c.coldplug, t->nctrls,
            PCI_MAX_BUSES - t->nctrls);
}

static void show_json(FILE *f, const struct topo *t)
{
    bool first = true;

    fputs("{\n  \"schema\": \"pciplan-topology/1\",\n  \"machine\": ", f);
    put_json_string(f, machine_name(t));
    fputs(",\n  \"arch\": ", f);
    put_json_string(f, t->dom->arch);
    fputs(",\n  \"libvirt\": ", f);
    if (t->profile) {
        fputs("{\"version\": ", f);
        put_json_string(f, t->profile->version);
        fputs(", \"qemu\": ", f);
        put_json_string(f, t->profile->qemu);
        fputs(", \"chosen_by\": ", f);
        put_json_string(f, t->profile_why);
        fputs("}", f);
    } else {
        fputs("null", f);
    }
    fputs(",\n  \"buses\": [", f);
    for (unsigned b = 0; b < PCI_MAX_BUSES; b++) {
        if (!t->bus[b])
            continue;
        json_bus(f, t, b, first);
        first = false;
    }
    fputs("\n  ],\n  \"devices\": [", f);
    first = true;
    for (size_t i = 0; i < t->dom->ndevs; i++) {
        const struct device *d = topo_dev(t, i);

        if (!topo_pci_addr(d) && !topo_is_pci_ctrl(d))
            continue;
        json_device(f, t, i, first);
        first = false;
    }
    fputs("\n  ],\n", f);
    json_capacity(f, t);
    fputs("}\n", f);
}

/* ------------------------------------------------------------------ */

enum show_format report_show_format(const char *name)
{
    if (str_eq(name, "tree"))
        return SHOW_TREE;
    if (str_eq(name, "dot"))
        return SHOW_DOT;
    if (str_eq(name, "json"))
        return SHOW_JSON;
    return SHOW_NONE;
}

void report_show(FILE *f, const struct topo *t, enum show_format fmt)
{
    switch (fmt) {
    case SHOW_TREE:
        show_tree(f, t);
        break;
    case SHOW_DOT:
        show_dot(f, t);
        break;
    case SHOW_JSON:
        show_json(f, t);
        break;
    default:
        break;
    }
}

void report_capacity(FILE *f, const struct topo *t, const char *name)
{
    struct topo_census c;

    topo_census(t, -1, &c);
    fprintf(f, "%s: room for more devices without adding controllers (", name);
    put_clean(f, machine_name(t));
    fputs("):\n", f);
    fprintf(f, "  PCIe, hotpluggable             %5u\n", c.pcie_hotplug);
    fprintf(f, "  conventional PCI, hotpluggable %5u\n", c.pci_hotplug);
    fprintf(f, "  cold-plug only                 %5u\n", c.coldplug);
    fprintf(f, "  PCI controller indexes free    %5u of %u\n",
            PCI_MAX_BUSES - t->nctrls, PCI_MAX_BUSES);
}
