/* The core's side of the robustness rules (docs/design.md section 6) and of
 * aggregation: strangers refused without entering the gate, registration
 * serialised with DoFastShutdown, unloading only when nothing would be lost,
 * attach order that never wraps. */
#include "suites.h"
#include "alloc_count.h"
#include "fake_env.h"
#include "profile_builder.h"

#include <stdatomic.h>
#include <time.h>

static struct fake f;
static struct fake_provider xp, ms, late;

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ms, &f, "ms");
    fake_provider_init(&late, &f, "late");
}

static void teardown(void) { fake_free(&f); }

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

/* --- a provider the deadline abandoned, calling back late ------------------ */

struct stranger {
    pthread_t thread;
    int32_t query, notify, do_fast, reg, unreg;
    atomic_int done;
};

/* Runs as the abandoned provider's thread: every call must fail at once. */
static void *stranger_calls(void *arg)
{
    struct stranger *st = arg;
    uint32_t cookie = 9;

    fake_abandon_this_thread();
    st->query = shutdown_query(&f.s);
    st->notify = shutdown_notify(&f.s);
    st->do_fast = shutdown_do_fast(&f.s);
    st->reg = shutdown_register(&f.s, NULL, SHUT_STORE_PROVIDER, &late, &cookie);
    st->unreg = shutdown_unregister(&f.s, 1);
    atomic_store(&st->done, 1);
    return NULL;
}

static void assert_stranger_refused(struct stranger *st)
{
    ck_assert_int_eq(st->query, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(st->notify, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(st->do_fast, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(st->reg, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(st->unreg, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(late.queried, 0);
}

static struct stranger during_phase;

/* While the client holds the gate, the stranger must not wait for it. */
static void stranger_during_store_call(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call != PROVIDER_QUERY)
        return;
    ck_assert_int_eq(pthread_create(&during_phase.thread, NULL, stranger_calls, &during_phase), 0);
    for (int i = 0; i < 2000 && !atomic_load(&during_phase.done); i++)
        sleep_ms(1);
}

START_TEST(test_abandoned_provider_is_refused_without_waiting_for_the_gate)
{
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ms.during = stranger_during_store_call;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(atomic_load(&during_phase.done), 1); /* returned while the gate was held */
    pthread_join(during_phase.thread, NULL);
    assert_stranger_refused(&during_phase);
    ck_assert_str_eq(f.log, "xp.Q ms.Q");
}
END_TEST

START_TEST(test_late_callback_leaves_the_client_served_as_before)
{
    struct stranger st = { 0 };

    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(pthread_create(&st.thread, NULL, stranger_calls, &st), 0);
    pthread_join(st.thread, NULL);
    assert_stranger_refused(&st);
    /* Nobody was asked again or told anything by the stranger's calls. */
    ck_assert_str_eq(f.log, "xp.Q ms.Q");
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xp.Q ms.Q xp.Q ms.Q xp.N ms.N xp.D ms.D");
}
END_TEST

/* Abandoned in NotifyProcessShutdown, then calling back: the client's
 * DoFastShutdown still tells every other provider. */
static void stranger_from_notify(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call == PROVIDER_NOTIFY)
        p->outcome[PROVIDER_NOTIFY] = CALL_TIMED_OUT;
}

START_TEST(test_abandoned_in_notify_then_do_fast_tells_the_others)
{
    struct stranger st = { 0 };

    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    xp.during = stranger_from_notify;
    f.timeout_ms = 100;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(pthread_create(&st.thread, NULL, stranger_calls, &st), 0);
    pthread_join(st.thread, NULL);
    assert_stranger_refused(&st);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_str_eq(f.log, "xp.Q ms.Q xp.N ms.N ms.D");
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_TIMED_OUT), 1);
}
END_TEST

/* --- registration is serialised with DoFastShutdown ---------------------- */

static atomic_int store_saving, let_store_finish;

static void slow_store(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call != PROVIDER_DO_FAST)
        return;
    atomic_store(&store_saving, 1);
    while (!atomic_load(&let_store_finish))
        sleep_ms(1);
}

