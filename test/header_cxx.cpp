// The public header must serve C++ providers and clients too: this file is
// compiled (not run) with MinGW-w64's g++ for both targets by `make`.
#include "mapishut.h"

class Provider : public IMAPIProviderShutdown {
public:
    STDMETHODIMP QueryInterface(REFIID riid, void **out) override
    {
        if (riid == IID_IUnknown || riid == __uuidof(IMAPIProviderShutdown)) {
            *out = static_cast<IMAPIProviderShutdown *>(this);
            AddRef();
            return S_OK;
        }
        *out = nullptr;
        return E_NOINTERFACE;
    }
    STDMETHODIMP_(ULONG) AddRef() override { return ++refs; }
    STDMETHODIMP_(ULONG) Release() override { return --refs; }
    STDMETHODIMP QueryFastShutdown() override { return S_OK; }
    STDMETHODIMP NotifyProcessShutdown() override { return S_OK; }
    STDMETHODIMP DoFastShutdown() override { return S_OK; }

private:
    ULONG refs = 1;
};

HRESULT client_sequence(IMAPIClientShutdown *client, IMAPIShutdownHost *host, Provider *provider)
{
    static const BYTE uid[16] = {};
    ULONG cookie = 0;
    HRESULT hr = host->RegisterProvider(uid, MAPI_STORE_PROVIDER, provider, &cookie);

    if (FAILED(hr))
        return hr;
    if (client->QueryFastShutdown() != S_OK)
        return MAPI_E_NO_SUPPORT;
    client->NotifyProcessShutdown();
    hr = client->DoFastShutdown();
    return hr == MAPI_W_ERRORS_RETURNED ? S_OK : hr;
}

static_assert(sizeof(CLSID_MAPIShutdown) == 16, "CLSID_MAPIShutdown is declared");
