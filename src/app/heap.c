/*
 * heap.c: how pciplan asks glibc's malloc to serve its allocation pattern.
 *
 * A big domain is planned through some hundred thousand small blocks
 * (devices, their strings and addresses) and a few large ones (the text,
 * libxml2's copy of it, the element table, the output) that come and go
 * one after the other. Two things cost more than the work itself there:
 * merging freed small blocks in bursts, and faulting in fresh memory one
 * 4 KiB page at a time (on a virtual machine a quarter of the run). Both
 * are tuned here, and only here; nothing depends on them but speed.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */

#include "app/heap.h"

#include <stdint.h>
#include <stdlib.h> /* first: it says whether this is glibc */
#include <sys/mman.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Below this a document's memory is a few pages: nothing to gain. */
#define HEAP_HUGE_MIN (4u * 1024 * 1024)
/* Blocks up to this come from the heap (glibc's largest threshold on
 * 64-bit); the expected heap stays below it. */
#define HEAP_MMAP_THRESHOLD (32u * 1024 * 1024)
#define HEAP_HUGE_PAGE (2u * 1024 * 1024)

void heap_tune(void)
{
    /*
     * Without fast bins each small block merges as it is freed, touching
     * what the free touches anyway, instead of all of them at the next
     * large request (perf: malloc_consolidate): 16,384 USB devices plan
     * in 38 ms instead of 42.
     */
#ifdef M_MXFAST
    mallopt(M_MXFAST, 0);
#endif
    /*
     * Large blocks from the heap, and the heap kept: a freed buffer is
     * reused by the next instead of being unmapped and the next faulted
     * in page by page (16,384 virtio-serial ports: 7,681 page faults and
     * 37 ms become 6,314 and 32 ms, peak memory a little lower).
     */
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_THRESHOLD);
    mallopt(M_TRIM_THRESHOLD, 8 * HEAP_MMAP_THRESHOLD);
#endif
}

void heap_expect(size_t bytes)
{
    static size_t expected;
    uintptr_t start, end;
    char *p;

    if (bytes > HEAP_MMAP_THRESHOLD - HEAP_HUGE_PAGE)
        bytes = HEAP_MMAP_THRESHOLD - HEAP_HUGE_PAGE;
    if (bytes < HEAP_HUGE_MIN || bytes <= expected)
        return;
    /*
     * Grow the heap by that much (untouched, so no memory is used yet),
     * ask for huge pages there, and give it back to malloc, which keeps
     * it (the trim threshold is above it) and hands it out from there.
     * Not xmalloc: the block is never used, so no memory for it only
     * means no hint.
     */
    p = malloc(bytes);
    if (!p)
        return;
    start =
        ((uintptr_t)p + HEAP_HUGE_PAGE - 1) & ~(uintptr_t)(HEAP_HUGE_PAGE - 1);
    end = ((uintptr_t)p + bytes) & ~(uintptr_t)(HEAP_HUGE_PAGE - 1);
#ifdef MADV_HUGEPAGE
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
    free(p);
    expected = bytes;
}
