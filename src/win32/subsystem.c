/* The process's one subsystem object: IMAPIClientShutdown for clients and
 * IMAPIShutdownHost for the code that loads providers. The rules live in the
 * portable core (core/shutdown.c); this file translates COM to core calls and
 * gives the core its lock, its condition variable and its provider calls. */
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

struct subsystem {
    IMAPIClientShutdown IMAPIClientShutdown_iface;
    IMAPIShutdownHost IMAPIShutdownHost_iface;
    LONG refs;
    CRITICAL_SECTION lock;
    CONDITION_VARIABLE phase_ended;
    struct shutdown core;
};

static struct subsystem subsystem;

static struct subsystem *impl_from_IMAPIClientShutdown(IMAPIClientShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct subsystem, IMAPIClientShutdown_iface);
}

static struct subsystem *impl_from_IMAPIShutdownHost(IMAPIShutdownHost *iface)
{
    return CONTAINING_RECORD(iface, struct subsystem, IMAPIShutdownHost_iface);
}

/* --- IUnknown, shared by both interfaces ------------------------------------ */

static HRESULT subsystem_qi(struct subsystem *s, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (!riid) {
        *out = NULL;
        return E_INVALIDARG;
    }
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIClientShutdown))
        *out = &s->IMAPIClientShutdown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIShutdownHost))
        *out = &s->IMAPIShutdownHost_iface;
    else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

/* The object is static and never freed: its references only keep the
 * module loaded. */
static ULONG subsystem_addref(struct subsystem *s)
{
    module_lock();
    return (ULONG)InterlockedIncrement(&s->refs);
}

static ULONG subsystem_release(struct subsystem *s)
{
    module_unlock();
    return (ULONG)InterlockedDecrement(&s->refs);
}

/* --- IMAPIClientShutdown ----------------------------------------------------- */

static HRESULT WINAPI ClientShutdown_QueryInterface(IMAPIClientShutdown *iface, REFIID riid, void **out)
{
    return subsystem_qi(impl_from_IMAPIClientShutdown(iface), riid, out);
}

static ULONG WINAPI ClientShutdown_AddRef(IMAPIClientShutdown *iface)
{
    return subsystem_addref(impl_from_IMAPIClientShutdown(iface));
}

static ULONG WINAPI ClientShutdown_Release(IMAPIClientShutdown *iface)
{
    return subsystem_release(impl_from_IMAPIClientShutdown(iface));
}

static HRESULT WINAPI ClientShutdown_QueryFastShutdown(IMAPIClientShutdown *iface)
{
    return shutdown_query(&impl_from_IMAPIClientShutdown(iface)->core);
}

static HRESULT WINAPI ClientShutdown_NotifyProcessShutdown(IMAPIClientShutdown *iface)
{
    return shutdown_notify(&impl_from_IMAPIClientShutdown(iface)->core);
}

static HRESULT WINAPI ClientShutdown_DoFastShutdown(IMAPIClientShutdown *iface)
{
    return shutdown_do_fast(&impl_from_IMAPIClientShutdown(iface)->core);
}

static const IMAPIClientShutdownVtbl client_shutdown_vtbl = {
    ClientShutdown_QueryInterface,
    ClientShutdown_AddRef,
    ClientShutdown_Release,
    ClientShutdown_QueryFastShutdown,
    ClientShutdown_NotifyProcessShutdown,
    ClientShutdown_DoFastShutdown,
};

/* --- IMAPIShutdownHost ------------------------------------------------------- */

static HRESULT WINAPI ShutdownHost_QueryInterface(IMAPIShutdownHost *iface, REFIID riid, void **out)
{
    return subsystem_qi(impl_from_IMAPIShutdownHost(iface), riid, out);
}

static ULONG WINAPI ShutdownHost_AddRef(IMAPIShutdownHost *iface)
{
    return subsystem_addref(impl_from_IMAPIShutdownHost(iface));
}

static ULONG WINAPI ShutdownHost_Release(IMAPIShutdownHost *iface)
{
    return subsystem_release(impl_from_IMAPIShutdownHost(iface));
}

static void report_profile_problems(const WCHAR *path, const struct profile *profile)
{
    for (size_t i = 0; i < profile->problem_count; i++) {
        const struct profile_problem *problem = &profile->problems[i];
        WCHAR uid[33];

        if (problem->has_uid)
            uid_to_text(problem->uid, uid);
        diag(L"profile %ls, section %ls: %hs: skipped", path,
             problem->has_uid ? uid : (const WCHAR *)problem->name, profile_problem_text(problem->kind));
    }
}

struct attach_request {
    const WCHAR *name;
    struct profile profile;
    WCHAR path[400];
};

/* Runs with the gate held: after DoFastShutdown nothing is read at all. */
static int32_t read_and_attach(struct shutdown *core, void *arg)
{
    struct attach_request *request = arg;
    HRESULT hr = profile_read(request->name, &request->profile, request->path, ARRAYSIZE(request->path));

    return FAILED(hr) ? hr : shutdown_add_profile(core, &request->profile);
}

/* The profile is read here, at attach time, so that the shutdown path never
 * enumerates the registry. */
