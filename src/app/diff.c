/*
 * diff.c: the unified diff behind --diff (diff.h).
 *
 * Myers' O((N+M)D) algorithm on lines, after the common head and tail
 * are cut off: pciplan's changes are a few inserted or completed lines
 * in a long document, so D is small and the middle left is short.
 */
#include "app/diff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CONTEXT 3

struct line {
    const char *s;
    size_t len; /* with its newline, if it has one */
};

struct lines {
    struct line *v;
    size_t n;
};

static void split_lines(struct lines *l, const char *s, size_t len)
{
    size_t cap = 16, i = 0;

    l->v = xreallocarray(NULL, cap, sizeof(*l->v));
    l->n = 0;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;

        if (l->n == cap) {
            cap *= 2;
            l->v = xreallocarray(l->v, cap, sizeof(*l->v));
        }
        l->v[l->n].s = s + i;
        l->v[l->n].len = end - i;
        l->n++;
        i = end;
    }
}

static bool same(const struct line *x, const struct line *y)
{
    return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* One edit script entry per line: ' ' kept, '-' removed, '+' added. */
struct op {
    char kind;
    size_t a, b; /* line indexes in a and b */
};

struct ops {
    struct op *v;
    size_t n, cap;
};

static void push(struct ops *o, char kind, size_t a, size_t b)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
    }
    o->v[o->n++] = (struct op){kind, a, b};
}

/*
 * Myers on a[lo_a, hi_a) and b[lo_b, hi_b), keeping every round's
 * frontier to walk the path back; ops appended in order.
 */
static void myers(const struct lines *A, const struct lines *B, size_t lo_a,
                  size_t hi_a, size_t lo_b, size_t hi_b, struct ops *o)
{
    long n = (long)(hi_a - lo_a), m = (long)(hi_b - lo_b), max = n + m;
    long off = max + 1, d, k;
    long *v = xcalloc((size_t)(2 * max + 3), sizeof(*v));
    long **trace = xcalloc((size_t)max + 1, sizeof(*trace));
    long x = 0, y = 0;
    struct ops rev = {0};

    for (d = 0; d <= max; d++) {
        for (k = -d; k <= d; k += 2) {
            if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                x = v[off + k + 1];
            else
                x = v[off + k - 1] + 1;
            y = x - k;
            while (x < n && y < m &&
                   same(&A->v[lo_a + (size_t)x], &B->v[lo_b + (size_t)y])) {
                x++;
                y++;
            }
            v[off + k] = x;
            if (x >= n && y >= m)
                break;
        }
        /* round d's frontier covers diagonals -d..d only */
        trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof(long));
        memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof(long));
        if (x >= n && y >= m)
            break;
    }
    /* back from (n, m) to (0, 0), collecting ops in reverse */
    x = n;
    y = m;
    for (; d >= 0; d--) {
        /* tv[k] is round d-1's frontier on diagonal k */
        long *tv = d > 0 ? trace[d - 1] + (d - 1) : NULL, pk, px, py;

        k = x - y;
        if (d == 0) {
            pk = 0;
            px = 0;
        } else if (k == -d || (k != d && tv[k - 1] < tv[k + 1])) {
            pk = k + 1;
            px = tv[pk];
        } else {
            pk = k - 1;
            px = tv[pk];
        }
        py = px - pk;
        while (x > px && y > py) {
            x--;
            y--;
            push(&rev, ' ', lo_a + (size_t)x, lo_b + (size_t)y);
        }
        if (d > 0) {
            if (pk == k + 1)
                push(&rev, '+', lo_a + (size_t)px, lo_b + (size_t)py);
            else
                push(&rev, '-', lo_a + (size_t)px, lo_b + (size_t)py);
        }
        x = px;
        y = py;
    }
    for (size_t i = rev.n; i-- > 0;)
        push(o, rev.v[i].kind, rev.v[i].a, rev.v[i].b);
    free(rev.v);
    for (long i = 0; i <= max; i++)
        free(trace[i]);
    free(trace);
    free(v);
}

static void print_line(FILE *f, char kind, const struct line *l)
{
    fputc(kind, f);
    fwrite(l->s, 1, l->len, f);
    if (l->len == 0 || l->s[l->len - 1] != '\n')
        fputs("\n\\ No newline at end of file\n", f);
}

static void print_range(FILE *f, char sign, size_t start, size_t count)
{
    /* an empty range is named by the line before it */
    if (count == 1)
        fprintf(f, "%c%zu", sign, start + 1);
    else
        fprintf(f, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

static void print_hunks(FILE *f, const struct lines *A, const struct lines *B,
                        const struct ops *o)
{
    size_t i = 0;

    while (i < o->n) {
        size_t first, last, j, na = 0, nb = 0, sa, sb;

        while (i < o->n && o->v[i].kind == ' ')
            i++;
        if (i == o->n)
            break;
        first = i > CONTEXT ? i - CONTEXT : 0;
        /* extend over changes closer than twice the context */
        last = i;
        for (j = i; j < o->n; j++) {
            if (o->v[j].kind != ' ')
                last = j;
            else if (j - last > 2 * CONTEXT)
                break;
        }
        last = last + CONTEXT < o->n - 1 ? last + CONTEXT : o->n - 1;
        sa = o->v[first].a;
        sb = o->v[first].b;
        for (j = first; j <= last; j++) {
            na += o->v[j].kind != '+';
            nb += o->v[j].kind != '-';
        }
        fputs("@@ ", f);
        print_range(f, '-', sa, na);
        fputc(' ', f);
        print_range(f, '+', sb, nb);
        fputs(" @@\n", f);
        for (j = first; j <= last; j++) {
            const struct op *p = &o->v[j];

            print_line(f, p->kind, p->kind == '+' ? &B->v[p->b] : &A->v[p->a]);
        }
        i = last + 1;
    }
}

void diff_unified(FILE *f, const char *name, const char *a, size_t alen,
                  const char *b, size_t blen)
{
    struct lines A, B;
    struct ops o = {0};
    size_t head = 0, tail = 0;

    if (alen == blen && memcmp(a, b, alen) == 0)
        return;
    split_lines(&A, a, alen);
    split_lines(&B, b, blen);
    while (head < A.n && head < B.n && same(&A.v[head], &B.v[head]))
        head++;
    while (tail < A.n - head && tail < B.n - head &&
           same(&A.v[A.n - 1 - tail], &B.v[B.n - 1 - tail]))
        tail++;
    for (size_t i = 0; i < head; i++)
        push(&o, ' ', i, i);
    myers(&A, &B, head, A.n - tail, head, B.n - tail, &o);
    for (size_t i = tail; i > 0; i--)
        push(&o, ' ', A.n - i, B.n - i);
    fprintf(f, "--- a/%s\n+++ b/%s\n", name, name);
    print_hunks(f, &A, &B, &o);
    free(o.v);
    free(A.v);
    free(B.v);
}
