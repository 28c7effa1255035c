/*
 * state.h: state shared by the planner's modules.
 *
 * plan.c runs libvirt's two passes, postparse.c prepares the domain as
 * libvirt's post-parse stage does (machine, controller order and
 * indexes, implicit devices), classify.c decides what kind of slot each
 * device needs; state.c holds the helpers all of them share. Nothing
 * outside src/plan includes this.
 */
#ifndef PCIPLAN_PLAN_STATE_H
#define PCIPLAN_PLAN_STATE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "pci/addrset.h"
#include "machine/machine.h"
#include "model/domain.h"
#include "util/diag.h"
#include "util/strutil.h"

#define PCI_CLASS (CONN_AUTOASSIGN | CONN_PCI_DEVICE)
#define NO_OWNER (-1)
#define CHIPSET_OWNER (-2)
#define SPARE_OWNER (-3)

/* Planning state of one device (indexed like dom->devs). */
struct plan_devstate {
    unsigned flags;       /* connect flags; 0 = gets no PCI address */
    bool in_step;         /* the assignment steps consider it */
    bool has_addr;        /* 'addr' is a present (non-empty) address */
    struct pci_addr addr; /* as libvirt's device info holds it */
    enum addr_origin placed;
};

/* An ordered list of device positions. */
/* plan.h defines it; the steps that read options include plan.h. */
struct plan_options;

struct plan_list {
    size_t *at;
    size_t n;
    size_t cap;
};

/*
 * The controllers by (type, index): a hash table with chaining, each
 * chain in the order its controllers were indexed (libvirt's controller
 * order for the input's), so that a lookup is O(1) and not a scan.
 */
struct plan_ctrl_index {
    size_t *head, *tail; /* per bucket: entry + 1, 0 when empty */
    size_t *pos;         /* per entry: the controller's position in devs */
    size_t *next;        /* per entry: the next entry + 1 in its chain */
    size_t n, cap, nbuckets;
};

/*
 * Where each controller type's run starts in 'ctrls' and how long it is
 * (libvirt keeps a type's controllers together; a type libvirt does not
 * know is not tracked, the planner adds none), and the highest (index,
 * master) key of the type's indexed controllers: what places an added
 * controller without a scan of every controller. Slot t + 1 is type t.
 */
#define PLAN_CTRL_RUNS (CTRL_TYPE_KNOWN + 1)
struct plan_ctrl_runs {
    size_t start[PLAN_CTRL_RUNS], n[PLAN_CTRL_RUNS];
    long max_index[PLAN_CTRL_RUNS];
    bool max_master[PLAN_CTRL_RUNS], keyed[PLAN_CTRL_RUNS];
};

struct planner {
    struct domain *dom;
    const struct machine *mach;
    const struct libvirt_profile *profile; /* opt->profile or the first */
    const char *machine_name;              /* the versioned type planned for */
    const struct plan_options *opt;
    struct diag *d;
    struct addrset *set;
    struct plan_devstate *st;
    size_t nst;
    int (*owner)[PCI_SLOTS][PCI_FUNCTIONS]; /* device at each function */
    unsigned owner_buses; /* owner[] holds only these buses; the rest: -1 */
    long max_idx;         /* highest PCI controller index in the input */
    int grown_by[PCI_MAX_BUSES];           /* device that made a bus appear */
    bool grown_for_address[PCI_MAX_BUSES]; /* ... by naming it in its address */
    bool pcie;                             /* index 0 is pcie-root */
    int reserve;                           /* spare capacity requested */
    struct plan_list ctrls;            /* libvirt's controller array order */
    struct plan_ctrl_index ctrl_index; /* the controllers with an index */
    struct plan_ctrl_runs ctrl_runs;   /* the types' runs in ctrls */
    struct plan_list by_kind[DEV_KIND_COUNT]; /* document order per kind */
    struct plan_list vdisks;   /* virtio disks in libvirt's order */
    struct plan_list videos;   /* primary first */
    struct plan_list hostdevs; /* interface hostdevs, then <hostdev> */
    struct plan_list nets;     /* interfaces that are not hostdevs */
};

