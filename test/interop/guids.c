/* A translation unit that defines MAPI's GUIDs the way Microsoft's samples do
 * (INITGUID, USES_IID_..., MAPIGuid.h), beside mapishut.h, linked with
 * libmapishut.a: no GUID may be defined twice or be missing, and each must
 * hold its value. With USES_CLIENT_ONLY, IID_IMAPIProviderShutdown comes from
 * the library, whose object defines the others too. Each is compared with the
 * IDL's value, as scripts/make-ids.sh reads it (mapishut_ids.h). Built for
 * both architectures and run by scripts/check-headers.sh; exits 0 when every
 * GUID is right. */
#ifndef USES_CLIENT_ONLY
#define USES_IID_IMAPIProviderShutdown
#endif
#define USES_IID_IMAPIClientShutdown
#include <windows.h>
#include <initguid.h>
#include <mapix.h>
#include "mapishut.h"
#include "mapishut_ids.h"

#include <stdio.h>
#include <string.h>

static int check(const char *name, const GUID *guid, const char *expected)
{
    char text[40];

    snprintf(text, sizeof(text), "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned long)guid->Data1, guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1],
             guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5], guid->Data4[6],
             guid->Data4[7]);
    if (!strcmp(text, expected))
        return 0;
    printf("%s is %s, expected %s\n", name, text, expected);
    return 1;
}

int main(void)
{
    int bad = check("IID_IMAPIClientShutdown", &IID_IMAPIClientShutdown, MAPISHUT_IID_IMAPIClientShutdown_A) +
              check("IID_IMAPIProviderShutdown", &IID_IMAPIProviderShutdown, MAPISHUT_IID_IMAPIProviderShutdown_A) +
              check("IID_IMAPIShutdownHost", &IID_IMAPIShutdownHost, MAPISHUT_IID_IMAPIShutdownHost_A) +
              check("CLSID_MAPIShutdown", &CLSID_MAPIShutdown, MAPISHUT_CLSID_A) +
              check("LIBID_MAPIShutdownLib", &LIBID_MAPIShutdownLib, MAPISHUT_LIBID_A);

    printf("%s\n", bad ? "wrong GUIDs" : "all five GUIDs right");
    return bad;
}
