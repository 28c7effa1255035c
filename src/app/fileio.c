/*
 * fileio.c: reading input and replacing files without losing data
 * (fileio.h).
 *
 * The guarantees, and the one window left open: a failure or signal
 * before the rename leaves the target as it was and no temporary file;
 * the rename itself is atomic. With -i the file must still be the one
 * read (device, inode, size, modification and change time), checked
 * before the temporary file is written and again after it is synced;
 * a writer that changes the file between that last check and the
 * rename (microseconds) is not detected. pciplan(1) says so.
 */
/* realpath() is an XSI function, beyond the POSIX base the build asks
 * for */
#define _XOPEN_SOURCE 700

#include "app/fileio.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "xml/xmldoc.h"

static char *directory_of(const char *path)
{
    const char *slash;

    assert(path);
    slash = strrchr(path, '/');

    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* diag_fail makes the name printable */
static int fail_in_directory(const char *dir, const char *verb, int err,
                             struct diag *d)
{
    return diag_fail(d, STATUS_IO, 0, NULL,
                     "cannot %s a file in directory '%.200s': %s", verb, dir,
                     strerror(err));
}

/* ---- reading ---- */

/* Why 'dir' cannot be entered (missing, not a directory, not
 * searchable), or 0. */
static int directory_error(const char *dir)
{
    struct stat st;

    if (stat(dir, &st) < 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) < 0 ? errno : 0;
}

/* Opening 'path' failed with 'err': when its directory cannot be
 * entered, that is the problem. */
static int open_failed(const char *path, int err, struct diag *d)
{
    char *dir = directory_of(path);
    int dir_err = 0, ret;

    if (err == EACCES || err == ENOENT || err == ENOTDIR)
        dir_err = directory_error(dir);
    if (dir_err)
        ret = fail_in_directory(dir, "open", dir_err, d);
    else
        ret = diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(err));
    free(dir);
    return ret;
}

int fileio_read(const char *path, char **text, size_t *len, struct stat *st,
                struct diag *d)
{
    bool use_stdin = !path || strcmp(path, "-") == 0;
    int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 64 * 1024, n = 0;
    const size_t limit = (size_t)XMLDOC_MAX_BYTES + 1;
    char *buf;

