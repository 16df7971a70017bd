// mapishut.h from C++98 to C++17, alone or beside a set of MAPI headers, in
// either order (see header_c.c). A provider derives from the one
// IMAPIProviderShutdown there is, Microsoft's where their headers are used,
// and registers with IMAPIShutdownHost without a cast.
#ifdef MAPI_FIRST
#include <mapix.h>
#include <mapispi.h>
#endif

#include "mapishut.h"

#ifdef MAPI_AFTER
#include <mapix.h>
#include <mapispi.h>
#endif

class Provider : public IMAPIProviderShutdown {
public:
    Provider() : refs(1) {}
    virtual ~Provider() {}
    STDMETHODIMP QueryInterface(REFIID riid, void **out)
    {
        if (riid == IID_IUnknown || riid == __uuidof(IMAPIProviderShutdown)) {
            *out = static_cast<IMAPIProviderShutdown *>(this);
            AddRef();
            return S_OK;
        }
        *out = 0;
        return E_NOINTERFACE;
    }
    STDMETHODIMP_(ULONG) AddRef() { return ++refs; }
    STDMETHODIMP_(ULONG) Release() { return --refs; }
    STDMETHODIMP QueryFastShutdown() { return S_OK; }
    STDMETHODIMP NotifyProcessShutdown() { return S_OK; }
    STDMETHODIMP DoFastShutdown() { return S_OK; }

private:
    ULONG refs;
};

HRESULT client_sequence(LPMAPICLIENTSHUTDOWN client, IMAPIShutdownHost *host, Provider *provider);

HRESULT client_sequence(LPMAPICLIENTSHUTDOWN client, IMAPIShutdownHost *host, Provider *provider)
{
    static const BYTE uid[16] = { 0 };
    LPMAPIPROVIDERSHUTDOWN as_interface = provider;
    ULONG cookie = 0;
    HRESULT hr = host->RegisterProvider(uid, MAPI_STORE_PROVIDER, provider, &cookie);

    if (FAILED(hr))
        return hr;
    if (client->QueryFastShutdown() != S_OK)
        return MAPI_E_NO_SUPPORT;
    client->NotifyProcessShutdown();
    hr = client->DoFastShutdown();
    if (__uuidof(IMAPIClientShutdown) != IID_IMAPIClientShutdown || !as_interface ||
        __uuidof(IMAPIShutdownHost) != IID_IMAPIShutdownHost)
        return E_UNEXPECTED;
    return hr == MAPI_W_ERRORS_RETURNED ? S_OK : hr;
}

#if __cplusplus >= 201103L
static_assert(sizeof(CLSID_MAPIShutdown) == 16, "CLSID_MAPIShutdown is declared");
#endif
