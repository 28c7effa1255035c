/*
 * cli.c: command line parsing and the per-file read/plan/write cycle.
 */
/* realpath() is an XSI function, beyond the POSIX base the build asks
 * for */
#define _XOPEN_SOURCE 700

#include "app/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <popt.h>

#include "model/domain.h"
#include "view/lint.h"
#include "app/version.h"
#include "machine/machine.h"
#include "view/report.h"
#include "render/strip.h"
#include "view/topo.h"
#include "render/writer.h"
#include "xml/load.h"
#include "xml/xmldoc.h"
#include "util/xalloc.h"

#ifndef PACKAGE_VERSION
#error "PACKAGE_VERSION must come from configure (AC_INIT)"
#endif

#define STDIN_NAME "<stdin>"
#define STDOUT_NAME "<stdout>"

/* ---- option parsing ---- */

enum option_code {
    OPT_MACHINE = 'm',
    OPT_RESERVE = 'r',
    OPT_OUTPUT = 'o',
    OPT_IN_PLACE = 'i',
    OPT_QUIET = 'q',
    OPT_VERSION = 'V',
    OPT_HELP = 'h',
    OPT_WERROR = 'W',
    OPT_ROOT_PORTS = 256,
    OPT_CHECK,
    OPT_USAGE,
    OPT_EXPLAIN,
    OPT_SHOW,
    OPT_CAPACITY,
    OPT_STRIP,
    OPT_LIBVIRT,
};

/* Values are fetched with poptGetOptArg() so each has one owner. */
static const struct poptOption option_table[] = {
    {"machine", 'm', POPT_ARG_STRING, NULL, OPT_MACHINE,
     "plan for this machine type (default: the XML's)", "TYPE"},
    {"libvirt", '\0', POPT_ARG_STRING, NULL, OPT_LIBVIRT,
     "plan for this libvirt: 9.0 or 11.3 (default: $PCIPLAN_LIBVIRT, else "
     "virsh --version, else the newest)",
     "VERSION"},
    {"reserve", 'r', POPT_ARG_STRING, NULL, OPT_RESERVE,
     "spare hotplug ports to leave (default 1)", "N"},
    {"root-ports", '\0', POPT_ARG_STRING, NULL, OPT_ROOT_PORTS,
     "at least this many pcie-root-ports in total", "TOTAL"},
    {"output", 'o', POPT_ARG_STRING, NULL, OPT_OUTPUT,
     "write to FILE instead of standard output", "FILE"},
    {"in-place", 'i', POPT_ARG_NONE, NULL, OPT_IN_PLACE,
     "rewrite each FILE (only if it changes)", NULL},
    {"check", '\0', POPT_ARG_NONE, NULL, OPT_CHECK,
     "only report files that would change (exit 1)", NULL},
    {"quiet", 'q', POPT_ARG_NONE, NULL, OPT_QUIET,
     "do not name the files --check would change", NULL},
    {"explain", '\0', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, NULL,
     OPT_EXPLAIN, "say why each address was added (stderr or FILE)", "FILE"},
    {"show", '\0', POPT_ARG_STRING, NULL, OPT_SHOW,
     "print the topology instead of the XML", "tree|dot|json"},
    {"capacity", '\0', POPT_ARG_NONE, NULL, OPT_CAPACITY,
     "report the free slots by kind on stderr", NULL},
    {"warnings-are-errors", 'W', POPT_ARG_NONE, NULL, OPT_WERROR,
     "fail (exit 3) when there are warnings", NULL},
    {"strip", '\0', POPT_ARG_NONE, NULL, OPT_STRIP,
     "remove PCI addresses and controllers to re-plan", NULL},
    {"version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION,
     "print the version and exit", NULL},
    {"help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, "show this help and exit",
     NULL},
    {"usage", '\0', POPT_ARG_NONE, NULL, OPT_USAGE,
     "show a short usage message and exit", NULL},
    POPT_TABLEEND};

