/* testprov.dll: see testprov.h. A test DLL the way Wine's tests have them:
 * built apart from the tests and embedded in them as a TESTDLL resource. */
#pragma makedep testdll

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <mapispi.h>
#include "testprov.h"
#include "mapishut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct provider {
    union {
        IUnknown IUnknown_iface;            /* made by testprov_create */
        IXPProvider IXPProvider_iface;      /* made by an entry point, by type */
        IABProvider IABProvider_iface;
        IMSProvider IMSProvider_iface;
    } u;
    IMAPIProviderShutdown IMAPIProviderShutdown_iface;
    LONG refs;
    LONG queries;
    LONG saved;
    LONG last_thread;           /* the thread of its last IMAPIProviderShutdown call */
    DWORD flags;
    DWORD creator_thread;
    WCHAR name[32];
    WCHAR log_path[MAX_PATH];
    WCHAR data_path[MAX_PATH];
    BYTE dirty[TESTPROV_DATA_SIZE]; /* what a fast exit must not lose */
};

static struct provider *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, u.IUnknown_iface);
}

static struct provider *impl_from_IMAPIProviderShutdown(IMAPIProviderShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IMAPIProviderShutdown_iface);
}

/* TESTPROV_EVENTS: a test waiting for "<name>.<event>" (the event up to an
 * '=') creates the event "<TESTPROV_EVENTS><name>.<event>"; it is set here. */
static void signal_event(struct provider *p, const char *event)
{
    WCHAR prefix[64], name[128];
    HANDLE handle;
    int length;

    if (!GetEnvironmentVariableW(L"TESTPROV_EVENTS", prefix, ARRAYSIZE(prefix)))
        return;
    length = (int)strcspn(event, "=");
    _snwprintf(name, ARRAYSIZE(name), L"%ls%ls.%.*hs", prefix, p->name, length, event);
    name[ARRAYSIZE(name) - 1] = 0;
    if ((handle = OpenEventW(EVENT_MODIFY_STATE, FALSE, name))) {
        SetEvent(handle);
        CloseHandle(handle);
    }
}

/* One line per event, appended with a single WriteFile: it is on disk even
 * if the process is terminated right after. Then the event is signalled. */
static void log_event(struct provider *p, const char *event)
{
    char line[128];
    DWORD written;
    HANDLE file, lock;
    int length;

    if (!p->log_path[0])
        return;
    length = snprintf(line, sizeof(line), "%ls.%s%s\n", p->name, event,
                      !(p->flags & TESTPROV_LOG_THREAD) ? "" :
                      GetCurrentThreadId() == p->creator_thread ? "@same" : "@other");
    /* Wine's appends from two threads at once can overwrite each other:
     * one writer at a time, across the processes that share a log. */
    lock = CreateMutexW(NULL, FALSE, L"mapishut-testprov-log");
    if (lock)
        WaitForSingleObject(lock, 10000);
    file = CreateFileW(p->log_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file != INVALID_HANDLE_VALUE) {
        WriteFile(file, line, (DWORD)length, &written, NULL);
        CloseHandle(file);
    }
    if (lock) {
        ReleaseMutex(lock);
        CloseHandle(lock);
    }
    if (file != INVALID_HANDLE_VALUE)
        signal_event(p, event);
}

static BOOL save(struct provider *p);

/* TESTPROV_TIMED: when the call began or ended, for tests of what overlaps. */
static void log_time(struct provider *p, char call, char edge)
{
    LARGE_INTEGER now, frequency;
    char event[40];

    if (!(p->flags & TESTPROV_TIMED))
        return;
    QueryPerformanceCounter(&now);
    QueryPerformanceFrequency(&frequency);
    snprintf(event, sizeof(event), "%c%c%llu", call, edge,
             (unsigned long long)(now.QuadPart / frequency.QuadPart * 1000000 +
                                  now.QuadPart % frequency.QuadPart * 1000000 / frequency.QuadPart));
    log_event(p, event);
    if (edge == '>')
        Sleep(100);
}

