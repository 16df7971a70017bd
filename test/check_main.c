/* Native unit tests of the portable core (Check, with sanitizers). */
#include "suites.h"

#include <stdlib.h>

int main(void)
{
    SRunner *runner = srunner_create(policy_suite());
    int failed;

    srunner_add_suite(runner, provider_table_suite());
    srunner_add_suite(runner, behaviour_suite());
    srunner_add_suite(runner, phases_suite());
    srunner_add_suite(runner, threads_suite());
    srunner_add_suite(runner, profile_suite());
    srunner_add_suite(runner, attach_suite());
    srunner_add_suite(runner, deadline_suite());
    srunner_add_suite(runner, robustness_suite());
    srunner_add_suite(runner, cmdline_suite());
    srunner_add_suite(runner, concurrent_suite());
    srunner_add_suite(runner, provider_behavior_suite());
    srunner_add_suite(runner, exit_record_suite());
    srunner_add_suite(runner, wine_copies_suite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
