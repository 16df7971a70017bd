/* demoprov32.dll: see example_provider.h. */
#include "example_provider.h"

#include <stdio.h>

struct provider {
    IUnknown IUnknown_iface;
    IMAPIProviderShutdown IMAPIProviderShutdown_iface;
    LONG refs;
    ULONG type;
    BOOL saved;
    WCHAR name[64];
    WCHAR data_file[MAX_PATH];
    char dirty[4096];   /* changes not yet written to the provider's own store */
};

static struct provider *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IUnknown_iface);
}

static struct provider *impl_from_IMAPIProviderShutdown(IMAPIProviderShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IMAPIProviderShutdown_iface);
}

static const char *type_name(ULONG type)
{
    switch (type) {
    case MAPI_TRANSPORT_PROVIDER: return "transport";
    case MAPI_AB_PROVIDER:        return "address book";
    default:                      return "store";
    }
}

static void say(struct provider *p, const char *what)
{
    printf("      %-12s %-18ls %s\n", type_name(p->type), p->name, what);
    fflush(stdout);
}

static void save(struct provider *p, const char *why)
{
    HANDLE file;
    DWORD written = 0;
    char line[160];

    if (p->saved)
        return;
    file = CreateFileW(p->data_file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file != INVALID_HANDLE_VALUE) {
        WriteFile(file, p->dirty, sizeof(p->dirty), &written, NULL);
        FlushFileBuffers(file);
        CloseHandle(file);
    }
    p->saved = written == sizeof(p->dirty);
    snprintf(line, sizeof(line), "%s: %s %lu bytes", why, p->saved ? "saved" : "FAILED to save",
             (unsigned long)written);
    say(p, line);
}

static HRESULT WINAPI Unknown_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct provider *p = impl_from_IUnknown(iface);

    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown))
        *out = &p->IUnknown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIProviderShutdown))
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

/* The legacy path: a provider released by a normal MAPI shutdown saves then. */
static ULONG WINAPI Unknown_Release(IUnknown *iface)
{
    struct provider *p = impl_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&p->refs);

    if (!refs) {
        save(p, "released (normal shutdown)");
        HeapFree(GetProcessHeap(), 0, p);
    }
    return refs;
}

static const IUnknownVtbl unknown_vtbl = { Unknown_QueryInterface, Unknown_AddRef, Unknown_Release };

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

static HRESULT WINAPI Shutdown_QueryFastShutdown(IMAPIProviderShutdown *iface)
{
    say(impl_from_IMAPIProviderShutdown(iface), "QueryFastShutdown: yes, I support fast shutdown");
    return S_OK;
}

static HRESULT WINAPI Shutdown_NotifyProcessShutdown(IMAPIProviderShutdown *iface)
{
    say(impl_from_IMAPIProviderShutdown(iface), "NotifyProcessShutdown: stopping background work");
    return S_OK;
}

static HRESULT WINAPI Shutdown_DoFastShutdown(IMAPIProviderShutdown *iface)
{
    save(impl_from_IMAPIProviderShutdown(iface), "DoFastShutdown");
    return S_OK;
}

static const IMAPIProviderShutdownVtbl shutdown_vtbl = {
    Shutdown_QueryInterface,
    Shutdown_AddRef,
    Shutdown_Release,
    Shutdown_QueryFastShutdown,
    Shutdown_NotifyProcessShutdown,
    Shutdown_DoFastShutdown,
};

HRESULT WINAPI ExampleProviderCreate(ULONG resource_type, const WCHAR *display_name,
                                     const WCHAR *data_file, IUnknown **provider)
{
    struct provider *p;

    if (!display_name || !data_file || !provider)
        return E_POINTER;
    p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));
    if (!p)
        return E_OUTOFMEMORY;
    p->IUnknown_iface.lpVtbl = &unknown_vtbl;
    p->IMAPIProviderShutdown_iface.lpVtbl = &shutdown_vtbl;
    p->refs = 1;
    p->type = resource_type;
    lstrcpynW(p->name, display_name, ARRAYSIZE(p->name));
    lstrcpynW(p->data_file, data_file, ARRAYSIZE(p->data_file));
    for (size_t i = 0; i < sizeof(p->dirty); i++)
        p->dirty[i] = (char)('a' + i % 26);
    *provider = &p->IUnknown_iface;
    return S_OK;
}
