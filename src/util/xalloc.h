/*
 * xalloc.h: pciplan's one out-of-memory policy.
 *
 * Every allocation goes through these functions. They never return NULL:
 * when memory runs out they run the cleanup hook the application set (the
 * CLI removes its temporary file), print "pciplan: out of memory" and exit
 * with STATUS_NOMEM. Callers therefore have no error path for allocation,
 * which is the point: a half-handled NULL is how a planner ends up writing
 * a partial plan.
 */
#ifndef PCIPLAN_XALLOC_H
#define PCIPLAN_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
/* realloc of an array of n elements of 'size' bytes, overflow-checked */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Report exhaustion of memory and exit (for allocators pciplan does not
 * own, such as libxml2's or open_memstream's). */
_Noreturn void xalloc_die(void);

/* Run 'hook' (async-signal-safe work only) before exiting on exhaustion. */
void xalloc_set_cleanup(void (*hook)(void));

#endif