static const char help_trailer[] =
    "\n"
    "Adds the PCI addresses and controllers that libvirt (--libvirt) would,\n"
    "changing nothing else. Reads standard input when no FILE is given.\n"
    "Exit status: 0 done, 1 --check found changes, 2 usage error, 3 invalid\n"
    "XML (or warnings with -W), 4 devices do not fit, 5 I/O error.\n";

static int usage_error(struct diag *d, const char *msg)
{
    return diag_fail(d, STATUS_USAGE, 0, NULL, "%s", msg);
}

/* A whole decimal integer in [min, max]; anything else is garbage. */
static bool parse_int(const char *s, long min, long max, int *value)
{
    char *end;
    long v;

    if (!s || *s == '\0' || *s == ' ' || *s == '\t' || *s == '+')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *value = (int)v;
    return true;
}

static void replace_string(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static int take_number(poptContext ctx, const char *option, long max,
                       int *value, struct diag *d)
{
    char *arg = poptGetOptArg(ctx);
    int ret = 0;

    if (!parse_int(arg, 0, max, value))
        ret = diag_fail(d, STATUS_USAGE, 0, NULL,
                        "invalid %s value '%.64s' (expected 0 to %ld)", option,
                        arg ? arg : "", max);
    free(arg);
    return ret;
}

/*
 * A machine type unknown for every architecture is a usage error; one
 * that does not fit the domain's architecture is for the planner to
 * report against the file.
 */
static int check_machine(const char *name, struct diag *d)
{
    if (name && machine_lookup(name, NULL))
        return CLI_PARSE_RUN;
    return diag_fail(d, STATUS_USAGE, 0, NULL,
                     "unsupported machine type '%.64s' (supported: %s)",
                     name ? name : "", machine_supported_list());
}

static void print_help(poptContext ctx, FILE *out)
{
    poptPrintHelp(ctx, out, 0);
    fputs(help_trailer, out);
}

/* --explain, --show, --capacity, -W and --strip. */
static int handle_report_option(poptContext ctx, int code,
                                struct cli_options *o, struct diag *d)
{
    char *arg;

    switch (code) {
    case OPT_EXPLAIN:
        /* "--explain=" is what a bare --explain became (see
         * protect_bare_explain): the report goes to standard error */
        arg = poptGetOptArg(ctx);
        o->explain = true;
        if (arg && !*arg) {
            free(arg);
            arg = NULL;
        }
        replace_string(&o->explain_file, arg);
        return CLI_PARSE_RUN;
    case OPT_SHOW:
        arg = poptGetOptArg(ctx);
        o->show = report_show_format(arg);
        if (o->show == SHOW_NONE)
            diag_fail(d, STATUS_USAGE, 0, NULL,
                      "invalid --show value '%.64s' (expected tree, dot or "
                      "json)",
                      arg ? arg : "");
        free(arg);
        return o->show == SHOW_NONE ? CLI_PARSE_ERROR : CLI_PARSE_RUN;
    case OPT_CAPACITY:
        o->capacity = true;
        return CLI_PARSE_RUN;
    case OPT_WERROR:
        o->werror = true;
        return CLI_PARSE_RUN;
    default:
        o->strip = true;
        return CLI_PARSE_RUN;
    }
}

/* Returns CLI_PARSE_RUN, CLI_PARSE_DONE or CLI_PARSE_ERROR. */
static int handle_option(poptContext ctx, int code, struct cli_options *o,
                         FILE *out, struct diag *d)
{
    switch (code) {
    case OPT_MACHINE:
        replace_string(&o->machine, poptGetOptArg(ctx));
        o->plan.machine = o->machine;
        o->planning_set = true;
        return check_machine(o->machine, d);
    case OPT_RESERVE:
        o->planning_set = true;
        return take_number(ctx, "--reserve", CLI_RESERVE_MAX, &o->plan.reserve,
                           d);
    case OPT_ROOT_PORTS:
        o->planning_set = true;
        return take_number(ctx, "--root-ports", CLI_ROOT_PORTS_MAX,
                           &o->plan.root_ports, d);
    case OPT_EXPLAIN:
    case OPT_SHOW:
    case OPT_CAPACITY:
    case OPT_WERROR:
    case OPT_STRIP:
        return handle_report_option(ctx, code, o, d);
    case OPT_OUTPUT:
        replace_string(&o->output, poptGetOptArg(ctx));
        return CLI_PARSE_RUN;
    case OPT_IN_PLACE:
        o->in_place = true;
        return CLI_PARSE_RUN;
    case OPT_CHECK:
        o->check = true;
        return CLI_PARSE_RUN;
    case OPT_QUIET:
        o->quiet = true;
        return CLI_PARSE_RUN;
    case OPT_LIBVIRT: {
        char *arg = poptGetOptArg(ctx);
        int ret = version_pick(arg ? arg : "", &o->libvirt, d);

        free(arg);
        o->plan.profile = o->libvirt.profile;
        return ret < 0 ? CLI_PARSE_ERROR : CLI_PARSE_RUN;
    }
    case OPT_VERSION:
        fprintf(out, "pciplan %s\n", PACKAGE_VERSION);
        if (!o->libvirt.profile && version_pick(NULL, &o->libvirt, d) < 0)
            return CLI_PARSE_ERROR;
        fprintf(out, "plans for libvirt %s (QEMU %s, %s): %s\n",
                o->libvirt.profile->version, o->libvirt.profile->qemu,
                o->libvirt.profile->debian, o->libvirt.why);
        return CLI_PARSE_DONE;
    case OPT_HELP:
        print_help(ctx, out);
        return CLI_PARSE_DONE;
    case OPT_USAGE:
        poptPrintUsage(ctx, out, 0);
        return CLI_PARSE_DONE;
    default:
        return diag_fail(d, STATUS_USAGE, 0, NULL, "unexpected option code %d",
                         code);
    }
}

static void take_files(poptContext ctx, struct cli_options *o)
{
    const char **args = poptGetArgs(ctx);
    size_t n = 0, i;

    while (args && args[n])
        n++;
    if (n == 0)
        return;
    o->files = xcalloc(n, sizeof(*o->files));
    for (i = 0; i < n; i++) {
        o->files[i] = xstrdup(args[i]);
    }
    o->nfiles = n;
}

static bool is_stdin_name(const char *file)
{
    return strcmp(file, "-") == 0;
}

static bool names_a_file(const struct cli_options *o, const char *path)
{
    for (size_t i = 0; i < o->nfiles; i++) {
        if (strcmp(o->files[i], path) == 0)
            return true;
    }
    return o->output && strcmp(o->output, path) == 0;
}

static int check_report_combinations(const struct cli_options *o,
                                     struct diag *d)
{
    if (o->show != SHOW_NONE && (o->in_place || o->check))
        return usage_error(d, "--show cannot be combined with --in-place or "
                              "--check");
    if (o->explain_file && names_a_file(o, o->explain_file))
        return usage_error(d, "--explain=FILE must not name an input or "
                              "output file");
    if (o->strip && (o->planning_set || o->explain || o->capacity ||
                     o->werror || o->show != SHOW_NONE))
        return usage_error(d, "--strip only removes; pipe its output into "
                              "pciplan to plan, explain or show");
    return 0;
}

static int check_combinations(const struct cli_options *o, struct diag *d)
{
    size_t i, stdin_uses = 0;

    for (i = 0; i < o->nfiles; i++)
        stdin_uses += is_stdin_name(o->files[i]);
    if (o->in_place && o->check)
        return usage_error(d, "--in-place and --check exclude each other");
    if (o->output && (o->in_place || o->check))
        return usage_error(d, "--output cannot be combined with --in-place or "
                              "--check");
    if (o->nfiles > 1 && !o->in_place && !o->check)
        return usage_error(d, "several FILEs need --in-place or --check");
    if (o->in_place && (o->nfiles == 0 || stdin_uses > 0))
        return usage_error(d,
                           "--in-place needs FILE names, not standard input");
    if (stdin_uses > 1)
        return usage_error(d, "standard input ('-') given twice");
    return check_report_combinations(o, d);
}

/*
 * popt takes the word after a bare "--explain" as its FILE, which would
 * overwrite the domain named next ("pciplan --explain dom.xml"). Only
 * "--explain=FILE" names a file: a bare one becomes "--explain=".
 */
static const char **protect_bare_explain(int argc, const char **argv)
{
    const char **copy = xcalloc((size_t)argc + 1, sizeof(*copy));
    bool options = true;

    for (int i = 0; i < argc; i++) {
        copy[i] = argv[i];
        if (i == 0 || !options)
            continue;
        if (strcmp(argv[i], "--") == 0)
            options = false;
        else if (strcmp(argv[i], "--explain") == 0)
            copy[i] = "--explain=";
    }
    return copy;
}

int cli_parse(struct cli_options *opts, int argc, const char **argv, FILE *out,
              struct diag *d)
{
    struct plan_options defaults = PLAN_OPTIONS_DEFAULT;
    const char **args = protect_bare_explain(argc, argv);
    poptContext ctx;
    int code, ret = CLI_PARSE_RUN;

    memset(opts, 0, sizeof(*opts));
    opts->plan = defaults;
    opts->show = SHOW_NONE;
    ctx = poptGetContext("pciplan", argc, args, option_table, 0);
    poptSetOtherOptionHelp(ctx, "[OPTION...] [FILE...]");
    while ((code = poptGetNextOpt(ctx)) > 0) {
        ret = handle_option(ctx, code, opts, out, d);
        if (ret != CLI_PARSE_RUN)
            break;
    }
    if (ret == CLI_PARSE_RUN && code < -1) {
        diag_fail(d, STATUS_USAGE, 0, NULL, "%s: %s",
                  poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
                  poptStrerror(code));
        ret = CLI_PARSE_ERROR;
    }
    if (ret == CLI_PARSE_RUN) {
        take_files(ctx, opts);
        if (check_combinations(opts, d) < 0)
            ret = CLI_PARSE_ERROR;
        else if (!opts->strip && !opts->libvirt.profile &&
                 version_pick(NULL, &opts->libvirt, d) < 0)
            ret = CLI_PARSE_ERROR;
        opts->plan.profile = opts->libvirt.profile;
    }
    poptFreeContext(ctx);
    free(args);
    return ret;
}

void cli_options_free(struct cli_options *opts)
{
    size_t i;

    for (i = 0; i < opts->nfiles; i++)
        free(opts->files[i]);
    free(opts->files);
    free(opts->machine);
    free(opts->output);
    free(opts->explain_file);
    memset(opts, 0, sizeof(*opts));
}

/* ---- reading ---- */

int cli_read_input(const char *path, char **text, size_t *len, struct stat *st,
                   struct diag *d)
{
    bool use_stdin = !path || is_stdin_name(path);
    int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 64 * 1024, n = 0;
    const size_t limit = (size_t)XMLDOC_MAX_BYTES + 1;
    char *buf;

    *text = NULL;
    *len = 0;
    if (fd < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(errno));
    if (st && fstat(fd, st) < 0) {
        int err = errno;

        if (!use_stdin)
            close(fd);
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot stat: %s",
                         strerror(err));
    }
    buf = xmalloc(cap);
    while (buf && n < limit) {
        ssize_t got;

        if (n == cap) {
            char *bigger;

            cap = cap * 2 < limit ? cap * 2 : limit;
            bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
        }
        got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = errno;

            free(buf);
            if (!use_stdin)
                close(fd);
            /* e.g. "Is a directory": the message says it all */
            return diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(err));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (!use_stdin)
        close(fd);
    if (!buf)
        return diag_fail(d, STATUS_IO, 0, NULL, "read error: %s",
                         strerror(ENOMEM));
    *text = buf;
    *len = n;
    return 0;
}

