/*
 * sortset.h: a sorted multiset of numbers in one array, for the small
 * "which ones are taken" sets of the address kinds (spapr-vio registers,
 * zPCI ids, CCID controller indexes).
 *
 * Lookups are binary searches; an insertion moves the larger elements up
 * (cheap when, as here, values mostly arrive in increasing order).
 */
#ifndef PCIPLAN_SORTSET_H
#define PCIPLAN_SORTSET_H

#include <stdbool.h>
#include <stddef.h>

struct sortset {
    unsigned long *v; /* ascending; a value may repeat */
    size_t n, cap;
};

/* The position of the first element not below x. */
size_t sortset_lower_bound(const struct sortset *s, unsigned long x);
/* How many times x is in the set. */
size_t sortset_count(const struct sortset *s, unsigned long x);
bool sortset_contains(const struct sortset *s, unsigned long x);
/* The lowest value from 'min' up that is not in the set. */
unsigned long sortset_lowest_free(const struct sortset *s, unsigned long min);
/* Add x (again, if it is there already). */
void sortset_insert(struct sortset *s, unsigned long x);
/* Add x unless it is there; whether it was added. */
bool sortset_add(struct sortset *s, unsigned long x);
void sortset_free(struct sortset *s);

#endif