static void *run_do_fast(void *arg)
{
    *(int32_t *)arg = shutdown_do_fast(&f.s);
    return NULL;
}

struct registrar {
    pthread_t thread;
    int32_t hr;
    uint32_t cookie;
};

static void *run_register(void *arg)
{
    struct registrar *r = arg;

    r->hr = shutdown_register(&f.s, NULL, SHUT_AB_PROVIDER, &late, &r->cookie);
    return NULL;
}

/* Its QueryInterface ran before the gate; DoFastShutdown then finished
 * first: the registration fails and what it got is released. */
START_TEST(test_registration_racing_do_fast_fails_and_releases_what_it_got)
{
    struct registrar r = { 0 };
    pthread_t do_fast;
    int32_t result = 1;

    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ms.during = slow_store;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(pthread_create(&do_fast, NULL, run_do_fast, &result), 0);
    while (!atomic_load(&store_saving))
        sleep_ms(1);
    ck_assert_int_eq(pthread_create(&r.thread, NULL, run_register, &r), 0);
    sleep_ms(50);
    atomic_store(&let_store_finish, 1);
    pthread_join(do_fast, NULL);
    pthread_join(r.thread, NULL);
    ck_assert_int_eq(result, SHUT_S_OK);
    ck_assert_int_eq(r.hr, SHUT_E_CALL_FAILED);
    ck_assert_uint_eq(r.cookie, 0);
    ck_assert_int_eq(late.queried, 1);
    ck_assert_int_eq(late.released, 1);
    ck_assert_int_eq(late.calls[PROVIDER_QUERY] + late.calls[PROVIDER_NOTIFY] + late.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

static atomic_int in_query_interface, leave_query_interface;

static void slow_query_interface(struct fake_provider *p)
{
    (void)p;
    atomic_store(&in_query_interface, 1);
    while (!atomic_load(&leave_query_interface))
        sleep_ms(1);
}

/* The provider's QueryInterface runs before the gate: while it hangs, the
 * client's phases go on; when it returns after DoFastShutdown, the
 * registration fails and releases what it got. */
START_TEST(test_registration_runs_no_provider_code_with_the_gate_held)
{
    struct registrar r = { 0 };

    atomic_store(&in_query_interface, 0);
    atomic_store(&leave_query_interface, 0);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    late.during_query = slow_query_interface;
    ck_assert_int_eq(pthread_create(&r.thread, NULL, run_register, &r), 0);
    while (!atomic_load(&in_query_interface))
        sleep_ms(1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    atomic_store(&leave_query_interface, 1);
    pthread_join(r.thread, NULL);
    ck_assert_int_eq(r.hr, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(late.released, 1);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

/* A QueryInterface the deadline gave up on: the registration fails, and
 * nothing it may still hand back is kept. */
START_TEST(test_registration_whose_query_interface_overran_fails)
{
    uint32_t cookie = 1;

    late.query_outcome = CALL_TIMED_OUT;
    ck_assert_int_eq(shutdown_register(&f.s, NULL, SHUT_AB_PROVIDER, &late, &cookie), SHUT_E_TIMEOUT);
    ck_assert_uint_eq(cookie, 0);
    ck_assert_int_eq(late.released, 0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(late.calls[PROVIDER_QUERY], 0);
}
END_TEST

START_TEST(test_registration_asks_for_the_interface_once_and_keeps_it)
{
    uint32_t cookie = fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);

    ck_assert_int_eq(ms.queried, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(ms.queried, 1);
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_E_CALL_FAILED);
    ck_assert_int_eq(ms.released, 0);
}
END_TEST

/* --- unloading ------------------------------------------------------------ */

static int32_t attach_one(const char *uid, const char *dll)
{
    static struct profile_builder b;
    struct profile profile;
    int32_t hr;
    size_t s;

    builder_init(&b);
    s = builder_section(&b, uid);
    builder_long(&b, s, "00033e03", 33);
    builder_unicode(&b, s, "001f300a", dll);
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
    hr = shutdown_attach(&f.s, &profile, NULL);
    profile_free(&profile);
    return hr;
}

START_TEST(test_an_attached_profile_keeps_the_module)
{
    ck_assert(shutdown_can_unload(&f.s));
    ck_assert_int_eq(attach_one("b0000000000000000000000000000001", "MSA.DLL"), SHUT_S_OK);
    ck_assert(!shutdown_can_unload(&f.s));
}
END_TEST

START_TEST(test_an_attached_profile_without_providers_keeps_the_module_too)
{
    struct profile empty = { 0 };

    ck_assert_int_eq(shutdown_attach(&f.s, &empty, NULL), SHUT_S_OK);
    ck_assert(!shutdown_can_unload(&f.s));
}
END_TEST

/* --- what the profile could not give ----------------------------------------- */

static int32_t attach_with_unreadable(const char *readable_uid, const char *unreadable_uid)
{
    static struct profile_builder b;
    struct profile profile;
    int32_t hr;
    size_t s;

    builder_init(&b);
    s = builder_section(&b, readable_uid);
    builder_long(&b, s, "00033e03", 33);
    builder_unicode(&b, s, "001f300a", "MSA.DLL");
    s = builder_section(&b, unreadable_uid);
    b.sections[s].read_error = 5;
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
    hr = shutdown_attach(&f.s, &profile, NULL);
    profile_free(&profile);
    return hr;
}

START_TEST(test_option1_unreadable_section_refuses_unless_its_provider_registered)
{
    uint8_t uid[16];
    uint32_t cookie;

    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 1);
    ck_assert_int_eq(attach_with_unreadable("b0000000000000000000000000000001", "b0000000000000000000000000000002"),
                     SHUT_S_OK);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_SECTION_UNREADABLE), 1);
    /* The provider of that section registered: it is asked, like any other. */
    uid_from_hex("b0000000000000000000000000000002", uid);
    ck_assert_int_eq(shutdown_register(&f.s, uid, SHUT_STORE_PROVIDER, &xp, &cookie), SHUT_S_OK);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    /* Option 0 never minds. */
    ck_assert_int_eq(shutdown_unregister(&f.s, cookie), SHUT_S_OK);
    fake_clear_policy(&f);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

START_TEST(test_attach_out_of_memory_changes_nothing)
{
    int32_t hr = SHUT_E_OUTOFMEMORY;

    ck_assert_int_eq(attach_one("b0000000000000000000000000000001", "MSA.DLL"), SHUT_S_OK);
    for (long skip = 0; skip < 4 && hr == SHUT_E_OUTOFMEMORY; skip++) {
        static struct profile_builder b;
        struct profile profile;
        size_t s;

        builder_init(&b);
        s = builder_section(&b, "b0000000000000000000000000000002");
        builder_long(&b, s, "00033e03", 33);
        builder_unicode(&b, s, "001f300a", "MSB.DLL");
        s = builder_section(&b, "b0000000000000000000000000000003");
        b.sections[s].read_error = 5;
        ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
        alloc_fail_after(skip);
        hr = shutdown_attach(&f.s, &profile, NULL);
        alloc_fail_after(-1);
        profile_free(&profile);
        if (hr == SHUT_E_OUTOFMEMORY) {
            ck_assert_uint_eq(f.s.section_count, 1);
            ck_assert_uint_eq(f.s.unreadable_count, 0);
            ck_assert_uint_eq(f.s.profiles_attached, 1);
        }
    }
    ck_assert_int_eq(hr, SHUT_S_OK);
    ck_assert_uint_eq(f.s.section_count, 2);
    ck_assert_uint_eq(f.s.unreadable_count, 1);
}
END_TEST

/* --- diagnostics of the protocol path ------------------------------------------ */

START_TEST(test_protocol_phase_makes_no_text_and_records_everything)
{
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    xp.answer[PROVIDER_NOTIFY] = SHUT_E_CALL_FAILED;
    ms.answer[PROVIDER_DO_FAST] = SHUT_E_CALL_FAILED;
    f.timeout_ms = 250;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.report_writes, 0);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    /* Nothing made text on the protocol path; the exit record has both. */
    ck_assert_int_eq(f.report_writes, 0);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_FAILED), 2);
}
END_TEST

