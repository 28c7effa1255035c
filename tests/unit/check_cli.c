/* Unit tests for cli.c: option parsing and safe file handling. */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink */

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_suites.h"
#include "app/cli.h"
#include "app/fileio.h"

static struct options opts;
static struct diag d;
static char dir[64];

/* ---- parsing ---- */

static int parse(const char *first, ...)
{
    const char *argv[32] = {"pciplan"};
    int argc = 1;
    va_list ap;
    const char *a;
    FILE *sink = fopen("/dev/null", "w");
    int ret;

    va_start(ap, first);
    for (a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    memset(&d, 0, sizeof(d));
    options_free(&opts);
    ret = options_parse(&opts, argc, argv, sink, &d);
    fclose(sink);
    return ret;
}

static void assert_usage_error(int ret)
{
    ck_assert_int_eq(ret, OPTIONS_ERROR);
    ck_assert_int_eq(d.status, STATUS_USAGE);
    ck_assert_str_ne(d.msg, "");
}

static void parse_teardown(void)
{
    options_free(&opts);
}

START_TEST(test_defaults)
{
    ck_assert_int_eq(parse(NULL), OPTIONS_RUN);
    ck_assert_ptr_null(opts.plan.machine);
    ck_assert_int_eq(opts.plan.reserve, 1);
    ck_assert_int_eq(opts.plan.root_ports, 0);
    ck_assert_ptr_null(opts.output);
    ck_assert(opts.mode == MODE_PRINT && !opts.quiet);
    ck_assert_uint_eq(opts.nfiles, 0);
}
END_TEST

START_TEST(test_all_options)
{
    ck_assert_int_eq(parse("-m", "pc-q35-7.2", "--reserve=3", "--root-ports",
                           "8", "-o", "out.xml", "-q", "in.xml", NULL),
                     OPTIONS_RUN);
    ck_assert_str_eq(opts.plan.machine, "pc-q35-7.2");
    ck_assert_int_eq(opts.plan.reserve, 3);
    ck_assert_int_eq(opts.plan.root_ports, 8);
    ck_assert_str_eq(opts.output, "out.xml");
    ck_assert(opts.quiet);
    ck_assert_uint_eq(opts.nfiles, 1);
    ck_assert_str_eq(opts.files[0], "in.xml");

    ck_assert_int_eq(parse("--machine=q35", "-m", "pc", "-r0", "--check",
                           "a.xml", "b.xml", NULL),
                     OPTIONS_RUN);
    ck_assert_str_eq(opts.plan.machine, "pc"); /* the last one wins */
    ck_assert_int_eq(opts.plan.reserve, 0);
    ck_assert_int_eq(opts.mode, MODE_CHECK);
    ck_assert_uint_eq(opts.nfiles, 2);

    ck_assert_int_eq(
        parse("-i", "a.xml", "b.xml", "-r", "1000", "--root-ports=255", NULL),
        OPTIONS_RUN);
    ck_assert_int_eq(opts.mode, MODE_IN_PLACE);
    ck_assert_int_eq(opts.plan.reserve, 1000);
    ck_assert_int_eq(opts.plan.root_ports, 255);
}
END_TEST

START_TEST(test_bad_numbers)
{
    assert_usage_error(parse("-r", "x", NULL));
    ck_assert_ptr_nonnull(strstr(d.msg, "--reserve"));
    assert_usage_error(parse("-r", "-1", NULL));
    assert_usage_error(parse("-r", "1001", NULL));
    assert_usage_error(parse("-r", "5x", NULL));
    assert_usage_error(parse("--reserve=", NULL));
    assert_usage_error(parse("-r", " 5", NULL));
    assert_usage_error(parse("-r", "99999999999999999999", NULL));
    assert_usage_error(parse("--root-ports=256", NULL));
    assert_usage_error(parse("--root-ports=-3", NULL));
    assert_usage_error(parse("--root-ports", "0x10", NULL));
}
END_TEST

START_TEST(test_bad_combinations)
{
    assert_usage_error(parse("a.xml", "b.xml", NULL));
    assert_usage_error(parse("-o", "x", "-i", "a.xml", NULL));
    assert_usage_error(parse("-o", "x", "--check", "a.xml", NULL));
    assert_usage_error(parse("-i", NULL));
    assert_usage_error(parse("-i", "-", NULL));
    assert_usage_error(parse("-i", "--check", "a.xml", NULL));
    assert_usage_error(parse("--check", "-", "-", NULL));
    assert_usage_error(parse("--bogus", NULL));
    ck_assert_str_eq(d.msg, "--bogus: unknown option");
    assert_usage_error(parse("--machine=foo", "a.xml", NULL));
    ck_assert_ptr_nonnull(strstr(d.msg, "unsupported machine type 'foo'"));
    assert_usage_error(parse("-m", NULL));
}
END_TEST

START_TEST(test_stdin_dash)
{
    ck_assert_int_eq(parse("-", NULL), OPTIONS_RUN);
    ck_assert_uint_eq(opts.nfiles, 1);
    ck_assert_str_eq(opts.files[0], "-");
    ck_assert_int_eq(parse("--check", "-", "a.xml", NULL), OPTIONS_RUN);
}
END_TEST

/* Run cli_parse with its output captured in a string. */
static char *parse_output(const char *option, int *ret)
{
    const char *argv[] = {"pciplan", option, NULL};
    FILE *f = tmpfile();
    char *buf = calloc(1, 8192);
    size_t n;

    memset(&d, 0, sizeof(d));
    options_free(&opts);
    *ret = options_parse(&opts, 2, argv, f, &d);
    rewind(f);
    n = fread(buf, 1, 8191, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(test_help)
{
    int ret;
    char *out = parse_output("--help", &ret);

    ck_assert_int_eq(ret, OPTIONS_DONE);
    ck_assert_ptr_nonnull(strstr(out, "Usage: pciplan"));
    ck_assert_ptr_nonnull(strstr(out, "--machine=TYPE"));
    ck_assert_ptr_nonnull(strstr(out, "--in-place"));
    ck_assert_ptr_nonnull(strstr(out, "--root-ports"));
    ck_assert_int_le(count_lines(out), 24);
    free(out);

    out = parse_output("-h", &ret);
    ck_assert_int_eq(ret, OPTIONS_DONE);
    ck_assert_int_le(count_lines(out), 24);
    free(out);

    out = parse_output("--usage", &ret);
    ck_assert_int_eq(ret, OPTIONS_DONE);
    ck_assert_ptr_nonnull(strstr(out, "Usage:"));
    free(out);
}
END_TEST

/* --libvirt picks the profile, and an unknown version is a usage error */
START_TEST(test_libvirt_option)
{
    const char *argv[] = {"pciplan", "--libvirt=11.3", NULL};
    const char *bad[] = {"pciplan", "--libvirt=8.0", NULL};

    memset(&d, 0, sizeof(d));
    options_free(&opts);
    ck_assert_int_eq(options_parse(&opts, 2, argv, stdout, &d), OPTIONS_RUN);
    ck_assert_ptr_nonnull(opts.plan.profile);
    ck_assert_str_eq(opts.plan.profile->version, "11.3");
    ck_assert_str_eq(opts.libvirt.why, "--libvirt=11.3");
    memset(&d, 0, sizeof(d));
    options_free(&opts);
    ck_assert_int_eq(options_parse(&opts, 2, bad, stdout, &d), OPTIONS_ERROR);
    ck_assert_int_eq(d.status, STATUS_USAGE);
    ck_assert_ptr_nonnull(strstr(d.msg, "unknown libvirt version '8.0'"));
}
END_TEST

START_TEST(test_version)
{
    int ret;
    char *out;

    setenv("PCIPLAN_LIBVIRT", "11.3", 1);
    out = parse_output("-V", &ret);
    ck_assert_int_eq(ret, OPTIONS_DONE);
    ck_assert_str_eq(out, "pciplan " PACKAGE_VERSION "\n"
                          "plans for libvirt 11.3 (QEMU 10.0, Debian 13 "
                          "trixie): $PCIPLAN_LIBVIRT=11.3\n");
    unsetenv("PCIPLAN_LIBVIRT");
    free(out);
}
END_TEST

/* ---- files ---- */

static void dir_setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/pciplan-check-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    memset(&d, 0, sizeof(d));
}

static void dir_teardown(void)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    char path[512];

    while (dp && (de = readdir(dp))) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            unlink(path);
        }
    }
    if (dp)
        closedir(dp);
    rmdir(dir);
    options_free(&opts);
}

