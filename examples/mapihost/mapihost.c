/* mapihost.dll's MAPI entry points: MAPIInitialize, MAPILogonEx and
 * MAPIUninitialize, with Microsoft's signatures, so that a client of this
 * example is written as a client of Outlook's MAPI is. */
#include "mapihost.h"

#include <stdarg.h>
#include <stdio.h>

void host_say(const char *format, ...)
{
    va_list args;

    printf("      mapihost: ");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
}

HRESULT WINAPI MAPIInitialize(LPVOID init)
{
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    (void)init;
    return hr == RPC_E_CHANGED_MODE ? S_OK : hr;
}

void WINAPI MAPIUninitialize(void)
{
    CoUninitialize();
}

/* Extended MAPI logon: with MAPI_UNICODE the profile name is a wide string. */
HRESULT WINAPI MAPILogonEx(ULONG_PTR ui, LPTSTR profile, LPTSTR password, ULONG flags, LPMAPISESSION *session)
{
    WCHAR name[256] = L"";

    (void)ui;
    (void)password;
    if (!session)
        return MAPI_E_INVALID_PARAMETER;
    if (profile && (flags & MAPI_UNICODE))
        lstrcpynW(name, (const WCHAR *)profile, ARRAYSIZE(name));
    else if (profile)
        MultiByteToWideChar(CP_ACP, 0, (const char *)profile, -1, name, ARRAYSIZE(name));
    return session_create(name, session);
}