START_TEST(test_out_of_protocol_phase_reports_after_its_last_provider)
{
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    xp.answer[PROVIDER_NOTIFY] = SHUT_E_CALL_FAILED;
    f.timeout_ms = 250;
    /* No query first: the notification evaluates, so it reports like one. */
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.report_writes, 1);
    ck_assert_int_eq(f.reported[EVENT_PROVIDER_FAILED], 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_FAILED), 1);
    /* Written under the deadline the phase ran with. */
    ck_assert_uint_eq(f.last_report_timeout_ms, 250);
}
END_TEST

START_TEST(test_query_buffer_counts_what_did_not_fit)
{
    static struct fake_provider many[SHUTDOWN_DEFERRED_MAX + 5];

    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
        fake_provider_init(&many[i], &f, "p");
        many[i].answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
        fake_register(&f, &many[i], SHUT_STORE_PROVIDER, 1);
    }
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(f.reported[EVENT_PROVIDER_OPTED_OUT], SHUTDOWN_DEFERRED_MAX);
    ck_assert_uint_eq(f.report_lost, 5);
    /* The record has room for them all. */
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), SHUTDOWN_DEFERRED_MAX + 5);
}
END_TEST

/* --- attach order ------------------------------------------------------- */

START_TEST(test_attach_order_never_wraps)
{
    struct fake_provider first, second;
    uint8_t uid[16];
    uint32_t cookie;

    fake_provider_init(&first, &f, "first");
    fake_provider_init(&second, &f, "second");
    /* As after a million attaches of full profiles. */
    f.s.next_order = UINT32_MAX - 1;
    ck_assert_int_eq(attach_one("b0000000000000000000000000000001", "MSA.DLL"), SHUT_S_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(attach_one("b000000000000000000000000000000f", "MSF.DLL") == SHUT_S_OK, 1);
    ck_assert_int_eq(attach_one("b0000000000000000000000000000002", "MSB.DLL"), SHUT_S_OK);
    uid_from_hex("b0000000000000000000000000000002", uid);
    ck_assert_int_eq(shutdown_register(&f.s, uid, SHUT_STORE_PROVIDER, &second, &cookie), SHUT_S_OK);
    uid_from_hex("b0000000000000000000000000000001", uid);
    ck_assert_int_eq(shutdown_register(&f.s, uid, SHUT_STORE_PROVIDER, &first, &cookie), SHUT_S_OK);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "first.Q second.Q");
}
END_TEST

