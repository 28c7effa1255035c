/*
 * options.c: the popt table and what each option selects (options.h).
 *
 * Every option that decides the mode or the view carries it in the
 * 'selects' table next to the popt table; the parser records which
 * option chose the current mode and view and refuses a second, naming
 * both. What is left as explicit rules is about the FILE arguments
 * (several files, standard input) and --strip, which plans nothing.
 */
#include "app/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <popt.h>

#include "machine/machine.h"
#include "util/xalloc.h"

#ifndef PACKAGE_VERSION
#error "PACKAGE_VERSION must come from configure (AC_INIT)"
#endif

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
    OPT_DIFF,
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
     "plan for libvirt 9.0 or 11.3 (default: host's)", "VERSION"},
    {"reserve", 'r', POPT_ARG_STRING, NULL, OPT_RESERVE,
     "spare hotplug ports to leave (default 1)", "N"},
    {"root-ports", '\0', POPT_ARG_STRING, NULL, OPT_ROOT_PORTS,
     "at least this many pcie-root-ports in total", "TOTAL"},
    {"output", 'o', POPT_ARG_STRING, NULL, OPT_OUTPUT,
     "write to FILE instead of standard output ('-': standard output)", "FILE"},
    {"in-place", 'i', POPT_ARG_NONE, NULL, OPT_IN_PLACE,
     "rewrite each FILE (only if it changes)", NULL},
    {"check", '\0', POPT_ARG_NONE, NULL, OPT_CHECK,
     "only report files that would change (exit 1)", NULL},
    {"diff", '\0', POPT_ARG_NONE, NULL, OPT_DIFF,
     "print a unified diff of what would change", NULL},
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

/* What an option selects: a mode, a view, or that it plans or reports
 * (which --strip, planning nothing, refuses). */
enum selects_what { SEL_NONE, SEL_MODE, SEL_VIEW, SEL_PLANNING };

struct selects {
    int code;
    const char *name; /* as messages name it */
    enum selects_what what;
    int value; /* the enum options_mode or enum run_view */
};

static const struct selects selects_table[] = {
    {OPT_OUTPUT, "--output", SEL_MODE, MODE_OUTPUT},
    {OPT_IN_PLACE, "--in-place", SEL_MODE, MODE_IN_PLACE},
    {OPT_CHECK, "--check", SEL_MODE, MODE_CHECK},
    {OPT_DIFF, "--diff", SEL_MODE, MODE_DIFF},
    {OPT_SHOW, "--show", SEL_VIEW, RUN_VIEW_SHOW_TREE},
    {OPT_STRIP, "--strip", SEL_VIEW, RUN_VIEW_STRIP},
    {OPT_MACHINE, "--machine", SEL_PLANNING, 0},
    {OPT_RESERVE, "--reserve", SEL_PLANNING, 0},
    {OPT_ROOT_PORTS, "--root-ports", SEL_PLANNING, 0},
    {OPT_EXPLAIN, "--explain", SEL_PLANNING, 0},
    {OPT_CAPACITY, "--capacity", SEL_PLANNING, 0},
    {OPT_WERROR, "-W", SEL_PLANNING, 0},
    {OPT_LIBVIRT, "--libvirt", SEL_PLANNING, 0},
};

/* A mode or view that does not combine with a --show view. */
static bool mode_takes_view(enum options_mode m, enum run_view v)
{
    bool show = v != RUN_VIEW_XML && v != RUN_VIEW_STRIP;

    return !(show && (m == MODE_IN_PLACE || m == MODE_CHECK || m == MODE_DIFF ||
                      m == MODE_DIFF_CHECK));
}

/* The parser's record of who chose what, for the messages. */
struct chosen {
    const char *mode_by, *view_by, *planning_by;
};

static const char usage_text[] =
    "Usage: pciplan [-i|--check|--diff|-o FILE] [-m TYPE] [-r N] "
    "[--root-ports TOTAL]\n"
    "               [--explain[=FILE]] [--show=tree|dot|json] [--capacity] "
    "[-W] [--strip]\n"
    "               [-q] [FILE...]\n";

