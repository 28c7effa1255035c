/*
 * version.c: the libvirt pciplan plans for when the user does not say.
 *
 * The default is whatever makes `pciplan dom.xml | virsh define
 * /dev/stdin` work on this machine, so the installed virsh is asked;
 * CI golden files pin --libvirt (or $PCIPLAN_LIBVIRT) instead.
 *
 * Running virsh costs more than planning a small domain (about 10 ms
 * and 18 MiB), so its answer is cached per user. `virsh --version`
 * prints the version virsh was built as, a property of the binary
 * alone, so the answer is keyed on that file's identity (path, device,
 * inode, size, mtime, ctime): upgrading libvirt replaces the file and
 * so asks again. Only an ELF virsh is cached; a script may run any
 * other virsh, so it is asked every time.
 */
#include "app/version.h"

#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The file execvp("virsh") would run: the first regular executable
 * file named virsh in a PATH directory. */
static bool find_virsh(char *path, size_t size, struct stat *st)
{
    const char *p = getenv("PATH");
    char def[256];

    if (!p) {
        size_t n = confstr(_CS_PATH, def, sizeof(def));

        p = n > 0 && n <= sizeof(def) ? def : "/bin:/usr/bin";
    }
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        int len = snprintf(path, size, "%.*s/virsh", (int)n, n ? p : ".");

        if (len > 0 && (size_t)len < size && stat(path, st) == 0 &&
            S_ISREG(st->st_mode) && access(path, X_OK) == 0)
            return true;
        if (!colon)
            return false;
        p = colon + 1;
    }
}

/* `PATH --version` into buf; false when it fails. */
static bool virsh_version(const char *path, char *buf, size_t len)
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
        execl(path, "virsh", "--version", (char *)NULL);
        /* what execvp does with a script that has no #! line */
        if (errno == ENOEXEC)
            execl("/bin/sh", "sh", path, "--version", (char *)NULL);
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

static bool is_elf(const char *path)
{
    unsigned char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool elf;

    if (fd < 0)
        return false;
    elf = read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
    close(fd);
    return elf;
}

/* $XDG_CACHE_HOME/pciplan, else ~/.cache/pciplan; false when neither
 * is set to an absolute path. */
static bool cache_dir(char *dir, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;

    if (xdg && xdg[0] == '/')
        n = snprintf(dir, size, "%s/pciplan", xdg);
    else if (home && home[0] == '/')
        n = snprintf(dir, size, "%s/.cache/pciplan", home);
    else
        return false;
    return n > 0 && (size_t)n < size;
}

/* What the cache file starts with for this virsh. */
static void cache_key(char *key, size_t size, const char *path,
                      const struct stat *st)
{
    snprintf(key, size,
             "pciplan virsh-version 1\n%s\n%ju %ju %jd %jd.%09ld %jd.%09ld\n",
             path, (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
             (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec,
             st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec,
             st->st_ctim.tv_nsec);
}

static bool cache_read(const char *file, const char *key, char *ver,
                       size_t size)
{
    char buf[PATH_MAX + 256];
    size_t klen = strlen(key), got;
    FILE *f = fopen(file, "re");

    if (!f)
        return false;
    got = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[got] = '\0';
    if (got <= klen || memcmp(buf, key, klen) != 0)
        return false;
    snprintf(ver, size, "%.*s", (int)strcspn(buf + klen, "\n"), buf + klen);
    return ver[0] != '\0';
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_write(const char *dir, const char *file, const char *key,
                        const char *ver)
{
    char tmp[PATH_MAX + 32], parent[PATH_MAX];
    char *slash;
    int fd;
    FILE *f;

    snprintf(parent, sizeof(parent), "%s", dir);
    slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        mkdir(parent, 0700); /* ~/.cache may not exist yet */
    }
    mkdir(dir, 0700);
    if (snprintf(tmp, sizeof(tmp), "%s/.virsh-version.XXXXXX", dir) >=
        (int)sizeof(tmp))
        return;
    fd = mkstemp(tmp);
    if (fd < 0)
        return;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return;
    }
    fprintf(f, "%s%s\n", key, ver);
    /* rename() makes a reader see the old file or the whole new one */
    if (fclose(f) != 0 || rename(tmp, file) != 0)
        unlink(tmp);
}

/* The version the virsh on PATH reports, asking it only when the cache
 * has no answer for that very file. */
static bool installed_version(char *ver, size_t size)
{
    char path[PATH_MAX], dir[PATH_MAX], file[PATH_MAX + 32],
        key[PATH_MAX + 160];
    struct stat st;
    bool cacheable;

    if (!find_virsh(path, sizeof(path), &st))
        return false;
    cacheable = is_elf(path) && cache_dir(dir, sizeof(dir)) &&
                snprintf(file, sizeof(file), "%s/virsh-version", dir) <
                    (int)sizeof(file);
    if (cacheable) {
        cache_key(key, sizeof(key), path, &st);
        if (cache_read(file, key, ver, size))
            return true;
    }
    if (!virsh_version(path, ver, size))
        return false;
    if (cacheable)
        cache_write(dir, file, key, ver);
    return true;
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
    if (installed_version(ver, sizeof(ver)) &&
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
