/*
 * run.c: the one per-document path shared by the command line, the
 * fuzzer and the property check (see run.h).
 *
 * Every view is computed from the one planned model: the topology view
 * (view/topo) is built once and --explain, --capacity, --show and the
 * lint read it. Report text is collected in memory streams, which fail
 * only for want of memory, so a report can neither be half-written nor
 * written before the document is known to succeed.
 */
#include "app/run.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/heap.h"
#include "model/domain.h"
#include "render/strip.h"
#include "render/writer.h"
#include "util/xalloc.h"
#include "view/lint.h"
#include "view/report.h"
#include "view/topo.h"
#include "xml/load.h"
#include "xml/xmldoc.h"

/* A memory stream whose text becomes *buf, *len when closed. */
static FILE *mem_open(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);

    if (!f)
        xalloc_die();
    return f;
}

static void mem_close(FILE *f)
{
    /* a memory stream fails only for want of memory */
    if (fclose(f) != 0)
        xalloc_die();
}

static enum show_format show_of(enum run_view v)
{
    switch (v) {
    case RUN_VIEW_SHOW_TREE:
        return SHOW_TREE;
    case RUN_VIEW_SHOW_DOT:
        return SHOW_DOT;
    case RUN_VIEW_SHOW_JSON:
        return SHOW_JSON;
    default:
        return SHOW_NONE;
    }
}

/* The warnings as text; -W turns any of them into the failure. */
static int run_lint(const struct run_options *o, const struct topo *t,
                    struct run_result *r, struct diag *d)
{
    struct lint_options lo = {o->plan.reserve, t->dom->devices_line};
    struct lint_result lr;
    FILE *f;
    int ret = 0;

    if (lint_run(t, &lo, &lr) < 0)
        xalloc_die();
    f = mem_open(&r->warnings, &r->warningslen);
    lint_print(&lr, o->name, f);
    mem_close(f);
    r->nwarnings = lr.n;
    if (o->werror && lr.n > 0)
        ret = diag_fail(d, STATUS_INVALID, 0, NULL,
                        "%zu warning%s treated as error%s (-W)", lr.n,
                        lr.n == 1 ? "" : "s", lr.n == 1 ? "" : "s");
    lint_free(&lr);
    return ret;
}

/* The views of the planned domain, then its output. */
static int run_views(const struct run_options *o, const struct xmldoc *xd,
                     const struct domain *dom, struct run_result *r,
                     struct diag *d)
{
    struct topo t;
    FILE *f;
    int ret;

    topo_build(&t, dom, o->plan.machine);
    t.profile = o->plan.profile;
    t.profile_why = o->profile_why;
    if (o->explain) {
        f = mem_open(&r->explain, &r->explainlen);
        report_explain(f, &t, o->prefix ? o->prefix : "", o->plan.reserve);
        mem_close(f);
    }
    if (o->capacity) {
        f = mem_open(&r->capacity, &r->capacitylen);
        report_capacity(f, &t, o->name);
        mem_close(f);
    }
    ret = run_lint(o, &t, r, d);
    if (ret == 0 && o->view != RUN_VIEW_XML) {
        f = mem_open(&r->out, &r->outlen);
        report_show(f, &t, show_of(o->view));
        mem_close(f);
    } else if (ret == 0) {
        ret = writer_render(xd, dom, &r->out, &r->outlen, d);
    }
    topo_free(&t);
    return ret;
}

/* Whether the document plans with 'reserve' spares: a scratch re-plan
 * from the parsed text, whose failure is not reported. */
static bool fits_with_reserve(const struct xmldoc *xd,
                              const struct plan_options *po, int reserve)
{
    struct plan_options opt = *po;
    struct domain dom;
    struct diag scratch = {0};
    bool fits;

    opt.reserve = reserve;
    memset(&dom, 0, sizeof(dom));
    fits = domain_load(&dom, xd, &scratch) == 0 &&
           plan_run(&dom, &opt, &scratch) == 0;
    domain_free(&dom);
    return fits;
}

/* Whether the document, stripped of its PCI addresses and controllers
 * (--strip), plans with 'po'. */
static bool fits_stripped(const struct xmldoc *xd,
                          const struct plan_options *po)
{
    struct domain dom;
    struct xmldoc stripped;
    struct diag scratch = {0};
    char *text = NULL;
    size_t len = 0;
    bool fits = false;

    memset(&dom, 0, sizeof(dom));
    if (domain_load(&dom, xd, &scratch) == 0 &&
        strip_render(xd, &dom, &text, &len, &scratch) == 0) {
        domain_free(&dom);
        memset(&dom, 0, sizeof(dom));
        /* the stripped document owns 'text' from here on */
        if (xmldoc_parse(&stripped, text, len, &scratch) == 0) {
            fits = domain_load(&dom, &stripped, &scratch) == 0 &&
                   plan_run(&dom, po, &scratch) == 0;
            xmldoc_free(&stripped);
        }
    } else {
        free(text);
    }
    domain_free(&dom);
    return fits;
}

/*
 * A document planned for one machine fails with --machine naming
 * another (a pc file's pci-root and PIIX3 addresses on q35, say). When
 * it plans for its own machine and, stripped, for the one asked for,
 * the fix is --strip: say so after the first conflict found.
 */
