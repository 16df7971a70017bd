/* demoprov32.dll: a small MAPI provider for `make demo`. Its entry points are
 * MAPI's own (XPProviderInit, ABProviderInit, MSProviderInit, with
 * Microsoft's signatures); each returns a provider object (IXPProvider,
 * IABProvider or IMSProvider) that also implements IMAPIProviderShutdown.
 * The object keeps unsaved ("dirty") data in memory and writes it, into the
 * current folder, when the subsystem says DoFastShutdown, or when a normal
 * MAPI logoff calls its Shutdown. It prints everything it is told. */
#define USES_IID_IXPProvider
#define USES_IID_IABProvider
#define USES_IID_IMSProvider
#include <windows.h>
#include <initguid.h>
#include <mapispi.h>
#include "mapishut.h"
#include "core/provider_table.h"

#include <stdio.h>

/* The provider interfaces' methods other than Shutdown are a session's
 * business, which this example does not have: they ignore their arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct demo_provider {
    union {
        IXPProvider IXPProvider_iface;
        IABProvider IABProvider_iface;
        IMSProvider IMSProvider_iface;
        IUnknown IUnknown_iface;        /* the three start alike: IUnknown, then Shutdown */
    } u;
    IMAPIProviderShutdown IMAPIProviderShutdown_iface;
    LONG refs;
    ULONG type;
    BOOL saved;
    char dirty[4096];   /* changes not yet written to the provider's own store */
};

static struct demo_provider *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct demo_provider, u.IUnknown_iface);
}

static struct demo_provider *impl_from_IMAPIProviderShutdown(IMAPIProviderShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct demo_provider, IMAPIProviderShutdown_iface);
}

static const WCHAR *data_file(ULONG type)
{
    switch (type) {
    case MAPI_TRANSPORT_PROVIDER: return L"outbox.dat";
    case MAPI_AB_PROVIDER:        return L"contacts.dat";
    default:                      return L"store.dat";
    }
}

static void say(struct demo_provider *p, const char *what)
{
    printf("      %-12s provider: %s\n", provider_type_name(p->type), what);
    fflush(stdout);
}

static void save(struct demo_provider *p, const char *why)
{
    HANDLE file;
    DWORD written = 0;
    char line[160];

    if (p->saved)
        return;
    file = CreateFileW(data_file(p->type), GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
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

/* --- IUnknown, and Shutdown: the same in the three provider interfaces ------ */

static HRESULT WINAPI Provider_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct demo_provider *p = impl_from_IUnknown(iface);
    const IID *own = p->type == MAPI_TRANSPORT_PROVIDER ? &IID_IXPProvider :
                     p->type == MAPI_AB_PROVIDER ? &IID_IABProvider : &IID_IMSProvider;

    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, own))
        *out = &p->u.IUnknown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIProviderShutdown))
        *out = &p->IMAPIProviderShutdown_iface;
    else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI Provider_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refs);
}

static ULONG WINAPI Provider_Release(IUnknown *iface)
{
    struct demo_provider *p = impl_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&p->refs);

    if (!refs)
        HeapFree(GetProcessHeap(), 0, p);
    return refs;
}

/* The normal shutdown: MAPI's logoff calls this before it unloads the DLL. */
static HRESULT WINAPI Provider_Shutdown(IUnknown *iface, ULONG *flags)
{
    save(impl_from_IUnknown(iface), "Shutdown (normal logoff)");
    return S_OK;
}

static HRESULT WINAPI XP_TransportLogon(IXPProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile,
                                        ULONG *flags, LPMAPIERROR *error, LPXPLOGON *logon)
{
    return MAPI_E_NO_SUPPORT;
}

static HRESULT WINAPI AB_Logon(IABProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile, ULONG flags,
                               ULONG *security_size, LPBYTE *security, LPMAPIERROR *error, LPABLOGON *logon)
{
    return MAPI_E_NO_SUPPORT;
}

static HRESULT WINAPI MS_Logon(IMSProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile, ULONG id_size,
                               LPENTRYID id, ULONG flags, LPCIID riid, ULONG *security_size, LPBYTE *security,
                               LPMAPIERROR *error, LPMSLOGON *logon, LPMDB *store)
{
    return MAPI_E_NO_SUPPORT;
}

