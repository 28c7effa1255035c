/*
 * strutil.h: comparisons of optional strings (an absent XML attribute is
 * NULL, and NULL equals nothing).
 */
#ifndef PCIPLAN_STRUTIL_H
#define PCIPLAN_STRUTIL_H

#include <stdbool.h>
#include <string.h>

static inline bool str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Is s one of the NULL-terminated 'set'? */
static inline bool str_in(const char *s, const char *const *set)
{
    for (; s && *set; set++) {
        if (strcmp(s, *set) == 0)
            return true;
    }
    return false;
}

#endif
