#include "diag.h"

#include <stdio.h>
#include <string.h>

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