    *text = NULL;
    *len = 0;
    if (fd < 0)
        return open_failed(path, errno, d);
    if (st && fstat(fd, st) < 0) {
        int err = errno;

        if (!use_stdin)
            close(fd);
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot stat: %s",
                         strerror(err));
    }
    buf = xmalloc(cap);
    while (n < limit) {
        ssize_t got;

        if (n == cap) {
            cap = cap * 2 < limit ? cap * 2 : limit;
            buf = xreallocarray(buf, cap, 1);
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
    *text = buf;
    *len = n;
    return 0;
}

/* ---- writing ---- */

int fileio_write_stream(FILE *f, const char *data, size_t len, struct diag *d)
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
 * The temporary files a signal handler must remove. An entry is only
 * changed with the signals blocked, so the handler never sees half a
 * name.
 */
static char temp_path[FILEIO_MAX_STAGED][PATH_MAX + 64];
static volatile sig_atomic_t temp_active[FILEIO_MAX_STAGED];

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_temps(void)
{
    for (int i = 0; i < FILEIO_MAX_STAGED; i++) {
        if (temp_active[i])
            unlink(temp_path[i]);
    }
}

static void remove_temps_and_reraise(int sig)
{
    remove_temps();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void block_cleanup_signals(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(*cleanup_signals);
         i++)
        sigaddset(&set, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

void fileio_guard_std_fds(void)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        int got;

        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* the lowest free descriptor: fd itself, the lower ones being open */
        got = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
        if (got < 0)
            continue; /* no /dev/null: nothing better to do than go on */
        assert(got == fd);
    }
}

void fileio_init(void)
{
    struct sigaction sa;

    /* Past a file size limit (ulimit -f) SIGXFSZ would kill pciplan in
     * the middle of a write and leave its temporary file behind; ignored,
     * the write fails with EFBIG and the usual error path cleans up. */
    signal(SIGXFSZ, SIG_IGN);
    /* out of memory while a temporary file exists: util/xalloc.c runs
     * this before exiting */
    xalloc_set_cleanup(remove_temps);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = remove_temps_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(*cleanup_signals);
         i++) {
        struct sigaction old;

        /* an ignored signal (nohup) stays ignored */
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            continue;
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

/* A directory that refuses new files is the problem, not the file: one
 * that is missing, is no directory, is read-only or full. */
static int create_failed(const char *target, int err, struct diag *d)
{
    char *dir = directory_of(target);
    int ret;

    if (err == EACCES || err == EROFS || err == EPERM || err == ENOSPC ||
        err == EDQUOT || err == ENOENT || err == ENOTDIR)
        ret = fail_in_directory(dir, "create", err, d);
    else
        ret = diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(err));
    free(dir);
    return ret;
}

static int create_temp(struct fileio_target *t, struct diag *d)
{
    const char *slash = strrchr(t->path, '/');
    size_t dirlen = slash ? (size_t)(slash - t->path) + 1 : 0;
    const char *base = slash ? slash + 1 : t->path;
    sigset_t old;
    int slot, err;

    for (slot = 0; slot < FILEIO_MAX_STAGED && temp_active[slot]; slot++)
        ;
    if (slot == FILEIO_MAX_STAGED)
        return diag_fail(d, STATUS_IO, 0, NULL,
                         "internal error: too many files staged");
    if (dirlen + strlen(base) + sizeof(".pciplan-XXXXXX") + 2 >
        sizeof(temp_path[slot]))
        return diag_fail(d, STATUS_IO, 0, NULL, "file name too long");
    block_cleanup_signals(&old);
    snprintf(temp_path[slot], sizeof(temp_path[slot]), "%.*s.%s.pciplan-XXXXXX",
             (int)dirlen, t->path, base);
    t->fd = mkstemp(temp_path[slot]);
    err = errno;
    temp_active[slot] = t->fd >= 0;
    restore_signals(&old);
    if (t->fd < 0)
        return create_failed(t->path, err, d);
    fcntl(t->fd, F_SETFD, FD_CLOEXEC);
    t->slot = slot;
    return 0;
}

static mode_t default_file_mode(void)
{
    mode_t mask = umask(0);

    umask(mask);
    return 0666 & ~mask;
}

/*
 * The mode (and owner) of 'like' on the temporary file: exactly, as
 * sed -i does, except that a group that cannot be kept must not get
 * the old group's permissions: they shrink to those of others, and the
 * warning says so. Only root may give a file away to another owner.
 */
static int set_mode(struct fileio_target *t, const struct stat *like,
                    struct diag *d)
{
    mode_t mode = like ? like->st_mode & 07777 : default_file_mode();
    struct stat now;

    if (like && fchown(t->fd, like->st_uid, like->st_gid) < 0 &&
        fchown(t->fd, (uid_t)-1, like->st_gid) < 0) {
        /* the group is the user's now, not the file's */
        if (fstat(t->fd, &now) == 0 && now.st_gid != like->st_gid) {
            mode_t narrowed = (mode & ~(mode_t)(S_IRWXG | S_ISGID)) |
                              ((mode & S_IRWXO) << 3 & mode & S_IRWXG);

            if (narrowed != mode)
                fprintf(stderr,
                        "pciplan: %s: warning: cannot keep group %lu; group "
                        "permissions reduced to those of others (mode %04o, "
                        "was %04o)\n",
                        t->name, (unsigned long)like->st_gid,
                        (unsigned)narrowed, (unsigned)mode);
            else
                fprintf(stderr,
                        "pciplan: %s: warning: cannot keep group %lu (mode "
                        "%04o kept)\n",
                        t->name, (unsigned long)like->st_gid, (unsigned)mode);
            mode = narrowed;
        }
        mode &= ~(mode_t)S_ISUID;
    }
    if (fchmod(t->fd, mode) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot set file mode: %s",
                         strerror(errno));
    return 0;
}

static int open_target(struct fileio_target *t, const char *path,
                       const char *name, const struct stat *read,
                       struct diag *d)
{
    struct stat st;
    bool exists;

    memset(t, 0, sizeof(*t));
    t->fd = -1;
    t->slot = -1;
    t->name = name;
    exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        /* /dev/null, /dev/stdout into a pipe, a FIFO: written to */
        t->direct = true;
        t->path = xstrdup(path);
        t->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (t->fd < 0)
            return diag_fail(d, STATUS_IO, 0, NULL, "%s", strerror(errno));
        return 0;
    }
    if (read) {
        t->have_read = true;
        t->read = *read;
    }
    t->path = exists ? realpath(path, NULL) : NULL;
    if (exists && !t->path)
        return diag_fail(d, STATUS_IO, 0, NULL,
                         "cannot resolve symbolic link: %s", strerror(errno));
    if (!t->path) {
        struct stat lst;

        /* a dangling symbolic link would be replaced by a file */
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            return diag_fail(d, STATUS_IO, 0, NULL,
                             "symbolic link to a missing file");
        t->path = xstrdup(path);
    }
    if (create_temp(t, d) < 0)
        return -1;
    return set_mode(t, read ? read : exists ? &st : NULL, d);
}

