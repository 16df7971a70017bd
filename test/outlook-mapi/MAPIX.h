/* Stand-in for MAPIX.h of Microsoft's Outlook MAPI headers: see README.md. */
#ifndef MAPIX_H
#define MAPIX_H

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

DECLARE_MAPI_INTERFACE_PTR(IMAPISession, LPMAPISESSION);

#ifdef __cplusplus
}
#endif

#endif /* MAPIX_H */
