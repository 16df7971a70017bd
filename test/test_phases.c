/* The phase rules of docs/design.md section 3: order, once-only notifications,
 * the out-of-protocol paths, errors, reentrancy and the rules after
 * DoFastShutdown. */
#include "suites.h"
#include "alloc_count.h"
#include "fake_env.h"

#include <string.h>

static struct fake f;
static struct fake_provider xp, ab, ms, ms2;

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ab, &f, "ab");
    fake_provider_init(&ms, &f, "ms");
    fake_provider_init(&ms2, &f, "ms2");
}

static void teardown(void) { fake_free(&f); }

static void register_three(void)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
}

START_TEST(test_protocol_sequence_tells_everyone_in_order)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ms2, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q ms2.Q xp.N ab.N ms.N ms2.N xp.D ab.D ms.D ms2.D");
}
END_TEST

START_TEST(test_protocol_path_reads_no_policy_after_query)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.policy_reads, 1);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.policy_reads, 1);
}
END_TEST

START_TEST(test_protocol_path_allocates_nothing_after_query)
{
    long before, during;
    int32_t notified, done;

    register_three();
    before = alloc_count();
    fake_register(&f, &ms2, SHUT_STORE_PROVIDER, 1);
    ck_assert_msg(alloc_count() > before, "the counter does not see the table growing");
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    /* Check's assertions allocate: assert only once the phases are over. */
    before = alloc_count();
    notified = shutdown_notify(&f.s);
    done = shutdown_do_fast(&f.s);
    during = alloc_count() - before;
    ck_assert_int_eq(notified, SHUT_S_OK);
    ck_assert_int_eq(done, SHUT_S_OK);
    ck_assert_int_eq(during, 0);
    ck_assert_int_eq(ms2.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

START_TEST(test_notify_without_query_evaluates_and_tells_when_allowed)
{
    register_three();
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.policy_reads, 1);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N");
}
END_TEST

START_TEST(test_notify_without_query_tells_nobody_when_refused)
{
    register_three();
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(xp.calls[PROVIDER_NOTIFY] + ab.calls[PROVIDER_NOTIFY] + ms.calls[PROVIDER_NOTIFY], 0);
    ck_assert_int_eq(xp.calls[PROVIDER_DO_FAST] + ab.calls[PROVIDER_DO_FAST] + ms.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

START_TEST(test_failed_query_then_notify_reevaluates)
{
    register_three();
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ab.calls[PROVIDER_QUERY], 2);
    ck_assert_int_eq(ab.calls[PROVIDER_NOTIFY], 0);
}
END_TEST

START_TEST(test_do_fast_without_notify_tells_notify_first)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D ab.D ms.D");
}
END_TEST

START_TEST(test_do_fast_alone_evaluates_then_tells_both)
{
    register_three();
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D ab.D ms.D");
}
END_TEST

START_TEST(test_each_notification_at_most_once)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(xp.calls[PROVIDER_NOTIFY], 1);
    ck_assert_int_eq(ms.calls[PROVIDER_NOTIFY], 1);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

START_TEST(test_failed_notify_does_not_stop_others_and_is_returned)
{
    register_three();
    xp.answer[PROVIDER_NOTIFY] = SHUT_E_CALL_FAILED;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK); /* Microsoft: S_OK, "attempted" */
    ck_assert_int_eq(ab.calls[PROVIDER_NOTIFY], 1);
    ck_assert_int_eq(ms.calls[PROVIDER_NOTIFY], 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(xp.calls[PROVIDER_DO_FAST], 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_FAILED), 1);
}
END_TEST

START_TEST(test_failed_do_fast_does_not_stop_others_and_is_returned)
{
    register_three();
    ab.answer[PROVIDER_DO_FAST] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

START_TEST(test_provider_without_interface_is_never_called)
{
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 0);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "ms.Q ms.N ms.D");
}
END_TEST

static void assert_everything_fails_and_touches_nothing(void)
{
    uint32_t cookie = 77;
    char before[sizeof(f.log)];

    strcpy(before, f.log);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_register(&f.s, NULL, SHUT_STORE_PROVIDER, &ms2, &cookie),
                     SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_unregister(&f.s, 1), SHUT_E_CALL_FAILED);
    ck_assert_str_eq(f.log, before);
    ck_assert_int_eq(ms.released + ab.released + xp.released, 0);
    /* Not even asked for its interface: the newcomer is never touched. */
    ck_assert_int_eq(ms2.queried, 0);
    ck_assert_uint_eq(cookie, 0);
}

START_TEST(test_after_do_fast_every_call_fails_and_touches_no_provider)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    assert_everything_fails_and_touches_nothing();
    ck_assert(!shutdown_can_unload(&f.s));
    ck_assert(fake_is_done(&f));
}
END_TEST

START_TEST(test_after_do_fast_with_errors_every_call_fails_too)
{
    register_three();
    ms.answer[PROVIDER_DO_FAST] = SHUT_E_CALL_FAILED;
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    assert_everything_fails_and_touches_nothing();
}
END_TEST

