/*
 * profile.c: the libvirt releases pciplan plans for, one row each.
 *
 * Each row was read off the real thing: tests/xml-out (libvirt 9.0.0,
 * QEMU 7.2, Debian 12) and tests/xml-out-11.3 (libvirt 11.3.0, QEMU
 * 10.0, Debian 13); tests/tools/compare-versions lists what differs.
 */
#include "machine/profile.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const struct libvirt_profile profiles[] = {
    {
        .version = "9.0",
        .major = 9,
        .minor = 0,
        .debian = "Debian 12 bookworm",
        .qemu = "7.2",
        .ctrl_insert = CTRL_INSERT_APPEND,
        .ich9_watchdog = NULL,
        .watchdog_models = {"i6300esb", "ib700", "diag288", NULL},
        .refuses_acpi = false,
        .usb_net_needs_address = true,
    },
    {
        .version = "11.3",
        .major = 11,
        .minor = 3,
        .debian = "Debian 13 trixie",
        .qemu = "10.0",
        .ctrl_insert = CTRL_INSERT_BY_INDEX,
        .ich9_watchdog = "itco",
        .watchdog_models = {"i6300esb", "ib700", "diag288", "itco", NULL},
        .refuses_acpi = true,
        .usb_net_needs_address = false,
    },
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

size_t profile_count(void)
{
    return NPROFILES;
}

const struct libvirt_profile *profile_at(size_t i)
{
    assert(i < NPROFILES);
    return &profiles[i];
}

const struct libvirt_profile *profile_newest(void)
{
    return &profiles[NPROFILES - 1];
}

const struct libvirt_profile *profile_find(const char *version)
{
    size_t n;

    for (size_t i = 0; version && i < NPROFILES; i++) {
        n = strlen(profiles[i].version);
        /* "9.0.0" is 9.0: profiles are per minor release */
        if (strncmp(version, profiles[i].version, n) == 0 &&
            (version[n] == '\0' || strcmp(version + n, ".0") == 0))
            return &profiles[i];
    }
    return NULL;
}

const struct libvirt_profile *profile_for_version(unsigned major,
                                                  unsigned minor, bool *exact)
{
    const struct libvirt_profile *best = NULL;

    for (size_t i = 0; i < NPROFILES; i++) {
        const struct libvirt_profile *pr = &profiles[i];

        if (pr->major < major || (pr->major == major && pr->minor <= minor))
            best = pr;
    }
    *exact = best && best->major == major && best->minor == minor;
    return best;
}

const char *profile_list(void)
{
    static char buf[64];

    if (!buf[0]) {
        size_t len = 0;

        for (size_t i = 0; i < NPROFILES; i++) {
            int n = snprintf(buf + len, sizeof(buf) - len, "%s%s",
                             i ? ", " : "", profiles[i].version);

            assert(n > 0 && (size_t)n < sizeof(buf) - len);
            len += (size_t)n;
        }
    }
    return buf;
}

const struct qemu_machine *profile_machines(const struct libvirt_profile *pr,
                                            const char *qemu_arch)
{
    for (const struct qemu_version *q = qemu_versions; q->version; q++) {
        if (strcmp(q->version, pr->qemu) != 0)
            continue;
        for (const struct qemu_arch_machines *a = q->arches; a->qemu_arch;
             a++) {
            if (qemu_arch && strcmp(a->qemu_arch, qemu_arch) == 0)
                return a->names;
        }
        return NULL;
    }
    /* every profile's QEMU has tables (tests/golden/run-qemu-machines) */
    assert(!"profile without machine tables");
    return NULL;
}
