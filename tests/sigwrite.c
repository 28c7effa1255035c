/*
 * sigwrite.c: an LD_PRELOAD shim for tests/run-inplace that delivers a
 * signal to pciplan at a chosen moment of writing its output file.
 *
 *   SIGWRITE_SIGNAL=N   the signal to raise (none: the shim does nothing)
 *   SIGWRITE_AT=write   after half of the first write() to a file
 *                       descriptor above 2 (the temporary file);
 *                       the default
 *   SIGWRITE_AT=fsync   in the fsync() of that file: written, not synced
 *   SIGWRITE_AT=rename  in rename(), before the file is renamed
 *
 * With a handler that returns, the call then goes on normally, so an
 * ignored signal changes nothing. This way the test proves what happens
 * to a signal arriving while the temporary file is open, without a
 * test hook in pciplan itself and without guessing a delay.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
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

ssize_t write(int fd, const void *buf, size_t len)
{
    static ssize_t (*real)(int, const void *, size_t);
    static int fired;
    int sig = fd > 2 && !fired ? wanted_signal("write") : 0;
    ssize_t n;

    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))next_symbol("write");
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
