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
    case SETTING_WARN:       return SHUTDOWN_TIMEOUT_MAX;
    case SETTING_RECORDS:    return SHUTDOWN_RECORDS_MAX;
    case SHUTDOWN_SETTINGS:  break;
    }
    return 0;
}

uint32_t shutdown_setting_default(enum shutdown_setting setting)
{
    switch (setting) {
    case SETTING_WARN:    return 500;   /* Outlook's threshold for add-ins */
    case SETTING_RECORDS: return 32;
    default:              return 0;     /* fast unless opted out; no deadline; one after the other */
    }
}

void shutdown_init(struct shutdown *s, const struct shutdown_env *env)
{
    memset(s, 0, sizeof(*s));
    s->env = *env;
    provider_table_init(&s->providers);
    s->client_entry = UINT32_MAX;
}

/* The providers are not released: this runs when the module goes, and
 * their DLLs may be gone before it (nobody can tell at DLL_PROCESS_DETACH). */
void shutdown_free(struct shutdown *s)
{
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

void shutdown_set_record(struct shutdown *s, void *memory)
{
    __atomic_store_n(&s->record.header, (struct exit_header *)memory, __ATOMIC_RELEASE);
}

/* The exit record as it is now: set once, by another thread maybe. */
static struct exit_record record_of(struct shutdown *s)
{
    return (struct exit_record){ __atomic_load_n(&s->record.header, __ATOMIC_ACQUIRE) };
}

static uint64_t now(struct shutdown *s)
{
    return s->env.now_us(s->env.ctx);
}

/* --- the gate ------------------------------------------------------------------ */

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

/* --- what a phase reports --------------------------------------------------------- */

/* A phase begins: off the protocol path its events will also be made text
 * after it (reporting); on it they only go to the exit record. */
static void phase_begin(struct shutdown *s, enum exit_phase phase, bool reporting)
{
    struct exit_record r = record_of(s);

    s->reporting = reporting;
    s->deferred_count = s->deferred_lost = 0;
    s->clock_us = 0;
    exit_record_phase(&r, phase);
}

/* Every event goes to the exit record at once; off the protocol path it is
 * kept for the diagnostics too, with a copy of who its provider is. Neither
 * allocates nor waits. */
static void record_event(struct shutdown *s, const struct shutdown_event *event, const struct provider *p)
{
    struct exit_record r = record_of(s);
    struct reported_event *kept;

    exit_record_event(&r, s->evaluation, event);
    if (!s->reporting)
        return;
    if (s->deferred_count == SHUTDOWN_DEFERRED_MAX) {
        s->deferred_lost++;
        return;
    }
    kept = &s->deferred[s->deferred_count++];
    kept->event = *event;
    if (p)
        kept->who = p->who;
    else
        memset(&kept->who, 0, sizeof(kept->who));
}

static void report(struct shutdown *s, enum shutdown_event_kind kind, const struct provider *p,
                   enum provider_call call, int32_t hr)
{
    struct shutdown_event event = { .kind = (uint16_t)kind, .call = (uint16_t)call, .hr = hr,
                                    .provider = EXIT_NO_PROVIDER };

    if (p) {
        event.provider = p->record_slot;
        event.cookie = p->cookie;
        event.resource_type = p->resource_type;
        event.place = p->behavior_place;        /* for the ProviderBehavior events */
        event.version = p->behavior_version;
        if (p->has_section_uid)
            memcpy(event.section_uid, p->section_uid, sizeof(event.section_uid));
    }
    record_event(s, &event, p);
}

static void report_ignored(struct shutdown *s, enum shutdown_event_kind kind, enum shutdown_setting setting,
                           const struct policy_rejected *r, const uint16_t *name)
{
    struct shutdown_event event = { .kind = (uint16_t)kind, .provider = EXIT_NO_PROVIDER,
                                    .setting = (uint8_t)setting, .place = (uint8_t)r->place,
                                    .version = (uint8_t)r->version, .why = (uint8_t)r->why,
                                    .reg_type = r->reg_type, .size = r->size, .number = r->number,
                                    .error = r->error };

    for (size_t i = 0; name && name[i] && i + 1 < sizeof(event.name) / sizeof(event.name[0]); i++)
        event.name[i] = name[i];
    record_event(s, &event, NULL);
}

/* The phase is over: off the protocol path its events are made text now. */
static void phase_end(struct shutdown *s, enum exit_phase phase)
{
    struct exit_record r = record_of(s);

    if (s->reporting && (s->deferred_count || s->deferred_lost))
        s->env.report_phase(s->env.ctx, s->deferred, s->deferred_count, s->deferred_lost, s->timeout_ms);
    exit_record_lost(&r, (uint32_t)s->deferred_lost);
    exit_record_phase(&r, phase);
}

/* --- sections and providers --------------------------------------------------------- */

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

static void copy_units(uint16_t *to, size_t size, const uint16_t *from)
{
    size_t n = 0;

    for (; from[n] && n + 1 < size; n++)
        to[n] = from[n];
    to[n] = 0;
}

/* What the profile says of a provider: its names, and its place in the order. */
static void place_by_section(struct shutdown *s, struct provider *p, const struct attached_section *a)
{
    struct exit_record r = record_of(s);

    p->profile_order = a->order;
    copy_units(p->who.display_name, PROVIDER_DISPLAY_NAME_MAX, a->section.display_name);
    copy_units(p->who.dll_name, PROVIDER_DLL_MAX, a->section.dll_name);
    copy_units(p->behavior_name, PROVIDER_DLL_MAX, a->section.dll_name);
    exit_record_provider_named(&r, p->record_slot, &p->who);
}

/* --- one provider call ------------------------------------------------------------------ */

/* A provider that overran the deadline or crashed is abandoned: never
 * called or released again. Returns the call's result as the phase counts it. */
static int32_t call_ended(struct shutdown *s, struct provider *p, enum provider_call call,
                          int32_t hr, enum call_outcome outcome)
{
    struct exit_record r = record_of(s);

    if (outcome == CALL_RETURNED)
        return hr;
    p->abandoned = true;
    exit_record_provider_flag(&r, p->record_slot, EXIT_PROVIDER_ABANDONED);
    if (outcome == CALL_TIMED_OUT)
        hr = SHUT_E_TIMEOUT;
    report(s, outcome == CALL_TIMED_OUT ? EVENT_PROVIDER_TIMED_OUT : EVENT_PROVIDER_CRASHED, p, call, hr);
    return SHUT_FAILED(hr) ? hr : SHUT_E_CALL_FAILED;
}

static enum exit_outcome record_outcome(int32_t hr, enum call_outcome outcome)
{
    switch (outcome) {
    case CALL_TIMED_OUT: return OUTCOME_ABANDONED;
    case CALL_CRASHED:   return OUTCOME_CRASHED;
    case CALL_RETURNED:  break;
    }
    return SHUT_FAILED(hr) ? OUTCOME_FAILED : OUTCOME_RETURNED;
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
    struct exit_record r = record_of(s);
    uint64_t start = 0, end = 0;
    bool timed;

    if (!n)
        return;
    timed = exit_record_has_call_room(&r);
    /* The clock costs more than a provider call that does nothing: read once
     * a call, a call starting as the one before it ended, and not at all
     * when the record has no room for the call. */
    if (timed)
        start = s->clock_us ? s->clock_us : now(s);
    for (size_t k = 0; k < n; k++)
        b[k].record_entry = exit_record_call_start(&r, s->providers.items[b[k].provider].record_slot, call,
                                                   s->client_entry, start);
    if (s->concurrent) {
        s->env.call_providers(s->env.ctx, b, n, call, s->timeout_ms);
    } else {
        b[0].outcome = CALL_RETURNED;
        b[0].hr = s->env.call_provider(s->env.ctx, b[0].shutdown, call, s->timeout_ms, b[0].record_entry,
                                       &b[0].outcome, &b[0].flags);
    }
    s->clock_us = end = timed ? now(s) : 0;
    for (size_t k = 0; k < n; k++) {
        struct provider *p = &s->providers.items[b[k].provider];
        uint32_t flags = (b[k].flags & CALL_UNGUARDED ? EXIT_CALL_UNGUARDED : 0) |
                         (b[k].flags & CALL_HOOK_FAILED ? EXIT_CALL_HOOK_FAILED : 0);

        exit_record_call_done(&r, b[k].record_entry, b[k].hr, record_outcome(b[k].hr, b[k].outcome), flags,
                              b[k].outcome == CALL_CRASHED ? (uint32_t)b[k].hr : 0, end);
        if (b[k].flags & CALL_UNGUARDED)
            report(s, EVENT_UNGUARDED_CALL, p, call, b[k].hr);
        if (b[k].flags & CALL_HOOK_FAILED)
            report(s, EVENT_HOOK_FAILED, p, call, b[k].hr);
        b[k].hr = call_ended(s, p, call, b[k].hr, b[k].outcome);
    }
}

static void batch_add(struct shutdown *s, size_t *n, size_t index)
{
    s->batch[*n] = (struct shutdown_batch_call){ .shutdown = s->providers.items[index].shutdown,
                                                 .provider = index };
    (*n)++;
}

/* --- the decision ----------------------------------------------------------------------- */

/* The settings in force, each in the exit record with where it came from,
 * and every value the search passed over reported. */
static uint32_t read_settings(struct shutdown *s)
{
    static const enum exit_setting in_record[SHUTDOWN_SETTINGS] = {
        [SETTING_BEHAVIOR] = EXIT_BEHAVIOR, [SETTING_TIMEOUT] = EXIT_TIMEOUT,
        [SETTING_CONCURRENT] = EXIT_CONCURRENT, [SETTING_WARN] = EXIT_WARN, [SETTING_RECORDS] = EXIT_RECORDS,
    };
    struct policy_decision settings[SHUTDOWN_SETTINGS];
    struct exit_record r = record_of(s);

    s->env.read_policy(s->env.ctx, settings, &s->behaviors);
    s->timeout_ms = settings[SETTING_TIMEOUT].value;
    s->concurrent = settings[SETTING_CONCURRENT].value != 0;
    s->env.lock(s->env.ctx);
    s->query_timeout_ms = s->timeout_ms;
    s->env.unlock(s->env.ctx);
    for (unsigned setting = 0; setting < SHUTDOWN_SETTINGS; setting++) {
        const struct policy_decision *d = &settings[setting];

        exit_record_setting(&r, in_record[setting], d->value, d->place, d->version);
        for (unsigned i = 0; i < d->rejected_count; i++)
            report_ignored(s, EVENT_POLICY_VALUE_IGNORED, (enum shutdown_setting)setting, &d->rejected[i], NULL);
    }
    for (uint32_t i = 0; i < s->behaviors.count && i < BEHAVIOR_VALUES_MAX; i++) {
        struct policy_rejected why;
        uint32_t number;

        if (!behavior_value_is_valid(&s->behaviors.values[i], &number, &why))
            report_ignored(s, EVENT_BEHAVIOR_IGNORED, SETTING_BEHAVIOR, &why, s->behaviors.values[i].name);
    }
    if (s->behaviors.left_out) {
        struct shutdown_event event = { .kind = EVENT_BEHAVIOR_LEFT_OUT, .provider = EXIT_NO_PROVIDER,
                                        .number = s->behaviors.left_out };

        record_event(s, &event, NULL);
    }
    return settings[SETTING_BEHAVIOR].value;
}

/* Each provider's ProviderBehavior, decided from its DLL's name. */
static void decide_behaviors(struct shutdown *s)
{
    struct exit_record r = record_of(s);

    for (size_t i = 0; i < s->providers.count; i++) {
        struct provider *p = &s->providers.items[i];
        struct behavior_decision d;

        behavior_decide(&s->behaviors, p->behavior_name, &d);
        p->behavior = d.value;
        p->behavior_place = (uint8_t)d.place;
        p->behavior_version = (uint8_t)d.version;
        exit_record_provider_behavior(&r, p->record_slot, d.value, d.place);
    }
}

static void report_section(struct shutdown *s, enum shutdown_event_kind kind, const struct attached_section *a,
                           const uint8_t *uid, const struct behavior_decision *d)
{
    struct shutdown_event event = { .kind = (uint16_t)kind, .call = PROVIDER_QUERY, .hr = SHUT_E_NO_SUPPORT,
                                    .provider = EXIT_NO_PROVIDER, .place = POLICY_DEFAULT };

    if (d) {
        event.place = (uint8_t)d->place;
        event.version = (uint8_t)d->version;
    }
    memcpy(event.section_uid, a ? a->section.section_uid : uid, sizeof(event.section_uid));
    if (a) {
        event.resource_type = a->section.resource_type;
        copy_units(event.name, sizeof(event.name) / sizeof(event.name[0]), a->section.dll_file);
    }
    record_event(s, &event, NULL);
}

/* Sections of the attached profiles whose DLL is loaded but whose provider
 * never registered. Under option 1 such a provider cannot be asked, so it
 * cannot opt in; with ProviderBehavior 1 its being loaded is enough to
 * refuse, under any option. Whether it is loaded is decided now: DLLs come
 * and go after the profile was attached. A section that could not be read
 * may be such a provider: unless one registered with its UID, it cannot be
 * counted as opting in under option 1 either. */
static bool sections_refuse(struct shutdown *s, uint32_t option)
{
    bool refused = false;

    for (size_t i = 0; i < s->section_count; i++) {
        const struct attached_section *a = &s->sections[i];
        struct behavior_decision d;

        if (uid_has_provider(s, a->section.section_uid))
            continue;
        behavior_decide(&s->behaviors, a->section.dll_name, &d);
        if (option != SHUTDOWN_ONLY_IF_ALL_OPT_IN && d.value != BEHAVIOR_REFUSE)
            continue;
        if (!s->env.section_is_loaded(s->env.ctx, &a->section))
            continue;
        if (d.value == BEHAVIOR_REFUSE) {
            report_section(s, EVENT_BEHAVIOR_REFUSES, a, NULL, &d);
            refused = true;
        } else if (d.value == BEHAVIOR_OPTED_IN) {
            report_section(s, EVENT_BEHAVIOR_OVERRIDES, a, NULL, &d);
        } else {
            report_section(s, EVENT_SECTION_UNREGISTERED, a, NULL, NULL);
            refused = true;
        }
    }
    for (size_t i = 0; option == SHUTDOWN_ONLY_IF_ALL_OPT_IN && i < s->unreadable_count; i++) {
        if (uid_has_provider(s, s->unreadable[i]))
            continue;
        report_section(s, EVENT_SECTION_UNREADABLE, NULL, s->unreadable[i], NULL);
        refused = true;
    }
    return refused;
}

/* Does this provider stand in the way, before it is asked? */
static bool refuses_unasked(struct shutdown *s, struct provider *p, uint32_t option)
{
    bool refused = false;

    if (p->behavior == BEHAVIOR_REFUSE) {
        report(s, EVENT_BEHAVIOR_REFUSES, p, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
        refused = true;
    }
    if (!p->shutdown && option == SHUTDOWN_ONLY_IF_ALL_OPT_IN) {
        if (p->behavior == BEHAVIOR_OPTED_IN) {
            report(s, EVENT_BEHAVIOR_OVERRIDES, p, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
        } else {
            report(s, EVENT_PROVIDER_UNREACHABLE, p, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
            refused = true;
        }
    } else if (p->shutdown && p->abandoned) {
        report(s, EVENT_PROVIDER_GONE_EARLIER, p, PROVIDER_QUERY, SHUT_E_CALL_FAILED);
        refused = true; /* it can no longer answer, so it did not opt in */
    }
    return refused;
}

/* Ask the policy and the providers whether a fast shutdown may happen now.
 * Every provider is asked even after a refusal, so that the diagnostics
 * name all of those that stand in the way. */
static int32_t evaluate(struct shutdown *s)
{
    struct exit_record r = record_of(s);
    uint32_t option;
    bool refused = false;

    s->evaluation = exit_record_evaluation(&r);
    option = read_settings(s);
    if (option == SHUTDOWN_DISABLED) {
        report(s, EVENT_POLICY_DISABLED, NULL, PROVIDER_QUERY, SHUT_E_NO_SUPPORT);
        s->query_ok = false;
        exit_record_answer(&r, SHUT_E_NO_SUPPORT);
        return SHUT_E_NO_SUPPORT;
    }
    decide_behaviors(s);
    for (size_t first = 0, end; first < s->providers.count; first = end) {
        size_t n = 0;

        end = batch_end(s, first);
        for (size_t i = first; i < end; i++) {
            struct provider *p = &s->providers.items[i];

            refused |= refuses_unasked(s, p, option);
            if (p->shutdown && !p->abandoned)
                batch_add(s, &n, i);
        }
        call_batch(s, n, PROVIDER_QUERY);
        for (size_t k = 0; k < n; k++) {
            struct provider *p = &s->providers.items[s->batch[k].provider];

            if (SHUT_SUCCEEDED(s->batch[k].hr) || p->abandoned) {
                refused |= p->abandoned;
            } else if (p->behavior == BEHAVIOR_OPTED_IN) {
                report(s, EVENT_BEHAVIOR_OVERRIDES, p, PROVIDER_QUERY, s->batch[k].hr);
            } else {
                report(s, EVENT_PROVIDER_OPTED_OUT, p, PROVIDER_QUERY, s->batch[k].hr);
                refused = true;
            }
        }
    }
    if (sections_refuse(s, option))
        refused = true;
    s->query_ok = !refused;
    exit_record_answer(&r, refused ? SHUT_E_NO_SUPPORT : SHUT_S_OK);
    return refused ? SHUT_E_NO_SUPPORT : SHUT_S_OK;
}

/* Tell every provider that has not heard it yet. */
static void tell_providers(struct shutdown *s, enum provider_call call)
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

/* --- the phases ---------------------------------------------------------------------------- */

/* A client call: its entry in the exit record from the moment it is made. */
static uint32_t client_call_start(struct shutdown *s, enum client_call call)
{
    struct exit_record r = record_of(s);

    /* A stranger's calls are not the client's. */
    if (s->env.caller_is_abandoned(s->env.ctx))
        return UINT32_MAX;
    return exit_record_client_start(&r, call, s->env.current_thread(s->env.ctx), r.header ? now(s) : 0);
}

static int32_t client_call_done(struct shutdown *s, uint32_t entry, int32_t hr)
{
    struct exit_record r = record_of(s);

    exit_record_client_done(&r, entry, hr, r.header ? now(s) : 0);
    return hr;
}

int32_t shutdown_query(struct shutdown *s)
{
    uint32_t entry = client_call_start(s, CLIENT_QUERY);
    int32_t hr;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return client_call_done(s, entry, SHUT_E_CALL_FAILED);
    s->client_entry = entry;
    phase_begin(s, EXIT_PHASE_QUERY, true);
    hr = evaluate(s);
    phase_end(s, EXIT_PHASE_IDLE);
    gate_leave(s);
    return client_call_done(s, entry, hr);
}

int32_t shutdown_notify(struct shutdown *s)
{
    uint32_t entry = client_call_start(s, CLIENT_NOTIFY);
    int32_t hr = SHUT_S_OK;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return client_call_done(s, entry, SHUT_E_CALL_FAILED);
    s->client_entry = entry;
    /* Out of protocol (no successful query first): reported like a query,
     * and never tell providers of a shutdown that may not happen. */
    phase_begin(s, EXIT_PHASE_NOTIFY, !s->query_ok);
    if (!s->query_ok)
        hr = evaluate(s);
    if (hr == SHUT_S_OK)
        tell_providers(s, PROVIDER_NOTIFY);
    phase_end(s, EXIT_PHASE_IDLE);
    gate_leave(s);
    return client_call_done(s, entry, hr);
}

int32_t shutdown_do_fast(struct shutdown *s)
{
    uint32_t entry = client_call_start(s, CLIENT_DO_FAST);
    int32_t hr = SHUT_S_OK, joined = SHUT_E_CALL_FAILED;
    struct exit_record r;

    switch (gate_enter(s, true, &joined)) {
    case GATE_ENTERED:        break;
    case GATE_REFUSED:        return client_call_done(s, entry, SHUT_E_CALL_FAILED);
    case GATE_JOINED_DO_FAST: return client_call_done(s, entry, joined);
    }
    s->client_entry = entry;
    phase_begin(s, EXIT_PHASE_DO_FAST, !s->query_ok);
    if (!s->query_ok)
        hr = evaluate(s);
    if (hr != SHUT_S_OK) {
        phase_end(s, EXIT_PHASE_IDLE);
        gate_leave(s);
        return client_call_done(s, entry, hr);
    }
    tell_providers(s, PROVIDER_NOTIFY);
    tell_providers(s, PROVIDER_DO_FAST);
    hr = s->errors ? SHUT_W_ERRORS_RETURNED : SHUT_S_OK;
    phase_end(s, EXIT_PHASE_DO_FAST);
    r = record_of(s);
    exit_record_done(&r, hr);
    gate_leave_done(s, hr);
    return client_call_done(s, entry, hr);
}

/* --- registration ------------------------------------------------------------------------- */

struct registration {
    const uint8_t *section_uid;
    uint32_t resource_type;
    void *shutdown;
    const struct provider_identity *who;
    uint32_t *cookie;
    bool keep;              /* the core took the reference to shutdown */
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

static struct provider *find_provider(struct shutdown *s, uint32_t cookie)
{
    for (size_t i = 0; i < s->providers.count; i++)
        if (s->providers.items[i].cookie == cookie)
            return &s->providers.items[i];
    return NULL;
}

/* A provider without a profile section is named after its module, for
 * ProviderBehavior as for the administrator. */
static void name_by_module(struct provider *p)
{
    const uint16_t *file = p->who.module;

    for (const uint16_t *c = p->who.module; *c; c++)
        if (*c == '\\' || *c == '/')
            file = c + 1;
    copy_units(p->behavior_name, PROVIDER_DLL_MAX, file);
}

static int32_t register_gated(struct shutdown *s, void *arg)
{
    struct registration *reg = arg;
    const struct attached_section *a;
    struct exit_record r = record_of(s);
    struct provider *p;
    int32_t hr;

    if (!grow_batch(s, s->providers.count + 1))
        return SHUT_E_OUTOFMEMORY;
    hr = provider_table_add(&s->providers, reg->section_uid, reg->resource_type, reg->shutdown, reg->cookie);
    if (hr != SHUT_S_OK)
        return hr;
    reg->keep = true;
    p = find_provider(s, *reg->cookie);
    p->who = *reg->who;
    name_by_module(p);
    p->record_slot = exit_record_provider(&r, p->cookie, p->resource_type, reg->section_uid, p->shutdown != NULL,
                                          now(s), &p->who);
    a = reg->section_uid ? find_attached(s, reg->section_uid) : NULL;
    if (a)
        place_by_section(s, p, a);
    provider_table_sort(&s->providers);
    exit_record_registered(&r, (uint32_t)s->providers.count);
    /* A newcomer was never asked: the next phase must ask again. */
    s->query_ok = false;
    return SHUT_S_OK;
}

/* The provider's code (its QueryInterface) runs before the gate is taken,
 * under the deadline the last evaluation read: a provider that hangs there
 * holds nobody else up. */
int32_t shutdown_register(struct shutdown *s, const uint8_t *section_uid,
                          uint32_t resource_type, void *provider, uint32_t *cookie)
{
    struct provider_identity who;
    struct registration reg;
    enum call_outcome outcome = CALL_RETURNED;
    uint32_t timeout_ms;
    void *shutdown;
    int32_t hr;

    *cookie = 0;
    if (!provider || !provider_type_is_valid(resource_type))
        return SHUT_E_INVALIDARG;
    if (shutdown_refuses_caller(s))
        return SHUT_E_CALL_FAILED;
    s->env.lock(s->env.ctx);
    timeout_ms = s->query_timeout_ms;
    s->env.unlock(s->env.ctx);
    shutdown = s->env.query_shutdown(s->env.ctx, provider, timeout_ms, &outcome);
    if (outcome == CALL_TIMED_OUT)
        return SHUT_E_TIMEOUT;      /* it may still answer: what it gives then is never used */
    if (outcome == CALL_CRASHED)
        return SHUT_E_CALL_FAILED;
    memset(&who, 0, sizeof(who));
    s->env.identify(s->env.ctx, provider, &who);
    reg = (struct registration){ section_uid, resource_type, shutdown, &who, cookie, false };
    hr = shutdown_run_gated(s, register_gated, &reg);
    if (!reg.keep && shutdown)
        s->env.release_provider(s->env.ctx, shutdown);
    return hr;
}

int32_t shutdown_unregister(struct shutdown *s, uint32_t cookie)
{
    struct exit_record r = record_of(s);
    struct provider removed;
    int32_t hr;

    if (gate_enter(s, false, NULL) != GATE_ENTERED)
        return SHUT_E_CALL_FAILED;
    hr = provider_table_remove(&s->providers, cookie, &removed);
    if (hr == SHUT_S_OK) {
        exit_record_provider_gone(&r, removed.record_slot, now(s));
        exit_record_registered(&r, (uint32_t)s->providers.count);
    }
    gate_leave(s);
    /* An abandoned provider is not released: its code may still be running. */
    if (hr == SHUT_S_OK && removed.shutdown && !removed.abandoned)
        s->env.release_provider(s->env.ctx, removed.shutdown);
    return hr;
}

/* --- profiles ----------------------------------------------------------------------------- */

static bool unreadable_attached(const struct shutdown *s, const uint8_t *uid)
{
    for (size_t i = 0; i < s->unreadable_count; i++)
        if (!memcmp(s->unreadable[i], uid, PROFILE_UID_SIZE))
            return true;
    return false;
}

struct attachment {
    const struct profile *profile;
    const uint16_t *name;
};

/* Both arrays are grown before anything changes: a failed allocation leaves
 * the state as it was. */
static int32_t add_profile(struct shutdown *s, void *arg)
{
    const struct attachment *attachment = arg;
    const struct profile *profile = attachment->profile;
    struct exit_record r = record_of(s);
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
            place_by_section(s, p, a);
    }
    provider_table_sort(&s->providers);
    exit_record_profile(&r, attachment->name, (uint32_t)profile->provider_count, (uint32_t)profile->problem_count,
                        now(s));
    /* Under option 1 a new section may change the answer: ask again. */
    s->query_ok = false;
    return SHUT_S_OK;
}

int32_t shutdown_attach(struct shutdown *s, const struct profile *profile, const uint16_t *name)
{
    struct attachment attachment = { profile, name };

    return shutdown_run_gated(s, add_profile, &attachment);
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
