/* The exit record as the core writes it and the reader reads it back: what
 * each phase leaves there, the verdicts, a record cut at any moment, and
 * records that are not what they claim. */
#include "suites.h"
#include "fake_env.h"
#include "core/exit_reader.h"
#include "tool/exit_summary.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct fake f;
static struct fake_provider xp, ab, ms;
static struct exit_view view;
static char reason[2048];

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ab, &f, "ab");
    fake_provider_init(&ms, &f, "ms");
    xp.module = "emsmdb32.dll";
    ab.module = "contab32.dll";
    ms.module = "mspst32.dll";
}

static void teardown(void) { fake_free(&f); }

static void register_three(void)
{
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &ab, SHUT_AB_PROVIDER, 1);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
}

/* Reads a record as the tool would, a process that is gone. */
static enum exit_verdict read_bytes(const uint8_t *bytes)
{
    enum exit_verdict verdict;

    exit_view_open(&view, bytes, exit_record_size());
    ck_assert_int_eq(view.status, EXIT_FILE_OK);
    verdict = exit_verdict(&view, false);
    exit_reason(&view, verdict, reason, sizeof(reason));
    return verdict;
}

static enum exit_verdict read_back(void)
{
    return read_bytes(f.record);
}

static const struct exit_provider_call *call_of(const char *dll, uint32_t call)
{
    for (uint32_t i = 0; i < view.call_count; i++) {
        const struct exit_provider *p = exit_view_provider(&view, view.calls[i].provider);
        char name[64];

        if (!p || view.calls[i].call != call)
            continue;
        exit_provider_dll(p, name, sizeof(name));
        if (!strcmp(name, dll))
            return &view.calls[i];
    }
    return NULL;
}

START_TEST(test_fast_exit_records_every_call)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_back(), VERDICT_FAST);
    ck_assert_str_eq(reason, "DoFastShutdown returned 0x00000000");
    ck_assert_uint_eq(view.provider_count, 3);
    ck_assert_uint_eq(view.client_call_count, 3);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(view.client_calls[i].state, EXIT_ENTRY_DONE);
        ck_assert_uint_eq(view.client_calls[i].call, i); /* Query, Notify, DoFast */
        ck_assert_int_eq(view.client_calls[i].result, SHUT_S_OK);
    }
    ck_assert_uint_eq(view.call_count, 9);
    for (uint32_t i = 0; i < view.call_count; i++) {
        ck_assert_uint_eq(view.calls[i].state, EXIT_ENTRY_DONE);
        ck_assert_uint_eq(view.calls[i].outcome, OUTCOME_RETURNED);
    }
    /* Transports first, then address books, then stores, in every phase. */
    ck_assert_ptr_eq(exit_view_provider(&view, view.calls[0].provider), exit_view_provider(&view, 2));
    ck_assert_ptr_nonnull(call_of("mspst32.dll", PROVIDER_DO_FAST));
    ck_assert_uint_eq(call_of("mspst32.dll", PROVIDER_DO_FAST)->client_call, 2);
    ck_assert_uint_eq(view.header->providers_registered, 3);
    ck_assert_uint_eq(view.header->settings[EXIT_WARN].value, 500);
    ck_assert_uint_eq(view.header->settings[EXIT_RECORDS].value, 32);
    ck_assert_uint_eq(view.header->settings[EXIT_BEHAVIOR].place, POLICY_DEFAULT);
}
END_TEST

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

static void slow(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call == PROVIDER_DO_FAST)
        sleep_ms(30);
}

START_TEST(test_durations_are_measured)
{
    const struct exit_provider_call *slowest;
    char dll[64];

    register_three();
    ab.during = slow;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    read_back();
    slowest = exit_slowest_call(&view);
    ck_assert_ptr_nonnull(slowest);
    exit_provider_dll(exit_view_provider(&view, slowest->provider), dll, sizeof(dll));
    ck_assert_str_eq(dll, "contab32.dll");
    ck_assert_uint_ge(slowest->duration_us, 30000);
    ck_assert_uint_ge(view.client_calls[1].duration_us, slowest->duration_us);
}
END_TEST

START_TEST(test_refused_by_policy_names_the_place)
{
    register_three();
    fake_set_policy(&f, POLICY_HKLM_POLICY, 1, SHUTDOWN_DISABLED);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(read_back(), VERDICT_REFUSED);
    ck_assert_str_eq(reason, "FastShutdownBehavior is 2 in the machine policy (Office 15.0); "
                             "3 providers were still registered: mspst32.dll (mspst32.dll), "
                             "contab32.dll (contab32.dll), emsmdb32.dll (emsmdb32.dll) when the process ended");
}
END_TEST

