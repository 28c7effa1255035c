/*
 * cli.c: the per-file cycle (cli.h).
 *
 * Every output is opened before anything is replaced: --explain=FILE
 * and -o FILE are staged (app/fileio.h) before the first document is
 * read, so a missing directory fails with every target untouched, and
 * with -o both files are written and synced before either is renamed.
 * Reports go to standard error through checked writes: a full or closed
 * standard error is an I/O error (status 5), not silence.
 */
#include "app/cli.h"

#include <stdlib.h>
#include <string.h>

#include "app/diff.h"
#include "app/fileio.h"
#include "app/run.h"
#include "util/xalloc.h"

#define STDIN_NAME "<stdin>"
#define STDOUT_NAME "<stdout>"
#define STDERR_NAME "<stderr>"

static bool stdout_failed;

bool cli_stdout_failed(void)
{
    return stdout_failed;
}

/* What one run of the cycle shares between files. */
struct session {
    const struct options *o;
    struct fileio_target explain; /* --explain=FILE, staged */
    bool explain_staged;
    FILE *explain_mem; /* the lines of every file, until the end */
    char *explain_buf;
    size_t explain_len;
    struct fileio_target output; /* -o FILE, staged */
    bool output_staged;
    char *output_name;
};

static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* A report on standard error; failing to write it is status 5. */
static int to_stderr(const char *text, size_t len)
{
    struct diag d = {0};

    if (!text || len == 0)
        return STATUS_OK;
    if (fileio_write_stream(stderr, text, len, &d) < 0)
        return d.status; /* nowhere left to say so */
    return STATUS_OK;
}

static int to_stdout(const char *text, size_t len, struct diag *d)
{
    if (fileio_write_stream(stdout, text, len, d) < 0) {
        stdout_failed = true;
        return -1;
    }
    return 0;
}

/* The reports of one document, in the order they always came. */
static int emit_reports(struct session *s, const struct run_result *r)
{
    int status = STATUS_OK;

    if (r->explain && s->explain_mem)
        fwrite(r->explain, 1, r->explainlen, s->explain_mem);
    else if (r->explain)
        status = worse(status, to_stderr(r->explain, r->explainlen));
    status = worse(status, to_stderr(r->capacity, r->capacitylen));
    return worse(status, to_stderr(r->warnings, r->warningslen));
}

static void warn_hard_links(const char *name, const struct stat *st)
{
    if (st->st_nlink > 1)
        fprintf(stderr,
                "pciplan: %s: warning: has %lu hard links; -i replaces this "
                "name only, the other links keep the old content\n",
                name, (unsigned long)st->st_nlink);
}

static int emit_in_place(const char *file, const char *name,
                         const struct run_result *r, const struct stat *st,
                         struct diag *d)
{
    if (!r->changed)
        return STATUS_OK;
    warn_hard_links(name, st);
    return fileio_replace(file, name, r->out, r->outlen, st, d) < 0 ? d->status
                                                                    : STATUS_OK;
}

static int emit(struct session *s, const char *file, const char *name,
                const char *in, size_t inlen, const struct run_result *r,
                const struct stat *st, struct diag *d, const char **where)
{
    const struct options *o = s->o;

    switch (o->mode) {
    case MODE_CHECK:
        if (r->changed && !o->quiet)
            fprintf(stderr, "pciplan: %s: would change\n", name);
        return r->changed ? STATUS_CHANGES : STATUS_OK;
    case MODE_DIFF:
    case MODE_DIFF_CHECK: {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int ret;

        if (!f)
            xalloc_die();
        diff_unified(f, name, in, inlen, r->out, r->outlen);
        if (fclose(f) != 0)
            xalloc_die();
        *where = STDOUT_NAME;
        ret = to_stdout(buf, len, d);
        free(buf);
        if (ret < 0)
            return d->status;
        return o->mode == MODE_DIFF_CHECK && r->changed ? STATUS_CHANGES
                                                        : STATUS_OK;
    }
    case MODE_IN_PLACE:
        return emit_in_place(file, name, r, st, d);
    case MODE_OUTPUT:
        *where = s->output_name;
        if (fileio_fill(&s->output, r->out, r->outlen, d) < 0)
            return d->status;
        return STATUS_OK;
    default:
        *where = STDOUT_NAME;
        return to_stdout(r->out, r->outlen, d) < 0 ? d->status : STATUS_OK;
    }
}

