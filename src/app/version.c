/*
 * version.c: the libvirt pciplan plans for when the user does not say.
 *
 * The default is whatever makes `pciplan dom.xml | virsh define
 * /dev/stdin` work on this machine, so the installed virsh is asked;
 * CI golden files pin --libvirt (or $PCIPLAN_LIBVIRT) instead.
 */
#include "app/version.h"

#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* `virsh --version` (found on PATH) into buf; false when there is none
 * or it fails. */
static bool virsh_version(char *buf, size_t len)
{
    int fd[2], status;
    ssize_t n;
    size_t got = 0;
    pid_t pid;

    if (pipe(fd) < 0)
        return false;
    pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return false;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);

        dup2(fd[1], STDOUT_FILENO);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDERR_FILENO);
        }
        close(fd[0]);
        execlp("virsh", "virsh", "--version", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    while (got + 1 < len && (n = read(fd[0], buf + got, len - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd[0]);
    while (waitpid(pid, &status, 0) < 0)
        ;
    buf[strcspn(buf, "\n")] = '\0';
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && got > 0;
}

static int named(const char *version, const char *source,
                 struct version_choice *out, struct diag *d)
{
    out->profile = profile_find(version);
    if (!out->profile)
        return diag_fail(d, STATUS_USAGE, 0, NULL,
                         "unknown libvirt version '%.32s' from %s (pciplan "
                         "plans for %s)",
                         version, source, profile_list());
    snprintf(out->why, sizeof(out->why), "%s=%s", source, version);
    return 0;
}

/* "MAJOR.MINOR[.MICRO]" as virsh --version prints it. */
static bool parse_major_minor(const char *s, unsigned *major, unsigned *minor)
{
    char *end;
    unsigned long a, b;

    errno = 0;
    a = strtoul(s, &end, 10);
    if (errno || end == s || *end != '.' || a > UINT_MAX)
        return false;
    s = end + 1;
    b = strtoul(s, &end, 10);
    if (errno || end == s || b > UINT_MAX ||
        (*end && *end != '.' && *end != '\n'))
        return false;
    *major = (unsigned)a;
    *minor = (unsigned)b;
    return true;
}

int version_pick(const char *option, struct version_choice *out, struct diag *d)
{
    const char *env = getenv("PCIPLAN_LIBVIRT");
    char ver[64];
    unsigned major, minor;
    bool exact;

    if (option)
        return named(option, "--libvirt", out, d);
    if (env && *env)
        return named(env, "$PCIPLAN_LIBVIRT", out, d);
    if (virsh_version(ver, sizeof(ver)) &&
        parse_major_minor(ver, &major, &minor)) {
        out->profile = profile_for_version(major, minor, &exact);
        if (!out->profile)
            out->profile = profile_at(0);
        snprintf(out->why, sizeof(out->why), "virsh --version: %.32s%s", ver,
                 exact ? "" : ", the nearest profile not newer");
        if (!exact)
            fprintf(stderr,
                    "pciplan: note: no profile for libvirt %.32s (virsh "
                    "--version); planning for libvirt %s (profiles: %s)\n",
                    ver, out->profile->version, profile_list());
        return 0;
    }
    out->profile = profile_newest();
    snprintf(out->why, sizeof(out->why),
             "no virsh on PATH: the newest profile");
    return 0;
}