START_TEST(test_refused_by_a_provider_names_it)
{
    register_three();
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(read_back(), VERDICT_REFUSED);
    ck_assert_ptr_nonnull(strstr(reason, "the address book provider contab32.dll (contab32.dll) opted out: "
                                         "QueryFastShutdown returned 0x80040102"));
    ck_assert_uint_eq(call_of("contab32.dll", PROVIDER_QUERY)->outcome, OUTCOME_FAILED);
}
END_TEST

/* Only the last evaluation's answer counts, and its refusals. */
START_TEST(test_a_later_yes_is_not_refused)
{
    register_three();
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ab.answer[PROVIDER_QUERY] = SHUT_S_OK;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_back(), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(read_back(), VERDICT_REFUSED);
    ck_assert_ptr_nonnull(strstr(reason, "contab32.dll (contab32.dll) opted out"));
    ck_assert_ptr_nonnull(strstr(reason, "mspst32.dll (mspst32.dll) opted out"));
}
END_TEST

START_TEST(test_every_provider_unregistered_is_normal)
{
    uint32_t a = fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1), b = fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);

    ck_assert_int_eq(read_back(), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    ck_assert_int_eq(shutdown_unregister(&f.s, a), SHUT_S_OK);
    ck_assert_int_eq(shutdown_unregister(&f.s, b), SHUT_S_OK);
    ck_assert_int_eq(read_back(), VERDICT_NORMAL);
    ck_assert(view.providers[0].flags & EXIT_PROVIDER_UNREGISTERED);
    ck_assert_uint_ge(view.providers[0].unregistered_us, view.providers[0].registered_us);
}
END_TEST

START_TEST(test_ended_without_shutdown_names_who_was_registered)
{
    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_back(), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    ck_assert_str_eq(reason, "the process ended without DoFastShutdown and without unregistering its providers: "
                             "3 providers were still registered: mspst32.dll (mspst32.dll), "
                             "contab32.dll (contab32.dll), emsmdb32.dll (emsmdb32.dll), "
                             "and their unsaved data is at risk");
    ck_assert(exit_verdict(&view, true) == VERDICT_RUNNING);
}
END_TEST

/* A process killed inside a provider's call: the record, as it is at that
 * moment, says so. */
static uint8_t *snapshot;
static enum provider_call snapshot_call;

static void take_snapshot(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call == snapshot_call)
        memcpy(snapshot, f.record, exit_record_size());
}

START_TEST(test_a_record_cut_inside_a_call_reads_as_what_happened)
{
    char dll[64];

    snapshot = malloc(exit_record_size());
    snapshot_call = PROVIDER_DO_FAST;
    register_three();
    ab.during = take_snapshot;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_bytes(snapshot), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    ck_assert_ptr_nonnull(strstr(reason, "; it ended inside DoFastShutdown, in the address book provider "
                                         "contab32.dll (contab32.dll)'s DoFastShutdown"));
    ck_assert_uint_eq(view.client_calls[view.client_call_count - 1].state, EXIT_ENTRY_STARTED);
    exit_provider_dll(exit_view_provider(&view, view.calls[view.call_count - 1].provider), dll, sizeof(dll));
    ck_assert_str_eq(dll, "contab32.dll");
    ck_assert_uint_eq(view.calls[view.call_count - 1].state, EXIT_ENTRY_STARTED);
    free(snapshot);
}
END_TEST

/* A client asked again after a refusal and was killed while a provider
 * answered: that query never said no, and its providers' data is at risk. */
START_TEST(test_a_record_cut_inside_a_later_query_is_not_refused)
{
    snapshot = malloc(exit_record_size());
    snapshot_call = PROVIDER_QUERY;
    register_three();
    ab.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ab.answer[PROVIDER_QUERY] = SHUT_S_OK;
    ms.during = take_snapshot;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_bytes(snapshot), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    ck_assert_ptr_nonnull(strstr(reason, "; it ended inside QueryFastShutdown, in the store provider "
                                         "mspst32.dll (mspst32.dll)'s QueryFastShutdown"));
    free(snapshot);
}
END_TEST

