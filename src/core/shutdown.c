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

/* One provider call, under the deadline if one is set. A provider that
 * overran it or crashed is abandoned: never called or released again. */
static int32_t call_provider(struct shutdown *s, struct provider *p, enum provider_call call)
{
    enum call_outcome outcome = CALL_RETURNED;
    int32_t hr = s->env.call_provider(s->env.ctx, p->shutdown, call, s->timeout_ms, &outcome);

    if (outcome == CALL_RETURNED)
        return hr;
    p->abandoned = true;
    if (outcome == CALL_TIMED_OUT)
        hr = SHUT_E_TIMEOUT;
    report(s, outcome == CALL_TIMED_OUT ? EVENT_PROVIDER_TIMED_OUT : EVENT_PROVIDER_CRASHED, p, call, hr);
    return SHUT_FAILED(hr) ? hr : SHUT_E_CALL_FAILED;
}

/* Ask the policy and the providers whether a fast shutdown may happen now.
 * Every provider is asked even after a refusal, so that the diagnostics
 * name all of those that stand in the way. */
static int32_t evaluate(struct shutdown *s)
{
    struct policy_decision policy, timeout;
    bool refused = false;

    s->env.read_policy(s->env.ctx, &policy, &timeout);
    s->timeout_ms = timeout.value;
    report_ignored(s, SETTING_BEHAVIOR, &policy);
    report_ignored(s, SETTING_TIMEOUT, &timeout);
    if (policy.value == SHUTDOWN_DISABLED) {
        report(s, EVENT_POLICY_DISABLED, NULL, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
        s->query_ok = false;
        return SHUT_E_NO_SUPPORT;
    }
    for (size_t i = 0; i < s->providers.count; i++) {
        struct provider *p = &s->providers.items[i];
        int32_t hr;

        if (!p->shutdown) {
            if (policy.value == SHUTDOWN_ONLY_IF_ALL_OPT_IN) {
                report(s, EVENT_PROVIDER_UNREACHABLE, p, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
                refused = true;
            }
            continue;
        }
        if (p->abandoned) {
            refused = true; /* it can no longer answer, so it did not opt in */
            continue;
        }
        hr = call_provider(s, p, PROVIDER_QUERY);
        if (SHUT_FAILED(hr)) {
            if (!p->abandoned)
                report(s, EVENT_PROVIDER_OPTED_OUT, p, PROVIDER_QUERY, hr);
            refused = true;
        }
    }
    if (policy.value == SHUTDOWN_ONLY_IF_ALL_OPT_IN && unregistered_sections_refuse(s))
        refused = true;
    s->query_ok = !refused;
    return refused ? SHUT_E_NO_SUPPORT : SHUT_S_OK;
}

/* Tell every provider that has not heard it yet. */
static void tell(struct shutdown *s, enum provider_call call)
{
    for (size_t i = 0; i < s->providers.count; i++) {
        struct provider *p = &s->providers.items[i];
        bool *told = call == PROVIDER_NOTIFY ? &p->told_notify : &p->told_do_fast;
        int32_t hr;

        if (!p->shutdown || *told || p->abandoned)
            continue;
        *told = true;
        hr = call_provider(s, p, call);
        if (SHUT_FAILED(hr)) {
            s->errors = true;
            if (!p->abandoned)
                report(s, EVENT_PROVIDER_FAILED, p, call, hr);
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

static int32_t register_gated(struct shutdown *s, void *arg)
{
    struct registration *r = arg;
    void *shutdown = s->env.query_shutdown(s->env.ctx, r->provider);
    const struct attached_section *a;
    int32_t hr = provider_table_add(&s->providers, r->section_uid, r->resource_type, shutdown, r->cookie);

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

bool shutdown_is_done(struct shutdown *s)
{
    bool done;

    s->env.lock(s->env.ctx);
    done = s->done;
    s->env.unlock(s->env.ctx);
    return done;
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
