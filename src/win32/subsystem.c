/* The process's one subsystem: the portable core (core/shutdown.c) with what
 * it needs from Windows (a lock, a condition variable, provider calls under
 * the deadline, diagnostics). Every COM object (objects.c), aggregated or not,
 * goes through the operations at the end of this file. */
#include "module.h"
#include "core/shutdown.h"
#include "core/status.h"
#include "deadline.h"
#include "profile_registry.h"

_Static_assert(SHUT_E_NO_SUPPORT == (int32_t)MAPI_E_NO_SUPPORT, "MAPI_E_NO_SUPPORT");
_Static_assert(SHUT_E_NOT_FOUND == (int32_t)MAPI_E_NOT_FOUND, "MAPI_E_NOT_FOUND");
_Static_assert(SHUT_E_CALL_FAILED == (int32_t)MAPI_E_CALL_FAILED, "MAPI_E_CALL_FAILED");
_Static_assert(SHUT_W_ERRORS_RETURNED == (int32_t)MAPI_W_ERRORS_RETURNED, "MAPI_W_ERRORS_RETURNED");
_Static_assert(SHUT_E_INVALIDARG == (int32_t)E_INVALIDARG, "E_INVALIDARG");
_Static_assert(SHUT_E_POINTER == (int32_t)E_POINTER, "E_POINTER");
_Static_assert(SHUT_E_OUTOFMEMORY == (int32_t)E_OUTOFMEMORY, "E_OUTOFMEMORY");
_Static_assert(SHUT_TRANSPORT_PROVIDER == MAPI_TRANSPORT_PROVIDER, "MAPI_TRANSPORT_PROVIDER");
_Static_assert(SHUT_AB_PROVIDER == MAPI_AB_PROVIDER, "MAPI_AB_PROVIDER");
_Static_assert(SHUT_STORE_PROVIDER == MAPI_STORE_PROVIDER, "MAPI_STORE_PROVIDER");

static CRITICAL_SECTION lock;
static CONDITION_VARIABLE phase_ended;
static struct shutdown core;

static void report_profile_problems(const WCHAR *path, const struct profile *profile)
{
    for (size_t i = 0; i < profile->problem_count; i++) {
        const struct profile_problem *problem = &profile->problems[i];
        WCHAR uid[33];

        if (problem->has_uid)
            uid_to_text(problem->uid, uid);
        if (problem->error)
            diag(L"profile %ls, section %ls: %hs (error %lu): skipped", path,
                 problem->has_uid ? uid : (const WCHAR *)problem->name, profile_problem_text(problem->kind),
                 (unsigned long)problem->error);
        else
            diag(L"profile %ls, section %ls: %hs: skipped", path,
                 problem->has_uid ? uid : (const WCHAR *)problem->name, profile_problem_text(problem->kind));
    }
}

/* --- what the core needs from Windows ---------------------------------------- */

static void env_lock(void *ctx)
{
    (void)ctx;
    EnterCriticalSection(&lock);
}

static void env_unlock(void *ctx)
{
    (void)ctx;
    LeaveCriticalSection(&lock);
}

static void env_wait(void *ctx)
{
    (void)ctx;
    SleepConditionVariableCS(&phase_ended, &lock, INFINITE);
}

static void env_wake_all(void *ctx)
{
    (void)ctx;
    WakeAllConditionVariable(&phase_ended);
}

static uint32_t env_current_thread(void *ctx)
{
    (void)ctx;
    return deadline_logical_thread();
}

static bool env_caller_is_abandoned(void *ctx)
{
    (void)ctx;
    return deadline_caller_is_abandoned();
}

static void *env_query_shutdown(void *ctx, void *provider)
{
    IMAPIProviderShutdown *shutdown = NULL;

    (void)ctx;
    if (FAILED(IUnknown_QueryInterface((IUnknown *)provider, &IID_IMAPIProviderShutdown, (void **)&shutdown)))
        shutdown = NULL;
    return shutdown;
}

