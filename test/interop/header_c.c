/* mapishut.h from C, alone or beside a set of MAPI headers, in either order:
 * compiled (not run) by scripts/check-headers.sh for every C standard and
 * both architectures, with -Werror.
 *   MAPI_FIRST / MAPI_AFTER: include <mapix.h> and <mapispi.h> before / after
 *   mapishut.h; the include path decides whose MAPI headers they are. */
#define COBJMACROS

#ifdef MAPI_FIRST
#include <mapix.h>
#include <mapispi.h>
#endif

#include "mapishut.h"

#ifdef MAPI_AFTER
#include <mapix.h>
#include <mapispi.h>
#endif

#ifndef MAPI_IMAPIPROVIDERSHUTDOWN_METHODS
#error "mapishut.h says the interfaces are declared the way MAPI headers say it"
#endif

/* A provider implements the vtable; the field names are Microsoft's. */
static HRESULT STDMETHODCALLTYPE provider_query(IMAPIProviderShutdown *This)
{
    (void)This;
    return S_OK;
}

static void fill_vtbl(IMAPIProviderShutdownVtbl *vtbl)
{
    vtbl->QueryFastShutdown = provider_query;
    vtbl->NotifyProcessShutdown = provider_query;
    vtbl->DoFastShutdown = provider_query;
}

/* A client goes through the macros or the vtable. */
HRESULT client_sequence(LPMAPICLIENTSHUTDOWN client, IMAPIShutdownHost *host,
                        LPMAPIPROVIDERSHUTDOWN provider, IMAPIProviderShutdownVtbl *vtbl);

HRESULT client_sequence(LPMAPICLIENTSHUTDOWN client, IMAPIShutdownHost *host,
                        LPMAPIPROVIDERSHUTDOWN provider, IMAPIProviderShutdownVtbl *vtbl)
{
    static const BYTE uid[16] = { 0 };
    ULONG cookie = 0;
    HRESULT hr;

    fill_vtbl(vtbl);
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_STORE_PROVIDER, (IUnknown *)provider, &cookie);
    if (FAILED(hr))
        return hr;
    if (IMAPIClientShutdown_QueryFastShutdown(client) != S_OK)
        return MAPI_E_NO_SUPPORT;
    client->lpVtbl->NotifyProcessShutdown(client);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    if (IsEqualIID(&IID_IMAPIClientShutdown, &IID_IMAPIProviderShutdown) ||
        IsEqualCLSID(&CLSID_MAPIShutdown, &IID_IMAPIShutdownHost))
        return E_UNEXPECTED;
    return hr == MAPI_W_ERRORS_RETURNED ? S_OK : hr;
}
