/*
 * main.c: pciplan's entry point.
 *
 * Exit status (see diag.h): with several FILEs each is processed even
 * after another failed, and the highest status seen is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <libxml/parser.h>

#include "app/cli.h"

/* Buffered output to stdout may only fail when it is finally closed. */
static int close_stdout(int status)
{
    if (fclose(stdout) != 0) {
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
    struct cli_options opts;
    struct diag d = {0};
    int status;

    LIBXML_TEST_VERSION;
    switch (cli_parse(&opts, argc, (const char **)argv, stdout, &d)) {
    case CLI_PARSE_RUN:
        status = cli_run(&opts);
        break;
    case CLI_PARSE_DONE:
        status = STATUS_OK;
        break;
    default:
        diag_print(&d, NULL);
        fputs("Try 'pciplan --help' for more information.\n", stderr);
        status = STATUS_USAGE;
        break;
    }
    cli_options_free(&opts);
    xmlCleanupParser();
    return close_stdout(status);
}