/* Sets the event the environment's TESTPROV_ENTERED names: the test knows
 * the provider is inside the call, without guessing how long to wait. */
static void signal_entered(void)
{
    WCHAR name[64];
    HANDLE event;

    if (!GetEnvironmentVariableW(L"TESTPROV_ENTERED", name, ARRAYSIZE(name)))
        return;
    if ((event = OpenEventW(EVENT_MODIFY_STATE, FALSE, name))) {
        SetEvent(event);
        CloseHandle(event);
    }
}

/* TESTPROV_NEEDS_PREPARED: the threads testprov_prepare_thread was called on. */
static DWORD prepared_tls = TLS_OUT_OF_INDEXES;

void WINAPI testprov_prepare_thread(void)
{
    if (prepared_tls != TLS_OUT_OF_INDEXES)
        TlsSetValue(prepared_tls, (void *)1);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        prepared_tls = TlsAlloc();
    return TRUE;
}

static HRESULT WINAPI Unknown_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct provider *p = impl_from_IUnknown(iface);

    if (!out)
        return E_POINTER;
    if ((p->flags & TESTPROV_SLOW_QI) && IsEqualIID(riid, &IID_IMAPIProviderShutdown)) {
        signal_entered();
        Sleep(4000);
    }
    if (IsEqualIID(riid, &IID_IUnknown))
        *out = &p->u.IUnknown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIProviderShutdown) && !(p->flags & TESTPROV_NO_INTERFACE))
        *out = &p->IMAPIProviderShutdown_iface;
    else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI Unknown_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refs);
}

static ULONG WINAPI Unknown_Release(IUnknown *iface)
{
    struct provider *p = impl_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&p->refs);

    if (!refs) {
        if ((p->flags & TESTPROV_SAVE_ON_RELEASE) && !p->saved && p->data_path[0] && save(p))
            log_event(p, "saved-on-release");
        log_event(p, "freed");
        HeapFree(GetProcessHeap(), 0, p);
    }
    return refs;
}

static const IUnknownVtbl unknown_vtbl = {
    Unknown_QueryInterface,
    Unknown_AddRef,
    Unknown_Release,
};

static HRESULT WINAPI Shutdown_QueryInterface(IMAPIProviderShutdown *iface, REFIID riid, void **out)
{
    return Unknown_QueryInterface(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface, riid, out);
}

static ULONG WINAPI Shutdown_AddRef(IMAPIProviderShutdown *iface)
{
    return Unknown_AddRef(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface);
}

static ULONG WINAPI Shutdown_Release(IMAPIProviderShutdown *iface)
{
    return Unknown_Release(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface);
}

/* A provider that calls the subsystem from inside a notification: every
 * call must fail at once with MAPI_E_CALL_FAILED. */
static void reenter(struct provider *p)
{
    IMAPIClientShutdown *client;
    char event[96];
    HRESULT hr;

    if (!(p->flags & TESTPROV_REENTER))
        return;
    hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIClientShutdown,
                          (void **)&client);
    if (FAILED(hr)) {
        snprintf(event, sizeof(event), "reenter-create=%#lx", hr);
        log_event(p, event);
        return;
    }
    snprintf(event, sizeof(event), "reenter=%#lx,%#lx,%#lx", IMAPIClientShutdown_QueryFastShutdown(client),
             IMAPIClientShutdown_NotifyProcessShutdown(client), IMAPIClientShutdown_DoFastShutdown(client));
    IMAPIClientShutdown_Release(client);
    log_event(p, event);
}

/* A provider that takes too long, then calls the subsystem: by then the
 * deadline has abandoned it, and it must be a stranger. */
static void call_back_late(struct provider *p, BOOL do_fast)
{
    IMAPIClientShutdown *client;
    char event[64];
    HRESULT hr;

    Sleep(300);
    hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIClientShutdown,
                          (void **)&client);
    if (SUCCEEDED(hr)) {
        hr = do_fast ? IMAPIClientShutdown_DoFastShutdown(client) : IMAPIClientShutdown_QueryFastShutdown(client);
        IMAPIClientShutdown_Release(client);
    }
    snprintf(event, sizeof(event), "late=%#lx", hr);
    log_event(p, event);
}

