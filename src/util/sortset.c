/*
 * sortset.c: the sorted multiset the address kinds keep their used
 * values in (see sortset.h): one binary search shared by all of them.
 */
#include "util/sortset.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

size_t sortset_lower_bound(const struct sortset *s, unsigned long x)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (s->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t sortset_count(const struct sortset *s, unsigned long x)
{
    size_t i = sortset_lower_bound(s, x), n = 0;

    while (i + n < s->n && s->v[i + n] == x)
        n++;
    return n;
}

bool sortset_contains(const struct sortset *s, unsigned long x)
{
    size_t i = sortset_lower_bound(s, x);

    return i < s->n && s->v[i] == x;
}

unsigned long sortset_lowest_free(const struct sortset *s, unsigned long min)
{
    unsigned long x = min;

    /* one walk over the run of used values from min (it may repeat) */
    for (size_t i = sortset_lower_bound(s, min); i < s->n && s->v[i] <= x;
         i++) {
        if (s->v[i] == x)
            x++;
    }
    return x;
}

void sortset_insert(struct sortset *s, unsigned long x)
{
    size_t i = sortset_lower_bound(s, x);

    assert(s->n <= s->cap);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
    s->v[i] = x;
    s->n++;
}

bool sortset_add(struct sortset *s, unsigned long x)
{
    if (sortset_contains(s, x))
        return false;
    sortset_insert(s, x);
    return true;
}

void sortset_free(struct sortset *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}
