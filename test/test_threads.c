/* Phases from several threads: serialised, nobody told twice, and no
 * DoFastShutdown returns before every provider has finished saving. */
#include "suites.h"
#include "fake_env.h"

#include <sched.h>
#include <stdatomic.h>
#include <time.h>

static struct fake f;
static struct fake_provider xp, ms;
static atomic_int saving, release_saving, store_finished;

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

/* The store takes its time in DoFastShutdown, until the test lets it go. */
static void slow_store(struct fake_provider *p, enum provider_call call)
{
    (void)p;
    if (call != PROVIDER_DO_FAST)
        return;
    atomic_store(&saving, 1);
    while (!atomic_load(&release_saving))
        sleep_ms(1);
    atomic_store(&store_finished, 1);
}

struct caller {
    pthread_t thread;
    int32_t (*phase)(struct shutdown *s);
    int32_t result;
    int store_finished_at_return;
    atomic_int returned;
};

static void *run_caller(void *arg)
{
    struct caller *c = arg;

    c->result = c->phase(&f.s);
    c->store_finished_at_return = atomic_load(&store_finished);
    atomic_store(&c->returned, 1);
    return NULL;
}

static void start(struct caller *c, int32_t (*phase)(struct shutdown *s))
{
    c->phase = phase;
    atomic_store(&c->returned, 0);
    ck_assert_int_eq(pthread_create(&c->thread, NULL, run_caller, c), 0);
}

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ms, &f, "ms");
    atomic_store(&saving, 0);
    atomic_store(&release_saving, 0);
    atomic_store(&store_finished, 0);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    ms.during = slow_store;
}

static void teardown(void) { fake_free(&f); }

START_TEST(test_second_do_fast_waits_for_the_first_to_finish)
{
    struct caller first, second;

    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    start(&first, shutdown_do_fast);
    while (!atomic_load(&saving))
        sleep_ms(1);
    start(&second, shutdown_do_fast);
    sleep_ms(100);
    ck_assert_msg(!atomic_load(&second.returned), "second DoFastShutdown returned while the store saved");
    atomic_store(&release_saving, 1);
    pthread_join(first.thread, NULL);
    pthread_join(second.thread, NULL);
    ck_assert_int_eq(first.result, SHUT_S_OK);
    ck_assert_int_eq(second.result, SHUT_S_OK);
    ck_assert(first.store_finished_at_return);
    ck_assert(second.store_finished_at_return);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST], 1);
    ck_assert_int_eq(xp.calls[PROVIDER_DO_FAST], 1);
    ck_assert_int_eq(ms.calls[PROVIDER_NOTIFY], 1);
}
END_TEST

START_TEST(test_waiting_do_fast_gets_the_first_ones_errors)
{
    struct caller first, second;

    xp.answer[PROVIDER_DO_FAST] = SHUT_E_CALL_FAILED;
    start(&first, shutdown_do_fast);
    while (!atomic_load(&saving))
        sleep_ms(1);
    start(&second, shutdown_do_fast);
    sleep_ms(50);
    atomic_store(&release_saving, 1);
    pthread_join(first.thread, NULL);
    pthread_join(second.thread, NULL);
    ck_assert_int_eq(first.result, SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(second.result, SHUT_W_ERRORS_RETURNED);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_CALL_FAILED);
}
END_TEST

START_TEST(test_query_during_do_fast_waits_then_fails)
{
    struct caller first, query;

    start(&first, shutdown_do_fast);
    while (!atomic_load(&saving))
        sleep_ms(1);
    start(&query, shutdown_query);
    sleep_ms(50);
    ck_assert(!atomic_load(&query.returned));
    atomic_store(&release_saving, 1);
    pthread_join(first.thread, NULL);
    pthread_join(query.thread, NULL);
    ck_assert_int_eq(query.result, SHUT_E_CALL_FAILED);
    ck_assert_int_eq(xp.calls[PROVIDER_QUERY], 1);
}
END_TEST

/* Many threads race the whole sequence: everyone is told each notification
 * exactly once, whoever wins. */
#define RACERS 8
#define ROUNDS 200

static void *race_sequence(void *arg)
{
    struct fake *race = arg;

    shutdown_query(&race->s);
    shutdown_notify(&race->s);
    shutdown_do_fast(&race->s);
    return NULL;
}

START_TEST(test_racing_sequences_tell_everyone_exactly_once)
{
    for (int round = 0; round < ROUNDS; round++) {
        struct fake race;
        struct fake_provider p[4];
        pthread_t threads[RACERS];

        fake_init(&race);
        for (int i = 0; i < 4; i++) {
            fake_provider_init(&p[i], &race, "p");
            fake_register(&race, &p[i], i % 2 ? SHUT_STORE_PROVIDER : SHUT_TRANSPORT_PROVIDER, 1);
        }
        for (int t = 0; t < RACERS; t++)
            ck_assert_int_eq(pthread_create(&threads[t], NULL, race_sequence, &race), 0);
        for (int t = 0; t < RACERS; t++)
            pthread_join(threads[t], NULL);
        for (int i = 0; i < 4; i++) {
            ck_assert_int_eq(p[i].calls[PROVIDER_NOTIFY], 1);
            ck_assert_int_eq(p[i].calls[PROVIDER_DO_FAST], 1);
        }
        fake_free(&race);
    }
}
END_TEST

/* Whether DoFastShutdown has run is read by callers outside the gate while
 * the DoFastShutdown that sets it runs: under the thread sanitizer this
 * test fails if that state is written without the lock. */
static atomic_int stop_polling;

static void *poll_done(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_polling)) {
        if (fake_is_done(&f) && shutdown_refuses_caller(&f.s))
            break;
        sched_yield();
    }
    return NULL;
}

START_TEST(test_done_is_read_safely_while_do_fast_sets_it)
{
    pthread_t poller;

    atomic_store(&release_saving, 1); /* the store saves at once */
    ck_assert_int_eq(pthread_create(&poller, NULL, poll_done, NULL), 0);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    atomic_store(&stop_polling, 1);
    pthread_join(poller, NULL);
    ck_assert(fake_is_done(&f));
}
END_TEST

Suite *threads_suite(void)
{
    Suite *suite = suite_create("threads");
    TCase *tc = tcase_create("serialised");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_second_do_fast_waits_for_the_first_to_finish);
    tcase_add_test(tc, test_waiting_do_fast_gets_the_first_ones_errors);
    tcase_add_test(tc, test_query_during_do_fast_waits_then_fails);
    tcase_add_test(tc, test_racing_sequences_tell_everyone_exactly_once);
    tcase_add_test(tc, test_done_is_read_safely_while_do_fast_sets_it);
    suite_add_tcase(suite, tc);
    return suite;
}