static HRESULT WINAPI Shutdown_QueryFastShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = impl_from_IMAPIProviderShutdown(iface);

    InterlockedIncrement(&p->queries);
    InterlockedExchange(&p->last_thread, (LONG)GetCurrentThreadId());
    log_event(p, "Q");
    log_time(p, 'Q', '>');
    reenter(p);
    if (p->flags & TESTPROV_LATE_QUERY)
        call_back_late(p, FALSE);
    log_time(p, 'Q', '<');
    signal_event(p, "Q-returns");
    if (p->flags & TESTPROV_OPT_OUT)
        return MAPI_E_NO_SUPPORT;
    if (p->flags & TESTPROV_FAIL_QUERY)
        return E_FAIL;
    return p->flags & TESTPROV_QUERY_S_FALSE ? S_FALSE : S_OK;
}

static HRESULT WINAPI Shutdown_NotifyProcessShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = impl_from_IMAPIProviderShutdown(iface);

    InterlockedExchange(&p->last_thread, (LONG)GetCurrentThreadId());
    log_event(p, "N");
    log_time(p, 'N', '>');
    reenter(p);
    if (p->flags & TESTPROV_LATE_NOTIFY)
        call_back_late(p, TRUE);
    if (p->flags & TESTPROV_SLOW_NOTIFY)
        Sleep(120);
    log_time(p, 'N', '<');
    signal_event(p, "N-returns");
    return p->flags & TESTPROV_FAIL_NOTIFY ? MAPI_E_CALL_FAILED : S_OK;
}

/* Saves the dirty data: the only moment this provider writes it. */
static BOOL save(struct provider *p)
{
    HANDLE file = CreateFileW(p->data_path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written = 0;
    BOOL saved;

    if (file == INVALID_HANDLE_VALUE)
        return FALSE;
    saved = WriteFile(file, p->dirty, sizeof(p->dirty), &written, NULL) &&
            written == sizeof(p->dirty) && FlushFileBuffers(file);
    CloseHandle(file);
    return saved;
}

static HRESULT WINAPI Shutdown_DoFastShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = impl_from_IMAPIProviderShutdown(iface);

    InterlockedExchange(&p->last_thread, (LONG)GetCurrentThreadId());
    log_event(p, "D");
    log_time(p, 'D', '>');
    reenter(p);
    if (p->flags & TESTPROV_SIGNAL_DO_FAST)
        signal_entered();
    if (p->flags & TESTPROV_EXIT_THREAD)
        ExitThread(3);
    if ((p->flags & TESTPROV_NEEDS_PREPARED) && !TlsGetValue(prepared_tls)) {
        log_event(p, "not-prepared");
        return MAPI_E_NOT_INITIALIZED;
    }
    if (p->flags & TESTPROV_HANG_DO_FAST)
        Sleep(INFINITE);
    if (p->flags & TESTPROV_CRASH_DO_FAST) {
        int *volatile nowhere = NULL; /* volatile: a real access violation, not a trap */

        *nowhere = 1;
    }
    if (p->flags & TESTPROV_SLOW_DO_FAST)
        Sleep(300);
    if (p->flags & TESTPROV_SEND_TO_CLIENT) {
        /* A provider that needs its client's thread, as one living in the
         * client's single-threaded apartment does. */
        WCHAR window[32];

        if (GetEnvironmentVariableW(L"TESTPROV_HWND", window, ARRAYSIZE(window)))
            SendMessageW((HWND)(ULONG_PTR)_wcstoui64(window, NULL, 16), WM_APP, 0, 0);
        log_event(p, "sent");
    }
    if (p->data_path[0] && save(p)) {
        InterlockedExchange(&p->saved, 1);
        log_event(p, "saved");
    }
    log_time(p, 'D', '<');
    signal_event(p, "D-returns");
    return p->flags & TESTPROV_FAIL_DO_FAST ? MAPI_E_CALL_FAILED : S_OK;
}