START_TEST(test_abandoned_and_crashed_calls_keep_their_outcome)
{
    register_three();
    f.timeout_ms = 100;
    ab.outcome[PROVIDER_DO_FAST] = CALL_TIMED_OUT;
    ms.outcome[PROVIDER_NOTIFY] = CALL_CRASHED;
    ms.answer[PROVIDER_NOTIFY] = (int32_t)0xC0000005;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(read_back(), VERDICT_FAST);
    ck_assert_uint_eq(call_of("contab32.dll", PROVIDER_DO_FAST)->outcome, OUTCOME_ABANDONED);
    ck_assert_uint_eq(call_of("mspst32.dll", PROVIDER_NOTIFY)->outcome, OUTCOME_CRASHED);
    ck_assert_uint_eq(call_of("mspst32.dll", PROVIDER_NOTIFY)->exception, 0xC0000005u);
    ck_assert_ptr_null(call_of("mspst32.dll", PROVIDER_DO_FAST)); /* never called again */
    ck_assert(view.providers[0].flags & EXIT_PROVIDER_ABANDONED);
    ck_assert_str_eq(reason, "DoFastShutdown returned 0x00040380: a provider failed or was abandoned");
}
END_TEST

START_TEST(test_a_call_made_without_a_worker_is_recorded_so)
{
    register_three();
    f.timeout_ms = 100;
    f.next_flags = CALL_UNGUARDED | CALL_HOOK_FAILED;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    read_back();
    ck_assert_uint_eq(view.calls[0].flags, EXIT_CALL_UNGUARDED | EXIT_CALL_HOOK_FAILED);
    ck_assert_int_eq(fake_events(&f, EVENT_UNGUARDED_CALL), 3);
    ck_assert_int_eq(fake_events(&f, EVENT_HOOK_FAILED), 3);
    ck_assert_int_eq(f.reported[EVENT_UNGUARDED_CALL], 3);
}
END_TEST

/* Beyond the record's room: still counted, never written past it. */
START_TEST(test_what_does_not_fit_is_counted)
{
    static struct fake_provider many[EXIT_PROVIDERS_MAX + 6];

    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
        fake_provider_init(&many[i], &f, "p");
        fake_register(&f, &many[i], SHUT_STORE_PROVIDER, 1);
    }
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    read_back();
    ck_assert_uint_eq(view.provider_count, EXIT_PROVIDERS_MAX);
    ck_assert_uint_eq(view.providers_left_out, 6);
    ck_assert_uint_eq(view.call_count, EXIT_PROVIDER_CALLS_MAX);
    ck_assert_uint_eq(view.calls_left_out, 8 * (EXIT_PROVIDERS_MAX + 6) - EXIT_PROVIDER_CALLS_MAX);
    ck_assert_uint_eq(view.calls[EXIT_PROVIDERS_MAX + 1].provider, EXIT_NO_PROVIDER);
    ck_assert_ptr_null(exit_view_provider(&view, EXIT_NO_PROVIDER));
}
END_TEST

/* A call the record has no room for is not timed: once it is full, only
 * the client's call reads the clock, at its start and its end. */
START_TEST(test_calls_past_the_room_read_no_clock)
{
    static struct fake_provider many[EXIT_PROVIDERS_MAX];

    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++) {
        fake_provider_init(&many[i], &f, "p");
        fake_register(&f, &many[i], SHUT_STORE_PROVIDER, 1);
    }
    for (int i = 0; i < EXIT_PROVIDER_CALLS_MAX / EXIT_PROVIDERS_MAX; i++)
        ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    f.clock_reads = 0;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_uint_eq(f.clock_reads, 2);
    read_back();
    ck_assert_uint_eq(view.calls_left_out, EXIT_PROVIDERS_MAX);
}
END_TEST

START_TEST(test_names_are_shown_safely)
{
    uint16_t name[] = { 'A', 0x1b, '[', '2', 'J', 0x07, 0xd800, 'z', 0xe9, 0x3a9, 0 };
    char text[64];

    exit_text(name, sizeof(name) / sizeof(name[0]), text, sizeof(text));
    ck_assert_str_eq(text, "A?[2J??z\xc3\xa9\xce\xa9");
    exit_text(name, 3, text, sizeof(text));           /* no NUL within max */
    ck_assert_str_eq(text, "A?[");
    exit_text(name, 10, text, 4);                     /* cut to size */
    ck_assert_str_eq(text, "A?[");
}
END_TEST