/* Nothing is written before the whole output is ready in memory. */
static int process_file(struct session *s, const char *file,
                        const char *display)
{
    const struct options *o = s->o;
    const char *name = !file || strcmp(file, "-") == 0 ? STDIN_NAME : display;
    const char *where = name;
    char prefix[4200] = "";
    struct run_options ro = {o->plan,     o->view,        o->explain,
                             o->capacity, o->werror,      name,
                             prefix,      o->libvirt.why, o->reserve_given};
    struct run_result r = {0};
    struct diag d = {0};
    struct stat st;
    char *text = NULL;
    size_t len = 0;
    int status = STATUS_OK;

    if (o->nfiles > 1)
        snprintf(prefix, sizeof(prefix), "%.4000s: ", name);
    /* checked before reading, which could block on a FIFO */
    if (o->mode == MODE_IN_PLACE && file && stat(file, &st) == 0 &&
        !S_ISREG(st.st_mode)) {
        diag_fail(&d, STATUS_IO, 0, NULL,
                  "not a regular file, cannot rewrite it in place");
        goto done;
    }
    if (fileio_read(file, &text, &len, &st, &d) < 0)
        goto done;
    if (run_document(text, len, &ro, &r, &d) < 0) {
        /* -W's failure is about the warnings: print them first */
        status = to_stderr(r.warnings, r.warningslen);
        goto done;
    }
    status = emit_reports(s, &r);
    status = worse(status, emit(s, file, name, text, len, &r, &st, &d, &where));
done:
    run_result_free(&r);
    free(text);
    if (d.status != STATUS_OK) {
        diag_print(&d, where);
        return worse(status, d.status);
    }
    return status;
}

/* Stage -o FILE and --explain=FILE before any document is read. */
static int stage_outputs(struct session *s)
{
    const struct options *o = s->o;
    struct diag d = {0};

    if (o->explain_file) {
        char *name = options_display_name(o->explain_file);

        if (fileio_open(&s->explain, o->explain_file, name, NULL, &d) < 0) {
            diag_print(&d, name);
            free(name);
            return d.status;
        }
        free(name);
        s->explain.name = NULL;
        s->explain_staged = true;
        s->explain_mem = open_memstream(&s->explain_buf, &s->explain_len);
        if (!s->explain_mem)
            xalloc_die();
    }
    if (o->mode == MODE_OUTPUT) {
        s->output_name = options_display_name(o->output);
        if (fileio_open(&s->output, o->output, s->output_name, NULL, &d) < 0) {
            diag_print(&d, s->output_name);
            return d.status;
        }
        s->output_staged = true;
    }
    return STATUS_OK;
}

/* Write the explain file, then rename the staged files; any failure
 * before the first rename leaves every staged target untouched. */
static int finish(struct session *s, int worst)
{
    struct diag d = {0};
    char *ename =
        s->o->explain_file ? options_display_name(s->o->explain_file) : NULL;
    const char *where = ename;

    if (s->explain_mem && fclose(s->explain_mem) != 0)
        xalloc_die();
    s->explain_mem = NULL;
    if (worst >= STATUS_USAGE && s->output_staged) {
        /* -o: a failed document writes nothing at all */
        fileio_abandon(&s->output);
        s->output_staged = false;
    }
    if (s->explain_staged &&
        fileio_fill(&s->explain, s->explain_buf, s->explain_len, &d) < 0)
        goto failed;
    if (s->output_staged) {
        where = s->output_name;
        if (fileio_commit(&s->output, &d) < 0)
            goto failed;
        s->output_staged = false;
    }
    where = ename;
    if (s->explain_staged && fileio_commit(&s->explain, &d) < 0)
        goto failed;
    s->explain_staged = false;
    goto done;
failed:
    diag_print(&d, where);
    worst = worse(worst, d.status);
done:
    if (s->output_staged)
        fileio_abandon(&s->output);
    if (s->explain_staged)
        fileio_abandon(&s->explain);
    free(s->explain_buf);
    free(s->output_name);
    free(ename);
    return worst;
}

int cli_run(const struct options *opts)
{
    struct session s;
    int worst;

    memset(&s, 0, sizeof(s));
    s.o = opts;
    fileio_init();
    worst = stage_outputs(&s);
    if (worst != STATUS_OK)
        /* nothing read, nothing written: finish() removes what was
         * staged */
        return finish(&s, worst);
    if (opts->nfiles == 0)
        worst = process_file(&s, NULL, STDIN_NAME);
    for (size_t i = 0; i < opts->nfiles; i++)
        worst = worse(worst, process_file(&s, opts->files[i], opts->names[i]));
    return finish(&s, worst);
}
