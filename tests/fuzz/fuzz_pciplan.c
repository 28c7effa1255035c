/*
 * fuzz_pciplan.c: libFuzzer target over the path pciplan ships,
 * run_document() (src/app/run.c): parse -> load -> plan -> views ->
 * render, in every mode the command line has.
 *
 * The input is the XML document, after an optional option prefix:
 *
 *   - a first byte 'a'..'i' (the original one-byte form, kept so old
 *     regression inputs mean what they meant): --machine none/pc/q35
 *     times --reserve 0/1/3, the XML output;
 *   - a first byte '#' followed by two option bytes A and B:
 *       A bits 0-2  view: XML, --show=tree, dot, json, --strip (5-7: XML)
 *       A bit  3    --explain          A bit 4  --capacity
 *       A bit  5    -W                 A bits 6-7 --reserve 0/1/3/219
 *       B bits 0-2  --machine none, pc, q35, pc-i440fx-7.2, pc-q35-7.2,
 *                   virt, pseries, s390-ccw-virtio
 *       B bits 3-4  --root-ports none/1/8/255
 *       B bits 5-7  --libvirt: profile_at(N % profile_count()), 9.0, 11.3
 *     (--strip takes no planning option: the command line refuses the
 *     combination, so the fuzzer ignores them there);
 *   - anything else (an XML document starts with '<', whitespace or a
 *     BOM): the defaults.
 *
 * tests/fuzz/run-fuzz-regressions turns the same prefixes into the same
 * command line options. Beyond "no crash, no leak, no hang", every input
 * checks what pciplan promises (a violation aborts, so libFuzzer keeps
 * the input):
 *   - a failure has status 3 or 4 (2 for a --machine the XML's
 *     architecture does not have, or a --root-ports its machine cannot
 *     have) and a one-line message;
 *   - every report line (warnings, --explain, --capacity) is printable
 *     text ending in a newline, and every warning starts "pciplan: ";
 *   - an XML output parses again, and running it again with the same
 *     options changes nothing (idempotence; for --strip: stripping the
 *     stripped document changes nothing).
 * PCIPLAN_FUZZ_NO_IDEMPOTENCE=1 turns the last check off, e.g. to look
 * for crashes past a known idempotence bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "app/run.h"
#include "machine/profile.h"
#include "util/diag.h"

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

/* A --machine that does not fit the XML's architecture, or a
 * --root-ports its machine cannot have, is a usage error (status 2);
 * anything else the input does is 3 or 4. */
static void check_failure(const struct diag *d, const struct run_options *o)
{
    if (d->status != STATUS_INVALID && d->status != STATUS_UNSATISFIABLE &&
        !(d->status == STATUS_USAGE && (o->plan.machine || o->plan.root_ports)))
        fail("a failure without status 3 or 4", d);
    if (d->msg[0] == '\0')
        fail("a failure without a message", d);
    if (strchr(d->msg, '\n') || strchr(d->element, '\n'))
        fail("a message of more than one line", d);
}

/* Report text: whole lines of printable characters (tabs allowed). */
static void check_lines(const char *what, const char *text, size_t len,
                        const char *start)
{
    size_t i, bol = 0;

    if (!text)
        return;
    if (strlen(text) != len)
        fail(what, NULL);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];

        if (i == bol && start && strncmp(text + i, start, strlen(start)) != 0)
            fail(what, NULL);
        if (c == '\n')
            bol = i + 1;
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            fail(what, NULL);
    }
    if (len && text[len - 1] != '\n')
        fail(what, NULL);
}

static void options_from_letter(uint8_t c, struct run_options *o)
{
    static const char *const machines[] = {NULL, "pc", "q35"};
    static const int reserves[] = {0, 1, 3};
    unsigned v = (unsigned)(c - 'a');

    o->plan.machine = machines[v % 3];
    o->plan.reserve = reserves[v / 3];
}

static void options_from_bytes(uint8_t a, uint8_t b, struct run_options *o)
{
    static const char *const machines[] = {
        NULL,         "pc",   "q35",     "pc-i440fx-7.2",
        "pc-q35-7.2", "virt", "pseries", "s390-ccw-virtio"};
    static const int reserves[] = {0, 1, 3, 219};
    static const int root_ports[] = {0, 1, 8, 255};
    static const enum run_view views[] = {RUN_VIEW_XML,      RUN_VIEW_SHOW_TREE,
                                          RUN_VIEW_SHOW_DOT, RUN_VIEW_SHOW_JSON,
                                          RUN_VIEW_STRIP,    RUN_VIEW_XML,
                                          RUN_VIEW_XML,      RUN_VIEW_XML};

    o->view = views[a & 7];
    if (o->view == RUN_VIEW_STRIP)
        return;
    o->explain = (a >> 3) & 1;
    o->capacity = (a >> 4) & 1;
    o->werror = (a >> 5) & 1;
    o->plan.reserve = reserves[(a >> 6) & 3];
    o->plan.machine = machines[b & 7];
    o->plan.root_ports = root_ports[(b >> 3) & 3];
    /* the libvirt version profile (--libvirt), oldest when absent */
    o->plan.profile = profile_at(((b >> 5) & 7) % profile_count());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run_options o = {.plan = PLAN_OPTIONS_DEFAULT,
                            .view = RUN_VIEW_XML,
                            .name = "<stdin>",
                            .prefix = "",
                            .profile_why = "fuzzer"};
    struct diag d = {0}, d2 = {0};
    struct run_result r, r2;

    if (size > 0 && data[0] >= 'a' && data[0] <= 'i') {
        options_from_letter(data[0], &o);
        data++;
        size--;
    } else if (size >= 3 && data[0] == '#') {
        options_from_bytes(data[1], data[2], &o);
        data += 3;
        size -= 3;
    }
    if (run_document((const char *)data, size, &o, &r, &d) < 0) {
        check_failure(&d, &o);
        check_lines("warnings that are not whole lines", r.warnings,
                    r.warningslen, "pciplan: ");
        run_result_free(&r);
        return 0;
    }
    if (d.status != STATUS_OK)
        fail("success with a status set", &d);
    check_lines("warnings that are not whole lines", r.warnings, r.warningslen,
                "pciplan: ");
    check_lines("--explain lines that are not whole lines", r.explain,
                r.explainlen, NULL);
    check_lines("--capacity lines that are not whole lines", r.capacity,
                r.capacitylen, NULL);
    if (o.view != RUN_VIEW_XML && o.view != RUN_VIEW_STRIP) {
        if (r.outlen == 0 || r.out[r.outlen - 1] != '\n')
            fail("a --show view that is not whole lines", NULL);
    } else if (check_idempotence) {
        /* -W is not part of it: the lint judges the addresses the input
         * chose, and in the output every address is chosen, so advice
         * about a user's choice may then appear (where libvirt's own
         * placement deserves a warning, the lint gives it on the first
         * plan too: regression w-companion-fn1) */
        o.werror = false;
        if (run_document(r.out, r.outlen, &o, &r2, &d2) < 0)
            fail("pciplan rejects its own output", &d2);
        if (r2.changed)
            fail(o.view == RUN_VIEW_STRIP
                     ? "stripping the stripped output changes it"
                     : "planning the output again changes it",
                 NULL);
        run_result_free(&r2);
    }
    run_result_free(&r);
    return 0;
}
