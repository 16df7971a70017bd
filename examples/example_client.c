/* example_client.exe: a MAPI client that knows only its MAPI session, and
 * exits the way MFCMAPI's "fast shutdown" command does: QueryInterface on the
 * session for IMAPIClientShutdown; QueryFastShutdown; NotifyProcessShutdown
 * always; DoFastShutdown only if the query succeeded; Release. Then it exits
 * at once when the fast shutdown went through, and the normal way (logoff,
 * MAPIUninitialize) when it did not. Like a client built on Microsoft's
 * MAPIStubLibrary, it finds MAPI's entry points at run time: here in the
 * example MAPI implementation, mapihost.dll.
 *   example_client.exe DATA_FOLDER [PROFILE] */
#include <windows.h>
#include <mapix.h>
#include "mapishut.h"

#include <stdio.h>

static const char *hr_name(HRESULT hr)
{
    switch (hr) {
    case S_OK:                   return "S_OK";
    case MAPI_E_NO_SUPPORT:      return "MAPI_E_NO_SUPPORT";
    case MAPI_E_CALL_FAILED:     return "MAPI_E_CALL_FAILED";
    case MAPI_W_ERRORS_RETURNED: return "MAPI_W_ERRORS_RETURNED";
    case REGDB_E_CLASSNOTREG:    return "REGDB_E_CLASSNOTREG (is mapishut.dll registered?)";
    }
    return "an error";
}

static HRESULT step(const char *what, HRESULT hr)
{
    printf("  %-44s -> %s (%#lx)\n", what, hr_name(hr), (unsigned long)hr);
    fflush(stdout);
    return hr;
}

int wmain(int argc, WCHAR **argv)
{
    IMAPIClientShutdown *client = NULL;
    IMAPISession *session = NULL;
    HRESULT query, done = E_FAIL;
    HMODULE mapi = LoadLibraryW(L"mapihost.dll");
    LPMAPIINITIALIZE mapi_initialize = mapi ? (void *)GetProcAddress(mapi, "MAPIInitialize") : NULL;
    LPMAPILOGONEX mapi_logon = mapi ? (void *)GetProcAddress(mapi, "MAPILogonEx") : NULL;
    LPMAPIUNINITIALIZE mapi_uninitialize = mapi ? (void *)GetProcAddress(mapi, "MAPIUninitialize") : NULL;

    if (argc < 2 || !SetCurrentDirectoryW(argv[1])) {
        printf("usage: example_client.exe DATA_FOLDER [PROFILE]\n");
        return 2;
    }
    if (!mapi_initialize || !mapi_logon || !mapi_uninitialize) {
        printf("mapihost.dll or its MAPI entry points were not found\n");
        return 1;
    }
    printf("\n  logging on: MAPIInitialize, MAPILogonEx\n");
    if (FAILED(step("MAPIInitialize", mapi_initialize(NULL))))
        return 1;
    if (FAILED(step("MAPILogonEx", mapi_logon(0, (LPTSTR)(argc > 2 ? argv[2] : L"Demo"), NULL,
                                               MAPI_EXTENDED | MAPI_NEW_SESSION | MAPI_UNICODE, &session))))
        return 1;

    printf("\n  the client exits: MFCMAPI's sequence, on the session\n");
    if (FAILED(step("IMAPISession::QueryInterface(IMAPIClientShutdown)",
                    session->lpVtbl->QueryInterface(session, &IID_IMAPIClientShutdown, (void **)&client))))
        return 1;
    printf("\n  step 1: may I exit fast?\n");
    query = step("IMAPIClientShutdown::QueryFastShutdown", IMAPIClientShutdown_QueryFastShutdown(client));
    printf("\n  step 2: I am going to exit\n");
    step("IMAPIClientShutdown::NotifyProcessShutdown", IMAPIClientShutdown_NotifyProcessShutdown(client));
    if (SUCCEEDED(query)) {
        printf("\n  step 3: I am exiting now\n");
        done = step("IMAPIClientShutdown::DoFastShutdown", IMAPIClientShutdown_DoFastShutdown(client));
    }
    IMAPIClientShutdown_Release(client);

    if (SUCCEEDED(done)) {
        /* No more MAPI calls, not even Release: exit at once. */
        printf("\n  exiting at once with TerminateProcess: no logoff, no MAPIUninitialize\n");
        fflush(stdout);
        TerminateProcess(GetCurrentProcess(), 0);
    }
    /* The seed: a client must not go on after an error, or every provider
     * loses its data. Shut down the normal way instead. */
    printf("\n  fast shutdown refused: the normal shutdown, every provider logged off\n");
    step("IMAPISession::Logoff", session->lpVtbl->Logoff(session, 0, 0, 0));
    session->lpVtbl->Release(session);
    mapi_uninitialize();
    fflush(stdout);
    return 0;
}
