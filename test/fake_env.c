#include "fake_env.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

static void env_lock(void *ctx) { pthread_mutex_lock(&((struct fake *)ctx)->lock); }
static void env_unlock(void *ctx) { pthread_mutex_unlock(&((struct fake *)ctx)->lock); }

static void env_wait(void *ctx)
{
    struct fake *f = ctx;

    pthread_cond_wait(&f->cond, &f->lock);
}

static void env_wake_all(void *ctx) { pthread_cond_broadcast(&((struct fake *)ctx)->cond); }

/* A batch's thread stands for the thread that called the batch, as the
 * Win32 layer's workers do: a provider calling back is recognised. */
static _Thread_local uint32_t logical_thread;

static uint32_t env_current_thread(void *ctx)
{
    static atomic_uint next_id = 1;
    static _Thread_local uint32_t id;

    (void)ctx;
    if (logical_thread)
        return logical_thread;
    if (!id)
        id = atomic_fetch_add(&next_id, 1);
    return id;
}

static _Thread_local int thread_abandoned;

void fake_abandon_this_thread(void)
{
    thread_abandoned = 1;
}

static bool env_caller_is_abandoned(void *ctx)
{
    (void)ctx;
    return thread_abandoned;
}

static uint64_t env_now_us(void *ctx)
{
    struct fake *f = ctx;
    struct timespec t;

    __atomic_fetch_add(&f->clock_reads, 1, __ATOMIC_RELAXED); /* callers race in the thread tests */
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void *env_query_shutdown(void *ctx, void *provider, uint32_t timeout_ms, enum call_outcome *outcome)
{
    struct fake_provider *p = provider;

    (void)timeout_ms;
    if (p->fake != ctx)
        p->fake->env_errors++;
    p->queried++;
    if (p->during_query)
        p->during_query(p);
    *outcome = p->query_outcome;
    return p->no_interface || p->query_outcome != CALL_RETURNED ? NULL : p;
}

static void env_identify(void *ctx, void *provider, struct provider_identity *who)
{
    const struct fake_provider *p = provider;
    size_t n = 0;

    (void)ctx;
    for (const char *c = "C:\\fake\\"; *c; c++)
        who->module[n++] = (unsigned char)*c;
    for (const char *c = p->module ? p->module : p->name; *c && n + 1 < PROVIDER_MODULE_MAX; c++)
        who->module[n++] = (unsigned char)*c;
    who->module[n] = 0;
}

static void env_read_policy(void *ctx, struct policy_decision decisions[SHUTDOWN_SETTINGS],
                            struct behavior_reading *behaviors)
{
    struct fake *f = ctx;

    f->policy_reads++;
    policy_decide(&f->reading, SHUTDOWN_DISABLED, SHUTDOWN_UNLESS_OPTED_OUT, &decisions[SETTING_BEHAVIOR]);
    for (unsigned setting = SETTING_TIMEOUT; setting < SHUTDOWN_SETTINGS; setting++) {
        memset(&decisions[setting], 0, sizeof(decisions[setting]));
        decisions[setting].value = shutdown_setting_default(setting);
        decisions[setting].place = POLICY_DEFAULT;
    }
    decisions[SETTING_TIMEOUT].value = f->timeout_ms;
    decisions[SETTING_CONCURRENT].value = f->concurrent;
    *behaviors = f->behaviors;
}

static int32_t env_call_provider(void *ctx, void *shutdown, enum provider_call call, uint32_t timeout_ms,
                                 uint32_t record_entry, enum call_outcome *outcome, uint32_t *flags)
{
    static const char letter[] = { 'Q', 'N', 'D' };
    struct fake_provider *p = shutdown;
    struct fake *f = ctx;
    char entry[64];

    /* No Check assertion here: Check allocates, and some tests count
     * allocations made during the calls. Problems are counted, and
     * fake_free() asserts there were none. */
    if (p->fake != f)
        f->env_errors++;
    p->calls[call]++;
    snprintf(entry, sizeof(entry), "%s%s.%c", f->log[0] ? " " : "", p->name, letter[call]);
    pthread_mutex_lock(&f->log_lock);
    if (strlen(f->log) + strlen(entry) < sizeof(f->log))
        strcat(f->log, entry);
    else
        f->env_errors++;
    f->last_timeout_ms = timeout_ms;
    pthread_mutex_unlock(&f->log_lock);
    if (p->during)
        p->during(p, call);
    /* The fake deadline: a provider set to hang or crash in this call does
     * so, and the env reports what a real one would. */
    (void)record_entry;
    *outcome = p->outcome[call];
    *flags = f->next_flags;
    return p->answer[call];
}

struct batch_thread {
    struct fake *f;
    struct shutdown_batch_call *call;
    enum provider_call which;
    uint32_t timeout_ms;
    uint32_t caller;
};

static void *batch_thread_main(void *arg)
{
    struct batch_thread *t = arg;

    logical_thread = t->caller;
    t->call->hr = env_call_provider(t->f, t->call->shutdown, t->which, t->timeout_ms, t->call->record_entry,
                                    &t->call->outcome, &t->call->flags);
    return NULL;
}

static void env_call_providers(void *ctx, struct shutdown_batch_call *calls, size_t count, enum provider_call call,
                               uint32_t timeout_ms)
{
    struct batch_thread threads[FAKE_BATCH_MAX];
    pthread_t ids[FAKE_BATCH_MAX];
    struct fake *f = ctx;
    int batch = ++f->batches;

    if (!count || count > FAKE_BATCH_MAX) {
        f->env_errors++;
        return;
    }
    if (count > f->largest_batch)
        f->largest_batch = count;
    for (size_t i = 0; i < count; i++) {
        ((struct fake_provider *)calls[i].shutdown)->batch[call] = batch;
        threads[i] = (struct batch_thread){ f, &calls[i], call, timeout_ms, env_current_thread(ctx) };
        calls[i].outcome = CALL_RETURNED;
    }
    for (size_t i = 0; i < count; i++)
        if (pthread_create(&ids[i], NULL, batch_thread_main, &threads[i])) {
            f->env_errors++;
            batch_thread_main(&threads[i]);
            ids[i] = pthread_self();
        }
    for (size_t i = 0; i < count; i++)
        if (!pthread_equal(ids[i], pthread_self()))
            pthread_join(ids[i], NULL);
}

bool fake_meet(struct fake *f, int count)
{
    struct timespec until;
    bool met;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_mutex_lock(&f->log_lock);
    f->meeting++;
    while (f->meeting < count && !pthread_cond_timedwait(&f->met, &f->log_lock, &until))
        ;
    met = f->meeting >= count;
    pthread_cond_broadcast(&f->met);
    pthread_mutex_unlock(&f->log_lock);
    return met;
}

static bool env_section_is_loaded(void *ctx, const struct profile_provider *section)
{
    struct fake *f = ctx;

    f->loaded_checks++;
    for (size_t i = 0; i < sizeof(f->loaded) / sizeof(f->loaded[0]) && f->loaded[i]; i++) {
        size_t k = 0;

        while (f->loaded[i][k] && section->dll_file[k] == (unsigned char)f->loaded[i][k])
            k++;
        if (!f->loaded[i][k] && !section->dll_file[k])
            return true;
    }
    return false;
}

static void env_release_provider(void *ctx, void *shutdown)
{
    (void)ctx;
    ((struct fake_provider *)shutdown)->released++;
}

static void env_report_phase(void *ctx, const struct reported_event *events, size_t count, size_t lost,
                             uint32_t timeout_ms)
{
    struct fake *f = ctx;

    f->report_writes++;
    f->report_lost += lost;
    f->last_report_timeout_ms = timeout_ms;
    for (size_t i = 0; i < count; i++)
        if (events[i].event.kind < SHUTDOWN_EVENT_KINDS)
            f->reported[events[i].event.kind]++;
        else
            f->env_errors++;
}

int fake_events(struct fake *f, enum shutdown_event_kind kind)
{
    const struct exit_header *h = f->record;
    const struct exit_event *events = (const struct exit_event *)((const uint8_t *)f->record + h->events.offset);
    int count = 0;

    for (uint32_t i = 0; i < h->events.reserved && i < h->events.capacity; i++)
        count += events[i].state == EXIT_ENTRY_DONE && events[i].event.kind == kind;
    return count;
}

void fake_set_behavior(struct fake *f, enum policy_place place, const char *name, uint32_t reg_type,
                       const void *data, uint32_t size)
{
    struct behavior_value *v = &f->behaviors.values[f->behaviors.count++];
    size_t n = 0;

    memset(v, 0, sizeof(*v));
    v->place = place;
    for (; name[n] && n + 1 < BEHAVIOR_NAME_MAX; n++)
        v->name[n] = (unsigned char)name[n];
    v->name_too_long = name[n] != 0;
    v->value.state = POLICY_VALUE_PRESENT;
    v->value.reg_type = reg_type;
    v->value.size = size;
    memcpy(v->value.data, data, size < sizeof(v->value.data) ? size : sizeof(v->value.data));
}

void fake_init(struct fake *f)
{
    const struct shutdown_env env = {
        .ctx = f,
        .lock = env_lock,
        .unlock = env_unlock,
        .wait = env_wait,
        .wake_all = env_wake_all,
        .current_thread = env_current_thread,
        .now_us = env_now_us,
        .caller_is_abandoned = env_caller_is_abandoned,
        .read_policy = env_read_policy,
        .call_provider = env_call_provider,
        .call_providers = env_call_providers,
        .query_shutdown = env_query_shutdown,
        .identify = env_identify,
        .section_is_loaded = env_section_is_loaded,
        .release_provider = env_release_provider,
        .report_phase = env_report_phase,
    };
    static const uint16_t image[] = { 'C', ':', '\\', 'c', 'l', 'i', 'e', 'n', 't', '.', 'e', 'x', 'e', 0 };

    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    pthread_cond_init(&f->met, NULL);
    pthread_mutex_init(&f->log_lock, NULL);
    shutdown_init(&f->s, &env);
    f->record = calloc(1, exit_record_size());
    ck_assert_ptr_nonnull(f->record);
    exit_record_format(f->record, 42, 64, 1, 2, env_now_us(f), image);
    shutdown_set_record(&f->s, f->record);
}

void fake_free(struct fake *f)
{
    ck_assert_int_eq(f->env_errors, 0);
    shutdown_free(&f->s);
    free(f->record);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->cond);
    pthread_cond_destroy(&f->met);
    pthread_mutex_destroy(&f->log_lock);
}

void fake_clear_policy(struct fake *f)
{
    memset(&f->reading, 0, sizeof(f->reading));
}

void fake_set_policy(struct fake *f, enum policy_place place, unsigned version, uint32_t value)
{
    struct policy_value *v = &f->reading.value[place][version];

    v->state = POLICY_VALUE_PRESENT;
    v->reg_type = POLICY_REG_DWORD;
    v->size = 4;
    memcpy(v->data, &value, 4); /* the tests run on little-endian machines */
}

void fake_provider_init(struct fake_provider *p, struct fake *f, const char *name)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    p->fake = f;
}

uint32_t fake_register(struct fake *f, struct fake_provider *p, uint32_t type, int with_interface)
{
    uint32_t cookie = 0;

    p->no_interface = !with_interface;
    ck_assert_int_eq(shutdown_register(&f->s, NULL, type, p, &cookie), SHUT_S_OK);
    ck_assert_uint_ne(cookie, 0);
    return cookie;
}

bool fake_is_done(struct fake *f)
{
    bool done;

    env_lock(f);
    done = f->s.done;
    env_unlock(f);
    return done;
}