Suite *robustness_suite(void)
{
    Suite *suite = suite_create("robustness");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_abandoned_provider_is_refused_without_waiting_for_the_gate);
    tcase_add_test(tc, test_late_callback_leaves_the_client_served_as_before);
    tcase_add_test(tc, test_abandoned_in_notify_then_do_fast_tells_the_others);
    tcase_add_test(tc, test_registration_racing_do_fast_fails_and_releases_what_it_got);
    tcase_add_test(tc, test_registration_asks_for_the_interface_once_and_keeps_it);
    tcase_add_test(tc, test_registration_runs_no_provider_code_with_the_gate_held);
    tcase_add_test(tc, test_registration_whose_query_interface_overran_fails);
    tcase_add_test(tc, test_an_attached_profile_keeps_the_module);
    tcase_add_test(tc, test_an_attached_profile_without_providers_keeps_the_module_too);
    tcase_add_test(tc, test_attach_order_never_wraps);
    tcase_add_test(tc, test_option1_unreadable_section_refuses_unless_its_provider_registered);
    tcase_add_test(tc, test_attach_out_of_memory_changes_nothing);
    tcase_add_test(tc, test_protocol_phase_makes_no_text_and_records_everything);
    tcase_add_test(tc, test_out_of_protocol_phase_reports_after_its_last_provider);
    tcase_add_test(tc, test_query_buffer_counts_what_did_not_fit);
    suite_add_tcase(suite, tc);
    return suite;
}