START_TEST(test_refused_do_fast_leaves_the_subsystem_usable)
{
    register_three();
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ab.answer[PROVIDER_QUERY] = SHUT_S_OK;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(ab.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

static void call_back_into_subsystem(struct fake_provider *p, enum provider_call call)
{
    struct shutdown *s = &p->fake->s;
    uint32_t cookie = 5;

    (void)call;
    ck_assert_int_eq(shutdown_query(s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_notify(s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_do_fast(s), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_register(s, NULL, SHUT_AB_PROVIDER, p, &cookie), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(shutdown_unregister(s, 1), SHUT_E_CALL_FAILED);
    p->during_arg = p; /* proof that the callback ran */
}

START_TEST(test_reentrant_calls_fail_at_once_and_nobody_is_told_twice)
{
    register_three();
    ab.during = call_back_into_subsystem;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_ptr_eq(ab.during_arg, &ab);
    ck_assert_str_eq(f.log, "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D ab.D ms.D");
}
END_TEST

START_TEST(test_registration_after_query_makes_the_next_phase_ask_again)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    fake_register(&f, &ms2, SHUT_STORE_PROVIDER, 1);
    ms2.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms.calls[PROVIDER_NOTIFY], 0);
    ck_assert_int_eq(ms2.calls[PROVIDER_QUERY], 1);
}
END_TEST

START_TEST(test_provider_registered_after_notify_is_told_both_at_do_fast)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "ms.Q ms.N xp.Q ms.Q xp.N xp.D ms.D");
}
END_TEST

START_TEST(test_unregister_releases_and_stops_calls)
{
    uint32_t cookie;

    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    cookie = fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    ck_assert(!shutdown_can_unload(&f.s));
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_S_OK);
    ck_assert_int_eq(ab.released, 1);
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_E_INVALIDARG);
    ck_assert_int_eq(ab.released, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(ab.calls[PROVIDER_QUERY] + ab.calls[PROVIDER_NOTIFY] + ab.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

START_TEST(test_bad_registration_changes_nothing)
{
    uint32_t cookie = 42;

    ck_assert_int_eq(shutdown_register(&f.s, NULL, 34, &ms, &cookie), SHUT_E_INVALIDARG);
    ck_assert_uint_eq(cookie, 0);
    cookie = 42;
    ck_assert_int_eq(shutdown_register(&f.s, NULL, SHUT_STORE_PROVIDER, NULL, &cookie), SHUT_E_INVALIDARG);
    ck_assert_uint_eq(cookie, 0);
    ck_assert_int_eq(ms.queried, 0);
    ck_assert_int_eq(shutdown_unregister(&f.s, 0), SHUT_E_INVALIDARG);
    ck_assert(shutdown_can_unload(&f.s));
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "");
}
END_TEST

START_TEST(test_unloadable_only_with_no_provider_and_no_shutdown)
{
    uint32_t cookie;

    ck_assert(shutdown_can_unload(&f.s));
    ck_assert(!fake_is_done(&f));
    cookie = fake_register(&f, &ms, SHUT_STORE_PROVIDER, 0);
    ck_assert(!shutdown_can_unload(&f.s));
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_S_OK);
    ck_assert(shutdown_can_unload(&f.s));
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert(!shutdown_can_unload(&f.s));
}
END_TEST

/* shutdown_free runs when the module goes (DLL_PROCESS_DETACH), when the
 * providers' DLLs may be gone already: it calls none of their code. */
START_TEST(test_free_calls_no_provider_code)
{
    register_three();
    fake_register(&f, &ms2, SHUT_STORE_PROVIDER, 0);
    shutdown_free(&f.s);
    ck_assert_int_eq(xp.released + ab.released + ms.released + ms2.released, 0);
    shutdown_init(&f.s, &f.s.env);     /* for teardown */
}
END_TEST

static int32_t gated_returns_7(struct shutdown *s, void *arg)
{
    (void)s;
    *(int *)arg = 1;
    return 7;
}

START_TEST(test_run_gated_is_refused_after_do_fast)
{
    int ran = 0;

    ck_assert_int_eq(shutdown_run_gated(&f.s, gated_returns_7, &ran), 7);
    ck_assert_int_eq(ran, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ran = 0;
    ck_assert_int_eq(shutdown_run_gated(&f.s, gated_returns_7, &ran), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(ran, 0);
}
END_TEST

Suite *phases_suite(void)
{
    Suite *suite = suite_create("phases");
    TCase *tc = tcase_create("rules");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_protocol_sequence_tells_everyone_in_order);
    tcase_add_test(tc, test_protocol_path_reads_no_policy_after_query);
    tcase_add_test(tc, test_protocol_path_allocates_nothing_after_query);
    tcase_add_test(tc, test_notify_without_query_evaluates_and_tells_when_allowed);
    tcase_add_test(tc, test_notify_without_query_tells_nobody_when_refused);
    tcase_add_test(tc, test_failed_query_then_notify_reevaluates);
    tcase_add_test(tc, test_do_fast_without_notify_tells_notify_first);
    tcase_add_test(tc, test_do_fast_alone_evaluates_then_tells_both);
    tcase_add_test(tc, test_each_notification_at_most_once);
    tcase_add_test(tc, test_failed_notify_does_not_stop_others_and_is_returned);
    tcase_add_test(tc, test_failed_do_fast_does_not_stop_others_and_is_returned);
    tcase_add_test(tc, test_provider_without_interface_is_never_called);
    tcase_add_test(tc, test_after_do_fast_every_call_fails_and_touches_no_provider);
    tcase_add_test(tc, test_after_do_fast_with_errors_every_call_fails_too);
    tcase_add_test(tc, test_refused_do_fast_leaves_the_subsystem_usable);
    tcase_add_test(tc, test_reentrant_calls_fail_at_once_and_nobody_is_told_twice);
    tcase_add_test(tc, test_registration_after_query_makes_the_next_phase_ask_again);
    tcase_add_test(tc, test_provider_registered_after_notify_is_told_both_at_do_fast);
    tcase_add_test(tc, test_unregister_releases_and_stops_calls);
    tcase_add_test(tc, test_bad_registration_changes_nothing);
    tcase_add_test(tc, test_unloadable_only_with_no_provider_and_no_shutdown);
    tcase_add_test(tc, test_free_calls_no_provider_code);
    tcase_add_test(tc, test_run_gated_is_refused_after_do_fast);
    suite_add_tcase(suite, tc);
    return suite;
}
