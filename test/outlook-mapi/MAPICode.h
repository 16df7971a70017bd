/* Stand-in for MAPICode.h of Microsoft's Outlook MAPI headers: see README.md. */
#ifndef MAPICODE_H
#define MAPICODE_H

#define MAKE_MAPI_SCODE(sev, fac, code) \
    ((SCODE)(((unsigned long)(sev) << 31) | ((unsigned long)(fac) << 16) | ((unsigned long)(code))))
#define MAKE_MAPI_E(err)  (MAKE_MAPI_SCODE(1, FACILITY_ITF, err))
#define MAKE_MAPI_S(warn) (MAKE_MAPI_SCODE(0, FACILITY_ITF, warn))

#define MAPI_E_CALL_FAILED     E_FAIL
#define MAPI_E_NO_SUPPORT      MAKE_MAPI_E(0x102)
#define MAPI_E_NOT_FOUND       MAKE_MAPI_E(0x10F)
#define MAPI_E_VERSION         MAKE_MAPI_E(0x110)
#define MAPI_W_ERRORS_RETURNED MAKE_MAPI_S(0x380)

#endif /* MAPICODE_H */
