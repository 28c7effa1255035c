/*
 * options.h: pciplan's command line, parsed into one struct options.
 *
 * What pciplan does with each FILE is one mode (print, -o, -i, --check,
 * --diff) and what it produces is one view (the XML, a --show format,
 * --strip); each option that selects either is tagged in the option
 * table with what it selects, and a second option selecting another
 * mode or view is refused by name, so there is no list of forbidden
 * pairs to keep in step with the options.
 */
#ifndef PCIPLAN_OPTIONS_H
#define PCIPLAN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/run.h"
#include "app/version.h"
#include "plan/plan.h"
#include "util/diag.h"

/* Limits of the numeric options; outside them is a usage error. */
#define OPTIONS_RESERVE_MAX 1000
#define OPTIONS_ROOT_PORTS_MAX 255

/* What happens to each FILE's output. */
enum options_mode {
    MODE_PRINT,      /* standard output (the default; also -o -) */
    MODE_OUTPUT,     /* -o FILE */
    MODE_IN_PLACE,   /* -i */
    MODE_CHECK,      /* --check: only say what would change (exit 1) */
    MODE_DIFF,       /* --diff: a unified diff on standard output */
    MODE_DIFF_CHECK, /* --diff --check: the diff, and exit 1 if any */
};

struct options {
    struct plan_options plan; /* plan.machine points into 'machine' */
    char *machine;
    struct version_choice libvirt; /* --libvirt, or the default's */
    enum options_mode mode;
    enum run_view view;
    char *output; /* -o FILE (MODE_OUTPUT) */
    bool quiet;
    bool explain;       /* --explain */
    char *explain_file; /* --explain=FILE; NULL: standard error */
    bool capacity;      /* --capacity */
    bool werror;        /* -W: warnings fail with STATUS_INVALID */
    bool reserve_given; /* --reserve was on the command line */
    char **files;       /* NULL means standard input; "-" also means it */
    char **names;       /* each file as messages print it (see below) */
    size_t nfiles;
};

enum options_result {
    OPTIONS_ERROR = -1, /* usage error, described in the diag */
    OPTIONS_RUN = 0,    /* go on with cli_run() */
    OPTIONS_DONE = 1,   /* --help, --usage or --version was answered */
};

/*
 * Parse argv into *o (freed with options_free() whatever the result).
 * Help, usage and version text goes to 'out'.
 */
int options_parse(struct options *o, int argc, const char **argv, FILE *out,
                  struct diag *d);

void options_free(struct options *o);

/*
 * A file name as messages print it: control characters become '?', as
 * in every quoted input text, so a name holding a newline or an escape
 * sequence cannot break the one-line promise. Newly allocated.
 */
char *options_display_name(const char *path);

#endif
