/* docs/design.md's behaviour table, row by row: what QueryFastShutdown answers
 * under FastShutdownBehavior 0, 1 and 2, and who is asked. */
#include "suites.h"
#include "fake_env.h"

static struct fake f;
static struct fake_provider xp, ab, ms;

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ab, &f, "ab");
    fake_provider_init(&ms, &f, "ms");
}

static void teardown(void) { fake_free(&f); }

static void register_three(int ab_has_interface)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, ab_has_interface);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
}

START_TEST(test_option0_is_the_default_and_allows_when_all_opt_in)
{
    register_three(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q");
    ck_assert_int_eq(f.policy_reads, 1);
}
END_TEST

START_TEST(test_option0_provider_opting_out_refuses)
{
    register_three(1);
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    /* everyone is still asked, so the diagnostics name every objector */
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q");
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 1);
}
END_TEST

START_TEST(test_option0_any_failure_code_opts_out)
{
    register_three(1);
    ms.answer[PROVIDER_QUERY] = SHUT_E_CALL_FAILED;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
}
END_TEST

START_TEST(test_option0_provider_without_interface_does_not_block)
{
    register_three(0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ms.Q");
    ck_assert_int_eq(ab.calls[PROVIDER_QUERY], 0);
}
END_TEST

START_TEST(test_success_codes_opt_in)
{
    register_three(1);
    xp.answer[PROVIDER_QUERY] = 1; /* S_FALSE */
    ab.answer[PROVIDER_QUERY] = SHUT_W_ERRORS_RETURNED;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    fake_set_policy(&f, POLICY_HKCU_POLICY, 0, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

START_TEST(test_option0_no_providers_allows)
{
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

START_TEST(test_option1_allows_when_every_provider_opts_in)
{
    fake_set_policy(&f, POLICY_HKCU_POLICY, 0, 1);
    register_three(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q");
}
END_TEST

START_TEST(test_option1_provider_without_interface_refuses)
{
    fake_set_policy(&f, POLICY_HKCU_POLICY, 0, 1);
    register_three(0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_UNREACHABLE), 1);
    ck_assert_int_eq(ab.calls[PROVIDER_QUERY], 0);
}
END_TEST

START_TEST(test_option1_provider_opting_out_refuses)
{
    fake_set_policy(&f, POLICY_HKLM_PREFERENCE, 2, 1);
    register_three(1);
    xp.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
}
END_TEST

START_TEST(test_option2_refuses_and_asks_nobody)
{
    fake_set_policy(&f, POLICY_HKCU_POLICY, 0, 2);
    register_three(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_POLICY_DISABLED), 1);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_str_eq(f.log, "");
}
END_TEST

START_TEST(test_policy_is_read_at_every_query)
{
    register_three(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 2); /* the administrator changes it */
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    fake_clear_policy(&f);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.policy_reads, 3);
}
END_TEST

START_TEST(test_machine_policy_disables_despite_user_preference)
{
    fake_set_policy(&f, POLICY_HKLM_POLICY, 1, 2);
    fake_set_policy(&f, POLICY_HKCU_PREFERENCE, 0, 0);
    register_three(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_str_eq(f.log, "");
}
END_TEST

Suite *behaviour_suite(void)
{
    Suite *suite = suite_create("behaviour");
    TCase *tc = tcase_create("table");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_option0_is_the_default_and_allows_when_all_opt_in);
    tcase_add_test(tc, test_option0_provider_opting_out_refuses);
    tcase_add_test(tc, test_option0_any_failure_code_opts_out);
    tcase_add_test(tc, test_option0_provider_without_interface_does_not_block);
    tcase_add_test(tc, test_success_codes_opt_in);
    tcase_add_test(tc, test_option0_no_providers_allows);
    tcase_add_test(tc, test_option1_allows_when_every_provider_opts_in);
    tcase_add_test(tc, test_option1_provider_without_interface_refuses);
    tcase_add_test(tc, test_option1_provider_opting_out_refuses);
    tcase_add_test(tc, test_option2_refuses_and_asks_nobody);
    tcase_add_test(tc, test_policy_is_read_at_every_query);
    tcase_add_test(tc, test_machine_policy_disables_despite_user_preference);
    suite_add_tcase(suite, tc);
    return suite;
}
