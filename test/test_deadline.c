/* The deadline for hung providers, as the core applies it: a provider that
 * overran it or crashed is abandoned, the others are still told in order. */
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
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
}

static void teardown(void) { fake_free(&f); }

START_TEST(test_no_deadline_by_default)
{
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.last_timeout_ms, 0);
}
END_TEST

START_TEST(test_deadline_applies_to_every_phase)
{
    f.timeout_ms = 500;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.last_timeout_ms, 500);
    f.timeout_ms = 0; /* read at the query, not later */
    f.last_timeout_ms = 0;
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.last_timeout_ms, 500);
    f.last_timeout_ms = 0;
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.last_timeout_ms, 500);
}
END_TEST

START_TEST(test_hung_in_do_fast_is_abandoned_and_the_rest_told)
{
    f.timeout_ms = 100;
    ab.outcome[PROVIDER_DO_FAST] = CALL_TIMED_OUT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D ab.D ms.D");
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_TIMED_OUT), 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_FAILED), 0);
    ck_assert_int_eq(ab.released, 0); /* its code may still be running */
}
END_TEST

START_TEST(test_crashed_in_notify_is_never_called_again)
{
    f.timeout_ms = 100;
    xp.outcome[PROVIDER_NOTIFY] = CALL_CRASHED;
    xp.answer[PROVIDER_NOTIFY] = (int32_t)0xC0000005; /* the exception code */
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N ab.D ms.D");
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_CRASHED), 1);
}
END_TEST

START_TEST(test_hung_in_query_did_not_opt_in)
{
    f.timeout_ms = 100;
    ms.outcome[PROVIDER_QUERY] = CALL_TIMED_OUT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms.calls[PROVIDER_QUERY], 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 0);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_TIMED_OUT), 1);
}
END_TEST

START_TEST(test_unregistering_an_abandoned_provider_releases_nothing)
{
    uint32_t cookie;
    struct fake_provider late;

    fake_provider_init(&late, &f, "late");
    cookie = fake_register(&f, &late, SHUT_STORE_PROVIDER, 1);
    f.timeout_ms = 100;
    late.outcome[PROVIDER_QUERY] = CALL_TIMED_OUT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_S_OK);
    ck_assert_int_eq(late.released, 0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

Suite *deadline_suite(void)
{
    Suite *suite = suite_create("deadline");
    TCase *tc = tcase_create("abandon");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_no_deadline_by_default);
    tcase_add_test(tc, test_deadline_applies_to_every_phase);
    tcase_add_test(tc, test_hung_in_do_fast_is_abandoned_and_the_rest_told);
    tcase_add_test(tc, test_crashed_in_notify_is_never_called_again);
    tcase_add_test(tc, test_hung_in_query_did_not_opt_in);
    tcase_add_test(tc, test_unregistering_an_abandoned_provider_releases_nothing);
    suite_add_tcase(suite, tc);
    return suite;
}
