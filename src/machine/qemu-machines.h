/*
 * qemu-machines.h: the machine types of each QEMU, as it lists them.
 *
 * The tables (qemu-machines.c) are generated from tests/qemu-machines/
 * by src/machine/gen-qemu-machines; profile.c points each libvirt
 * profile at the QEMU it runs.
 */
#ifndef PCIPLAN_QEMU_MACHINES_H
#define PCIPLAN_QEMU_MACHINES_H

/* One name QEMU accepts for -machine. */
struct qemu_machine {
    const char *name;
    const char *alias_of; /* the versioned type an alias stands for, or NULL */
};

/* The machines of one qemu-system-ARCH; names end with a NULL name. */
struct qemu_arch_machines {
    const char *qemu_arch; /* "x86_64", "i386", "ppc64", ... */
    const struct qemu_machine *names;
};

/* One QEMU release; arches end with a NULL qemu_arch. */
struct qemu_version {
    const char *version; /* "7.2" */
    const struct qemu_arch_machines *arches;
};

/* Every QEMU in tests/qemu-machines, oldest first, NULL-terminated. */
extern const struct qemu_version qemu_versions[];

#endif
