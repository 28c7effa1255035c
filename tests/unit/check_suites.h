/* One Check suite per module; check_main.c runs them all. */
#ifndef PCIPLAN_CHECK_SUITES_H
#define PCIPLAN_CHECK_SUITES_H

#include <check.h>

Suite *addrset_suite(void);
Suite *planner_suite(void);
Suite *xmldoc_suite(void);
Suite *writer_suite(void);
Suite *cli_suite(void);
Suite *report_suite(void);

#endif
