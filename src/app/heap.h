/*
 * heap.h: malloc tuned to pciplan's allocation pattern (speed only).
 */
#ifndef PCIPLAN_HEAP_H
#define PCIPLAN_HEAP_H

#include <stddef.h>

/* Once, at start-up, before any allocation of note. */
void heap_tune(void);

/*
 * About 'bytes' of heap are coming: for a large document, back them by
 * transparent huge pages where the kernel offers them, so they are
 * faulted in 2 MiB at a time. Does nothing for small documents, or when
 * the heap was already prepared for as much.
 */
void heap_expect(size_t bytes);

#endif