static const char help_trailer[] =
    "\n"
    "Adds the addresses and controllers libvirt (--libvirt) would, changing\n"
    "nothing else. Reads standard input when no FILE is given. Exit status:\n"
    "0 done, 1 --check found changes, 2 usage error, 3 invalid XML (or\n"
    "warnings with -W), 4 devices do not fit, 5 I/O error, 6 out of memory.\n";

static int usage_error(struct diag *d, const char *msg)
{
    return diag_fail(d, STATUS_USAGE, 0, NULL, "%s", msg);
}

static int exclusion_error(struct diag *d, const char *a, const char *b)
{
    return diag_fail(d, STATUS_USAGE, 0, NULL, "%s and %s exclude each other",
                     a, b);
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
    int ret = OPTIONS_RUN;

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
        return OPTIONS_RUN;
    return diag_fail(d, STATUS_USAGE, 0, NULL,
                     "unsupported machine type '%.64s' (supported: %s)",
                     name ? name : "", machine_supported_list());
}

static const struct selects *selects_of(int code)
{
    for (size_t i = 0; i < sizeof(selects_table) / sizeof(*selects_table);
         i++) {
        if (selects_table[i].code == code)
            return &selects_table[i];
    }
    return NULL;
}

/* Record the mode or view an option selects; a second one is refused. */
static int select_by(struct options *o, struct chosen *c, int code, int value,
                     struct diag *d)
{
    const struct selects *s = selects_of(code);

    if (!s)
        return OPTIONS_RUN;
    if (s->what == SEL_PLANNING) {
        if (!c->planning_by)
            c->planning_by = s->name;
        return OPTIONS_RUN;
    }
    if (s->what == SEL_MODE) {
        enum options_mode m = (enum options_mode)s->value;

        /* --diff --check: the one pair of modes that is a mode */
        if ((o->mode == MODE_DIFF && m == MODE_CHECK) ||
            (o->mode == MODE_CHECK && m == MODE_DIFF))
            m = MODE_DIFF_CHECK;
        else if (c->mode_by && strcmp(c->mode_by, s->name) != 0)
            return exclusion_error(d, c->mode_by, s->name);
        o->mode = m;
        c->mode_by = s->name;
        return OPTIONS_RUN;
    }
    if (c->view_by && strcmp(c->view_by, s->name) != 0)
        return exclusion_error(d, c->view_by, s->name);
    o->view = (enum run_view)value;
    c->view_by = s->name;
    return OPTIONS_RUN;
}

static int take_show(poptContext ctx, struct options *o, struct chosen *c,
                     struct diag *d)
{
    static const struct {
        const char *name;
        enum run_view view;
    } shows[] = {{"tree", RUN_VIEW_SHOW_TREE},
                 {"dot", RUN_VIEW_SHOW_DOT},
                 {"json", RUN_VIEW_SHOW_JSON}};
    char *arg = poptGetOptArg(ctx);
    int ret = -1;

    for (size_t i = 0; i < sizeof(shows) / sizeof(*shows); i++) {
        if (arg && strcmp(arg, shows[i].name) == 0)
            ret = select_by(o, c, OPT_SHOW, (int)shows[i].view, d);
    }
    if (ret == -1 && d->status == STATUS_OK)
        diag_fail(d, STATUS_USAGE, 0, NULL,
                  "invalid --show value '%.64s' (expected tree, dot or json)",
                  arg ? arg : "");
    free(arg);
    return ret;
}

static int take_output(poptContext ctx, struct options *o, struct chosen *c,
                       struct diag *d)
{
    char *arg = poptGetOptArg(ctx);

    if (!arg || !*arg) {
        free(arg);
        return diag_fail(d, STATUS_USAGE, 0, NULL,
                         "--output needs a file name ('-' for standard "
                         "output)");
    }
    if (strcmp(arg, "-") == 0) {
        /* a filter's "-": standard output, as without -o */
        free(arg);
        replace_string(&o->output, NULL);
        if (select_by(o, c, OPT_OUTPUT, 0, d) < 0)
            return -1;
        o->mode = MODE_PRINT;
        return OPTIONS_RUN;
    }
    replace_string(&o->output, arg);
    return select_by(o, c, OPT_OUTPUT, 0, d);
}

