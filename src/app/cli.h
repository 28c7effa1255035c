/*
 * cli.h: command line parsing and the per-file read/plan/write cycle.
 *
 * Kept out of main.c so the unit tests can drive it: main() only parses
 * the options, calls cli_run() and turns the result into an exit status.
 */
#ifndef PCIPLAN_CLI_H
#define PCIPLAN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app/version.h"
#include "util/diag.h"
#include "plan/plan.h"

/* Limits of the numeric options; outside them is a usage error. */
#define CLI_RESERVE_MAX 1000
#define CLI_ROOT_PORTS_MAX 255

struct cli_options {
    struct plan_options plan; /* plan.machine points into 'machine' */
    char *machine;
    struct version_choice libvirt; /* --libvirt, or the default's */
    char *output;                  /* -o FILE; NULL writes to standard output */
    bool in_place;
    bool check;
    bool quiet;
    /* reports and views (report.h, lint.h) and --strip (strip.h) */
    bool explain;       /* --explain */
    char *explain_file; /* --explain=FILE; NULL: standard error */
    int show;           /* --show: enum show_format, SHOW_NONE for XML */
    bool capacity;      /* --capacity */
    bool werror;        /* -W: warnings fail with STATUS_INVALID */
    bool strip;         /* --strip: remove, do not plan */
    bool planning_set;  /* --machine, --reserve or --root-ports given */
    char **files;       /* NULL means standard input; "-" also means it */
    size_t nfiles;
};

enum cli_parse_result {
    CLI_PARSE_ERROR = -1, /* usage error, described in the diag */
    CLI_PARSE_RUN = 0,    /* go on with cli_run() */
    CLI_PARSE_DONE = 1,   /* --help, --usage or --version was answered */
};

/*
 * Parse argv into *opts (freed with cli_options_free() whatever the
 * result). Help, usage and version text goes to 'out'.
 */
int cli_parse(struct cli_options *opts, int argc, const char **argv, FILE *out,
              struct diag *d);

void cli_options_free(struct cli_options *opts);

/*
 * Process every file and return the exit status: with several files a
 * failing one does not stop the others, and the highest status seen
 * wins (so an error outranks --check's "would change").
 */
int cli_run(const struct cli_options *opts);

/*
 * Read all of 'path' (NULL or "-": standard input) into a new buffer.
 * Reading stops one byte past XMLDOC_MAX_BYTES, which is enough for
 * xmldoc_parse() to reject the input as too large. *st receives the
 * file's status (from fstat) when st is not NULL.
 */
int cli_read_input(const char *path, char **text, size_t *len, struct stat *st,
                   struct diag *d);

/*
 * Replace 'path' with 'data' atomically: a temporary file in the same
 * directory is written, synced, given the mode (and, when permitted,
 * the owner) of 'like' or of the existing file, and renamed over
 * 'path'. A symlink is followed, so the link itself survives. On any
 * failure, or a SIGINT/SIGTERM/SIGHUP meanwhile, the temporary file is
 * removed and 'path' is untouched. An existing 'path' that is not a
 * regular file (/dev/null, a pipe) is simply written to.
 */
int cli_write_atomic(const char *path, const char *data, size_t len,
                     const struct stat *like, struct diag *d);

/* Write and flush; failures (a full disk, a closed pipe) are errors. */
int cli_write_stream(FILE *f, const char *data, size_t len, struct diag *d);

#endif