static inline struct device *plan_dev(const struct planner *p, size_t pos)
{
    assert(pos < p->dom->ndevs);
    return p->dom->devs[pos];
}

static inline bool plan_is_ctrl(const struct device *dev, enum ctrl_type type)
{
    return dev->kind == DEV_CONTROLLER && dev->ctrl_type == type;
}

static inline bool plan_is_pci_ctrl(const struct device *dev)
{
    return plan_is_ctrl(dev, CTRL_TYPE_PCI);
}

static inline enum pci_model plan_ctrl_pci_model(const struct device *dev)
{
    return dev->pci_model;
}

/* Controllers a and b are of one type (two unknown types by name). */
static inline bool plan_same_ctrl_type(const struct device *a,
                                       const struct device *b)
{
    return a->ctrl_type == b->ctrl_type &&
           (a->ctrl_type != CTRL_TYPE_OTHER || str_eq(a->type, b->type));
}

static inline bool plan_is_usb2_companion(const struct device *dev)
{
    static const char *const models[] = {"ich9-ehci1", "ich9-uhci1",
                                         "ich9-uhci2", "ich9-uhci3", NULL};

    return plan_is_ctrl(dev, CTRL_TYPE_USB) && str_in(dev->model, models);
}

/* planner.c */
void plan_format_addr(char *buf, size_t len, const struct pci_addr *a);
void plan_list_push(struct plan_list *l, size_t pos);
void plan_list_insert(struct plan_list *l, size_t where, size_t pos);
int plan_fail_device(struct planner *p, int status, size_t pos, const char *fmt,
                     const char *detail);
void plan_grow_state(struct planner *p);
struct device *plan_add_controller(struct planner *p, enum ctrl_type type,
                                   long index, const char *model,
                                   enum addition why);
bool plan_find_controller(const struct planner *p, enum ctrl_type type,
                          long index);
/* Put controller 'pos' at 'where' in p->ctrls, keeping the runs. */
void plan_ctrls_insert(struct planner *p, size_t where, size_t pos);
/* Whether controller a's (index, master) key is above b's: libvirt puts
 * b before the first controller of its type with a key above its own. */
bool plan_ctrl_key_above(const struct device *a, const struct device *b);
/* Enter controller 'pos' in the index, once it has an index. */
void plan_index_controller(struct planner *p, size_t pos);
void plan_free_controller_index(struct planner *p);
/* The controllers of 'type' (by 'name' when CTRL_TYPE_OTHER) and 'index',
 * in index order: for (e = plan_ctrl_first(...); e; e = plan_ctrl_next(p,
 * e)) plan_ctrl_dev(p, e)... */
size_t plan_ctrl_first(const struct planner *p, enum ctrl_type type,
                       const char *name, long index);
size_t plan_ctrl_next(const struct planner *p, size_t e);
struct device *plan_ctrl_dev(const struct planner *p, size_t e);

struct device *plan_add_channel_controller(void *opaque, enum ctrl_type type,
                                           long index);

/* classify.c */
bool plan_address_is_present(const struct device *dev);
int plan_classify(struct planner *p);
enum dev_class plan_class_of(unsigned flags);

/* postparse.c */
int plan_resolve_machine(struct planner *p);
int plan_order_controllers(struct planner *p);
size_t plan_controller_slot(const struct planner *p, const struct device *c);
int plan_add_root_ports(struct planner *p);
void plan_number_controllers(struct planner *p);
int plan_check_controllers(struct planner *p);
int plan_add_implicit_devices(struct planner *p);
int plan_build_lists(struct planner *p);

/* console.c: the serial or console libvirt's compatibility rule adds;
 * after every address is known, console 0 takes serial 0's. */
int plan_console_compat(struct planner *p);
void plan_mirror_console(struct domain *dom);

/* zpci.c: s390 zPCI uid/fid of every device on PCI. */
int plan_assign_zpci(struct planner *p);

#endif