static bool explain_machine_failure(const struct xmldoc *xd,
                                    const struct run_options *o, struct diag *d)
{
    struct plan_options own = o->plan;
    char why[sizeof(d->msg)], element[sizeof(d->element)];
    int status;
    unsigned line;

    own.machine = NULL;
    if (!o->plan.machine ||
        (d->status != STATUS_INVALID && d->status != STATUS_UNSATISFIABLE) ||
        !fits_with_reserve(xd, &own, own.reserve) ||
        !fits_stripped(xd, &o->plan))
        return false;
    snprintf(why, sizeof(why), "%s", d->msg);
    snprintf(element, sizeof(element), "%s", d->element);
    status = d->status;
    line = d->line;
    memset(d, 0, sizeof(*d));
    diag_fail(d, status, line, element,
              "%s; the document is planned for another machine: use --strip "
              "to re-plan it for %s (pciplan --strip FILE | pciplan -m %s)",
              why, o->plan.machine, o->plan.machine);
    return true;
}

/*
 * A plan that does not fit with o->plan.reserve spares but fits with
 * none fails because of the reserve: say so and name the largest reserve
 * that fits, found by bisection (more spares never take less room, and
 * each re-plan is linear, so this costs log2(reserve) plans).
 */
static void explain_reserve_failure(const struct xmldoc *xd,
                                    const struct run_options *o, struct diag *d)
{
    int fits = 0, fails = o->plan.reserve;
    char why[sizeof(d->msg)];

    if (d->status != STATUS_UNSATISFIABLE || o->plan.reserve <= 0 ||
        !fits_with_reserve(xd, &o->plan, 0))
        return;
    while (fails - fits > 1) {
        int mid = fits + (fails - fits) / 2;

        if (fits_with_reserve(xd, &o->plan, mid))
            fits = mid;
        else
            fails = mid;
    }
    snprintf(why, sizeof(why), "%s", d->msg);
    memset(d, 0, sizeof(*d));
    diag_fail(d, STATUS_UNSATISFIABLE, 0, NULL,
              "%s--reserve %d does not fit (%s); the largest --reserve that "
              "fits is %d",
              o->reserve_given ? "" : "the default ", o->plan.reserve, why,
              fits);
}

/*
 * Name the fix for a plan that failed: both explanations plan the
 * document again, from a model loaded anew each time, and the values
 * they load from are gone (dropped after the first load), so the text
 * is parsed once more; this is the failure path only.
 */
static void explain_failure(const struct xmldoc *xd,
                            const struct run_options *o, struct diag *d)
{
    struct xmldoc again;
    struct diag scratch = {0};
    char *copy;

    if (d->status != STATUS_INVALID && d->status != STATUS_UNSATISFIABLE)
        return;
    copy = xmalloc(xd->len + 1);
    memcpy(copy, xd->text, xd->len);
    /* 'again' owns 'copy' from here on, also when parsing fails */
    if (xmldoc_parse(&again, copy, xd->len, &scratch) < 0)
        return;
    if (!explain_machine_failure(&again, o, d))
        explain_reserve_failure(&again, o, d);
    xmldoc_free(&again);
}

int run_document(const char *text, size_t len, const struct run_options *o,
                 struct run_result *r, struct diag *d)
{
    struct xmldoc xd;
    struct domain dom;
    char *copy = xmalloc(len + 1);
    int ret;

    assert(o->name);
    /* what a big domain's tables, model and output come to: 13 (SCSI
     * disks) to 35 (USB tablets) times its text */
    heap_expect(len * 32);
    memset(r, 0, sizeof(*r));
    if (len)
        memcpy(copy, text, len);
    /* the document owns 'copy' from here on, also when parsing fails */
    if (xmldoc_parse(&xd, copy, len, d) < 0)
        return -1;
    memset(&dom, 0, sizeof(dom));
    ret = domain_load(&dom, &xd, d);
    /* the model has every value now; only --strip reads them again */
    if (o->view != RUN_VIEW_STRIP)
        xmldoc_drop_values(&xd);
    if (ret == 0 && o->view == RUN_VIEW_STRIP)
        ret = strip_render(&xd, &dom, &r->out, &r->outlen, d);
    else if (ret == 0 && (ret = plan_run(&dom, &o->plan, d)) == 0)
        ret = run_views(o, &xd, &dom, r, d);
    else if (ret < 0 && o->view != RUN_VIEW_STRIP)
        explain_failure(&xd, o, d);
    if (ret == 0 && (o->view == RUN_VIEW_XML || o->view == RUN_VIEW_STRIP))
        r->changed = r->outlen != xd.len ||
                     (r->outlen && memcmp(r->out, xd.text, r->outlen) != 0);
    domain_free(&dom);
    xmldoc_free(&xd);
    if (ret < 0) {
        /* keep the warnings: -W's failure is about them */
        free(r->out);
        r->out = NULL;
        r->outlen = 0;
        return -1;
    }
    assert(d->status == STATUS_OK);
    return 0;
}

void run_result_free(struct run_result *r)
{
    free(r->out);
    free(r->explain);
    free(r->capacity);
    free(r->warnings);
    memset(r, 0, sizeof(*r));
}
