/*
 * xalloc.c: allocation that cannot fail, by exiting with one message and
 * one documented status (STATUS_NOMEM) when memory is exhausted.
 *
 * The message is written with write(2), not stdio: stdio may itself need
 * memory, and the process is in no state to get more.
 */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/diag.h"

static void (*cleanup_hook)(void);

void xalloc_set_cleanup(void (*hook)(void))
{
    cleanup_hook = hook;
}

_Noreturn void xalloc_die(void)
{
    static const char msg[] = "pciplan: out of memory\n";

    if (cleanup_hook)
        cleanup_hook();
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing more can be said */
    }
    _exit(STATUS_NOMEM);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        xalloc_die();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (!p)
        xalloc_die();
    return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
    void *q;

    if (size && n > SIZE_MAX / size)
        xalloc_die();
    q = realloc(p, n && size ? n * size : 1);
    if (!q)
        xalloc_die();
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