/* ---- writing ---- */

int cli_write_stream(FILE *f, const char *data, size_t len, struct diag *d)
{
    errno = 0;
    if ((len > 0 && fwrite(data, 1, len, f) != len) || fflush(f) != 0 ||
        ferror(f)) {
        int err = errno ? errno : EIO;

        clearerr(f);
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(err));
    }
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * The temporary file a signal handler must remove. Only changed with
 * the signals blocked, so the handler never sees half a name.
 */
static char temp_path[PATH_MAX + 64];
static volatile sig_atomic_t temp_active;

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_temp_and_reraise(int sig)
{
    if (temp_active)
        unlink(temp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Out of memory while the temporary file exists: remove it, as a signal
 * would (util/xalloc.c runs this before exiting). */
static void remove_temp_on_exhaustion(void)
{
    if (temp_active)
        unlink(temp_path);
}

static void block_cleanup_signals(sigset_t *old)
{
    sigset_t set;
    size_t i;

    sigemptyset(&set);
    for (i = 0; i < sizeof(cleanup_signals) / sizeof(*cleanup_signals); i++)
        sigaddset(&set, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

static void install_cleanup_handlers(void)
{
    struct sigaction sa;
    size_t i;

    xalloc_set_cleanup(remove_temp_on_exhaustion);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = remove_temp_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(cleanup_signals) / sizeof(*cleanup_signals); i++) {
        struct sigaction old;

        /* an ignored signal (nohup) stays ignored */
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static void forget_temp(bool remove)
{
    sigset_t old;

    block_cleanup_signals(&old);
    if (remove && temp_active)
        unlink(temp_path);
    temp_active = 0;
    temp_path[0] = '\0';
    restore_signals(&old);
}

static int create_temp(const char *target, struct diag *d)
{
    const char *slash = strrchr(target, '/');
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = slash ? slash + 1 : target;
    sigset_t old;
    int fd, err;

    if (dirlen + strlen(base) + sizeof(".pciplan-XXXXXX") + 2 >
        sizeof(temp_path))
        return diag_fail(d, STATUS_IO, 0, NULL, "file name too long");
    block_cleanup_signals(&old);
    snprintf(temp_path, sizeof(temp_path), "%.*s.%s.pciplan-XXXXXX",
             (int)dirlen, target, base);
    fd = mkstemp(temp_path);
    err = errno;
    temp_active = fd >= 0;
    restore_signals(&old);
    if (fd < 0)
        /* usually the directory is missing or not writable */
        return diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(err));
    return fd;
}

static mode_t default_file_mode(void)
{
    mode_t mask = umask(0);

    umask(mask);
    return 0666 & ~mask;
}

/* Existing non-regular targets (/dev/null, a FIFO) are written to. */
static int write_in_place(const char *path, const char *data, size_t len,
                          struct diag *d)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    int err;

    if (fd < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(errno));
    if (write_all(fd, data, len) < 0) {
        err = errno;
        close(fd);
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(err));
    }
    if (close(fd) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(errno));
    return 0;
}

/* Write, sync and set the final mode of the open temporary file. */
static int fill_temp(int fd, const char *data, size_t len, mode_t mode,
                     const struct stat *owner, struct diag *d)
{
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(errno));
    /* Only root may give a file away; failing that the mode must not
     * grant the new group what the old one had. */
    if (owner && fchown(fd, owner->st_uid, owner->st_gid) < 0)
        mode &= ~(mode_t)(S_IRWXG | S_ISGID | S_ISUID);
    if (fchmod(fd, mode) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot set file mode: %s",
                         strerror(errno));
    return 0;
}

static void sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd;

    if (!slash)
        dir = xstrdup(".");
    else if (slash == path)
        dir = xstrdup("/");
    else
        dir = xstrndup(path, (size_t)(slash - path));
    if (!dir)
        return;
    fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: the rename itself already happened */
        close(fd);
    }
    free(dir);
}