START_TEST(test_times_read_as_dates)
{
    static const struct { uint64_t filetime; const char *text; } cases[] = {
        { 116444736000000000u, "1970-01-01 00:00:00 UTC" }, { 125962992000000000u, "2000-02-29 12:00:00 UTC" },
        { 134406669180000000u, "2026-12-02 06:35:18 UTC" }, { 0, "1601-01-01 00:00:00 UTC" },
        { 157521023990000000u, "2100-03-01 23:59:59 UTC" },
    };
    char text[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        exit_time_text(cases[i].filetime, text, sizeof(text));
        ck_assert_str_eq(text, cases[i].text);
    }
}
END_TEST

/* What the Event Log hears, item by item. */
static struct exit_item items[16];
static int item_count;

static void collect(void *ctx, const struct exit_item *item)
{
    (void)ctx;
    if (item_count < 16)
        items[item_count] = *item;
    item_count++;
}

static void slow_notify(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call == PROVIDER_NOTIFY)
        sleep_ms(40);
}

START_TEST(test_event_log_items_of_an_exit)
{
    static struct exit_item scratch;

    register_three();
    f.timeout_ms = 100;
    ab.outcome[PROVIDER_DO_FAST] = CALL_TIMED_OUT;
    ms.outcome[PROVIDER_DO_FAST] = CALL_CRASHED;
    ms.answer[PROVIDER_DO_FAST] = (int32_t)0xC0000005;
    xp.during = slow_notify;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    /* ProviderWarnMs as the fake gives it: the default, 500. Make it 30. */
    ((struct exit_header *)f.record)->settings[EXIT_WARN].value = 30;
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_W_ERRORS_RETURNED);
    read_back();
    item_count = 0;
    exit_items(&view, VERDICT_FAST, &scratch, collect, NULL);
    ck_assert_int_eq(item_count, 3);
    ck_assert_int_eq(items[0].kind, ITEM_SLOW);
    ck_assert_str_eq(items[0].strings[0], "C:\\client.exe");
    ck_assert_str_eq(items[0].strings[1], "42");
    ck_assert_str_eq(items[0].strings[2], "transport");
    ck_assert_str_eq(items[0].strings[4], "emsmdb32.dll");
    ck_assert_str_eq(items[0].strings[5], "NotifyProcessShutdown");
    ck_assert_int_ge(atoi(items[0].strings[6]), 40);
    ck_assert_str_eq(items[0].strings[7], "30");
    ck_assert_int_eq(items[1].kind, ITEM_ABANDONED);
    ck_assert_str_eq(items[1].strings[4], "contab32.dll");
    ck_assert_str_eq(items[1].strings[5], "DoFastShutdown");
    ck_assert_str_eq(items[1].strings[6], "100");
    ck_assert_int_eq(items[2].kind, ITEM_CRASHED);
    ck_assert_str_eq(items[2].strings[6], "0xC0000005");
}
END_TEST

START_TEST(test_event_log_items_of_a_refusal_and_of_an_exit_at_risk)
{
    static struct exit_item scratch;

    register_three();
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(read_back(), VERDICT_REFUSED);
    item_count = 0;
    exit_items(&view, VERDICT_REFUSED, &scratch, collect, NULL);
    ck_assert_int_eq(item_count, 1);
    ck_assert_int_eq(items[0].kind, ITEM_REFUSED);
    ck_assert_uint_eq(items[0].count, 4);
    ck_assert_ptr_nonnull(strstr(items[0].strings[3], "mspst32.dll (mspst32.dll) opted out"));
    ms.answer[PROVIDER_QUERY] = SHUT_S_OK;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(read_back(), VERDICT_ENDED_WITHOUT_SHUTDOWN);
    item_count = 0;
    exit_items(&view, VERDICT_ENDED_WITHOUT_SHUTDOWN, &scratch, collect, NULL);
    ck_assert_int_eq(item_count, 1);
    ck_assert_int_eq(items[0].kind, ITEM_ENDED_WITHOUT_SHUTDOWN);
    ck_assert_str_eq(items[0].strings[3], "3");
    ck_assert_ptr_nonnull(strstr(items[0].strings[4], "emsmdb32.dll"));
}
END_TEST

/* --- records that are not what they claim ----------------------------------- */

static uint8_t *good_record(void)
{
    uint8_t *bytes = calloc(1, exit_record_size() + 8); /* room to be too long */

    register_three();
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    memcpy(bytes, f.record, exit_record_size());
    return bytes;
}