static char *path_in_dir(const char *name)
{
    static char path[128];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

static void write_file(const char *name, const char *content, mode_t mode)
{
    FILE *f = fopen(path_in_dir(name), "w");

    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
    chmod(path_in_dir(name), mode);
}

static char *read_file(const char *name)
{
    char *text;
    size_t len;
    struct diag rd = {0};

    ck_assert_int_eq(fileio_read(path_in_dir(name), &text, &len, NULL, &rd), 0);
    text = realloc(text, len + 1);
    text[len] = '\0';
    return text;
}

static int files_in_dir(void)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;

    while ((de = readdir(dp)))
        n += de->d_name[0] != '.' || (de->d_name[1] && de->d_name[1] != '.');
    closedir(dp);
    return n;
}

START_TEST(test_read_missing)
{
    char *text;
    size_t len;

    ck_assert_int_eq(
        fileio_read(path_in_dir("nope.xml"), &text, &len, NULL, &d), -1);
    ck_assert_int_eq(d.status, STATUS_IO);
    ck_assert_ptr_nonnull(strstr(d.msg, "No such file"));
    ck_assert_ptr_null(text);
}
END_TEST

START_TEST(test_read_file)
{
    char *text;

    write_file("a.xml", "<domain/>\n", 0644);
    text = read_file("a.xml");
    ck_assert_str_eq(text, "<domain/>\n");
    free(text);
}
END_TEST