static int replace_file(const char *target, const char *data, size_t len,
                        mode_t mode, const struct stat *owner, struct diag *d)
{
    sigset_t old;
    int fd = create_temp(target, d);
    int ret = 0;

    if (fd < 0)
        return -1;
    ret = fill_temp(fd, data, len, mode, owner, d);
    if (close(fd) < 0 && ret == 0)
        ret = diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                        strerror(errno));
    if (ret < 0) {
        forget_temp(true);
        return -1;
    }
    block_cleanup_signals(&old);
    if (rename(temp_path, target) < 0) {
        int err = errno;

        unlink(temp_path);
        temp_active = 0;
        restore_signals(&old);
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot replace file: %s",
                         strerror(err));
    }
    temp_active = 0;
    restore_signals(&old);
    sync_directory_of(target);
    return 0;
}

int cli_write_atomic(const char *path, const char *data, size_t len,
                     const struct stat *like, struct diag *d)
{
    struct stat st;
    char *target = NULL;
    int ret;

    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        target = realpath(path, NULL);
        if (!target)
            return diag_fail(d, STATUS_IO, 0, NULL,
                             "cannot resolve symbolic link: %s",
                             strerror(errno));
    }
    if (stat(target ? target : path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            ret = write_in_place(target ? target : path, data, len, d);
            free(target);
            return ret;
        }
        if (!like)
            like = &st;
    }
    ret = replace_file(target ? target : path, data, len,
                       like ? like->st_mode & 07777 : default_file_mode(), like,
                       d);
    free(target);
    return ret;
}

