#include "shutdown.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

const char *provider_call_name(enum provider_call call)
{
    switch (call) {
    case PROVIDER_QUERY:   return "QueryFastShutdown";
    case PROVIDER_NOTIFY:  return "NotifyProcessShutdown";
    case PROVIDER_DO_FAST: return "DoFastShutdown";
    }
    return "?";
}

uint32_t shutdown_setting_max(enum shutdown_setting setting)
{
    switch (setting) {
    case SETTING_BEHAVIOR:   return SHUTDOWN_DISABLED;
    case SETTING_TIMEOUT:    return SHUTDOWN_TIMEOUT_MAX;
    case SETTING_CONCURRENT: return 1;
    case SHUTDOWN_SETTINGS:  break;
    }
    return 0;
}

uint32_t shutdown_setting_default(enum shutdown_setting setting)
{
    (void)setting;
    return 0; /* fast unless opted out; no deadline; one provider after the other */
}

void shutdown_init(struct shutdown *s, const struct shutdown_env *env)
{
    memset(s, 0, sizeof(*s));
    s->env = *env;
    provider_table_init(&s->providers);
}

void shutdown_free(struct shutdown *s)
{
    for (size_t i = 0; i < s->providers.count; i++)
        if (s->providers.items[i].shutdown && !s->providers.items[i].abandoned)
            s->env.release_provider(s->env.ctx, s->providers.items[i].shutdown);
    provider_table_free(&s->providers);
    free(s->batch);
    s->batch = NULL;
    s->batch_capacity = 0;
    free(s->sections);
    s->sections = NULL;
    s->section_count = 0;
    free(s->unreadable);
    s->unreadable = NULL;
    s->unreadable_count = 0;
}

enum gate {
    GATE_ENTERED,
    GATE_REFUSED,           /* a caller already inside, a stranger, or DoFastShutdown has run */
    GATE_JOINED_DO_FAST,    /* a DoFastShutdown waited for another one to finish */
};

/* Take the gate, waiting for another thread's phase to end. A caller already
 * inside (a provider calling back) is refused at once, and so is a provider
 * the deadline abandoned, whatever thread it runs on; so is everyone after
 * DoFastShutdown, except a DoFastShutdown that waited for another one: the
 * exit it asked for has been prepared, and it gets that call's result. */
static enum gate gate_enter(struct shutdown *s, bool do_fast, int32_t *joined_result)
{
    uint32_t me;
    bool waited_for_do_fast = false;
    enum gate gate;

    if (s->env.caller_is_abandoned(s->env.ctx))
        return GATE_REFUSED;
    me = s->env.current_thread(s->env.ctx);
    s->env.lock(s->env.ctx);
    for (;;) {
        if (s->busy && s->busy_thread == me) {
            gate = GATE_REFUSED;
            break;
        }
        if (s->done) {
            gate = do_fast && waited_for_do_fast ? GATE_JOINED_DO_FAST : GATE_REFUSED;
            if (joined_result)
                *joined_result = s->done_result;
            break;
        }
        if (!s->busy) {
            s->busy = true;
            s->busy_thread = me;
            s->busy_do_fast = do_fast;
            gate = GATE_ENTERED;
            break;
        }
        waited_for_do_fast |= s->busy_do_fast;
        s->env.wait(s->env.ctx);
    }
    s->env.unlock(s->env.ctx);
    return gate;
}

static void gate_leave(struct shutdown *s)
{
    s->env.lock(s->env.ctx);
    s->busy = false;
    s->env.wake_all(s->env.ctx);
    s->env.unlock(s->env.ctx);
}

/* The end of DoFastShutdown: from now on every call fails. Written under the
 * lock, since callers outside the gate read it. */
static void gate_leave_done(struct shutdown *s, int32_t result)
{
    s->env.lock(s->env.ctx);
    s->done = true;
    s->done_result = result;
    s->busy = false;
    s->env.wake_all(s->env.ctx);
    s->env.unlock(s->env.ctx);
}

/* During a phase an event is only recorded
 * (with a copy of what it points to: the table may change before it is
 * written); otherwise it is reported at once. */
