/*
 * sigwrite.c: an LD_PRELOAD shim for tests/cli/run-inplace that delivers a
 * signal to pciplan at a chosen moment of writing its output file.
 *
 *   SIGWRITE_SIGNAL=N   the signal to raise (none: the shim does nothing)
 *   SIGWRITE_AT=write   after half of the first write() to a file
 *                       descriptor above 2 (the temporary file);
 *                       the default
 *   SIGWRITE_AT=fsync   in the fsync() of that file: written, not synced
 *   SIGWRITE_AT=rename  in rename(), before the file is renamed
 *
 *
 * And it plays the other program for the concurrent-edit cases: with
 *   SIGWRITE_EDIT=append|replace   append a line to the file, or replace
 *                                  it (write FILE.new, rename it over)
 *   SIGWRITE_EDIT_FILE=PATH        the file pciplan -i is rewriting
 *   SIGWRITE_EDIT_AT=write|fsync   when, as for SIGWRITE_AT
 * the edit happens once, at that moment, between pciplan's reading the
 * file and its rename.
 *
 * With a handler that returns, the call then goes on normally, so an
 * ignored signal changes nothing. This way the test proves what happens
 * to a signal arriving while the temporary file is open, without a
 * test hook in pciplan itself and without guessing a delay.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t len);
int fsync(int fd);
int rename(const char *from, const char *to);

static int wanted_signal(const char *at)
{
    const char *sig = getenv("SIGWRITE_SIGNAL");
    const char *when = getenv("SIGWRITE_AT");

    if (!sig || !*sig)
        return 0;
    if (!when || !*when)
        when = "write";
    return strcmp(when, at) == 0 ? (int)strtol(sig, NULL, 10) : 0;
}

static void *next_symbol(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);

    if (!f) {
        fprintf(stderr, "sigwrite: no next %s\n", name);
        abort();
    }
    return f;
}

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_rename)(const char *, const char *);

/* The other program's edit, once, at 'at'. */
static void edit_file(const char *at)
{
    static int done;
    const char *what = getenv("SIGWRITE_EDIT");
    const char *file = getenv("SIGWRITE_EDIT_FILE");
    const char *when = getenv("SIGWRITE_EDIT_AT");
    static const char line[] = "<!-- another program's edit -->\n";
    char tmp[4096];
    int fd;

    if (done || !what || !file || strcmp(when ? when : "write", at) != 0)
        return;
    done = 1;
    if (!real_write)
        real_write =
            (ssize_t(*)(int, const void *, size_t))next_symbol("write");
    if (!real_rename)
        real_rename =
            (int (*)(const char *, const char *))next_symbol("rename");
    if (strcmp(what, "append") == 0) {
        fd = open(file, O_WRONLY | O_APPEND);
        if (fd >= 0) {
            real_write(fd, line, sizeof(line) - 1);
            close(fd);
        }
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s.new", file);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        real_write(fd, line, sizeof(line) - 1);
        close(fd);
        real_rename(tmp, file);
    }
}

ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    static int fired;
    int sig = fd > 2 && !fired ? wanted_signal("write") : 0;
    ssize_t n;

    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))next_symbol("write");
    if (fd > 2)
        edit_file("write");
    if (!sig)
        return real(fd, buf, len);
    fired = 1;
    n = real(fd, buf, len / 2);
    raise(sig);
    return n;
}

int fsync(int fd)
{
    static int (*real)(int);
    int sig = wanted_signal("fsync");

    if (!real)
        real = (int (*)(int))next_symbol("fsync");
    edit_file("fsync");
    if (sig)
        raise(sig);
    return real(fd);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    int sig = wanted_signal("rename");

    if (!real)
        real = (int (*)(const char *, const char *))next_symbol("rename");
    if (sig)
        raise(sig);
    return real(from, to);
}