/* ---- the per-file cycle ---- */

struct file_result {
    struct diag d;
    const char *where; /* the name the diag is about */
};

/* Where one file's reports go and how they name it. */
struct report_dest {
    const char *name; /* the file as messages name it */
    FILE *explain;    /* standard error, or the --explain=FILE buffer */
};

/* The --show view, in memory like the XML it replaces. */
static int render_show(const struct cli_options *o, const struct topo *t,
                       char **out, size_t *outlen, struct diag *d)
{
    FILE *f = open_memstream(out, outlen);

    (void)d;
    if (!f)
        xalloc_die();
    report_show(f, t, (enum show_format)o->show);
    /* a memory stream fails only for want of memory */
    if (fclose(f) != 0)
        xalloc_die();
    return 0;
}

/* The warnings, printed; -W makes any of them fail the file. */
static int cli_warn(const struct cli_options *o, const struct report_dest *rd,
                    const struct topo *t, struct diag *d)
{
    struct lint_options lo = {o->plan.reserve, 0};
    struct lint_result r;
    int ret = 0;

    lo.devices_line = t->dom->devices_line;
    if (lint_run(t, &lo, &r) < 0)
        ret = diag_fail(d, STATUS_IO, 0, NULL, "out of memory");
    lint_print(&r, rd->name, stderr);
    if (ret == 0 && o->werror && r.n > 0)
        ret = diag_fail(d, STATUS_INVALID, 0, NULL,
                        "%zu warning%s treated as error%s (-W)", r.n,
                        r.n == 1 ? "" : "s", r.n == 1 ? "" : "s");
    lint_free(&r);
    return ret;
}