static HRESULT WINAPI MS_SpoolerLogon(IMSProvider *iface, LPMAPISUP support, ULONG ui, LPTSTR profile,
                                      ULONG id_size, LPENTRYID id, ULONG flags, LPCIID riid, ULONG security_size,
                                      LPBYTE security, LPMAPIERROR *error, LPMSLOGON *logon, LPMDB *store)
{
    return MAPI_E_NO_SUPPORT;
}

static HRESULT WINAPI MS_CompareStoreIDs(IMSProvider *iface, ULONG size1, LPENTRYID id1, ULONG size2,
                                         LPENTRYID id2, ULONG flags, ULONG *result)
{
    return MAPI_E_NO_SUPPORT;
}

/* The three interfaces begin alike (IUnknown, then Shutdown): each gets the
 * same four methods, typed for it. */
#define PROVIDER_COMMON(prefix, iface)                                                                  \
    static HRESULT WINAPI prefix##_QueryInterface(iface *This, REFIID riid, void **out)                 \
    { return Provider_QueryInterface((IUnknown *)This, riid, out); }                                    \
    static ULONG WINAPI prefix##_AddRef(iface *This) { return Provider_AddRef((IUnknown *)This); }      \
    static ULONG WINAPI prefix##_Release(iface *This) { return Provider_Release((IUnknown *)This); }    \
    static HRESULT WINAPI prefix##_Shutdown(iface *This, ULONG *flags)                                  \
    { return Provider_Shutdown((IUnknown *)This, flags); }

PROVIDER_COMMON(XP, IXPProvider)
PROVIDER_COMMON(AB, IABProvider)
PROVIDER_COMMON(MS, IMSProvider)

static const IXPProviderVtbl xp_vtbl = {
    XP_QueryInterface, XP_AddRef, XP_Release, XP_Shutdown, XP_TransportLogon,
};
static const IABProviderVtbl ab_vtbl = {
    AB_QueryInterface, AB_AddRef, AB_Release, AB_Shutdown, AB_Logon,
};
static const IMSProviderVtbl ms_vtbl = {
    MS_QueryInterface, MS_AddRef, MS_Release, MS_Shutdown, MS_Logon, MS_SpoolerLogon, MS_CompareStoreIDs,
};

/* --- IMAPIProviderShutdown ------------------------------------------------- */

static HRESULT WINAPI Shutdown_QueryInterface(IMAPIProviderShutdown *iface, REFIID riid, void **out)
{
    return Provider_QueryInterface(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface, riid, out);
}

static ULONG WINAPI Shutdown_AddRef(IMAPIProviderShutdown *iface)
{
    return Provider_AddRef(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface);
}

static ULONG WINAPI Shutdown_Release(IMAPIProviderShutdown *iface)
{
    return Provider_Release(&impl_from_IMAPIProviderShutdown(iface)->u.IUnknown_iface);
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

/* --- the entry points MAPI calls --------------------------------------------- */

static HRESULT create(ULONG type, const void *vtbl, ULONG *version, IUnknown **out)
{
    struct demo_provider *p;

    if (!version || !out)
        return E_INVALIDARG;
    p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));
    if (!p)
        return E_OUTOFMEMORY;
    p->u.IUnknown_iface.lpVtbl = vtbl;
    p->IMAPIProviderShutdown_iface.lpVtbl = &shutdown_vtbl;
    p->refs = 1;
    p->type = type;
    for (size_t i = 0; i < sizeof(p->dirty); i++)
        p->dirty[i] = (char)('a' + i % 26);
    *version = CURRENT_SPI_VERSION;
    *out = &p->u.IUnknown_iface;
    say(p, "loaded by its entry point, holding 4096 bytes of unsaved changes");
    return S_OK;
}

HRESULT __cdecl XPProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPXPPROVIDER *provider)
{
    return create(MAPI_TRANSPORT_PROVIDER, &xp_vtbl, provider_version, (IUnknown **)provider);
}

HRESULT __cdecl ABProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPABPROVIDER *provider)
{
    return create(MAPI_AB_PROVIDER, &ab_vtbl, provider_version, (IUnknown **)provider);
}

HRESULT __cdecl MSProviderInit(HINSTANCE instance, LPMALLOC malloc, LPALLOCATEBUFFER allocate_buffer,
                               LPALLOCATEMORE allocate_more, LPFREEBUFFER free_buffer, ULONG flags,
                               ULONG mapi_version, ULONG *provider_version, LPMSPROVIDER *provider)
{
    return create(MAPI_STORE_PROVIDER, &ms_vtbl, provider_version, (IUnknown **)provider);
}
