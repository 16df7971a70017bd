/*
 * mapishut.h - the MAPI fast-shutdown subsystem, for C and C++ clients,
 * providers and the code that hosts providers.
 *
 * The interfaces come from idl/mapishut.idl (widl's mapishut_idl.h). GUIDs:
 * link libmapishut.a, which carries each of them, or define INITGUID before
 * including this header in one source file.
 *
 *   IMAPIClientShutdown   - for MAPI clients (Microsoft's IID and vtable)
 *   IMAPIProviderShutdown - implemented by providers (Microsoft's IID and vtable)
 *   IMAPIShutdownHost     - for the code that loads providers
 *   CLSID_MAPIShutdown    - the process's one subsystem object
 *
 * Living with Microsoft's Outlook MAPI headers: their MAPIDefS.h declares
 * IMAPIClientShutdown and IMAPIProviderShutdown itself, unguarded. This header
 * therefore includes <mapidefs.h> first, whichever one the include path finds,
 * and takes those two declarations from it when it has them; with MinGW-w64's
 * or Wine's MAPI headers, or none, they come from widl. Either way there is
 * one declaration, in either include order. Microsoft's two IIDs are then
 * only declared here: MAPIGuid.h defines them (INITGUID and USES_IID_...),
 * or libmapishut.a does.
 */
#ifndef MAPISHUT_H
#define MAPISHUT_H

#include <windows.h>
#include <ole2.h>

#if defined(__has_include)
# if __has_include(<mapidefs.h>)
#  include <mapidefs.h>
# endif
# if __has_include(<mapicode.h>)
#  include <mapicode.h>
# endif
#endif

#ifdef MAPI_IMAPICLIENTSHUTDOWN_METHODS
# define MAPISHUT_MS_CLIENT_SHUTDOWN 1
# define __IMAPIClientShutdown_FWD_DEFINED__
# define __IMAPIClientShutdown_INTERFACE_DEFINED__
#endif
#ifdef MAPI_IMAPIPROVIDERSHUTDOWN_METHODS
# define MAPISHUT_MS_PROVIDER_SHUTDOWN 1
# define __IMAPIProviderShutdown_FWD_DEFINED__
# define __IMAPIProviderShutdown_INTERFACE_DEFINED__
#endif

#include "mapishut_idl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A declaration only: it agrees with any definition, before or after it. */
#ifdef MAPISHUT_MS_CLIENT_SHUTDOWN
extern const IID IID_IMAPIClientShutdown;
#endif
#ifdef MAPISHUT_MS_PROVIDER_SHUTDOWN
extern const IID IID_IMAPIProviderShutdown;
#endif

#ifdef __cplusplus
}
#endif

/* What widl gives its own interfaces, for Microsoft's declarations too:
 * __uuidof() in C++, the COBJMACROS call macros in C. */
#if defined(__cplusplus) && defined(__CRT_UUID_DECL)
# ifdef MAPISHUT_MS_CLIENT_SHUTDOWN
__CRT_UUID_DECL(IMAPIClientShutdown, 0x00020397, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)
# endif
# ifdef MAPISHUT_MS_PROVIDER_SHUTDOWN
__CRT_UUID_DECL(IMAPIProviderShutdown, 0x00020398, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)
# endif
#endif

#if defined(COBJMACROS) && !defined(__cplusplus)
# ifdef MAPISHUT_MS_CLIENT_SHUTDOWN
#  define IMAPIClientShutdown_QueryInterface(p, riid, out) (p)->lpVtbl->QueryInterface(p, riid, out)
#  define IMAPIClientShutdown_AddRef(p)                   (p)->lpVtbl->AddRef(p)
#  define IMAPIClientShutdown_Release(p)                  (p)->lpVtbl->Release(p)
#  define IMAPIClientShutdown_QueryFastShutdown(p)        (p)->lpVtbl->QueryFastShutdown(p)
#  define IMAPIClientShutdown_NotifyProcessShutdown(p)    (p)->lpVtbl->NotifyProcessShutdown(p)
#  define IMAPIClientShutdown_DoFastShutdown(p)           (p)->lpVtbl->DoFastShutdown(p)
# endif
# ifdef MAPISHUT_MS_PROVIDER_SHUTDOWN
#  define IMAPIProviderShutdown_QueryInterface(p, riid, out) (p)->lpVtbl->QueryInterface(p, riid, out)
#  define IMAPIProviderShutdown_AddRef(p)                   (p)->lpVtbl->AddRef(p)
#  define IMAPIProviderShutdown_Release(p)                  (p)->lpVtbl->Release(p)
#  define IMAPIProviderShutdown_QueryFastShutdown(p)        (p)->lpVtbl->QueryFastShutdown(p)
#  define IMAPIProviderShutdown_NotifyProcessShutdown(p)    (p)->lpVtbl->NotifyProcessShutdown(p)
#  define IMAPIProviderShutdown_DoFastShutdown(p)           (p)->lpVtbl->DoFastShutdown(p)
# endif
#endif

