/*
 * mapishut.h - the MAPI fast-shutdown subsystem, for C and C++ clients,
 * providers and the code that hosts providers.
 *
 * The interfaces come from idl/mapishut.idl (widl's mapishut_idl.h, generated
 * into build/include). GUIDs: define INITGUID before including this header in
 * one source file, or link libmapishut.a, which carries them.
 *
 *   IMAPIClientShutdown   - for MAPI clients (Microsoft's IID and vtable)
 *   IMAPIProviderShutdown - implemented by providers (Microsoft's IID and vtable)
 *   IMAPIShutdownHost     - for the code that loads providers
 *   CLSID_MAPIShutdown    - the process's one subsystem object
 */
#ifndef MAPISHUT_H
#define MAPISHUT_H

#include <windows.h>
#include <ole2.h>

#include "mapishut_idl.h"

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
#define MAPI_STORE_PROVIDER     33
#endif
#ifndef MAPI_AB_PROVIDER
#define MAPI_AB_PROVIDER        35
#endif
#ifndef MAPI_TRANSPORT_PROVIDER
#define MAPI_TRANSPORT_PROVIDER 36
#endif

/* Where the policy lives, under HKLM or HKCU, with <ver> = 16.0, 15.0, 14.0. */
#define MAPISHUT_POLICY_VALUE       L"FastShutdownBehavior"
/* Ours: a deadline for each provider call, 0 (none) to 600000 ms. */
#define MAPISHUT_TIMEOUT_VALUE      L"ProviderTimeoutMs"
#define MAPISHUT_PROGID             L"MAPIShutdown.Subsystem.1"
#define MAPISHUT_PROGID_INDEPENDENT L"MAPIShutdown.Subsystem"

#endif /* MAPISHUT_H */