static void record_event(struct shutdown *s, const struct shutdown_event *event)
{
    struct shutdown_event *copy;

    if (!s->deferring) {
        s->env.report(s->env.ctx, event);
        return;
    }
    if (s->deferred_count == SHUTDOWN_DEFERRED_MAX) {
        s->deferred_lost++;
        return;
    }
    copy = &s->deferred[s->deferred_count];
    *copy = *event;
    if (event->provider) {
        s->deferred_providers[s->deferred_count] = *event->provider;
        copy->provider = &s->deferred_providers[s->deferred_count];
    }
    if (event->rejected) {
        s->deferred_rejected[s->deferred_count] = *event->rejected;
        copy->rejected = &s->deferred_rejected[s->deferred_count];
    }
    s->deferred_count++;
}

static void report_ignored(struct shutdown *s, enum shutdown_setting setting, const struct policy_decision *d)
{
    for (unsigned i = 0; i < d->rejected_count; i++) {
        struct shutdown_event event = { .kind = EVENT_POLICY_VALUE_IGNORED, .rejected = &d->rejected[i],
                                        .setting = setting };

        record_event(s, &event);
    }
}

static void report(struct shutdown *s, enum shutdown_event_kind kind,
                   const struct provider *p, enum provider_call call, int32_t hr)
{
    struct shutdown_event event = { .kind = kind, .provider = p, .call = call, .hr = hr };

    record_event(s, &event);
}

static void defer_reports(struct shutdown *s)
{
    s->deferring = true;
    s->deferred_count = s->deferred_lost = 0;
}

/* After the last provider of the phase has returned. */
static void write_deferred_reports(struct shutdown *s)
{
    s->deferring = false;
    if (s->deferred_count || s->deferred_lost)
        s->env.report_deferred(s->env.ctx, s->deferred, s->deferred_count, s->deferred_lost, s->timeout_ms);
    s->deferred_count = s->deferred_lost = 0;
}

static const struct attached_section *find_attached(const struct shutdown *s, const uint8_t *uid)
{
    for (size_t i = 0; i < s->section_count; i++)
        if (!memcmp(s->sections[i].section.section_uid, uid, PROFILE_UID_SIZE))
            return &s->sections[i];
    return NULL;
}

static bool uid_has_provider(const struct shutdown *s, const uint8_t *uid)
{
    for (size_t i = 0; i < s->providers.count; i++)
        if (s->providers.items[i].has_section_uid &&
            !memcmp(s->providers.items[i].section_uid, uid, PROFILE_UID_SIZE))
            return true;
    return false;
}

/* Option 1: a provider loaded in the process (its DLL is there) that never
 * registered cannot be asked, so it cannot opt in. Whether it is loaded is
 * decided now: DLLs come and go after the profile was attached. A section
 * that could not be read may be such a provider: unless one registered with
 * its UID, it cannot be counted as opting in either. */
static bool unregistered_sections_refuse(struct shutdown *s)
{
    bool refused = false;

    for (size_t i = 0; i < s->section_count; i++) {
        const struct attached_section *a = &s->sections[i];
        struct shutdown_event event = { .kind = EVENT_SECTION_UNREGISTERED, .section = &a->section,
                                        .call = PROVIDER_QUERY, .hr = SHUT_E_NO_SUPPORT };

        if (uid_has_provider(s, a->section.section_uid) || !s->env.section_is_loaded(s->env.ctx, &a->section))
            continue;
        record_event(s, &event);
        refused = true;
    }
    for (size_t i = 0; i < s->unreadable_count; i++) {
        struct shutdown_event event = { .kind = EVENT_SECTION_UNREADABLE, .section_uid = s->unreadable[i],
                                        .call = PROVIDER_QUERY, .hr = SHUT_E_NO_SUPPORT };

        if (uid_has_provider(s, s->unreadable[i]))
            continue;
        record_event(s, &event);
        refused = true;
    }
    return refused;
}

/* A provider that overran the deadline or crashed is abandoned: never
 * called or released again. Returns the call's result as the phase counts it. */
static int32_t call_ended(struct shutdown *s, struct provider *p, enum provider_call call,
                          int32_t hr, enum call_outcome outcome)
{
    if (outcome == CALL_RETURNED)
        return hr;
    p->abandoned = true;
    if (outcome == CALL_TIMED_OUT)
        hr = SHUT_E_TIMEOUT;
    report(s, outcome == CALL_TIMED_OUT ? EVENT_PROVIDER_TIMED_OUT : EVENT_PROVIDER_CRASHED, p, call, hr);
    return SHUT_FAILED(hr) ? hr : SHUT_E_CALL_FAILED;
}