static int take_explain(poptContext ctx, struct options *o)
{
    /* "--explain=" is what a bare --explain became (see
     * protect_bare_explain): the report goes to standard error */
    char *arg = poptGetOptArg(ctx);

    o->explain = true;
    if (arg && !*arg) {
        free(arg);
        arg = NULL;
    }
    replace_string(&o->explain_file, arg);
    return OPTIONS_RUN;
}

/* Returns OPTIONS_RUN, OPTIONS_DONE or OPTIONS_ERROR. */
static int handle_option(poptContext ctx, int code, struct options *o,
                         struct chosen *c, FILE *out, struct diag *d)
{
    if (select_by(o, c, code == OPT_SHOW || code == OPT_OUTPUT ? -1 : code,
                  code == OPT_STRIP ? RUN_VIEW_STRIP : 0, d) < 0)
        return OPTIONS_ERROR;
    switch (code) {
    case OPT_MACHINE:
        replace_string(&o->machine, poptGetOptArg(ctx));
        o->plan.machine = o->machine;
        return check_machine(o->machine, d);
    case OPT_RESERVE:
        o->reserve_given = true;
        return take_number(ctx, "--reserve", OPTIONS_RESERVE_MAX,
                           &o->plan.reserve, d);
    case OPT_ROOT_PORTS:
        return take_number(ctx, "--root-ports", OPTIONS_ROOT_PORTS_MAX,
                           &o->plan.root_ports, d);
    case OPT_EXPLAIN:
        return take_explain(ctx, o);
    case OPT_SHOW:
        return take_show(ctx, o, c, d);
    case OPT_OUTPUT:
        return take_output(ctx, o, c, d);
    case OPT_CAPACITY:
        o->capacity = true;
        return OPTIONS_RUN;
    case OPT_WERROR:
        o->werror = true;
        return OPTIONS_RUN;
    case OPT_QUIET:
        o->quiet = true;
        return OPTIONS_RUN;
    case OPT_IN_PLACE:
    case OPT_CHECK:
    case OPT_DIFF:
    case OPT_STRIP:
        return OPTIONS_RUN; /* select_by() did it all */
    case OPT_LIBVIRT: {
        char *arg = poptGetOptArg(ctx);
        int ret = version_pick(arg ? arg : "", &o->libvirt, d);

        free(arg);
        o->plan.profile = o->libvirt.profile;
        return ret < 0 ? OPTIONS_ERROR : OPTIONS_RUN;
    }
    case OPT_VERSION:
        fprintf(out, "pciplan %s\n", PACKAGE_VERSION);
        if (!o->libvirt.profile && version_pick(NULL, &o->libvirt, d) < 0)
            return OPTIONS_ERROR;
        fprintf(out, "plans for libvirt %s (QEMU %s, %s): %s\n",
                o->libvirt.profile->version, o->libvirt.profile->qemu,
                o->libvirt.profile->debian, o->libvirt.why);
        return OPTIONS_DONE;
    case OPT_HELP:
        poptPrintHelp(ctx, out, 0);
        fputs(help_trailer, out);
        return OPTIONS_DONE;
    case OPT_USAGE:
        fputs(usage_text, out);
        return OPTIONS_DONE;
    default:
        return diag_fail(d, STATUS_USAGE, 0, NULL, "unexpected option code %d",
                         code);
    }
}

