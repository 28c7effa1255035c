/*
 * fileio.h: reading a document, writing a stream, and replacing a file
 * so that no failure, signal or concurrent edit loses data.
 *
 * A replacement is staged: fileio_open() creates the temporary file
 * next to the target (or opens a target that is not a regular file,
 * such as /dev/null or a pipe) before anything is written, so a
 * missing or read-only directory fails while every target is still
 * untouched; fileio_fill() writes and syncs it; fileio_commit() renames
 * it over the target. fileio_abandon() removes it. A SIGINT, SIGTERM or
 * SIGHUP removes every open temporary file before pciplan dies.
 */
#ifndef PCIPLAN_FILEIO_H
#define PCIPLAN_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util/diag.h"

/* At most this many replacements are staged at once (-o or one -i file,
 * and --explain=FILE). */
#define FILEIO_MAX_STAGED 2

struct fileio_target {
    char *path;       /* the file to replace (a symbolic link resolved) */
    const char *name; /* as messages print it */
    bool direct;      /* not a regular file: written to, not replaced */
    int fd;           /* the temporary file, or the direct target */
    int slot;         /* its entry in the signal handler's table */
    bool have_read;   /* -i: 'read' is the file as read, checked again */
    struct stat read;
};

/*
 * Read all of 'path' (NULL or "-": standard input) into a new buffer.
 * Reading stops one byte past XMLDOC_MAX_BYTES, which is enough for
 * xmldoc_parse() to reject the input as too large. *st receives the
 * file's status (from fstat) when st is not NULL.
 */
int fileio_read(const char *path, char **text, size_t *len, struct stat *st,
                struct diag *d);

/* Write and flush; failures (a full disk, a closed pipe) are errors. */
int fileio_write_stream(FILE *f, const char *data, size_t len, struct diag *d);

/* Install the signal handlers that remove temporary files. */
void fileio_init(void);

/*
 * Occupy standard input, output and error when pciplan was started with
 * one of them closed, so that no file pciplan opens (the input, the
 * temporary file of -i) can take descriptor 0, 1 or 2 and receive its
 * output or messages. The placeholder is /dev/null opened the wrong way
 * round (write-only on 0, read-only on 1 and 2), so using a closed
 * stream still fails with EBADF exactly as before.
 */
void fileio_guard_std_fds(void);

/*
 * Stage the replacement of 'path'. 'read' is the file's status as it
 * was read (-i), or NULL (-o, --explain=FILE): with it, fileio_fill()
 * and fileio_commit() refuse (status 5) when the file has changed since,
 * and the new file takes its mode exactly and, where permitted, its
 * owner and group (when the group cannot be kept, its permissions
 * shrink to those of others, and a warning says so). Without it an
 * existing file's mode is kept, a new file gets 0666 less the umask.
 */
int fileio_open(struct fileio_target *t, const char *path, const char *name,
                const struct stat *read, struct diag *d);

/* Write and sync 'data' into the staged file. */
int fileio_fill(struct fileio_target *t, const char *data, size_t len,
                struct diag *d);

/* Rename the filled file over its target (or close a direct one). */
int fileio_commit(struct fileio_target *t, struct diag *d);

/* Remove the staged file and forget it; safe after commit or failure. */
void fileio_abandon(struct fileio_target *t);

/* Stage, fill and commit in one step. */
int fileio_replace(const char *path, const char *name, const char *data,
                   size_t len, const struct stat *read, struct diag *d);

#endif
