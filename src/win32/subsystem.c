/* The process's one subsystem: the portable core (core/shutdown.c) with what
 * it needs from Windows (a lock, a wait that pumps where it must, provider
 * calls under the deadline, the exit record, diagnostics). Every COM object
 * (objects.c), aggregated or not, goes through the operations at the end of
 * this file. */
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
_Static_assert(SHUT_E_TIMEOUT == (int32_t)HRESULT_FROM_WIN32(ERROR_TIMEOUT), "ERROR_TIMEOUT");
_Static_assert(SHUT_TRANSPORT_PROVIDER == MAPI_TRANSPORT_PROVIDER, "MAPI_TRANSPORT_PROVIDER");
_Static_assert(SHUT_AB_PROVIDER == MAPI_AB_PROVIDER, "MAPI_AB_PROVIDER");
_Static_assert(SHUT_STORE_PROVIDER == MAPI_STORE_PROVIDER, "MAPI_STORE_PROVIDER");
_Static_assert(POLICY_REG_DWORD == REG_DWORD && POLICY_REG_SZ == REG_SZ, "registry types");

static CRITICAL_SECTION lock;
static CONDITION_VARIABLE phase_ended;
static struct shutdown core;

/* --- the gate's wait ---------------------------------------------------------------- */

/* A thread in a single-threaded apartment waits on an event of its own,
 * pumping (wait.c); wake_all sets the events of those waiting. Others sleep
 * on the condition variable. */
#define STA_WAITERS_MAX 16
static HANDLE sta_waiters[STA_WAITERS_MAX];
static DWORD sta_event_tls = TLS_OUT_OF_INDEXES;

static BOOL in_single_threaded_apartment(void)
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;

    return SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA);
}

/* The thread's own wake-up event, made at its first wait and kept. */
static HANDLE sta_event(void)
{
    HANDLE event = TlsGetValue(sta_event_tls);

    if (!event && (event = CreateEventW(NULL, FALSE, FALSE, NULL)) && !TlsSetValue(sta_event_tls, event)) {
        CloseHandle(event);
        event = NULL;
    }
    return event;
}

static void env_wait(void *ctx)
{
    HANDLE event;
    DWORD signalled;
    int slot = -1;

    (void)ctx;
    if (sta_event_tls == TLS_OUT_OF_INDEXES || !in_single_threaded_apartment() || !(event = sta_event())) {
        SleepConditionVariableCS(&phase_ended, &lock, INFINITE);
        return;
    }
    for (int i = 0; i < STA_WAITERS_MAX && slot < 0; i++)
        if (!sta_waiters[i])
            sta_waiters[slot = i] = event;
    LeaveCriticalSection(&lock);
    /* Without a slot, looking again every 10 ms still pumps. */
    wait_for_handles(1, &event, slot < 0 ? 10 : INFINITE, &signalled);
    EnterCriticalSection(&lock);
    if (slot >= 0)
        sta_waiters[slot] = NULL;
}

static void env_wake_all(void *ctx)
{
    (void)ctx;
    WakeAllConditionVariable(&phase_ended);
    for (int i = 0; i < STA_WAITERS_MAX; i++)
        if (sta_waiters[i])
            SetEvent(sta_waiters[i]);
}

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

/* --- what else the core needs from Windows --------------------------------------------- */

static uint32_t env_current_thread(void *ctx)
{
    (void)ctx;
    return deadline_logical_thread();
}

static uint64_t env_now_us(void *ctx)
{
    (void)ctx;
    return clock_us();
}

static bool env_caller_is_abandoned(void *ctx)
{
    (void)ctx;
    return deadline_caller_is_abandoned();
}

struct interface_request {
    IUnknown *provider;
    IMAPIProviderShutdown *shutdown;    /* out */
};
_Static_assert(sizeof(struct interface_request) <= DEADLINE_ARG_MAX, "QueryInterface runs under the deadline");

static HRESULT query_interface(void *arg)
{
    struct interface_request *request = arg;

    if (FAILED(IUnknown_QueryInterface(request->provider, &IID_IMAPIProviderShutdown, (void **)&request->shutdown)))
        request->shutdown = NULL;
    return S_OK;
}

static void *env_query_shutdown(void *ctx, void *provider, uint32_t timeout_ms, enum call_outcome *outcome)
{
    struct interface_request request = { provider, NULL };
    uint32_t flags;

    (void)ctx;
    deadline_run(query_interface, &request, sizeof(request), timeout_ms, outcome, &flags);
    return *outcome == CALL_RETURNED ? request.shutdown : NULL;
}

