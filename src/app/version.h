/*
 * version.h: which libvirt profile pciplan plans for, and why.
 */
#ifndef PCIPLAN_VERSION_H
#define PCIPLAN_VERSION_H

#include "machine/profile.h"
#include "util/diag.h"

struct version_choice {
    const struct libvirt_profile *profile; /* NULL until version_pick() */
    char why[160];                         /* how it was chosen */
};

/*
 * Choose the profile: 'option' (--libvirt, may be NULL), else
 * $PCIPLAN_LIBVIRT, else the libvirt `virsh --version` reports (the
 * newest profile not newer than it, with a note on stderr when it is not
 * that version), else the newest profile. An unknown version given by
 * the option or the variable is a usage error.
 */
int version_pick(const char *option, struct version_choice *out,
                 struct diag *d);

#endif