static const IMAPIProviderShutdownVtbl shutdown_vtbl = {
    Shutdown_QueryInterface,
    Shutdown_AddRef,
    Shutdown_Release,
    Shutdown_QueryFastShutdown,
    Shutdown_NotifyProcessShutdown,
    Shutdown_DoFastShutdown,
};

static struct provider *new_provider(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                                     const WCHAR *data_path)
{
    struct provider *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));

    if (!p)
        return NULL;
    p->IMAPIProviderShutdown_iface.lpVtbl = &shutdown_vtbl;
    p->refs = 1;
    p->flags = flags;
    p->creator_thread = GetCurrentThreadId();
    lstrcpynW(p->name, name, (int)(sizeof(p->name) / sizeof(p->name[0])));
    if (log_path)
        lstrcpynW(p->log_path, log_path, (int)(sizeof(p->log_path) / sizeof(p->log_path[0])));
    if (data_path)
        lstrcpynW(p->data_path, data_path, (int)(sizeof(p->data_path) / sizeof(p->data_path[0])));
    for (size_t i = 0; i < sizeof(p->dirty); i++)
        p->dirty[i] = (BYTE)(i * 7 + name[0]);
    return p;
}

HRESULT WINAPI testprov_create(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                               const WCHAR *data_path, IUnknown **out)
{
    struct provider *p;

    if (!out || !name)
        return E_POINTER;
    p = new_provider(name, flags, log_path, data_path);
    if (!p)
        return E_OUTOFMEMORY;
    p->u.IUnknown_iface.lpVtbl = &unknown_vtbl;
    *out = &p->u.IUnknown_iface;
    return S_OK;
}

LONG WINAPI testprov_refs(IUnknown *provider)
{
    return impl_from_IUnknown(provider)->refs;
}

LONG WINAPI testprov_queries(IUnknown *provider)
{
    return impl_from_IUnknown(provider)->queries;
}

LONG WINAPI testprov_saved(IUnknown *provider)
{
    return impl_from_IUnknown(provider)->saved;
}

LONG WINAPI testprov_last_thread(IUnknown *provider)
{
    return impl_from_IUnknown(provider)->last_thread;
}

/* --- loaded by MAPI's entry points ------------------------------------------- */

/* The provider interfaces' methods other than Shutdown belong to a session
 * these tests do not have: they ignore their arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* A normal logoff: MAPI calls Shutdown before it unloads the provider. */
static HRESULT provider_shutdown(struct provider *p)
{
    log_event(p, "shutdown");
    if (p->data_path[0] && !p->saved && save(p)) {
        InterlockedExchange(&p->saved, 1);
        log_event(p, "saved-on-shutdown");
    }
    return S_OK;
}

#define PROVIDER_COMMON(prefix, iface)                                                                   \
    static HRESULT WINAPI prefix##_QueryInterface(iface *This, REFIID riid, void **out)                  \
    { return Unknown_QueryInterface((IUnknown *)This, riid, out); }                                      \
    static ULONG WINAPI prefix##_AddRef(iface *This) { return Unknown_AddRef((IUnknown *)This); }        \
    static ULONG WINAPI prefix##_Release(iface *This) { return Unknown_Release((IUnknown *)This); }      \
    static HRESULT WINAPI prefix##_Shutdown(iface *This, ULONG *flags)                                   \
    { return provider_shutdown(impl_from_IUnknown((IUnknown *)This)); }

PROVIDER_COMMON(XP, IXPProvider)
PROVIDER_COMMON(AB, IABProvider)
PROVIDER_COMMON(MS, IMSProvider)

