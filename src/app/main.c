/*
 * main.c: pciplan's entry point: parse the options (app/options.c),
 * run the per-file cycle (app/cli.c), and turn the result into the exit
 * status.
 *
 * Exit status (see diag.h): with several FILEs each is processed even
 * after another failed, and the highest status seen is returned. A
 * usage error is one line on standard error, as every message is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "app/cli.h"
#include "app/fileio.h"
#include "app/heap.h"
#include "app/options.h"

/* Buffered output to stdout may only fail when it is finally closed;
 * a failure cli.c already reported is not reported twice. */
static int close_stdout(int status)
{
    if (fclose(stdout) != 0 && !cli_stdout_failed()) {
        struct diag d = {0};

        diag_fail(&d, STATUS_IO, 0, NULL, "write error: %s", strerror(errno));
        diag_print(&d, "<stdout>");
        if (status < STATUS_IO)
            status = STATUS_IO;
    }
    return status;
}

int main(int argc, char **argv)
{
    struct options opts;
    struct diag d = {0};
    int status;

    fileio_guard_std_fds();
    heap_tune();
    LIBXML_TEST_VERSION;
    switch (options_parse(&opts, argc, (const char **)argv, stdout, &d)) {
    case OPTIONS_RUN:
        status = cli_run(&opts);
        break;
    case OPTIONS_DONE:
        status = STATUS_OK;
        break;
    default:
        fprintf(stderr, "pciplan: %s (try 'pciplan --help')\n", d.msg);
        status = STATUS_USAGE;
        break;
    }
    options_free(&opts);
    xmlCleanupParser();
    return close_stdout(status);
}
