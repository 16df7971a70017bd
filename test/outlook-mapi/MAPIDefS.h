/* Stand-in for MAPIDefS.h of Microsoft's Outlook MAPI headers: see README.md.
 * What matters here is the shape of the two fast-shutdown declarations:
 * unguarded, made with the DECLARE_MAPI_INTERFACE macros. */
#ifndef MAPIDEFS_H
#define MAPIDEFS_H

#ifndef _WINDOWS_
#include <windows.h>
#endif
#include <winerror.h>
#include <objbase.h>
#include <stddef.h>

#ifndef BEGIN_INTERFACE
#define BEGIN_INTERFACE
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _MAPIUID {
    BYTE ab[16];
} MAPIUID, *LPMAPIUID;

/* PR_RESOURCE_TYPE values. */
#define MAPI_STORE_PROVIDER     ((ULONG) 33)
#define MAPI_AB_PROVIDER        ((ULONG) 35)
#define MAPI_TRANSPORT_PROVIDER ((ULONG) 36)

#define DECLARE_MAPI_INTERFACE(iface) DECLARE_INTERFACE(iface)
#define DECLARE_MAPI_INTERFACE_(iface, baseiface) DECLARE_INTERFACE_(iface, baseiface)
#ifdef __cplusplus
#define DECLARE_MAPI_INTERFACE_PTR(iface, piface) interface iface; typedef iface *piface
#else
#define DECLARE_MAPI_INTERFACE_PTR(iface, piface) typedef interface iface iface, *piface
#endif

#define MAPIMETHOD(method) MAPIMETHOD_(HRESULT, method)
#define MAPIMETHOD_(type, method) STDMETHOD_(type, method)

#define MAPI_IUNKNOWN_METHODS(IPURE)                                   \
    MAPIMETHOD(QueryInterface)(THIS_ REFIID riid, LPVOID *ppvObj) IPURE; \
    MAPIMETHOD_(ULONG, AddRef)(THIS) IPURE;                            \
    MAPIMETHOD_(ULONG, Release)(THIS) IPURE;

/* IMAPIClientShutdown, with no guard of its own. */
DECLARE_MAPI_INTERFACE_PTR(IMAPIClientShutdown, LPMAPICLIENTSHUTDOWN);

#define MAPI_IMAPICLIENTSHUTDOWN_METHODS(IPURE)   \
    MAPIMETHOD(QueryFastShutdown)(THIS) IPURE;    \
    MAPIMETHOD(NotifyProcessShutdown)(THIS) IPURE; \
    MAPIMETHOD(DoFastShutdown)(THIS) IPURE;

#undef INTERFACE
#define INTERFACE IMAPIClientShutdown
DECLARE_MAPI_INTERFACE_(IMAPIClientShutdown, IUnknown)
{
    BEGIN_INTERFACE
    MAPI_IUNKNOWN_METHODS(PURE)
    MAPI_IMAPICLIENTSHUTDOWN_METHODS(PURE)
};

/* IMAPIProviderShutdown, likewise. */
DECLARE_MAPI_INTERFACE_PTR(IMAPIProviderShutdown, LPMAPIPROVIDERSHUTDOWN);

#define MAPI_IMAPIPROVIDERSHUTDOWN_METHODS(IPURE) \
    MAPIMETHOD(QueryFastShutdown)(THIS) IPURE;    \
    MAPIMETHOD(NotifyProcessShutdown)(THIS) IPURE; \
    MAPIMETHOD(DoFastShutdown)(THIS) IPURE;

#undef INTERFACE
#define INTERFACE IMAPIProviderShutdown
DECLARE_MAPI_INTERFACE_(IMAPIProviderShutdown, IUnknown)
{
    BEGIN_INTERFACE
    MAPI_IUNKNOWN_METHODS(PURE)
    MAPI_IMAPIPROVIDERSHUTDOWN_METHODS(PURE)
};

#ifdef __cplusplus
}
#endif

#endif /* MAPIDEFS_H */
