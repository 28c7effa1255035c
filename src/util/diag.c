/*
 * diag.c: the one shape of a failure: status, line, element and a message
 * made printable, and its one-line rendering on standard error.
 */
#include "util/diag.h"

#include <stdio.h>
#include <string.h>

/*
 * Messages quote the input (attribute values, libxml2's own text), which
 * may hold a newline (&#10;) or a terminal escape sequence: each control
 * character becomes '?', so a diagnostic is always one harmless line.
 */
static void make_printable(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
    }
}

int diag_fail(struct diag *d, int status, unsigned line, const char *element,
              const char *fmt, ...)
{
    va_list ap;

    if (d->status != STATUS_OK)
        return -1;
    d->status = status;
    d->line = line;
    snprintf(d->element, sizeof(d->element), "%s", element ? element : "");
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    make_printable(d->element);
    make_printable(d->msg);
    return -1;
}

void diag_print(const struct diag *d, const char *file)
{
    fputs("pciplan: ", stderr);
    if (file)
        fprintf(stderr, "%s:", file);
    if (file && d->line)
        fprintf(stderr, "%u:", d->line);
    if (file)
        fputc(' ', stderr);
    if (d->element[0])
        fprintf(stderr, "<%s>: ", d->element);
    fprintf(stderr, "%s\n", d->msg);
}
