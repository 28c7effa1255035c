/*
 * diag.h: error reporting and the documented exit statuses
 *
 * Every failure travels up as a struct diag filled in where it was
 * detected; only main() prints it, so no partial output or stray
 * message can escape before the final decision to write.
 */
#ifndef PCIPLAN_DIAG_H
#define PCIPLAN_DIAG_H

#include <stdarg.h>

/* Exit statuses, documented in pciplan(1) and the README. */
enum pciplan_status {
    STATUS_OK = 0,
    STATUS_CHANGES = 1,       /* --check: some file would change */
    STATUS_USAGE = 2,         /* bad command line */
    STATUS_INVALID = 3,       /* input is not a usable domain XML */
    STATUS_UNSATISFIABLE = 4, /* no topology can hold the devices */
    STATUS_IO = 5,            /* reading or writing failed */
    STATUS_NOMEM = 6,         /* out of memory (util/xalloc.c) */
};

struct diag {
    int status;       /* STATUS_OK while nothing failed */
    unsigned line;    /* 0 when no source line applies */
    char element[64]; /* element name without brackets, "" if none */
    char msg[512];
};

/*
 * Record a failure. Returns -1 so callers can write
 * "return diag_fail(d, ...);". The first failure wins: later calls do
 * not overwrite it, which keeps the root cause.
 */
int diag_fail(struct diag *d, int status, unsigned line, const char *element,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Print "pciplan: FILE:LINE: <element>: msg" (parts omitted when unknown). */
void diag_print(const struct diag *d, const char *file);

#endif
