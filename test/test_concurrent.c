/* ConcurrentProviders, as the core applies it: the providers of one type are
 * called at once (the fake runs each batch call on a thread of its own), the
 * types still one after the other, and every other rule as without it. */
#include "suites.h"
#include "fake_env.h"

#include <stdio.h>
#include <string.h>

static struct fake f;
static struct fake_provider xp1, xp2, ab, ms1, ms2, ms3;

static void setup(void)
{
    fake_init(&f);
    f.concurrent = 1;
    fake_provider_init(&xp1, &f, "xp1");
    fake_provider_init(&xp2, &f, "xp2");
    fake_provider_init(&ab, &f, "ab");
    fake_provider_init(&ms1, &f, "ms1");
    fake_provider_init(&ms2, &f, "ms2");
    fake_provider_init(&ms3, &f, "ms3");
    fake_register(&f, &ms1, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &xp1, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms2, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    fake_register(&f, &ms3, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &xp2, SHUT_TRANSPORT_PROVIDER, 1);
}

static void teardown(void) { fake_free(&f); }

/* Where a provider's call first appears in the log. */
static size_t logged_at(const char *name, char call)
{
    char entry[16];
    const char *at;

    snprintf(entry, sizeof(entry), "%s.%c", name, call);
    at = strstr(f.log, entry);
    ck_assert_msg(at != NULL, "%s not in \"%s\"", entry, f.log);
    return (size_t)(at - f.log);
}

static void check_types_in_order(char call)
{
    size_t last_xp = logged_at("xp1", call) > logged_at("xp2", call) ? logged_at("xp1", call) : logged_at("xp2", call);
    size_t first_ms = logged_at("ms1", call);

    if (logged_at("ms2", call) < first_ms)
        first_ms = logged_at("ms2", call);
    if (logged_at("ms3", call) < first_ms)
        first_ms = logged_at("ms3", call);
    ck_assert_uint_lt(last_xp, logged_at("ab", call));
    ck_assert_uint_lt(logged_at("ab", call), first_ms);
}

START_TEST(test_each_type_is_one_batch_in_the_seeds_order)
{
    static const char letters[] = { 'Q', 'N', 'D' };

    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    /* A batch per type and phase: the lone address book too. */
    ck_assert_int_eq(f.batches, 9);
    ck_assert_uint_eq(f.largest_batch, 3);
    for (int call = PROVIDER_QUERY; call <= PROVIDER_DO_FAST; call++) {
        ck_assert_int_ne(xp1.batch[call], 0);
        ck_assert_int_eq(xp1.batch[call], xp2.batch[call]);
        ck_assert_int_gt(ab.batch[call], xp1.batch[call]);
        ck_assert_int_gt(ms1.batch[call], ab.batch[call]);
        ck_assert_int_eq(ms1.batch[call], ms2.batch[call]);
        ck_assert_int_eq(ms1.batch[call], ms3.batch[call]);
        check_types_in_order(letters[call]);
    }
    /* Each phase ends before the next begins. */
    ck_assert_uint_lt(logged_at("ms3", 'Q'), logged_at("xp1", 'N'));
    ck_assert_uint_lt(logged_at("ms3", 'N'), logged_at("xp1", 'D'));
}
END_TEST

static void meet_all_stores(struct fake_provider *p, enum provider_call call)
{
    if (call == PROVIDER_DO_FAST)
        *(int *)p->during_arg = fake_meet(p->fake, 3);
}

START_TEST(test_the_providers_of_a_type_overlap)
{
    int met[3] = { -1, -1, -1 };

    ms1.during = ms2.during = ms3.during = meet_all_stores;
    ms1.during_arg = &met[0];
    ms2.during_arg = &met[1];
    ms3.during_arg = &met[2];
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    /* Each store waited inside its DoFastShutdown until all three were inside. */
    ck_assert_int_eq(met[0], 1);
    ck_assert_int_eq(met[1], 1);
    ck_assert_int_eq(met[2], 1);
}
END_TEST

START_TEST(test_without_the_setting_they_do_not)
{
    int met[3] = { -1, -1, -1 };

    f.concurrent = 0;
    ms1.during = ms2.during = ms3.during = meet_all_stores;
    ms1.during_arg = &met[0];
    ms2.during_arg = &met[1];
    ms3.during_arg = &met[2];
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.batches, 0);
    ck_assert_str_eq(f.log, "xp1.Q xp2.Q ab.Q ms1.Q ms2.Q ms3.Q xp1.N xp2.N ab.N ms1.N ms2.N ms3.N "
                            "xp1.D xp2.D ab.D ms1.D ms2.D ms3.D");
    ck_assert_int_eq(met[0], 0); /* the first store waited alone, and gave up */
    ck_assert_int_eq(met[2], 1);
}
END_TEST