int fileio_open(struct fileio_target *t, const char *path, const char *name,
                const struct stat *read, struct diag *d)
{
    if (open_target(t, path, name, read, d) < 0) {
        fileio_abandon(t); /* what it made so far: path, fd, temp file */
        return -1;
    }
    return 0;
}

/* The file is still the one read (-i), or the rewrite would lose what
 * another program did to it since. */
static int check_unchanged(const struct fileio_target *t, struct diag *d)
{
    struct stat now;
    const struct stat *r = &t->read;

    if (!t->have_read)
        return 0;
    assert(t->path); /* a read target always has its resolved path */
    if (stat(t->path, &now) < 0 || now.st_dev != r->st_dev ||
        now.st_ino != r->st_ino || now.st_size != r->st_size ||
        now.st_mtim.tv_sec != r->st_mtim.tv_sec ||
        now.st_mtim.tv_nsec != r->st_mtim.tv_nsec ||
        now.st_ctim.tv_sec != r->st_ctim.tv_sec ||
        now.st_ctim.tv_nsec != r->st_ctim.tv_nsec)
        return diag_fail(d, STATUS_IO, 0, NULL,
                         "changed since pciplan read it; not replaced (run "
                         "pciplan again)");
    return 0;
}

int fileio_fill(struct fileio_target *t, const char *data, size_t len,
                struct diag *d)
{
    if (check_unchanged(t, d) < 0)
        return -1;
    if (write_all(t->fd, data, len) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(errno));
    if (t->direct)
        return 0;
    if (fsync(t->fd) < 0)
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(errno));
    return check_unchanged(t, d);
}

static void sync_directory_of(const char *path)
{
    char *dir = directory_of(path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd); /* best effort: the rename itself already happened */
        close(fd);
    }
    free(dir);
}

int fileio_commit(struct fileio_target *t, struct diag *d)
{
    sigset_t old;
    int fd = t->fd, err;

    t->fd = -1;
    if (close(fd) < 0) {
        err = errno;
        fileio_abandon(t);
        return diag_fail(d, STATUS_IO, 0, NULL, "write error: %s",
                         strerror(err));
    }
    if (t->direct) {
        fileio_abandon(t);
        return 0;
    }
    /* a signal now waits until the file is completely the new one */
    block_cleanup_signals(&old);
    if (rename(temp_path[t->slot], t->path) < 0) {
        err = errno;
        restore_signals(&old);
        fileio_abandon(t);
        return diag_fail(d, STATUS_IO, 0, NULL, "cannot replace file: %s",
                         strerror(err));
    }
    temp_active[t->slot] = 0;
    t->slot = -1;
    restore_signals(&old);
    sync_directory_of(t->path);
    fileio_abandon(t);
    return 0;
}

void fileio_abandon(struct fileio_target *t)
{
    sigset_t old;

    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (t->slot >= 0) {
        block_cleanup_signals(&old);
        if (temp_active[t->slot])
            unlink(temp_path[t->slot]);
        temp_active[t->slot] = 0;
        temp_path[t->slot][0] = '\0';
        restore_signals(&old);
        t->slot = -1;
    }
    free(t->path);
    t->path = NULL;
}

int fileio_replace(const char *path, const char *name, const char *data,
                   size_t len, const struct stat *read, struct diag *d)
{
    struct fileio_target t;

    if (fileio_open(&t, path, name, read, d) < 0)
        return -1;
    if (fileio_fill(&t, data, len, d) < 0) {
        fileio_abandon(&t);
        return -1;
    }
    return fileio_commit(&t, d);
}