static HRESULT WINAPI ShutdownHost_AttachProfile(IMAPIShutdownHost *iface, LPCWSTR name)
{
    struct subsystem *s = impl_from_IMAPIShutdownHost(iface);
    struct attach_request request = { .name = name };
    HRESULT hr;

    if (name && !profile_name_is_valid(name))
        return E_INVALIDARG;
    hr = shutdown_run_gated(&s->core, read_and_attach, &request);
    if (SUCCEEDED(hr))
        report_profile_problems(request.path, &request.profile);
    profile_free(&request.profile);
    return hr;
}

static HRESULT WINAPI ShutdownHost_RegisterProvider(IMAPIShutdownHost *iface, const BYTE *section_uid,
                                                    ULONG resource_type, IUnknown *provider,
                                                    ULONG *cookie)
{
    struct subsystem *s = impl_from_IMAPIShutdownHost(iface);
    IMAPIProviderShutdown *shutdown = NULL;
    uint32_t new_cookie;
    HRESULT hr;

    if (!cookie)
        return E_POINTER;
    *cookie = 0;
    if (!provider || !provider_type_is_valid(resource_type))
        return E_INVALIDARG;
    /* After DoFastShutdown not even the newcomer is touched. */
    if (shutdown_is_done(&s->core))
        return MAPI_E_CALL_FAILED;

    /* Asked once, here; a provider without the interface is kept too, since
     * under FastShutdownBehavior 1 it must block a fast shutdown. */
    if (FAILED(IUnknown_QueryInterface(provider, &IID_IMAPIProviderShutdown, (void **)&shutdown)))
        shutdown = NULL;
    hr = shutdown_register(&s->core, section_uid, resource_type, shutdown, &new_cookie);
    if (FAILED(hr)) {
        if (shutdown)
            IMAPIProviderShutdown_Release(shutdown);
        return hr;
    }
    *cookie = new_cookie;
    return S_OK;
}

static HRESULT WINAPI ShutdownHost_UnregisterProvider(IMAPIShutdownHost *iface, ULONG cookie)
{
    return shutdown_unregister(&impl_from_IMAPIShutdownHost(iface)->core, cookie);
}

static const IMAPIShutdownHostVtbl shutdown_host_vtbl = {
    ShutdownHost_QueryInterface,
    ShutdownHost_AddRef,
    ShutdownHost_Release,
    ShutdownHost_AttachProfile,
    ShutdownHost_RegisterProvider,
    ShutdownHost_UnregisterProvider,
};

/* --- what the core needs from Windows ---------------------------------------- */

static void env_lock(void *ctx)
{
    EnterCriticalSection(&((struct subsystem *)ctx)->lock);
}

static void env_unlock(void *ctx)
{
    LeaveCriticalSection(&((struct subsystem *)ctx)->lock);
}

static void env_wait(void *ctx)
{
    struct subsystem *s = ctx;

    SleepConditionVariableCS(&s->phase_ended, &s->lock, INFINITE);
}

static void env_wake_all(void *ctx)
{
    WakeAllConditionVariable(&((struct subsystem *)ctx)->phase_ended);
}

static uint32_t env_current_thread(void *ctx)
{
    (void)ctx;
    return deadline_logical_thread();
}

static void env_read_policy(void *ctx, struct policy_decision *behavior, uint32_t *timeout_ms)
{
    struct policy_decision timeout;

    (void)ctx;
    policy_read_settings(behavior, &timeout);
    *timeout_ms = timeout.value;
}

static int32_t env_call_provider(void *ctx, void *provider, enum provider_call call, uint32_t timeout_ms,
                                 enum call_outcome *outcome)
{
    (void)ctx;
    return provider_call(provider, call, timeout_ms, outcome);
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

/* --- module-level entry points ----------------------------------------------- */

BOOL subsystem_startup(void)
{
    const struct shutdown_env env = {
        .ctx = &subsystem,
        .lock = env_lock,
        .unlock = env_unlock,
        .wait = env_wait,
        .wake_all = env_wake_all,
        .current_thread = env_current_thread,
        .read_policy = env_read_policy,
        .call_provider = env_call_provider,
        .section_is_loaded = env_section_is_loaded,
        .release_provider = env_release_provider,
        .report = env_report,
    };

    subsystem.IMAPIClientShutdown_iface.lpVtbl = &client_shutdown_vtbl;
    subsystem.IMAPIShutdownHost_iface.lpVtbl = &shutdown_host_vtbl;
    InitializeCriticalSection(&subsystem.lock);
    InitializeConditionVariable(&subsystem.phase_ended);
    shutdown_init(&subsystem.core, &env);
    return TRUE;
}

void subsystem_shutdown(BOOL process_exiting)
{
    if (process_exiting)
        return;
    deadline_shutdown();
    shutdown_free(&subsystem.core);
    DeleteCriticalSection(&subsystem.lock);
}

HRESULT subsystem_query_interface(REFIID riid, void **out)
{
    return subsystem_qi(&subsystem, riid, out);
}

BOOL subsystem_is_idle(void)
{
    return shutdown_is_idle(&subsystem.core);
}
