/* testprov.dll: see testprov.h. A test DLL the way Wine's tests have them:
 * built apart from the tests and embedded in them as a TESTDLL resource. */
#pragma makedep testdll

#define COBJMACROS
#define CONST_VTABLE
#include "testprov.h"
#include "mapishut.h"

#include <stdio.h>
#include <string.h>

struct provider {
    IUnknown IUnknown_iface;
    IMAPIProviderShutdown IMAPIProviderShutdown_iface;
    LONG refs;
    LONG queries;
    LONG saved;
    DWORD flags;
    DWORD creator_thread;
    WCHAR name[32];
    WCHAR log_path[MAX_PATH];
    WCHAR data_path[MAX_PATH];
    BYTE dirty[TESTPROV_DATA_SIZE]; /* what a fast exit must not lose */
};

static struct provider *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IUnknown_iface);
}

static struct provider *impl_from_IMAPIProviderShutdown(IMAPIProviderShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IMAPIProviderShutdown_iface);
}

/* One line per event, appended with a single WriteFile: it is on disk even
 * if the process is terminated right after. */
static void log_event(struct provider *p, const char *event)
{
    char line[128];
    DWORD written;
    HANDLE file;
    int length;

    if (!p->log_path[0])
        return;
    length = snprintf(line, sizeof(line), "%ls.%s%s\n", p->name, event,
                      !(p->flags & TESTPROV_LOG_THREAD) ? "" :
                      GetCurrentThreadId() == p->creator_thread ? "@same" : "@other");
    file = CreateFileW(p->log_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        return;
    WriteFile(file, line, (DWORD)length, &written, NULL);
    CloseHandle(file);
}

static BOOL save(struct provider *p);

static HRESULT WINAPI Unknown_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct provider *p = impl_from_IUnknown(iface);

    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown))
        *out = &p->IUnknown_iface;
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
    return Unknown_QueryInterface(&impl_from_IMAPIProviderShutdown(iface)->IUnknown_iface, riid, out);
}

static ULONG WINAPI Shutdown_AddRef(IMAPIProviderShutdown *iface)
{
    return Unknown_AddRef(&impl_from_IMAPIProviderShutdown(iface)->IUnknown_iface);
}

static ULONG WINAPI Shutdown_Release(IMAPIProviderShutdown *iface)
{
    return Unknown_Release(&impl_from_IMAPIProviderShutdown(iface)->IUnknown_iface);
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

static HRESULT WINAPI Shutdown_QueryFastShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = impl_from_IMAPIProviderShutdown(iface);

    InterlockedIncrement(&p->queries);
    log_event(p, "Q");
    reenter(p);
    if (p->flags & TESTPROV_OPT_OUT)
        return MAPI_E_NO_SUPPORT;
    return p->flags & TESTPROV_QUERY_S_FALSE ? S_FALSE : S_OK;
}

static HRESULT WINAPI Shutdown_NotifyProcessShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = impl_from_IMAPIProviderShutdown(iface);

    log_event(p, "N");
    reenter(p);
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

    log_event(p, "D");
    reenter(p);
    if (p->flags & TESTPROV_HANG_DO_FAST)
        Sleep(INFINITE);
    if (p->flags & TESTPROV_CRASH_DO_FAST) {
        int *volatile nowhere = NULL; /* volatile: a real access violation, not a trap */

        *nowhere = 1;
    }
    if (p->flags & TESTPROV_SLOW_DO_FAST)
        Sleep(300);
    if (p->data_path[0] && save(p)) {
        InterlockedExchange(&p->saved, 1);
        log_event(p, "saved");
    }
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

HRESULT WINAPI testprov_create(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                               const WCHAR *data_path, IUnknown **out)
{
    struct provider *p;

    if (!out || !name)
        return E_POINTER;
    p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));
    if (!p)
        return E_OUTOFMEMORY;
    p->IUnknown_iface.lpVtbl = &unknown_vtbl;
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
    *out = &p->IUnknown_iface;
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