static void env_read_policy(void *ctx, struct policy_decision decisions[SHUTDOWN_SETTINGS])
{
    (void)ctx;
    policy_read_settings(decisions);
}

static int32_t env_call_provider(void *ctx, void *provider, enum provider_call call, uint32_t timeout_ms,
                                 enum call_outcome *outcome)
{
    (void)ctx;
    return provider_call(provider, call, timeout_ms, outcome);
}

static void env_call_providers(void *ctx, struct shutdown_batch_call *calls, size_t count, enum provider_call call,
                               uint32_t timeout_ms)
{
    (void)ctx;
    provider_call_batch(calls, count, call, timeout_ms);
}

static bool env_section_is_loaded(void *ctx, const struct profile_provider *section)
{
    (void)ctx;
    return profile_section_is_loaded((const WCHAR *)section->dll_file, (const WCHAR *)section->dll_name);
}

static void env_release_provider(void *ctx, void *provider)
{
    (void)ctx;
    IMAPIProviderShutdown_Release((IMAPIProviderShutdown *)provider);
}

static void env_report(void *ctx, const struct shutdown_event *event)
{
    const struct provider *p = event->provider;

    (void)ctx;
    switch (event->kind) {
    case EVENT_POLICY_DISABLED:
        diag(L"FastShutdownBehavior is 2: fast shutdown is disabled");
        break;
    case EVENT_PROVIDER_OPTED_OUT:
        diag(L"%hs provider %lu opted out: QueryFastShutdown returned %#lx",
             provider_type_name(p->resource_type), (unsigned long)p->cookie,
             (unsigned long)event->hr);
        break;
    case EVENT_PROVIDER_UNREACHABLE:
        diag(L"%hs provider %lu has no IMAPIProviderShutdown: FastShutdownBehavior 1 "
             L"refuses fast shutdown", provider_type_name(p->resource_type),
             (unsigned long)p->cookie);
        break;
    case EVENT_SECTION_UNREGISTERED: {
        WCHAR uid[33];

        uid_to_text(event->section->section_uid, uid);
        diag(L"%hs provider %ls (section %ls) is loaded but never registered: "
             L"FastShutdownBehavior 1 refuses fast shutdown",
             provider_type_name(event->section->resource_type), (const WCHAR *)event->section->dll_file, uid);
        break;
    }
    case EVENT_POLICY_VALUE_IGNORED: {
        const struct policy_rejected *r = event->rejected;

        char key[POLICY_KEY_PATH_MAX];

        policy_key_path(r->place, r->version, key);
        diag(L"%ls in the %hs (%hs\\%hs) %hs (type %lu, %lu bytes, value %lu, error %lu): ignored",
             policy_setting_names[event->setting], policy_place_name(r->place), policy_place_root(r->place), key,
             policy_reject_reason(r->why), (unsigned long)r->reg_type, (unsigned long)r->size,
             (unsigned long)r->number, (unsigned long)r->error);
        break;
    }
    case EVENT_SECTION_UNREADABLE: {
        WCHAR uid[33];

        uid_to_text(event->section_uid, uid);
        diag(L"profile section %ls could not be read and no provider registered with it: "
             L"FastShutdownBehavior 1 refuses fast shutdown", uid);
        break;
    }
    case EVENT_PROVIDER_TIMED_OUT:
        diag(L"%hs provider %lu did not return from %hs within ProviderTimeoutMs: abandoned",
             provider_type_name(p->resource_type), (unsigned long)p->cookie, provider_call_name(event->call));
        break;
    case EVENT_PROVIDER_CRASHED:
        diag(L"%hs provider %lu crashed in %hs (exception %#lx): abandoned", provider_type_name(p->resource_type),
             (unsigned long)p->cookie, provider_call_name(event->call), (unsigned long)event->hr);
        break;
    case EVENT_PROVIDER_FAILED:
        diag(L"%hs provider %lu failed %hs with %#lx", provider_type_name(p->resource_type),
             (unsigned long)p->cookie, provider_call_name(event->call),
             (unsigned long)event->hr);
        break;
    }
}

