/* A provider built against the installed SDK only: one object that is its
 * own IMAPIProviderShutdown, remembering which calls reached it. Written in
 * C89, so that the SDK is shown to allow it. */
#define COBJMACROS
#include <mapishut.h>

static LONG told;   /* 1: QueryFastShutdown, 2: NotifyProcessShutdown, 4: DoFastShutdown */

typedef struct {
    IMAPIProviderShutdown iface;
    LONG refs;
} provider;

static HRESULT STDMETHODCALLTYPE provider_QueryInterface(IMAPIProviderShutdown *self, REFIID riid, void **out)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProviderShutdown)) {
        *out = self;
        IMAPIProviderShutdown_AddRef(self);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE provider_AddRef(IMAPIProviderShutdown *self)
{
    return InterlockedIncrement(&((provider *)self)->refs);
}

static ULONG STDMETHODCALLTYPE provider_Release(IMAPIProviderShutdown *self)
{
    LONG refs = InterlockedDecrement(&((provider *)self)->refs);

    if (!refs)
        HeapFree(GetProcessHeap(), 0, self);
    return refs;
}

static HRESULT STDMETHODCALLTYPE provider_QueryFastShutdown(IMAPIProviderShutdown *self)
{
    (void)self;
    InterlockedOr(&told, 1);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE provider_NotifyProcessShutdown(IMAPIProviderShutdown *self)
{
    (void)self;
    InterlockedOr(&told, 2);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE provider_DoFastShutdown(IMAPIProviderShutdown *self)
{
    (void)self;
    InterlockedOr(&told, 4);
    return S_OK;
}

static IMAPIProviderShutdownVtbl provider_vtbl = {
    provider_QueryInterface, provider_AddRef, provider_Release,
    provider_QueryFastShutdown, provider_NotifyProcessShutdown, provider_DoFastShutdown
};

__declspec(dllexport) HRESULT sdk_provider_create(IUnknown **out)
{
    provider *p = HeapAlloc(GetProcessHeap(), 0, sizeof(*p));

    *out = NULL;
    if (!p)
        return E_OUTOFMEMORY;
    p->iface.lpVtbl = &provider_vtbl;
    p->refs = 1;
    *out = (IUnknown *)&p->iface;
    return S_OK;
}

__declspec(dllexport) LONG sdk_provider_told(void)
{
    return told;
}