/* The reports on the planned domain, then its XML (or --show view). */
static int report_plan(const struct cli_options *o,
                       const struct report_dest *rd, const struct xmldoc *xd,
                       const struct domain *dom, char **out, size_t *outlen,
                       struct diag *d)
{
    char prefix[PATH_MAX + 8] = "";
    struct topo t;
    int ret;

    topo_build(&t, dom, o->plan.machine);
    t.profile = o->libvirt.profile;
    t.profile_why = o->libvirt.why;
    if (o->nfiles > 1)
        snprintf(prefix, sizeof(prefix), "%s: ", rd->name);
    if (o->explain)
        report_explain(rd->explain, &t, prefix, o->plan.reserve);
    if (o->capacity)
        report_capacity(stderr, &t, rd->name);
    if (cli_warn(o, rd, &t, d) < 0)
        ret = -1;
    else if (o->show != SHOW_NONE)
        ret = render_show(o, &t, out, outlen, d);
    else
        ret = writer_render(xd, dom, out, outlen, d);
    topo_free(&t);
    return ret;
}

static int plan_document(const struct cli_options *o,
                         const struct report_dest *rd, struct xmldoc *xd,
                         char **out, size_t *outlen, struct diag *d)
{
    struct domain dom;
    int ret;

    memset(&dom, 0, sizeof(dom));
    ret = domain_load(&dom, xd, d);
    if (ret == 0 && o->strip)
        ret = strip_render(xd, &dom, out, outlen, d);
    else if (ret == 0 && (ret = plan_run(&dom, &o->plan, d)) == 0)
        ret = report_plan(o, rd, xd, &dom, out, outlen, d);
    domain_free(&dom);
    return ret < 0 ? -1 : 0;
}