struct deferred_reports {
    const struct shutdown_event *events;
    size_t count, lost;
};
_Static_assert(sizeof(struct deferred_reports) <= DEADLINE_ARG_MAX, "diagnostics are written under the deadline");

static HRESULT write_reports(void *arg)
{
    struct deferred_reports *reports = arg;

    for (size_t i = 0; i < reports->count; i++)
        env_report(NULL, &reports->events[i]);
    if (reports->lost)
        diag(L"%lu more events of this phase were not recorded", (unsigned long)reports->lost);
    return S_OK;
}

/* Writing a diagnostic may wait (a debug monitor that never reads) or need
 * the heap (which a crashed provider may have left locked): with a deadline
 * set, it runs under it like a provider call, and the exit goes on. */
static void env_report_deferred(void *ctx, const struct shutdown_event *events, size_t count, size_t lost,
                                uint32_t timeout_ms)
{
    struct deferred_reports reports = { events, count, lost };
    enum call_outcome outcome;

    (void)ctx;
    deadline_run(write_reports, &reports, sizeof(reports), timeout_ms, &outcome);
}

/* --- the process's one subsystem ---------------------------------------------- */

BOOL subsystem_startup(void)
{
    const struct shutdown_env env = {
        .ctx = NULL,
        .lock = env_lock,
        .unlock = env_unlock,
        .wait = env_wait,
        .wake_all = env_wake_all,
        .current_thread = env_current_thread,
        .caller_is_abandoned = env_caller_is_abandoned,
        .read_policy = env_read_policy,
        .call_provider = env_call_provider,
        .call_providers = env_call_providers,
        .query_shutdown = env_query_shutdown,
        .section_is_loaded = env_section_is_loaded,
        .release_provider = env_release_provider,
        .report = env_report,
        .report_deferred = env_report_deferred,
    };

    InitializeCriticalSection(&lock);
    InitializeConditionVariable(&phase_ended);
    shutdown_init(&core, &env);
    return TRUE;
}

void subsystem_shutdown(BOOL process_exiting)
{
    if (process_exiting)
        return;
    deadline_shutdown();
    shutdown_free(&core);
    DeleteCriticalSection(&lock);
}

BOOL subsystem_can_unload(void)
{
    return shutdown_can_unload(&core) && !deadline_in_use();
}

HRESULT subsystem_query(void)
{
    return shutdown_query(&core);
}

HRESULT subsystem_notify(void)
{
    return shutdown_notify(&core);
}

HRESULT subsystem_do_fast(void)
{
    return shutdown_do_fast(&core);
}

/* The profile is read here, at attach time and outside the gate, so that
 * neither the shutdown path nor a concurrent QueryFastShutdown waits for the
 * registry; only the merge runs gated. */
HRESULT subsystem_attach_profile(const WCHAR *name)
{
    struct profile profile;
    WCHAR path[400] = L"";
    HRESULT hr;

    if (name && !profile_name_is_valid(name))
        return E_INVALIDARG;
    if (shutdown_refuses_caller(&core))
        return MAPI_E_CALL_FAILED;
    hr = profile_read(name, &profile, path, ARRAYSIZE(path));
    if (FAILED(hr))
        return hr;
    hr = shutdown_attach(&core, &profile);
    if (SUCCEEDED(hr) && profile.problem_count) {
        /* Attached, but not all of it: the caller is told, the log says what. */
        report_profile_problems(path, &profile);
        hr = MAPI_W_ERRORS_RETURNED;
    }
    profile_free(&profile);
    return hr;
}

HRESULT subsystem_register(const BYTE *section_uid, ULONG resource_type, IUnknown *provider, ULONG *cookie)
{
    uint32_t new_cookie = 0;
    HRESULT hr;

    if (!cookie)
        return E_POINTER;
    hr = shutdown_register(&core, section_uid, resource_type, provider, &new_cookie);
    *cookie = new_cookie;
    return hr;
}

HRESULT subsystem_unregister(ULONG cookie)
{
    return shutdown_unregister(&core, cookie);
}
