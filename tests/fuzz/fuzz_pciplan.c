/*
 * fuzz_pciplan.c: libFuzzer target over pciplan's whole in-process path,
 * xmldoc_parse -> domain_load -> plan_run -> writer_render.
 *
 * The input is the XML document. When its first byte is one of the
 * option letters 'a'..'i' it is not part of the document but chooses the
 * plan options (machine override none/pc/q35 times --reserve 0/1/3), so
 * the fuzzer can explore the options as well; any other first byte (an
 * XML document starts with '<', whitespace or a BOM) means the defaults.
 *
 * Beyond "no crash, no leak, no hang", every input checks what pciplan
 * promises about its results (a violation aborts, so libFuzzer keeps the
 * input):
 *   - a failure has status 3 or 4 (2 for a --machine the XML's
 *     architecture does not have) and a one-line message;
 *   - an output parses again, and planning it again with the same
 *     options changes nothing (idempotence).
 * PCIPLAN_FUZZ_NO_IDEMPOTENCE=1 turns the second check off, e.g. to look
 * for crashes past a known idempotence bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "util/diag.h"
#include "model/domain.h"
#include "app/pipeline.h"
#include "plan/plan.h"
#include "render/writer.h"
#include "xml/load.h"
#include "xml/xmldoc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool check_idempotence = true;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *no_idem = getenv("PCIPLAN_FUZZ_NO_IDEMPOTENCE");

    (void)argc;
    (void)argv;
    /* libxml2's one-time set-up is not a per-input leak */
    xmlInitParser();
    check_idempotence = !(no_idem && strcmp(no_idem, "1") == 0);
    return 0;
}

/* Print what broke and abort: libFuzzer saves the input. */
static void fail(const char *what, const struct diag *d)
{
    fprintf(stderr, "fuzz_pciplan: %s\n", what);
    if (d)
        fprintf(stderr, "  status %d line %u <%s>: %s\n", d->status, d->line,
                d->element, d->msg);
    abort();
}

/* A --machine that does not fit the XML's architecture is a usage
 * error (status 2); anything else the input does is 3 or 4. */
static void check_failure(const struct diag *d, const struct plan_options *opt)
{
    if (d->status != STATUS_INVALID && d->status != STATUS_UNSATISFIABLE &&
        !(d->status == STATUS_USAGE && opt->machine))
        fail("a failure without status 3 or 4", d);
    if (d->msg[0] == '\0')
        fail("a failure without a message", d);
    if (strchr(d->msg, '\n') || strchr(d->element, '\n'))
        fail("a message of more than one line", d);
}

/* Returns 0 with the output in *out, or -1 (the diag says why). */
static void options_from_byte(uint8_t c, struct plan_options *opt)
{
    static const char *const machines[] = {NULL, "pc", "q35"};
    static const int reserves[] = {0, 1, 3};
    unsigned v = (unsigned)(c - 'a');

    opt->machine = machines[v % 3];
    opt->reserve = reserves[v / 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct plan_options opt = PLAN_OPTIONS_DEFAULT;
    struct diag d = {0}, d2 = {0};
    char *out, *again;
    size_t outlen, againlen;

    if (size > 0 && data[0] >= 'a' && data[0] <= 'i') {
        options_from_byte(data[0], &opt);
        data++;
        size--;
    }
    if (pipeline_plan_text((const char *)data, size, &opt, &out, &outlen, &d) <
        0) {
        check_failure(&d, &opt);
        return 0;
    }
    if (d.status != STATUS_OK)
        fail("success with a status set", &d);
    if (check_idempotence) {
        if (pipeline_plan_text(out, outlen, &opt, &again, &againlen, &d2) < 0)
            fail("pciplan rejects its own output", &d2);
        if (againlen != outlen || (outlen && memcmp(again, out, outlen) != 0))
            fail("planning the output again changes it", NULL);
        free(again);
    }
    free(out);
    return 0;
}