START_TEST(test_atomic_new_file)
{
    struct stat st;
    mode_t mask = umask(022);
    char *text;

    ck_assert_int_eq(
        fileio_replace(path_in_dir("new.xml"), "f", "abc", 3, NULL, &d), 0);
    umask(mask);
    ck_assert_int_eq(stat(path_in_dir("new.xml"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    text = read_file("new.xml");
    ck_assert_str_eq(text, "abc");
    free(text);
    ck_assert_int_eq(files_in_dir(), 1); /* no temporary file left */
}
END_TEST

START_TEST(test_atomic_keeps_mode)
{
    struct stat st;
    char *text;

    write_file("a.xml", "old", 0640);
    ck_assert_int_eq(
        fileio_replace(path_in_dir("a.xml"), "f", "new!", 4, NULL, &d), 0);
    ck_assert_int_eq(stat(path_in_dir("a.xml"), &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    text = read_file("a.xml");
    ck_assert_str_eq(text, "new!");
    free(text);
    ck_assert_int_eq(files_in_dir(), 1);
}
END_TEST

START_TEST(test_atomic_follows_symlink)
{
    struct stat st;
    char *text;

    write_file("real.xml", "old", 0600);
    ck_assert_int_eq(symlink("real.xml", path_in_dir("link.xml")), 0);
    ck_assert_int_eq(
        fileio_replace(path_in_dir("link.xml"), "f", "new", 3, NULL, &d), 0);
    ck_assert_int_eq(lstat(path_in_dir("link.xml"), &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    text = read_file("real.xml");
    ck_assert_str_eq(text, "new");
    free(text);
    ck_assert_int_eq(files_in_dir(), 2);
}
END_TEST

START_TEST(test_atomic_failure_leaves_nothing)
{
    ck_assert_int_eq(
        fileio_replace(path_in_dir("no/such/dir.xml"), "f", "x", 1, NULL, &d),
        -1);
    ck_assert_int_eq(d.status, STATUS_IO);
    ck_assert_int_eq(files_in_dir(), 0);
}
END_TEST

START_TEST(test_atomic_device_written_directly)
{
    ck_assert_int_eq(fileio_replace("/dev/null", "f", "x", 1, NULL, &d), 0);
}
END_TEST

START_TEST(test_stream_full_disk)
{
    FILE *f = fopen("/dev/full", "w");

    if (!f)
        return; /* no /dev/full here */
    ck_assert_int_eq(fileio_write_stream(f, "<domain/>\n", 10, &d), -1);
    ck_assert_int_eq(d.status, STATUS_IO);
    ck_assert_str_eq(d.msg, "write error: No space left on device");
    fclose(f);
}
END_TEST

/* ---- cli_run on inputs that fail before planning ---- */

static int run(const char *first, ...)
{
    const char *argv[32] = {"pciplan"};
    int argc = 1;
    va_list ap;
    const char *a;

    va_start(ap, first);
    for (a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    memset(&d, 0, sizeof(d));
    options_free(&opts);
    ck_assert_int_eq(options_parse(&opts, argc, argv, stdout, &d), OPTIONS_RUN);
    return cli_run(&opts);
}

START_TEST(test_run_in_place_invalid_untouched)
{
    struct stat before, after;
    char *text;

    write_file("bad.xml", "<domain><oops></domain>\n", 0644);
    ck_assert_int_eq(stat(path_in_dir("bad.xml"), &before), 0);
    ck_assert_int_eq(run("-i", path_in_dir("bad.xml"), NULL), STATUS_INVALID);
    ck_assert_int_eq(stat(path_in_dir("bad.xml"), &after), 0);
    ck_assert_int_eq(before.st_ino, after.st_ino);
    text = read_file("bad.xml");
    ck_assert_str_eq(text, "<domain><oops></domain>\n");
    free(text);
    ck_assert_int_eq(files_in_dir(), 1);
}
END_TEST

START_TEST(test_run_worst_status_wins)
{
    char bad[128], missing[128];

    write_file("bad.xml", "<network/>", 0644);
    snprintf(bad, sizeof(bad), "%s", path_in_dir("bad.xml"));
    snprintf(missing, sizeof(missing), "%s", path_in_dir("missing.xml"));
    ck_assert_int_eq(run("--check", bad, NULL), STATUS_INVALID);
    ck_assert_int_eq(run("--check", missing, bad, NULL), STATUS_IO);
    ck_assert_int_eq(run("--check", bad, missing, NULL), STATUS_IO);
}
END_TEST

START_TEST(test_run_in_place_not_regular)
{
    ck_assert_int_eq(run("-i", dir, NULL), STATUS_IO);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");
    TCase *files = tcase_create("files");

    tcase_add_checked_fixture(tc, NULL, parse_teardown);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_all_options);
    tcase_add_test(tc, test_bad_numbers);
    tcase_add_test(tc, test_bad_combinations);
    tcase_add_test(tc, test_stdin_dash);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_libvirt_option);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(files, dir_setup, dir_teardown);
    tcase_add_test(files, test_read_missing);
    tcase_add_test(files, test_read_file);
    tcase_add_test(files, test_atomic_new_file);
    tcase_add_test(files, test_atomic_keeps_mode);
    tcase_add_test(files, test_atomic_follows_symlink);
    tcase_add_test(files, test_atomic_failure_leaves_nothing);
    tcase_add_test(files, test_atomic_device_written_directly);
    tcase_add_test(files, test_stream_full_disk);
    tcase_add_test(files, test_run_in_place_invalid_untouched);
    tcase_add_test(files, test_run_worst_status_wins);
    tcase_add_test(files, test_run_in_place_not_regular);
    suite_add_tcase(s, files);
    return s;
}
