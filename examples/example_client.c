/* example_client.exe: a MAPI client exiting the way Microsoft's "best
 * practices for fast shutdown" ask: query, notify, exit fast, and fall back to
 * a normal shutdown when the subsystem says no.
 *   example_client.exe DATA_FOLDER */
#include "example_provider.h"

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

static void step(const char *what, HRESULT hr)
{
    printf("  %-40s -> %s (%#lx)\n", what, hr_name(hr), (unsigned long)hr);
    fflush(stdout);
}

int wmain(int argc, WCHAR **argv)
{
    /* The providers of the profile in examples/demo-profile.reg, with their
     * section UIDs, loaded store first; the subsystem calls them transport
     * first, then address book, then store. */
    static const struct {
        ULONG type;
        const WCHAR *name;
        const WCHAR *file;
        BYTE section[16];
    } providers[] = {
        { MAPI_STORE_PROVIDER, L"Personal Folders", L"store.dat",
          { 0x7c, 0x3d, 0x2e, 0x9a, 0x5f, 0x4b, 0x6a, 0x8c, 0xad, 0xbe, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e } },
        { MAPI_AB_PROVIDER, L"Contacts", L"contacts.dat",
          { 0x9e, 0x5f, 0x4a, 0xbc, 0x7b, 0x6d, 0x8c, 0xae, 0xcf, 0xda, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x9a } },
        { MAPI_TRANSPORT_PROVIDER, L"Internet Mail", L"outbox.dat",
          { 0x8d, 0x4e, 0x3f, 0xab, 0x6a, 0x5c, 0x7b, 0x9d, 0xbe, 0xcf, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f } },
    };
    IUnknown *loaded[ARRAYSIZE(providers)] = { 0 };
    ULONG cookies[ARRAYSIZE(providers)] = { 0 };
    example_provider_create_fn create;
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    HMODULE module;
    HRESULT hr;

    if (argc < 2) {
        printf("usage: example_client.exe DATA_FOLDER\n");
        return 2;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIClientShutdown,
                          (void **)&client);
    step("CoCreateInstance(CLSID_MAPIShutdown)", hr);
    if (FAILED(hr))
        return 1;
    IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host);

    /* A MAPI host attaches the session's profile... */
    step("IMAPIShutdownHost::AttachProfile(default)", IMAPIShutdownHost_AttachProfile(host, NULL));

    /* ...loads the providers it names (MAPI's file name for DEMOPROV.DLL)... */
    module = LoadLibraryW(L"demoprov32.dll");
    create = module ? (example_provider_create_fn)(void *)GetProcAddress(module, "ExampleProviderCreate") : NULL;
    if (!create) {
        printf("demoprov32.dll not found\n");
        return 1;
    }
    printf("  loading providers (each holds 4096 bytes of unsaved changes):\n");
    for (unsigned i = 0; i < ARRAYSIZE(providers); i++) {
        WCHAR path[MAX_PATH];

        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", argv[1], providers[i].file);
        create(providers[i].type, providers[i].name, path, &loaded[i]);
        /* ...and registers each one with its profile section. */
        hr = IMAPIShutdownHost_RegisterProvider(host, providers[i].section, providers[i].type, loaded[i],
                                                &cookies[i]);
        printf("      RegisterProvider(%-16ls) -> %#lx, cookie %lu\n", providers[i].name,
               (unsigned long)hr, cookies[i]);
    }
    fflush(stdout);

    printf("\n  step 1: may I exit fast?\n");
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    step("IMAPIClientShutdown::QueryFastShutdown", hr);
    if (hr != S_OK) {
        /* The seed: a client must not go on after an error, or every provider
         * loses its data. Shut down the normal way instead. */
        printf("\n  fast shutdown refused: normal shutdown, every provider unloaded\n");
        for (unsigned i = 0; i < ARRAYSIZE(loaded); i++) {
            IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
            IUnknown_Release(loaded[i]);
        }
        IMAPIShutdownHost_Release(host);
        IMAPIClientShutdown_Release(client);
        CoUninitialize();
        fflush(stdout);
        return 0;
    }

    printf("\n  step 2: I am going to exit\n");
    step("IMAPIClientShutdown::NotifyProcessShutdown", IMAPIClientShutdown_NotifyProcessShutdown(client));

    printf("\n  step 3: I am exiting now\n");
    step("IMAPIClientShutdown::DoFastShutdown", IMAPIClientShutdown_DoFastShutdown(client));

    /* No more MAPI calls, not even Release: exit at once. */
    printf("\n  exiting at once with TerminateProcess: no Release, no MAPIUninitialize\n");
    fflush(stdout);
    TerminateProcess(GetCurrentProcess(), 0);
    return 0;
}