/* The module its QueryInterface lives in implements the object. */
static void env_identify(void *ctx, void *provider, struct provider_identity *who)
{
    IUnknown *object = provider;
    HMODULE module;

    (void)ctx;
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (const WCHAR *)(void *)object->lpVtbl->QueryInterface, &module) &&
        GetModuleFileNameW(module, (WCHAR *)who->module, ARRAYSIZE(who->module)))
        who->module[ARRAYSIZE(who->module) - 1] = 0;
    else
        who->module[0] = 0;
}

static void env_read_policy(void *ctx, struct policy_decision decisions[SHUTDOWN_SETTINGS],
                            struct behavior_reading *behaviors)
{
    (void)ctx;
    policy_read_settings(decisions, behaviors);
}

/* The provider calls being made on the callers' own threads (no deadline),
 * for the exception handler below: a thread and its call's entry in the exit
 * record. A table, not TLS: setting a TLS slot may allocate, and the heap
 * may be locked in a process's last moments. */
#define CALLS_IN_PROGRESS 64
static struct call_in_progress {
    LONG thread;                /* 0: free */
    uint32_t entry;
} calls_in_progress[CALLS_IN_PROGRESS];
static void *exception_handler;
static struct exit_header *record_view;

static struct call_in_progress *call_begins(uint32_t entry)
{
    LONG me = (LONG)GetCurrentThreadId();

    for (int i = 0; i < CALLS_IN_PROGRESS; i++) {
        if (InterlockedCompareExchange(&calls_in_progress[i].thread, me, 0) == 0) {
            calls_in_progress[i].entry = entry;
            return &calls_in_progress[i];
        }
    }
    return NULL;
}

/* Without a deadline a crash inside a provider ends the process (as with
 * Microsoft's subsystem); the record keeps which call and which exception.
 * Every exception is seen first here, handled or not: only what a thread
 * raised while inside a provider call is noted. */
static LONG CALLBACK note_exception(EXCEPTION_POINTERS *info)
{
    DWORD code = info->ExceptionRecord->ExceptionCode;
    LONG me = (LONG)GetCurrentThreadId();
    struct exit_record r = { __atomic_load_n(&record_view, __ATOMIC_ACQUIRE) };

    /* Errors only: OutputDebugString and thread naming raise informational codes. */
    if ((code & 0xC0000000u) != 0xC0000000u)
        return EXCEPTION_CONTINUE_SEARCH;
    for (int i = 0; i < CALLS_IN_PROGRESS; i++)
        if (InterlockedCompareExchange(&calls_in_progress[i].thread, 0, 0) == me)
            exit_record_call_exception(&r, calls_in_progress[i].entry, code);
    return EXCEPTION_CONTINUE_SEARCH;
}