char *options_display_name(const char *path)
{
    char *s = xstrdup(path);

    for (char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    return s;
}

static void take_files(poptContext ctx, struct options *o)
{
    const char **args = poptGetArgs(ctx);
    size_t n = 0, i;

    while (args && args[n])
        n++;
    if (n == 0)
        return;
    o->files = xcalloc(n, sizeof(*o->files));
    o->names = xcalloc(n, sizeof(*o->names));
    for (i = 0; i < n; i++) {
        o->files[i] = xstrdup(args[i]);
        o->names[i] = options_display_name(args[i]);
    }
    o->nfiles = n;
}

static bool is_stdin_name(const char *file)
{
    return strcmp(file, "-") == 0;
}

static bool names_a_file(const struct options *o, const char *path)
{
    for (size_t i = 0; i < o->nfiles; i++) {
        if (strcmp(o->files[i], path) == 0)
            return true;
    }
    return o->output && strcmp(o->output, path) == 0;
}

/* What the option table cannot say: the FILE arguments, and --strip. */
static int check_files(const struct options *o, const struct chosen *c,
                       struct diag *d)
{
    size_t i, stdin_uses = 0;
    bool several = o->mode == MODE_IN_PLACE || o->mode == MODE_CHECK ||
                   o->mode == MODE_DIFF || o->mode == MODE_DIFF_CHECK;

    for (i = 0; i < o->nfiles; i++)
        stdin_uses += is_stdin_name(o->files[i]);
    if (!mode_takes_view(o->mode, o->view))
        return exclusion_error(d, c->view_by, c->mode_by);
    if (o->nfiles > 1 && !several)
        return usage_error(d, "several FILEs need --in-place, --check or "
                              "--diff");
    if (o->mode == MODE_IN_PLACE && (o->nfiles == 0 || stdin_uses > 0))
        return usage_error(d, "--in-place needs FILE names, not standard "
                              "input");
    if (stdin_uses > 1)
        return usage_error(d, "standard input ('-') given twice");
    if (o->explain_file && names_a_file(o, o->explain_file))
        return usage_error(d, "--explain=FILE must not name an input or "
                              "output file");
    if (o->view == RUN_VIEW_STRIP && c->planning_by)
        return diag_fail(d, STATUS_USAGE, 0, NULL,
                         "--strip only removes, %s needs planning; pipe its "
                         "output into pciplan",
                         c->planning_by);
    return 0;
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

int options_parse(struct options *o, int argc, const char **argv, FILE *out,
                  struct diag *d)
{
    struct plan_options defaults = PLAN_OPTIONS_DEFAULT;
    const char **args = protect_bare_explain(argc, argv);
    struct chosen c = {NULL, NULL, NULL};
    poptContext ctx;
    int code, ret = OPTIONS_RUN;

    memset(o, 0, sizeof(*o));
    o->plan = defaults;
    o->mode = MODE_PRINT;
    o->view = RUN_VIEW_XML;
    ctx = poptGetContext("pciplan", argc, args, option_table, 0);
    poptSetOtherOptionHelp(ctx, "[OPTION...] [FILE...]");
    while ((code = poptGetNextOpt(ctx)) > 0) {
        ret = handle_option(ctx, code, o, &c, out, d);
        if (ret != OPTIONS_RUN)
            break;
    }
    if (ret == OPTIONS_RUN && code < -1) {
        diag_fail(d, STATUS_USAGE, 0, NULL, "%s: %s",
                  poptBadOption(ctx, POPT_BADOPTION_NOALIAS),
                  poptStrerror(code));
        ret = OPTIONS_ERROR;
    }
    if (ret == OPTIONS_RUN) {
        take_files(ctx, o);
        if (check_files(o, &c, d) < 0)
            ret = OPTIONS_ERROR;
        else if (o->view != RUN_VIEW_STRIP && !o->libvirt.profile &&
                 version_pick(NULL, &o->libvirt, d) < 0)
            ret = OPTIONS_ERROR;
        o->plan.profile = o->libvirt.profile;
    }
    poptFreeContext(ctx);
    free(args);
    return ret;
}

void options_free(struct options *o)
{
    for (size_t i = 0; i < o->nfiles; i++) {
        free(o->files[i]);
        free(o->names[i]);
    }
    free(o->files);
    free(o->names);
    free(o->machine);
    free(o->output);
    free(o->explain_file);
    memset(o, 0, sizeof(*o));
}
