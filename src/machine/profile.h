/*
 * profile.h: what one libvirt release (with the QEMU its Debian release
 * ships) does differently, as data.
 *
 * The planner reads these fields and never asks for a version number:
 * supporting another libvirt is a new row in profile.c (and, for a new
 * QEMU, its `-machine help` in tests/qemu-machines).
 */
#ifndef PCIPLAN_PROFILE_H
#define PCIPLAN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "machine/qemu-machines.h"

/* Where libvirt puts a controller it adds to the domain's list. */
enum ctrl_insert {
    /* appended (virDomainDefAddController up to 9.0) */
    CTRL_INSERT_APPEND,
    /* among those of its type in index order, as the parser orders them
     * (virDomainControllerInsert, later releases) */
    CTRL_INSERT_BY_INDEX,
};

struct libvirt_profile {
    const char *version; /* what --libvirt takes: "9.0" */
    unsigned major, minor;
    const char *debian; /* the Debian release that ships it */
    const char *qemu;   /* its QEMU: names the machine tables */
    enum ctrl_insert ctrl_insert;
    /* watchdog added to every ICH9 (q35) domain without one of that
     * model, or NULL */
    const char *ich9_watchdog;
    /* watchdog models libvirt knows, NULL-terminated */
    const char *watchdog_models[6];
    /* <features><acpi/> on a machine without ACPI (pSeries, s390) is
     * refused rather than ignored */
    bool refuses_acpi;
    /* a usb-net interface without an address fails (libvirt looks for
     * a PCI slot with no connect flags) instead of getting a USB port */
    bool usb_net_needs_address;
};

/* Every profile, oldest first; profile_count() of them. */
const struct libvirt_profile *profile_at(size_t i);
size_t profile_count(void);

/* The profile --libvirt=VERSION names ("9.0", also "9.0.0"), or NULL. */
const struct libvirt_profile *profile_find(const char *version);

/* The newest profile not newer than libvirt MAJOR.MINOR (NULL when all
 * are newer); *exact tells whether it is that version. */
const struct libvirt_profile *profile_for_version(unsigned major,
                                                  unsigned minor, bool *exact);

const struct libvirt_profile *profile_newest(void);

/* "9.0, 11.3" for messages. */
const char *profile_list(void);

/* The machine names the profile's QEMU lists for qemu-system-QEMU_ARCH,
 * or NULL when that QEMU has no such binary in the tables. */
const struct qemu_machine *profile_machines(const struct libvirt_profile *pr,
                                            const char *qemu_arch);

#endif
