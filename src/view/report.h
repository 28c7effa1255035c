/*
 * report.h: what pciplan tells about a planned topology.
 *
 *   --explain   one line per address or controller pciplan added or
 *               changed, saying why
 *   --show      the topology as an indented tree, Graphviz dot, or JSON
 *               (schema "pciplan-topology/1", see pciplan(1))
 *   --capacity  the free slots by kind and the free controller indexes
 *
 * Everything is formatted from the planned model (struct topo); nothing
 * here plans or changes the domain.
 */
#ifndef PCIPLAN_REPORT_H
#define PCIPLAN_REPORT_H

#include <stdio.h>

#include "view/topo.h"

enum show_format { SHOW_NONE, SHOW_TREE, SHOW_DOT, SHOW_JSON };

/* "tree", "dot", "json" -> SHOW_*; SHOW_NONE for anything else. */
enum show_format report_show_format(const char *name);

/*
 * The --explain lines, each started with 'prefix' (the file name and
 * ": " when several files are processed, else ""). 'reserve' is the
 * --reserve value, named in the reason for spare controllers.
 */
void report_explain(FILE *f, const struct topo *t, const char *prefix,
                    int reserve);

/* The topology in one of the --show formats. */
void report_show(FILE *f, const struct topo *t, enum show_format fmt);

/* The --capacity table of 'name' (the file as messages name it). */
void report_capacity(FILE *f, const struct topo *t, const char *name);

#endif
