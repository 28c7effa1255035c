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

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <libxml/parser.h>

#include "app/cli.h"
#include "app/fileio.h"
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

/*
 * A big domain's model is some hundred thousand small blocks (devices,
 * their strings and addresses), freed in bursts. glibc parks small freed
 * blocks in "fast bins" and merges them all on the next large request
 * (perf: malloc_consolidate). Without fast bins each block merges as it
 * is freed, touching what the free touches anyway: 16,384 USB devices
 * plan in 38 ms instead of 42. Peak memory is the same.
 *
 * The large buffers (the text, libxml2's copy of it, the tables, the
 * output) come and go one after the other: from the heap, and kept
 * there, a freed one is reused by the next instead of being unmapped
 * and the next faulted in page by page. 16,384 virtio-serial ports:
 * 7,681 page faults and 37 ms become 6,314 and 32 ms, peak memory a
 * little lower.
 */
static void tune_malloc(void)
{
#ifdef M_MXFAST
    mallopt(M_MXFAST, 0);
#endif
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    /* 32 MiB is the largest threshold glibc accepts on 64-bit */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

int main(int argc, char **argv)
{
    struct options opts;
    struct diag d = {0};
    int status;

    fileio_guard_std_fds();
    tune_malloc();
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
