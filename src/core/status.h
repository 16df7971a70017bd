/* HRESULT values the portable core returns. Same numbers as Windows and MAPI
 * (the Win32 layer checks that at compile time); own names so that this header
 * can sit beside windows.h and mapi headers without clashing. */
#ifndef MAPISHUT_CORE_STATUS_H
#define MAPISHUT_CORE_STATUS_H

#include <stdint.h>

#define SHUT_S_OK                  ((int32_t)0x00000000)
#define SHUT_W_ERRORS_RETURNED     ((int32_t)0x00040380) /* MAPI_W_ERRORS_RETURNED */
#define SHUT_E_NO_SUPPORT          ((int32_t)0x80040102) /* MAPI_E_NO_SUPPORT */
#define SHUT_E_NOT_FOUND           ((int32_t)0x8004010F) /* MAPI_E_NOT_FOUND */
#define SHUT_E_CALL_FAILED         ((int32_t)0x80004005) /* MAPI_E_CALL_FAILED == E_FAIL */
#define SHUT_E_INVALIDARG          ((int32_t)0x80070057)
#define SHUT_E_POINTER             ((int32_t)0x80004003)
#define SHUT_E_OUTOFMEMORY         ((int32_t)0x8007000E)
#define SHUT_E_TIMEOUT             ((int32_t)0x800705B4) /* HRESULT_FROM_WIN32(ERROR_TIMEOUT) */

#define SHUT_SUCCEEDED(hr) ((int32_t)(hr) >= 0)
#define SHUT_FAILED(hr)    ((int32_t)(hr) < 0)

/* MAPI resource types (PR_RESOURCE_TYPE) of the providers we forward to. */
#define SHUT_STORE_PROVIDER     33u /* MAPI_STORE_PROVIDER */
#define SHUT_AB_PROVIDER        35u /* MAPI_AB_PROVIDER */
#define SHUT_TRANSPORT_PROVIDER 36u /* MAPI_TRANSPORT_PROVIDER */

#endif