/* The providers called together with the one at first: with
 * ConcurrentProviders, all those of its type (the order between types is
 * the seed's, within a type there is none to keep); otherwise itself alone. */
static size_t batch_end(const struct shutdown *s, size_t first)
{
    const struct provider *items = s->providers.items;
    size_t end = first + 1;

    if (s->concurrent)
        while (end < s->providers.count &&
               provider_type_rank(items[end].resource_type) == provider_type_rank(items[first].resource_type))
            end++;
    return end;
}

/* Calls the n providers put in s->batch, under the deadline if one is set,
 * and replaces each result by the phase's. With ConcurrentProviders every
 * call goes through the batch, a lone provider's too: each runs on a thread
 * of its own whatever its type holds, so a provider behaves the same
 * whoever else the profile has. */
static void call_batch(struct shutdown *s, size_t n, enum provider_call call)
{
    struct shutdown_batch_call *b = s->batch;

    if (!n)
        return;
    if (s->concurrent) {
        s->env.call_providers(s->env.ctx, b, n, call, s->timeout_ms);
    } else {
        b[0].outcome = CALL_RETURNED;
        b[0].hr = s->env.call_provider(s->env.ctx, b[0].shutdown, call, s->timeout_ms, &b[0].outcome);
    }
    for (size_t k = 0; k < n; k++)
        b[k].hr = call_ended(s, &s->providers.items[b[k].provider], call, b[k].hr, b[k].outcome);
}

static void batch_add(struct shutdown *s, size_t *n, size_t index)
{
    s->batch[*n] = (struct shutdown_batch_call){ .shutdown = s->providers.items[index].shutdown,
                                                 .provider = index };
    (*n)++;
}

/* Ask the policy and the providers whether a fast shutdown may happen now.
 * Every provider is asked even after a refusal, so that the diagnostics
 * name all of those that stand in the way. */
