/*
 * state.c: the planner's shared state and the helpers every planning step
 * uses: the position lists, per-device state that grows with the domain,
 * adding and finding controllers, and the one way a device fails.
 *
 * The pass order lives in plan.c; the steps (postparse.c, classify.c,
 * nonpci.c) call only these helpers, so no step depends on another.
 */
#include "plan/state.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

void plan_list_push(struct plan_list *l, size_t pos)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->at = xreallocarray(l->at, l->cap, sizeof(*l->at));
    }
    l->at[l->n++] = pos;
}

void plan_list_insert(struct plan_list *l, size_t where, size_t pos)
{
    assert(where <= l->n);
    plan_list_push(l, pos);
    memmove(&l->at[where + 1], &l->at[where],
            (l->n - 1 - where) * sizeof(*l->at));
    l->at[where] = pos;
}

void plan_format_addr(char *buf, size_t len, const struct pci_addr *a)
{
    snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot,
             a->function);
}

int plan_fail_device(struct planner *p, int status, size_t pos, const char *fmt,
                     const char *detail)
{
    const struct device *dev = plan_dev(p, pos);

    return diag_fail(p->d, status, dev->line, dev_kind_name(dev->kind), fmt,
                     detail);
}

void plan_grow_state(struct planner *p)
{
    if (p->nst >= p->dom->ndevs)
        return;
    p->st = xreallocarray(p->st, p->dom->ndevs, sizeof(*p->st));
    memset(&p->st[p->nst], 0, (p->dom->ndevs - p->nst) * sizeof(*p->st));
    p->nst = p->dom->ndevs;
}

struct device *plan_add_controller(struct planner *p, enum ctrl_type type,
                                   long index, const char *model,
                                   enum addition why)
{
    struct device *dev = domain_add_device(p->dom, DEV_CONTROLLER);

    assert(ctrl_type_name(type));
    dev->added = why;
    dev->type = xstrdup(ctrl_type_name(type));
    dev->model = model ? xstrdup(model) : NULL;
    dev->index = index;
    domain_resolve_controller(dev);
    assert(p->profile);
    if (p->profile->ctrl_insert == CTRL_INSERT_BY_INDEX)
        plan_ctrls_insert(p, plan_controller_slot(p, dev), p->dom->ndevs - 1);
    else
        plan_list_push(&p->ctrls, p->dom->ndevs - 1);
    plan_index_controller(p, p->dom->ndevs - 1);
    return dev;
}

/* The run slot of a controller's type, or -1 (a type not tracked). */
static int ctrl_run(const struct device *dev)
{
    int r = (int)dev->ctrl_type + 1;

    return r >= 0 && r < PLAN_CTRL_RUNS ? r : -1;
}

bool plan_ctrl_key_above(const struct device *a, const struct device *b)
{
    if (a->index != b->index)
        return a->index > b->index;
    return a->has_master && !b->has_master;
}

void plan_ctrls_insert(struct planner *p, size_t where, size_t pos)
{
    struct plan_ctrl_runs *runs = &p->ctrl_runs;
    int own = ctrl_run(plan_dev(p, pos));

    plan_list_insert(&p->ctrls, where, pos);
    /* the runs from 'where' on move up, the controller's own run grows */
    for (int r = 0; r < PLAN_CTRL_RUNS; r++) {
        if (r != own && runs->n[r] && runs->start[r] >= where)
            runs->start[r]++;
    }
    if (own < 0)
        return;
    assert(!runs->n[own] || (where >= runs->start[own] &&
                             where <= runs->start[own] + runs->n[own]));
    if (!runs->n[own]++)
        runs->start[own] = where;
}

/* The highest key of its type, for plan_controller_slot's shortcut. */
static void ctrl_run_key(struct planner *p, const struct device *dev)
{
    struct plan_ctrl_runs *runs = &p->ctrl_runs;
    int r = ctrl_run(dev);

    if (r < 0)
        return;
    if (!runs->keyed[r] || dev->index > runs->max_index[r] ||
        (dev->index == runs->max_index[r] && dev->has_master &&
         !runs->max_master[r])) {
        runs->max_index[r] = dev->index;
        runs->max_master[r] = dev->has_master;
        runs->keyed[r] = true;
    }
}

