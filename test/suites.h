#ifndef MAPISHUT_TEST_SUITES_H
#define MAPISHUT_TEST_SUITES_H

#include <check.h>

Suite *policy_suite(void);
Suite *provider_table_suite(void);
Suite *behaviour_suite(void);
Suite *phases_suite(void);
Suite *threads_suite(void);
Suite *profile_suite(void);
Suite *attach_suite(void);
Suite *deadline_suite(void);
Suite *robustness_suite(void);
Suite *cmdline_suite(void);
Suite *concurrent_suite(void);
Suite *provider_behavior_suite(void);
Suite *exit_record_suite(void);
Suite *wine_copies_suite(void);

#endif