static int emit(const struct cli_options *o, const char *file, const char *name,
                const char *out, size_t outlen, bool changed,
                const struct stat *st, struct file_result *r)
{
    if (o->check) {
        if (changed && !o->quiet)
            fprintf(stderr, "pciplan: %s: would change\n", name);
        return changed ? STATUS_CHANGES : STATUS_OK;
    }
    if (o->in_place) {
        if (changed && cli_write_atomic(file, out, outlen, st, &r->d) < 0)
            return r->d.status;
        return STATUS_OK;
    }
    if (o->output) {
        r->where = o->output;
        return cli_write_atomic(o->output, out, outlen, NULL, &r->d) < 0
                   ? r->d.status
                   : STATUS_OK;
    }
    r->where = STDOUT_NAME;
    return cli_write_stream(stdout, out, outlen, &r->d) < 0 ? r->d.status
                                                            : STATUS_OK;
}

/* Nothing is written before the whole output is ready in memory. */
static int process_file(const struct cli_options *o, const char *file,
                        FILE *explain)
{
    const char *name = !file || is_stdin_name(file) ? STDIN_NAME : file;
    struct file_result r = {{0}, name};
    struct report_dest rd = {name, explain};
    struct xmldoc xd;
    struct stat st;
    char *text = NULL, *out = NULL;
    size_t len = 0, outlen = 0;
    int status = STATUS_OK;

    memset(&xd, 0, sizeof(xd));
    /* checked before reading, which could block on a FIFO */
    if (o->in_place && file && stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
        diag_fail(&r.d, STATUS_IO, 0, NULL,
                  "not a regular file, cannot rewrite it in place");
        goto done;
    }
    if (cli_read_input(file, &text, &len, &st, &r.d) < 0)
        goto done;
    if (xmldoc_parse(&xd, text, len, &r.d) < 0 ||
        plan_document(o, &rd, &xd, &out, &outlen, &r.d) < 0)
        goto done;
    status =
        emit(o, file, name, out, outlen,
             outlen != xd.len || (outlen && memcmp(out, xd.text, outlen) != 0),
             &st, &r);
done:
    free(out);
    xmldoc_free(&xd);
    if (r.d.status != STATUS_OK) {
        diag_print(&r.d, r.where);
        return r.d.status;
    }
    return status;
}

/*
 * --explain=FILE: the lines of every file, written once at the end.
 * *buf and *len belong to the memory stream f: only its fclose() makes
 * them final.
 */
static int write_explain_file(const struct cli_options *o, FILE *f, char **buf,
                              size_t *len, int worst)
{
    struct diag d = {0};

    if (fclose(f) != 0)
        xalloc_die();
    cli_write_atomic(o->explain_file, *buf, *len, NULL, &d);
    free(*buf);
    *buf = NULL;
    if (d.status == STATUS_OK)
        return worst;
    diag_print(&d, o->explain_file);
    return worst > d.status ? worst : d.status;
}

int cli_run(const struct cli_options *opts)
{
    int worst = STATUS_OK;
    char *ebuf = NULL;
    size_t elen = 0, i;
    FILE *explain = stderr;

    /* Past a file size limit (ulimit -f) SIGXFSZ would kill pciplan in
     * the middle of a write and leave its temporary file behind; ignored,
     * the write fails with EFBIG and the usual error path cleans up. */
    signal(SIGXFSZ, SIG_IGN);
    if (opts->in_place || opts->output || opts->explain_file)
        install_cleanup_handlers();
    if (opts->explain_file && !(explain = open_memstream(&ebuf, &elen)))
        xalloc_die();
    if (opts->nfiles == 0)
        worst = process_file(opts, NULL, explain);
    for (i = 0; i < opts->nfiles; i++) {
        int status = process_file(opts, opts->files[i], explain);

        if (status > worst)
            worst = status;
    }
    if (opts->explain_file)
        return write_explain_file(opts, explain, &ebuf, &elen, worst);
    return worst;
}