static size_t ctrl_bucket(const struct plan_ctrl_index *x, enum ctrl_type type,
                          long index)
{
    unsigned long long h =
        (unsigned long long)(type + 1) * 0x9e3779b97f4a7c15ULL ^
        (unsigned long long)index * 0xff51afd7ed558ccdULL;

    return (size_t)(h ^ h >> 29) & (x->nbuckets - 1);
}

/* Append entry e to the tail of its chain, keeping the chain's order. */
static void ctrl_chain(struct planner *p, size_t e)
{
    struct plan_ctrl_index *x = &p->ctrl_index;
    const struct device *dev = plan_dev(p, x->pos[e]);
    size_t b = ctrl_bucket(x, dev->ctrl_type, dev->index);

    x->next[e] = 0;
    if (x->tail[b])
        x->next[x->tail[b] - 1] = e + 1;
    else
        x->head[b] = e + 1;
    x->tail[b] = e + 1;
}

static void ctrl_index_grow(struct planner *p)
{
    struct plan_ctrl_index *x = &p->ctrl_index;

    x->cap = x->cap ? x->cap * 2 : 64;
    x->pos = xreallocarray(x->pos, x->cap, sizeof(*x->pos));
    x->next = xreallocarray(x->next, x->cap, sizeof(*x->next));
    /* at most one entry per bucket on average */
    x->nbuckets = x->cap;
    free(x->head);
    free(x->tail);
    x->head = xcalloc(x->nbuckets, sizeof(*x->head));
    x->tail = xcalloc(x->nbuckets, sizeof(*x->tail));
    for (size_t e = 0; e < x->n; e++)
        ctrl_chain(p, e);
}

void plan_index_controller(struct planner *p, size_t pos)
{
    struct plan_ctrl_index *x = &p->ctrl_index;

    assert(plan_dev(p, pos)->kind == DEV_CONTROLLER);
    assert(plan_dev(p, pos)->index >= 0);
    if (x->n == x->cap)
        ctrl_index_grow(p);
    x->pos[x->n] = pos;
    ctrl_chain(p, x->n++);
    ctrl_run_key(p, plan_dev(p, pos));
}

void plan_free_controller_index(struct planner *p)
{
    struct plan_ctrl_index *x = &p->ctrl_index;

    free(x->head);
    free(x->tail);
    free(x->pos);
    free(x->next);
    memset(x, 0, sizeof(*x));
}

/* Entry e + 1 itself or the next one of its chain with this key, or 0. */
static size_t ctrl_match(const struct planner *p, size_t e, enum ctrl_type type,
                         const char *name, long index)
{
    const struct plan_ctrl_index *x = &p->ctrl_index;

    for (; e; e = x->next[e - 1]) {
        const struct device *dev = plan_dev(p, x->pos[e - 1]);

        if (dev->ctrl_type == type && dev->index == index &&
            (type != CTRL_TYPE_OTHER || str_eq(dev->type, name)))
            return e;
    }
    return 0;
}

size_t plan_ctrl_first(const struct planner *p, enum ctrl_type type,
                       const char *name, long index)
{
    const struct plan_ctrl_index *x = &p->ctrl_index;

    if (!x->n)
        return 0;
    return ctrl_match(p, x->head[ctrl_bucket(x, type, index)], type, name,
                      index);
}

size_t plan_ctrl_next(const struct planner *p, size_t e)
{
    const struct device *dev = plan_ctrl_dev(p, e);

    return ctrl_match(p, p->ctrl_index.next[e - 1], dev->ctrl_type, dev->type,
                      dev->index);
}

struct device *plan_ctrl_dev(const struct planner *p, size_t e)
{
    assert(e > 0 && e <= p->ctrl_index.n);
    return plan_dev(p, p->ctrl_index.pos[e - 1]);
}

bool plan_find_controller(const struct planner *p, enum ctrl_type type,
                          long index)
{
    return plan_ctrl_first(p, type, NULL, index) != 0;
}

struct device *plan_add_channel_controller(void *opaque, enum ctrl_type type,
                                           long index)
{
    return plan_add_controller(opaque, type, index, NULL, ADDED_FOR_CHANNELS);
}