static int32_t env_call_provider(void *ctx, void *provider, enum provider_call call, uint32_t timeout_ms,
                                 uint32_t record_entry, enum call_outcome *outcome, uint32_t *flags)
{
    struct call_in_progress *noted = !timeout_ms && exception_handler ? call_begins(record_entry) : NULL;
    HRESULT hr;

    (void)ctx;
    hr = provider_call(provider, call, timeout_ms, outcome, flags);
    if (noted)
        __atomic_store_n(&noted->thread, 0, __ATOMIC_RELEASE);
    return hr;
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

/* --- diagnostics after a phase ------------------------------------------------------------ */

/* A writer owns the copy it prints: a write the deadline gave up on keeps
 * its batch until it returns, and the next phase takes the other one. */
#define REPORT_BATCHES 2
static struct report_batch {
    LONG busy;
    struct reported_event events[SHUTDOWN_DEFERRED_MAX];
    size_t count, lost;
} batches[REPORT_BATCHES];
static LONG batches_unavailable; /* phases whose text could not be written: both batches held, or no worker */

static HRESULT write_batch(void *arg)
{
    struct report_batch *batch = &batches[*(unsigned *)arg];
    LONG missed = InterlockedExchange(&batches_unavailable, 0);

    if (missed)
        diag(L"the diagnostics of %lu earlier phases were not written: the debug output was stalled, "
             L"or no worker could write them in time", (unsigned long)missed);
    diag_events(batch->events, batch->count, batch->lost);
    InterlockedExchange(&batch->busy, 0);
    return S_OK;
}

/* Writing a diagnostic may wait (a debug monitor that never reads) or need
 * the heap (which a crashed provider may have left locked): with a deadline
 * set, it runs under it like a provider call, and the client goes on. */
static void env_report_phase(void *ctx, const struct reported_event *events, size_t count, size_t lost,
                             uint32_t timeout_ms)
{
    unsigned index = 0;

    (void)ctx;
    while (index < REPORT_BATCHES && InterlockedCompareExchange(&batches[index].busy, 1, 0))
        index++;
    if (index == REPORT_BATCHES) {
        InterlockedIncrement(&batches_unavailable);
        return;
    }
    memcpy(batches[index].events, events, count * sizeof(*events));
    batches[index].count = count;
    batches[index].lost = lost;
    /* Not written unguarded: a stalled debug monitor would hold the client. */
    if (!deadline_run_guarded(write_batch, &index, sizeof(index), timeout_ms)) {
        InterlockedExchange(&batches[index].busy, 0);
        InterlockedIncrement(&batches_unavailable);
    }
}

/* --- the exit record ---------------------------------------------------------------------------- */

static INIT_ONCE record_once = INIT_ONCE_STATIC_INIT;

/* At the first attach or registration: the record, unless ExitRecords is
 * 0, and the tidying of the folder (the Event Log told of earlier exits, the
 * oldest records deleted) on a thread of its own. */
static BOOL CALLBACK create_record(INIT_ONCE *once, void *param, void **context)
{
    struct policy_decision settings[SHUTDOWN_SETTINGS];
    void *view = NULL;

    (void)once;
    (void)param;
    (void)context;
    policy_read_settings(settings, NULL);
    if (settings[SETTING_RECORDS].value && (view = exit_file_create(clock_us))) {
        shutdown_set_record(&core, view);
        __atomic_store_n(&record_view, (struct exit_header *)view, __ATOMIC_RELEASE);
        exception_handler = AddVectoredExceptionHandler(0, note_exception);
    }
    exit_tidy_in_background(view ? settings[SETTING_RECORDS].value : 0);
    return TRUE;
}

static void ensure_record(void)
{
    InitOnceExecuteOnce(&record_once, create_record, NULL, NULL);
}

/* --- the process's one subsystem ---------------------------------------------------------------- */

BOOL subsystem_startup(void)
{
    const struct shutdown_env env = {
        .ctx = NULL,
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

    clock_init();
    InitializeCriticalSection(&lock);
    InitializeConditionVariable(&phase_ended);
    sta_event_tls = TlsAlloc();
    shutdown_init(&core, &env);
    return TRUE;
}

/* At process exit other threads are gone and providers may be unloaded:
 * touch nothing. On FreeLibrary (never while a worker exists: the module is
 * pinned then), free what is the module's own; the providers' code is not
 * called, since their DLLs may be gone too. */
void subsystem_shutdown(BOOL process_exiting)
{
    if (process_exiting)
        return;
    if (exception_handler)
        RemoveVectoredExceptionHandler(exception_handler);
    shutdown_free(&core);
    DeleteCriticalSection(&lock);
    if (sta_event_tls != TLS_OUT_OF_INDEXES)
        TlsFree(sta_event_tls);
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
    HRESULT hr = shutdown_do_fast(&core);

    /* Done: the workers are not needed any more. */
    if (SUCCEEDED(hr))
        deadline_retire();
    return hr;
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
    ensure_record();
    hr = shutdown_attach(&core, &profile, (const uint16_t *)name);
    if (SUCCEEDED(hr) && profile.problem_count) {
        /* Attached, but not all of it: the caller is told, the log says what. */
        diag_profile_problems(path, &profile);
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
    if (provider && provider_type_is_valid(resource_type))
        ensure_record();
    hr = shutdown_register(&core, section_uid, resource_type, provider, &new_cookie);
    *cookie = new_cookie;
    return hr;
}

HRESULT subsystem_unregister(ULONG cookie)
{
    return shutdown_unregister(&core, cookie);
}

HRESULT subsystem_set_worker_hook(IMAPIShutdownWorkerHook *hook)
{
    if (shutdown_refuses_caller(&core))
        return MAPI_E_CALL_FAILED;
    deadline_set_hook(hook);
    return S_OK;
}