START_TEST(test_damaged_records_are_told_apart)
{
    uint8_t *bytes = good_record();
    struct exit_header *h = (struct exit_header *)bytes;
    size_t size = exit_record_size();

    exit_view_open(&view, bytes, size - 1);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);              /* truncated */
    exit_view_open(&view, bytes, 10);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);
    exit_view_open(&view, bytes, size + 8);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);              /* longer than it says */
    h->record_size -= 8;                                            /* and says so */
    exit_view_open(&view, bytes, size - 8);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);
    h->record_size += 8;
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_OK);
    h->version = 2;
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_OTHER_VERSION);
    h->version = EXIT_RECORD_VERSION;
    h->providers.offset = (uint32_t)size - 8;                       /* outside the record */
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);
    h->providers.offset = sizeof(*h);
    h->providers.entry_size = 8;                                    /* not this reader's entries */
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);
    h->magic[0] = 'X';
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_DAMAGED);
    ck_assert_ptr_nonnull(view.problem);
    memset(bytes, 0, size);                                         /* created, never written */
    exit_view_open(&view, bytes, size);
    ck_assert_int_eq(view.status, EXIT_FILE_INCOMPLETE);
    free(bytes);
}
END_TEST

START_TEST(test_garbage_in_entries_is_shown_not_trusted)
{
    uint8_t *bytes = good_record();
    struct exit_view v;

    exit_view_open(&v, bytes, exit_record_size());
    ck_assert_int_eq(v.status, EXIT_FILE_OK);
    /* Counters past the capacity, unknown enums, names without a NUL. */
    ((struct exit_header *)bytes)->provider_calls.reserved = UINT32_MAX;
    ((struct exit_provider_call *)v.calls)[0].provider = 12345;
    ((struct exit_provider_call *)v.calls)[0].outcome = 99;
    for (size_t i = 0; i < PROVIDER_DISPLAY_NAME_MAX; i++)
        ((struct exit_provider *)v.providers)[0].who.display_name[i] = 'x';
    exit_view_open(&v, bytes, exit_record_size());
    ck_assert_int_eq(v.status, EXIT_FILE_OK);
    ck_assert_uint_eq(v.call_count, EXIT_PROVIDER_CALLS_MAX);
    ck_assert_ptr_null(exit_view_provider(&v, v.calls[0].provider));
    ck_assert_str_eq(exit_outcome_name(v.calls[0].outcome), "?");
    exit_provider_name(&v.providers[0], reason, sizeof(reason));
    ck_assert_uint_eq(strlen(reason), PROVIDER_DISPLAY_NAME_MAX);
    exit_reason(&v, exit_verdict(&v, false), reason, sizeof(reason));
    free(bytes);
}
END_TEST

Suite *exit_record_suite(void)
{
    Suite *suite = suite_create("exit_record");
    TCase *tc = tcase_create("record");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fast_exit_records_every_call);
    tcase_add_test(tc, test_durations_are_measured);
    tcase_add_test(tc, test_refused_by_policy_names_the_place);
    tcase_add_test(tc, test_refused_by_a_provider_names_it);
    tcase_add_test(tc, test_a_later_yes_is_not_refused);
    tcase_add_test(tc, test_every_provider_unregistered_is_normal);
    tcase_add_test(tc, test_ended_without_shutdown_names_who_was_registered);
    tcase_add_test(tc, test_a_record_cut_inside_a_call_reads_as_what_happened);
    tcase_add_test(tc, test_a_record_cut_inside_a_later_query_is_not_refused);
    tcase_add_test(tc, test_abandoned_and_crashed_calls_keep_their_outcome);
    tcase_add_test(tc, test_a_call_made_without_a_worker_is_recorded_so);
    tcase_add_test(tc, test_what_does_not_fit_is_counted);
    tcase_add_test(tc, test_calls_past_the_room_read_no_clock);
    tcase_add_test(tc, test_names_are_shown_safely);
    tcase_add_test(tc, test_times_read_as_dates);
    tcase_add_test(tc, test_event_log_items_of_an_exit);
    tcase_add_test(tc, test_event_log_items_of_a_refusal_and_of_an_exit_at_risk);
    suite_add_tcase(suite, tc);

    tc = tcase_create("untrusted");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_damaged_records_are_told_apart);
    tcase_add_test(tc, test_garbage_in_entries_is_shown_not_trusted);
    suite_add_tcase(suite, tc);
    return suite;
}