static int32_t evaluate(struct shutdown *s)
{
    struct policy_decision settings[SHUTDOWN_SETTINGS];
    uint32_t behavior;
    bool refused = false;

    s->env.read_policy(s->env.ctx, settings);
    behavior = settings[SETTING_BEHAVIOR].value;
    s->timeout_ms = settings[SETTING_TIMEOUT].value;
    s->concurrent = settings[SETTING_CONCURRENT].value != 0;
    for (unsigned setting = 0; setting < SHUTDOWN_SETTINGS; setting++)
        report_ignored(s, (enum shutdown_setting)setting, &settings[setting]);
    if (behavior == SHUTDOWN_DISABLED) {
        report(s, EVENT_POLICY_DISABLED, NULL, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
        s->query_ok = false;
        return SHUT_E_NO_SUPPORT;
    }
    for (size_t first = 0, end; first < s->providers.count; first = end) {
        size_t n = 0;

        end = batch_end(s, first);
        for (size_t i = first; i < end; i++) {
            struct provider *p = &s->providers.items[i];

            if (!p->shutdown) {
                if (behavior == SHUTDOWN_ONLY_IF_ALL_OPT_IN) {
                    report(s, EVENT_PROVIDER_UNREACHABLE, p, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
                    refused = true;
                }
            } else if (p->abandoned) {
                refused = true; /* it can no longer answer, so it did not opt in */
            } else {
                batch_add(s, &n, i);
            }
        }
        call_batch(s, n, PROVIDER_QUERY);
        for (size_t k = 0; k < n; k++) {
            struct provider *p = &s->providers.items[s->batch[k].provider];

            if (SHUT_FAILED(s->batch[k].hr)) {
                if (!p->abandoned)
                    report(s, EVENT_PROVIDER_OPTED_OUT, p, PROVIDER_QUERY, s->batch[k].hr);
                refused = true;
            }
        }
    }
    if (behavior == SHUTDOWN_ONLY_IF_ALL_OPT_IN && unregistered_sections_refuse(s))
        refused = true;
    s->query_ok = !refused;
    return refused ? SHUT_E_NO_SUPPORT : SHUT_S_OK;
}

/* Tell every provider that has not heard it yet. */
static void tell(struct shutdown *s, enum provider_call call)
{
    for (size_t first = 0, end; first < s->providers.count; first = end) {
        size_t n = 0;

        end = batch_end(s, first);
        for (size_t i = first; i < end; i++) {
            struct provider *p = &s->providers.items[i];
            bool *told = call == PROVIDER_NOTIFY ? &p->told_notify : &p->told_do_fast;

            if (!p->shutdown || *told || p->abandoned)
                continue;
            *told = true;
            batch_add(s, &n, i);
        }
        call_batch(s, n, call);
        for (size_t k = 0; k < n; k++) {
            struct provider *p = &s->providers.items[s->batch[k].provider];

            if (SHUT_FAILED(s->batch[k].hr)) {
                s->errors = true;
                if (!p->abandoned)
                    report(s, EVENT_PROVIDER_FAILED, p, call, s->batch[k].hr);
            }
        }
    }
}

int32_t shutdown_query(struct shutdown *s)
{
    int32_t hr;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return SHUT_E_CALL_FAILED;
    defer_reports(s);
    hr = evaluate(s);
    write_deferred_reports(s);
    gate_leave(s);
    return hr;
}

int32_t shutdown_notify(struct shutdown *s)
{
    int32_t hr = SHUT_S_OK;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return SHUT_E_CALL_FAILED;
    defer_reports(s);
    /* Out of protocol: never tell providers of a shutdown that may not happen. */
    if (!s->query_ok)
        hr = evaluate(s);
    if (hr == SHUT_S_OK)
        tell(s, PROVIDER_NOTIFY);
    write_deferred_reports(s);
    gate_leave(s);
    return hr;
}

int32_t shutdown_do_fast(struct shutdown *s)
{
    int32_t hr = SHUT_S_OK, joined = SHUT_E_CALL_FAILED;

    switch (gate_enter(s, true, &joined)) {
    case GATE_ENTERED:        break;
    case GATE_REFUSED:        return SHUT_E_CALL_FAILED;
    case GATE_JOINED_DO_FAST: return joined;
    }
    defer_reports(s);
    if (!s->query_ok)
        hr = evaluate(s);
    if (hr != SHUT_S_OK) {
        write_deferred_reports(s);
        gate_leave(s);
        return hr;
    }
    tell(s, PROVIDER_NOTIFY);
    tell(s, PROVIDER_DO_FAST);
    write_deferred_reports(s);
    hr = s->errors ? SHUT_W_ERRORS_RETURNED : SHUT_S_OK;
    gate_leave_done(s, hr);
    return hr;
}

struct registration {
    const uint8_t *section_uid;
    uint32_t resource_type;
    void *provider;
    uint32_t *cookie;
};

/* Room in the batch for every provider, made at registration: the phases
 * allocate nothing. */
static bool grow_batch(struct shutdown *s, size_t needed)
{
    struct shutdown_batch_call *batch;
    size_t capacity = s->batch_capacity ? s->batch_capacity : 8;

    if (needed <= s->batch_capacity)
        return true;
    while (capacity < needed) {
        if (capacity > SIZE_MAX / 2 / sizeof(*batch))
            return false;
        capacity *= 2;
    }
    batch = realloc(s->batch, capacity * sizeof(*batch));
    if (!batch)
        return false;
    s->batch = batch;
    s->batch_capacity = capacity;
    return true;
}

static int32_t register_gated(struct shutdown *s, void *arg)
{
    struct registration *r = arg;
    void *shutdown;
    const struct attached_section *a;
    int32_t hr;

    if (!grow_batch(s, s->providers.count + 1))
        return SHUT_E_OUTOFMEMORY;
    shutdown = s->env.query_shutdown(s->env.ctx, r->provider);
    hr = provider_table_add(&s->providers, r->section_uid, r->resource_type, shutdown, r->cookie);

    if (hr != SHUT_S_OK) {
        if (shutdown)
            s->env.release_provider(s->env.ctx, shutdown);
        return hr;
    }
    a = r->section_uid ? find_attached(s, r->section_uid) : NULL;
    if (a) {
        for (size_t i = 0; i < s->providers.count; i++)
            if (s->providers.items[i].cookie == *r->cookie)
                s->providers.items[i].profile_order = a->order;
        provider_table_sort(&s->providers);
    }
    /* A newcomer was never asked: the next phase must ask again. */
    s->query_ok = false;
    return SHUT_S_OK;
}

int32_t shutdown_register(struct shutdown *s, const uint8_t *section_uid,
                          uint32_t resource_type, void *provider, uint32_t *cookie)
{
    struct registration r = { section_uid, resource_type, provider, cookie };

    *cookie = 0;
    if (!provider || !provider_type_is_valid(resource_type))
        return SHUT_E_INVALIDARG;
    return shutdown_run_gated(s, register_gated, &r);
}

int32_t shutdown_unregister(struct shutdown *s, uint32_t cookie)
{
    struct provider removed;
    int32_t hr;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return SHUT_E_CALL_FAILED;
    hr = provider_table_remove(&s->providers, cookie, &removed);
    gate_leave(s);
    /* An abandoned provider is not released: its code may still be running. */
    if (hr == SHUT_S_OK && removed.shutdown && !removed.abandoned)
        s->env.release_provider(s->env.ctx, removed.shutdown);
    return hr;
}

static bool unreadable_attached(const struct shutdown *s, const uint8_t *uid)
{
    for (size_t i = 0; i < s->unreadable_count; i++)
        if (!memcmp(s->unreadable[i], uid, PROFILE_UID_SIZE))
            return true;
    return false;
}

/* Both arrays are grown before anything changes: a failed allocation leaves
 * the state as it was. */
int32_t shutdown_add_profile(struct shutdown *s, const struct profile *profile)
{
    struct attached_section *sections;
    uint8_t (*unreadable)[PROFILE_UID_SIZE];

    if (profile->provider_count > SIZE_MAX / sizeof(*sections) - s->section_count - 1 ||
        profile->unreadable_count > SIZE_MAX / sizeof(*unreadable) - s->unreadable_count - 1)
        return SHUT_E_OUTOFMEMORY;
    sections = realloc(s->sections, (s->section_count + profile->provider_count + 1) * sizeof(*sections));
    if (!sections)
        return SHUT_E_OUTOFMEMORY;
    s->sections = sections;
    unreadable = realloc(s->unreadable, (s->unreadable_count + profile->unreadable_count + 1) * sizeof(*unreadable));
    if (!unreadable)
        return SHUT_E_OUTOFMEMORY;
    s->unreadable = unreadable;

    for (size_t i = 0; i < profile->provider_count; i++) {
        const struct profile_provider *section = &profile->providers[i];
        struct attached_section *a;

        if (find_attached(s, section->section_uid))
            continue; /* attached with an earlier profile: its place stays */
        a = &s->sections[s->section_count++];
        a->section = *section;
        a->order = s->next_order + i;
    }
    for (size_t i = 0; i < profile->unreadable_count; i++)
        if (!unreadable_attached(s, profile->unreadable[i]))
            memcpy(s->unreadable[s->unreadable_count++], profile->unreadable[i], PROFILE_UID_SIZE);
    s->next_order += profile->provider_count;
    s->env.lock(s->env.ctx);
    s->profiles_attached++;
    s->env.unlock(s->env.ctx);
    for (size_t i = 0; i < s->providers.count; i++) {
        struct provider *p = &s->providers.items[i];
        const struct attached_section *a = p->has_section_uid ? find_attached(s, p->section_uid) : NULL;

        if (a)
            p->profile_order = a->order;
    }
    provider_table_sort(&s->providers);
    /* Under option 1 a new section may change the answer: ask again. */
    s->query_ok = false;
    return SHUT_S_OK;
}

static int32_t add_profile_gated(struct shutdown *s, void *profile)
{
    return shutdown_add_profile(s, profile);
}

int32_t shutdown_attach(struct shutdown *s, const struct profile *profile)
{
    return shutdown_run_gated(s, add_profile_gated, (void *)profile);
}

int32_t shutdown_run_gated(struct shutdown *s, int32_t (*fn)(struct shutdown *s, void *arg),
                           void *arg)
{
    int32_t hr;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return SHUT_E_CALL_FAILED;
    hr = fn(s, arg);
    gate_leave(s);
    return hr;
}

bool shutdown_refuses_caller(struct shutdown *s)
{
    uint32_t me;
    bool refused;

    if (s->env.caller_is_abandoned(s->env.ctx))
        return true;
    me = s->env.current_thread(s->env.ctx);
    s->env.lock(s->env.ctx);
    refused = s->done || (s->busy && s->busy_thread == me);
    s->env.unlock(s->env.ctx);
    return refused;
}

bool shutdown_can_unload(struct shutdown *s)
{
    bool can;

    /* With the lock held and the gate free, nobody can change the table. */
    s->env.lock(s->env.ctx);
    can = !s->busy && !s->done && !s->profiles_attached && s->providers.count == 0;
    s->env.unlock(s->env.ctx);
    return can;
}
