/*
 * diff.h: --diff, a unified diff of a document and pciplan's output.
 *
 * The format is git diff's: "--- a/FILE", "+++ b/FILE", hunks of three
 * lines of context, and "\ No newline at end of file" where it applies,
 * so `git apply` and `patch -p1` take it.
 */
#ifndef PCIPLAN_DIFF_H
#define PCIPLAN_DIFF_H

#include <stddef.h>
#include <stdio.h>

/* Print the diff from 'a' to 'b' (nothing when they are equal). */
void diff_unified(FILE *f, const char *name, const char *a, size_t alen,
                  const char *b, size_t blen);

#endif