START_TEST(test_each_notification_at_most_once)
{
    struct fake_provider *all[] = { &xp1, &xp2, &ab, &ms1, &ms2, &ms3 };

    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK); /* asks, tells Notify, then DoFast */
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_CALL_FAILED);
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        ck_assert_int_eq(all[i]->calls[PROVIDER_QUERY], 1);
        ck_assert_int_eq(all[i]->calls[PROVIDER_NOTIFY], 1);
        ck_assert_int_eq(all[i]->calls[PROVIDER_DO_FAST], 1);
    }
}
END_TEST

START_TEST(test_the_answer_is_the_sequential_one)
{
    ms2.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    /* Everyone was asked, after the refusal too. */
    ck_assert_int_eq(ms1.calls[PROVIDER_QUERY] + ms3.calls[PROVIDER_QUERY], 2);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 1);
    /* Refused: nobody is told anything. */
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms1.calls[PROVIDER_NOTIFY] + ms1.calls[PROVIDER_DO_FAST], 0);
    ck_assert_int_eq(xp1.calls[PROVIDER_NOTIFY] + xp1.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

START_TEST(test_option_1_counts_every_type)
{
    struct fake_provider bare;

    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, SHUTDOWN_ONLY_IF_ALL_OPT_IN);
    fake_provider_init(&bare, &f, "bare");
    fake_register(&f, &bare, SHUT_STORE_PROVIDER, 0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_UNREACHABLE), 1);
    ck_assert_int_eq(ms3.calls[PROVIDER_QUERY], 1);
}
END_TEST

START_TEST(test_a_failure_in_a_batch_stops_no_one)
{
    xp2.answer[PROVIDER_NOTIFY] = SHUT_E_CALL_FAILED;
    ms1.answer[PROVIDER_DO_FAST] = SHUT_E_CALL_FAILED;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(ms2.calls[PROVIDER_DO_FAST] + ms3.calls[PROVIDER_DO_FAST], 2);
    ck_assert_int_eq(xp1.calls[PROVIDER_DO_FAST] + xp2.calls[PROVIDER_DO_FAST], 2);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_FAILED), 2);
}
END_TEST

START_TEST(test_one_abandoned_in_a_batch_the_others_counted)
{
    f.timeout_ms = 100;
    ms2.outcome[PROVIDER_DO_FAST] = CALL_TIMED_OUT;
    xp1.outcome[PROVIDER_NOTIFY] = CALL_CRASHED;
    xp1.answer[PROVIDER_NOTIFY] = (int32_t)0xC0000005;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.last_timeout_ms, 100);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_TIMED_OUT), 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_CRASHED), 1);
    ck_assert_int_eq(xp1.calls[PROVIDER_DO_FAST], 0); /* abandoned: never called again */
    ck_assert_int_eq(xp2.calls[PROVIDER_DO_FAST] + ms1.calls[PROVIDER_DO_FAST] + ms3.calls[PROVIDER_DO_FAST], 3);
    ck_assert_int_eq(ms2.released + xp1.released, 0); /* their code may still be running */
}
END_TEST

static void call_back(struct fake_provider *p, enum provider_call call)
{
    if (call == PROVIDER_NOTIFY)
        *(int32_t *)p->during_arg = shutdown_query(&p->fake->s);
}

START_TEST(test_a_call_back_from_a_batch_thread_is_refused)
{
    int32_t answer = SHUT_S_OK;

    ms3.during = call_back;
    ms3.during_arg = &answer;
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(answer, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(ms1.calls[PROVIDER_QUERY], 1); /* the callback asked no one */
}
END_TEST

START_TEST(test_the_setting_is_read_with_the_policy)
{
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    f.concurrent = 0; /* read at the query, not later */
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.batches, 6);
    ck_assert_uint_eq(shutdown_setting_max(SETTING_CONCURRENT), 1);
    ck_assert_uint_eq(shutdown_setting_default(SETTING_CONCURRENT), 0);
}
END_TEST

Suite *concurrent_suite(void)
{
    Suite *suite = suite_create("concurrent");
    TCase *tc = tcase_create("batches");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_each_type_is_one_batch_in_the_seeds_order);
    tcase_add_test(tc, test_the_providers_of_a_type_overlap);
    tcase_add_test(tc, test_without_the_setting_they_do_not);
    tcase_add_test(tc, test_each_notification_at_most_once);
    tcase_add_test(tc, test_the_answer_is_the_sequential_one);
    tcase_add_test(tc, test_option_1_counts_every_type);
    tcase_add_test(tc, test_a_failure_in_a_batch_stops_no_one);
    tcase_add_test(tc, test_one_abandoned_in_a_batch_the_others_counted);
    tcase_add_test(tc, test_a_call_back_from_a_batch_thread_is_refused);
    tcase_add_test(tc, test_the_setting_is_read_with_the_policy);
    suite_add_tcase(suite, tc);
    return suite;
}
