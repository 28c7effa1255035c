/*
 * pipeline.h: pciplan's whole path, parse -> plan -> write, on a
 * document in memory. The command line adds files, views and options
 * around it; the fuzzer and the property check call it directly.
 */
#ifndef PCIPLAN_PIPELINE_H
#define PCIPLAN_PIPELINE_H

#include <stddef.h>

#include "util/diag.h"
#include "plan/plan.h"

/* Plan 'len' bytes of 'text' (copied) into a new buffer *out. */
int pipeline_plan_text(const char *text, size_t len,
                       const struct plan_options *opt, char **out,
                       size_t *outlen, struct diag *d);

#endif
