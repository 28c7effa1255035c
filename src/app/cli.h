/*
 * cli.h: the per-file cycle of the command line: read, run_document(),
 * then print, write (-o), replace (-i), compare (--check) or diff.
 *
 * Kept out of main.c so the unit tests can drive it: main() only parses
 * the options (app/options.h), calls cli_run() and turns the result
 * into an exit status.
 */
#ifndef PCIPLAN_CLI_H
#define PCIPLAN_CLI_H

#include <stdbool.h>

#include "app/options.h"

/*
 * Process every file and return the exit status: with several files a
 * failing one does not stop the others, and the highest status seen
 * wins (so an error outranks --check's "would change").
 */
int cli_run(const struct options *opts);

/* Whether a write error on standard output was already reported, so
 * main() does not report it again when closing it. */
bool cli_stdout_failed(void);

#endif
