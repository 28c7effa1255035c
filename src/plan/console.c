/*
 * console.c: libvirt's compatibility console (virDomainDefAddConsoleCompat
 * and the console formatting that follows it).
 *
 * In an HVM guest the first <console> of target type serial is not a
 * device: it is serial 0 again. A domain with such a console and no
 * <serial> gets the serial (the console's chardev, on the machine's
 * default serial bus: spapr-vty on pSeries); a domain with serials whose
 * serial 0 is on a platform bus and no such console gets the console.
 * Either way libvirt writes that console as a copy of serial 0, address
 * included, so the console's address is known only once serial 0's is.
 */
#include "plan/state.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "plan/nonpci.h"
#include "util/xalloc.h"

static bool is_serial_console(const struct device *dev)
{
    return dev->kind == DEV_CONSOLE &&
           (!dev->type || str_eq(dev->type, "serial") ||
            str_eq(dev->type, "none"));
}

/* Serial 0 on one of these targets has a console; a PCI, USB or
 * isa-debug serial has none. */
static bool has_platform_target(const struct device *serial)
{
    static const char *const platform[] = {
        "isa-serial", "spapr-vio-serial", "system-serial", "sclp-serial", NULL};

    return !serial->type || str_in(serial->type, platform);
}

static struct device *first_of(const struct domain *dom, enum dev_kind kind)
{
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (dom->devs[i]->kind == kind)
            return dom->devs[i];
    }
    return NULL;
}

static struct device *add_mirror(struct planner *p, enum dev_kind kind,
                                 const struct device *of)
{
    struct device *dev = domain_add_device(p->dom, kind);

    dev->added = ADDED_CONSOLE_COMPAT;
    dev->mirror_elem = of->elem;
    dev->target.port = 0;
    return dev;
}

/* The console becomes serial 0: its chardev and its address, on the
 * machine's default serial target. */
static void add_serial_for(struct planner *p, const struct device *console)
{
    struct device *serial = add_mirror(p, DEV_SERIAL, console);

    assert(p->mach->serial_target && p->mach->serial_model);
    serial->type = xstrdup(p->mach->serial_target);
    serial->model_name = xstrdup(p->mach->serial_model);
    serial->addr_type = console->addr_type;
    serial->addr = console->addr;
    serial->input_addr = console->input_addr;
    device_copy_other(serial, console);
    serial->addr_changed = console->addr_type != ADDR_NONE;
}

int plan_console_compat(struct planner *p)
{
    struct domain *dom = p->dom;
    struct device *console = first_of(dom, DEV_CONSOLE);
    struct device *serial = first_of(dom, DEV_SERIAL);

    for (size_t i = 0; i < dom->ndevs; i++) {
        const struct device *dev = dom->devs[i];

        if (dev != console && dev->kind == DEV_CONSOLE &&
            str_eq(dev->type, "serial"))
            return diag_fail(p->d, STATUS_INVALID, dev->line, "console",
                             "only the first console can be a serial port");
    }
    if (console && is_serial_console(console)) {
        if (!serial)
            add_serial_for(p, console);
        return 0;
    }
    if (serial && has_platform_target(serial)) {
        struct device *added = add_mirror(p, DEV_CONSOLE, serial);

        added->type = xstrdup("serial");
    }
    return 0;
}

/* The same numbers as libvirt reads them (the attributes' spelling may
 * differ), and the same attributes, such as a usb port, that are not
 * numbers. */
static bool same_other(const struct other_addr *a, const struct other_addr *b)
{
    if (a->kind != b->kind || a->nattrs != b->nattrs ||
        a->present != b->present)
        return false;
    for (unsigned f = 0; f < OTHER_ADDR_FIELDS; f++) {
        if (a->field[f] != b->field[f])
            return false;
    }
    for (unsigned i = 0; i < a->nattrs; i++) {
        const char *name = a->name[i];

        if (strcmp(name, b->name[i]) != 0)
            return false;
        if (!domain_other_is_field(a->kind, name) &&
            strcmp(a->value[i], b->value[i]) != 0)
            return false;
    }
    return true;
}

static bool same_address(const struct device *a, const struct device *b)
{
    if (a->addr_type != b->addr_type)
        return false;
    if (a->addr_type == ADDR_PCI)
        return a->addr.domain == b->addr.domain && a->addr.bus == b->addr.bus &&
               a->addr.slot == b->addr.slot &&
               a->addr.function == b->addr.function;
    return a->addr_type == ADDR_NONE ||
           same_other(device_other(a), device_other(b));
}

void plan_mirror_console(struct domain *dom)
{
    struct device *console = first_of(dom, DEV_CONSOLE);
    const struct device *serial = first_of(dom, DEV_SERIAL);

    /* an added console is console 0 (libvirt inserts it first) */
    for (size_t i = 0; i < dom->ndevs; i++) {
        if (dom->devs[i]->kind == DEV_CONSOLE &&
            dom->devs[i]->added == ADDED_CONSOLE_COMPAT)
            console = dom->devs[i];
    }
    if (!console || !serial || !is_serial_console(console) ||
        serial->addr_type == ADDR_NONE || same_address(console, serial))
        return;
    console->addr_type = serial->addr_type;
    console->addr = serial->addr;
    device_copy_other(console, serial);
    console->addr_changed = true;
}
