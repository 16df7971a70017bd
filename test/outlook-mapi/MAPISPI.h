/* Stand-in for MAPISPI.h of Microsoft's Outlook MAPI headers: see README.md. */
#ifndef MAPISPI_H
#define MAPISPI_H

#ifndef MAPIDEFS_H
#include <mapidefs.h>
#endif
#ifndef MAPICODE_H
#include <mapicode.h>
#endif
#ifndef MAPIGUID_H
#include <mapiguid.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

DECLARE_MAPI_INTERFACE_PTR(IXPProvider, LPXPPROVIDER);
DECLARE_MAPI_INTERFACE_PTR(IABProvider, LPABPROVIDER);
DECLARE_MAPI_INTERFACE_PTR(IMSProvider, LPMSPROVIDER);

#ifdef __cplusplus
}
#endif

#endif /* MAPISPI_H */
