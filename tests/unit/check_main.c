#include <stdlib.h>

#include "check_suites.h"

int main(void)
{
    SRunner *sr = srunner_create(addrset_suite());
    int failed;

    srunner_add_suite(sr, planner_suite());
    srunner_add_suite(sr, xmldoc_suite());
    srunner_add_suite(sr, writer_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, report_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