/* When widl declared them, say so the way Microsoft's header does, so that
 * code which declares the interfaces itself unless these exist (MFCMAPI's
 * headers do) finds them declared. */
#ifndef MAPI_IMAPICLIENTSHUTDOWN_METHODS
# define MAPI_IMAPICLIENTSHUTDOWN_METHODS(IPURE)            \
    MAPIMETHOD(QueryFastShutdown)(THIS) IPURE;             \
    MAPIMETHOD(NotifyProcessShutdown)(THIS) IPURE;         \
    MAPIMETHOD(DoFastShutdown)(THIS) IPURE;
#endif
#ifndef MAPI_IMAPIPROVIDERSHUTDOWN_METHODS
# define MAPI_IMAPIPROVIDERSHUTDOWN_METHODS(IPURE)          \
    MAPIMETHOD(QueryFastShutdown)(THIS) IPURE;             \
    MAPIMETHOD(NotifyProcessShutdown)(THIS) IPURE;         \
    MAPIMETHOD(DoFastShutdown)(THIS) IPURE;
#endif

/* The MAPI codes the contract uses, where no MAPI header defined them. */
#ifndef MAPI_E_CALL_FAILED
#define MAPI_E_CALL_FAILED      E_FAIL
#endif
#ifndef MAPI_E_NO_SUPPORT
#define MAPI_E_NO_SUPPORT       MAKE_SCODE(SEVERITY_ERROR, FACILITY_ITF, 0x102)
#endif
#ifndef MAPI_E_NOT_FOUND
#define MAPI_E_NOT_FOUND        MAKE_SCODE(SEVERITY_ERROR, FACILITY_ITF, 0x10F)
#endif
#ifndef MAPI_W_ERRORS_RETURNED
#define MAPI_W_ERRORS_RETURNED  MAKE_SCODE(SEVERITY_SUCCESS, FACILITY_ITF, 0x380)
#endif

/* PR_RESOURCE_TYPE values accepted by IMAPIShutdownHost::RegisterProvider. */
#ifndef MAPI_STORE_PROVIDER
#define MAPI_STORE_PROVIDER     ((ULONG) 33)
#endif
#ifndef MAPI_AB_PROVIDER
#define MAPI_AB_PROVIDER        ((ULONG) 35)
#endif
#ifndef MAPI_TRANSPORT_PROVIDER
#define MAPI_TRANSPORT_PROVIDER ((ULONG) 36)
#endif

/* Where the policy lives, under HKLM or HKCU, with <ver> = 16.0, 15.0, 14.0. */
#define MAPISHUT_POLICY_VALUE       L"FastShutdownBehavior"
/* Ours: a deadline for each provider call, 0 (none) to 600000 ms. */
#define MAPISHUT_TIMEOUT_VALUE      L"ProviderTimeoutMs"
/* Ours: 1 calls the providers of one type at once, each on its own thread. */
#define MAPISHUT_CONCURRENT_VALUE   L"ConcurrentProviders"
/* Ours: a provider call slower than this many ms (0 to 600000, 0: none,
 * default 500) is reported to the Event Log. */
#define MAPISHUT_WARN_VALUE         L"ProviderWarnMs"
/* Ours: how many exit records are kept (0 to 1000, 0: none, default 32). */
#define MAPISHUT_RECORDS_VALUE      L"ExitRecords"
/* Ours: a subkey of the Shutdown key; each value is named after a provider's
 * DLL and holds 0 (ask it), 1 (no fast shutdown while it is loaded) or 2
 * (its opt-out is overridden), as REG_SZ or REG_DWORD. */
#define MAPISHUT_BEHAVIOR_SUBKEY    L"ProviderBehavior"
#define MAPISHUT_PROGID             L"MAPIShutdown.Subsystem.1"
#define MAPISHUT_PROGID_INDEPENDENT L"MAPIShutdown.Subsystem"

#endif /* MAPISHUT_H */
