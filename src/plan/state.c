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
        plan_list_insert(&p->ctrls, plan_controller_slot(p, dev),
                         p->dom->ndevs - 1);
    else
        plan_list_push(&p->ctrls, p->dom->ndevs - 1);
    return dev;
}

bool plan_find_controller(const struct planner *p, enum ctrl_type type,
                          long index)
{
    for (size_t i = 0; i < p->ctrls.n; i++) {
        const struct device *dev = plan_dev(p, p->ctrls.at[i]);

        if (plan_is_ctrl(dev, type) && dev->index == index)
            return true;
    }
    return false;
}

struct device *plan_add_channel_controller(void *opaque, enum ctrl_type type,
                                           long index)
{
    return plan_add_controller(opaque, type, index, NULL, ADDED_FOR_CHANNELS);
}