static HRESULT WINAPI XP_TransportLogon(IXPProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile,
                                        ULONG *flags, LPMAPIERROR *error, LPXPLOGON *logon)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI AB_Logon(IABProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile, ULONG flags,
                               ULONG *security_size, LPBYTE *security, LPMAPIERROR *error, LPABLOGON *logon)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI MS_Logon(IMSProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile, ULONG id_size,
                               LPENTRYID id, ULONG flags, LPCIID riid, ULONG *security_size, LPBYTE *security,
                               LPMAPIERROR *error, LPMSLOGON *logon, LPMDB *store)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI MS_SpoolerLogon(IMSProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile,
                                      ULONG id_size, LPENTRYID id, ULONG flags, LPCIID riid, ULONG security_size,
                                      LPBYTE security, LPMAPIERROR *error, LPMSLOGON *logon, LPMDB *store)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI MS_CompareStoreIDs(IMSProvider *iface, ULONG size1, LPENTRYID id1, ULONG size2,
                                         LPENTRYID id2, ULONG flags, ULONG *result)
{ return MAPI_E_NO_SUPPORT; }

static const IXPProviderVtbl xp_vtbl = {
    XP_QueryInterface, XP_AddRef, XP_Release, XP_Shutdown, XP_TransportLogon,
};
static const IABProviderVtbl ab_vtbl = {
    AB_QueryInterface, AB_AddRef, AB_Release, AB_Shutdown, AB_Logon,
};
static const IMSProviderVtbl ms_vtbl = {
    MS_QueryInterface, MS_AddRef, MS_Release, MS_Shutdown, MS_Logon, MS_SpoolerLogon, MS_CompareStoreIDs,
};

/* TESTPROV_FAIL_INIT names a copy of this DLL (testbad32.dll, say) whose
 * entry points fail, as a provider's do when MAPI's version is not theirs. */
static BOOL init_must_fail(void)
{
    WCHAR failing[MAX_PATH], path[MAX_PATH], *base;
    HMODULE self;

    if (!GetEnvironmentVariableW(L"TESTPROV_FAIL_INIT", failing, MAX_PATH) ||
        !GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (const WCHAR *)init_must_fail, &self) ||
        !GetModuleFileNameW(self, path, MAX_PATH))
        return FALSE;
    base = wcsrchr(path, L'\\');
    return !lstrcmpiW(base ? base + 1 : path, failing);
}

/* An entry point's provider: named by its type, configured by the process's
 * environment (see testprov.h), since MAPI's entry points take no such thing. */
static HRESULT entry_point(const WCHAR *name, const void *vtbl, ULONG *version, IUnknown **out)
{
    WCHAR log_path[MAX_PATH] = L"", data_path[MAX_PATH] = L"", folder[MAX_PATH], variable[32], flags[16];
    struct provider *p;

    if (!version || !out)
        return E_INVALIDARG;
    if (init_must_fail())
        return MAPI_E_VERSION;
    GetEnvironmentVariableW(L"TESTPROV_LOG", log_path, MAX_PATH);
    if (GetEnvironmentVariableW(L"TESTPROV_DATA", folder, MAX_PATH))
        _snwprintf(data_path, MAX_PATH, L"%ls\\%ls.dat", folder, name);
    _snwprintf(variable, 32, L"TESTPROV_FLAGS_%ls", name);
    if (!GetEnvironmentVariableW(variable, flags, 16))
        flags[0] = 0;
    p = new_provider(name, wcstoul(flags, NULL, 16), log_path, data_path);
    if (!p)
        return E_OUTOFMEMORY;
    p->u.IUnknown_iface.lpVtbl = vtbl;
    log_event(p, "init");
    *version = CURRENT_SPI_VERSION;
    *out = &p->u.IUnknown_iface;
    return S_OK;
}

HRESULT __cdecl XPProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPXPPROVIDER *provider)
{
    return entry_point(L"xp", &xp_vtbl, provider_version, (IUnknown **)provider);
}

HRESULT __cdecl ABProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPABPROVIDER *provider)
{
    return entry_point(L"ab", &ab_vtbl, provider_version, (IUnknown **)provider);
}

HRESULT __cdecl MSProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPMSPROVIDER *provider)
{
    return entry_point(L"ms", &ms_vtbl, provider_version, (IUnknown **)provider);
}
