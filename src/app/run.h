/*
 * run.h: the one per-document path, parse -> load -> plan -> views ->
 * render, on a document in memory.
 *
 * The command line (app/cli.c), the fuzzer (tests/fuzz) and the property
 * check (tests/property/property-check.c) all call run_document(), so what is
 * fuzzed and checked is exactly what ships. Nothing here touches a file
 * or a stream the caller did not give: the document's output and every
 * report (--explain, --capacity, the warnings) come back as text in
 * memory, and the caller decides where each goes and whether writing it
 * failed.
 */
#ifndef PCIPLAN_RUN_H
#define PCIPLAN_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"
#include "plan/plan.h"

/* What the document's output is. */
enum run_view {
    RUN_VIEW_XML,       /* the planned document (the default) */
    RUN_VIEW_SHOW_TREE, /* --show=tree */
    RUN_VIEW_SHOW_DOT,  /* --show=dot */
    RUN_VIEW_SHOW_JSON, /* --show=json */
    RUN_VIEW_STRIP,     /* --strip: removed, not planned */
};

struct run_options {
    struct plan_options plan;
    enum run_view view;
    bool explain;            /* fill run_result.explain */
    bool capacity;           /* fill run_result.capacity */
    bool werror;             /* -W: a warning fails with STATUS_INVALID */
    const char *name;        /* the document as messages name it */
    const char *prefix;      /* starts every --explain line ("" or "F: ") */
    const char *profile_why; /* how plan.profile was chosen, for the views */
    bool reserve_given;      /* --reserve was given (else it is the default) */
};

/* Texts are NUL-terminated and owned by the result (run_result_free). */
struct run_result {
    char *out; /* the document's output: XML or the --show view */
    size_t outlen;
    bool changed;  /* out differs from the input (RUN_VIEW_XML/STRIP) */
    char *explain; /* --explain lines, or NULL */
    size_t explainlen;
    char *capacity; /* --capacity table, or NULL */
    size_t capacitylen;
    char *warnings; /* the lint's lines ("" when none), NULL with --strip */
    size_t warningslen;
    size_t nwarnings;
};

/*
 * Run 'len' bytes of 'text' (copied; the caller keeps its buffer).
 * Returns 0, or -1 with the diag filled in and nothing in *r to free
 * but what run_result_free() handles. The warnings are filled in even
 * when -W then fails the document, so the caller can print them.
 */
int run_document(const char *text, size_t len, const struct run_options *o,
                 struct run_result *r, struct diag *d);

void run_result_free(struct run_result *r);

#endif
