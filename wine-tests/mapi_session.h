/* A MAPI session as a MAPI implementation makes one, for the tests of the
 * real clients' sequences: the session aggregates the subsystem (a client
 * gets IMAPIClientShutdown by QueryInterface on it), and loads the providers
 * of a registry profile through their entry points, registering each with
 * its section UID; at its last release it logs off, unless the client shut
 * down fast. */
#ifndef MAPISHUT_WINE_TESTS_MAPI_SESSION_H
#define MAPISHUT_WINE_TESTS_MAPI_SESSION_H

#include <windows.h>
#include <mapispi.h>
#include "mapishut.h"
#include "profile_writer.h"
#include "project_facts.h"
#include "wine/test.h"

#define SESSION_PROVIDERS_MAX 8

struct test_session {
    IUnknown IUnknown_iface;
    LONG refs;
    IUnknown *inner;
    IMAPIShutdownHost *host;
    struct {
        HMODULE module;
        IUnknown *object;
        ULONG cookie;
    } providers[SESSION_PROVIDERS_MAX];
    unsigned loaded, skipped;
    BOOL logged_off;
};

static inline struct test_session *test_session_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct test_session, IUnknown_iface);
}

static inline HRESULT WINAPI test_session_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct test_session *session = test_session_from_IUnknown(iface);

    if (IsEqualIID(riid, &IID_IUnknown)) {
        *out = &session->IUnknown_iface;
        IUnknown_AddRef(&session->IUnknown_iface);
        return S_OK;
    }
    if (IsEqualIID(riid, &IID_IMAPIClientShutdown))
        return IUnknown_QueryInterface(session->inner, riid, out);
    *out = NULL;
    return E_NOINTERFACE;
}

static inline ULONG WINAPI test_session_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&test_session_from_IUnknown(iface)->refs);
}

/* A logoff: each provider unregistered, shut down, released and unloaded,
 * unless the subsystem says the client shut down fast (the process is
 * exiting: the providers are left as they are). */
static inline void test_session_logoff(struct test_session *session)
{
    if (session->logged_off)
        return;
    session->logged_off = TRUE;
    for (unsigned i = 0; i < session->loaded; i++) {
        IUnknown *object = session->providers[i].object;
        ULONG flags = 0;

        if (IMAPIShutdownHost_UnregisterProvider(session->host, session->providers[i].cookie) == MAPI_E_CALL_FAILED)
            continue;
        ((IXPProvider *)object)->lpVtbl->Shutdown((IXPProvider *)object, &flags);
        IUnknown_Release(object);
        FreeLibrary(session->providers[i].module);
    }
}

static inline ULONG WINAPI test_session_Release(IUnknown *iface)
{
    struct test_session *session = test_session_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&session->refs);

    if (refs)
        return refs;
    session->refs = 1;
    test_session_logoff(session);
    /* Aggregation's rule: the outer's reference back before the release. */
    IUnknown_AddRef(&session->IUnknown_iface);
    IMAPIShutdownHost_Release(session->host);
    IUnknown_Release(session->inner);
    HeapFree(GetProcessHeap(), 0, session);
    return 0;
}

static const IUnknownVtbl test_session_vtbl = {
    test_session_QueryInterface,
    test_session_AddRef,
    test_session_Release,
};

typedef HRESULT (__cdecl *test_provider_init_fn)(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER, LPALLOCATEMORE,
                                                 LPFREEBUFFER, ULONG, ULONG, ULONG *, IUnknown **);

/* One provider section: MAPI's file name for its DLL, the entry point of its
 * type, the object registered. Anything that fails is skipped, untold. */
static inline void test_session_load(struct test_session *session, HKEY profile, const WCHAR *name)
{
    WCHAR dll[MAX_PATH] = L"", file[MAX_PATH];
    DWORD type = 0, size = sizeof(type), kind;
    test_provider_init_fn init;
    ULONG version;
    HMODULE module;
    IUnknown *object = NULL;
    BYTE uid[16];
    char uid_text[33];
    HRESULT hr;

    if (RegGetValueW(profile, name, L"00033e03", RRF_RT_REG_BINARY, &kind, &type, &size) != ERROR_SUCCESS ||
        size != 4 || (type != MAPI_TRANSPORT_PROVIDER && type != MAPI_AB_PROVIDER && type != MAPI_STORE_PROVIDER))
        return;
    size = sizeof(dll) - sizeof(WCHAR);
    if (RegGetValueW(profile, name, L"001f300a", RRF_RT_REG_BINARY, &kind, dll, &size) != ERROR_SUCCESS)
        return;
    module = fact_dll_file_name(dll, file, ARRAY_SIZE(file)) ? LoadLibraryW(file) : NULL;
    init = module ? (test_provider_init_fn)(void *)GetProcAddress(module,
                        type == MAPI_TRANSPORT_PROVIDER ? "XPProviderInit" :
                        type == MAPI_AB_PROVIDER ? "ABProviderInit" : "MSProviderInit") : NULL;
    hr = init ? init(module, NULL, NULL, NULL, NULL, 0, CURRENT_SPI_VERSION, &version, &object) : E_FAIL;
    if (FAILED(hr) || !object || session->loaded == SESSION_PROVIDERS_MAX) {
        if (module)
            FreeLibrary(module);
        session->skipped++;
        return;
    }
    WideCharToMultiByte(CP_ACP, 0, name, -1, uid_text, sizeof(uid_text), NULL, NULL);
    uid_bytes(uid_text, uid);
    session->providers[session->loaded].module = module;
    session->providers[session->loaded].object = object;
    hr = IMAPIShutdownHost_RegisterProvider(session->host, uid, type, object,
                                            &session->providers[session->loaded].cookie);
    ok(hr == S_OK, "RegisterProvider(%ls): %#lx\n", file, hr);
    session->loaded++;
}

/* MAPILogonEx, in short: the session, with the profile's providers loaded. */
static inline IUnknown *test_session_logon(const WCHAR *profile_name)
{
    struct test_session *session = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*session));
    WCHAR path[512], section[256];
    HKEY profile;
    HRESULT hr;

    session->IUnknown_iface.lpVtbl = &test_session_vtbl;
    session->refs = 1;
    hr = CoCreateInstance(&CLSID_MAPIShutdown, &session->IUnknown_iface, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                          (void **)&session->inner);
    ok(hr == S_OK, "aggregating the subsystem: %#lx\n", hr);
    if (FAILED(hr)) {
        HeapFree(GetProcessHeap(), 0, session);
        return NULL;
    }
    IUnknown_QueryInterface(session->inner, &IID_IMAPIShutdownHost, (void **)&session->host);
    IUnknown_Release(&session->IUnknown_iface);
    hr = IMAPIShutdownHost_AttachProfile(session->host, profile_name);
    ok(hr == S_OK, "AttachProfile(%ls): %#lx\n", profile_name, hr);

    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", PROFILES_16, profile_name);
    if (RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, KEY_READ, &profile) == ERROR_SUCCESS) {
        for (DWORD index = 0;; index++) {
            DWORD length = ARRAY_SIZE(section);

            if (RegEnumKeyExW(profile, index, section, &length, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
                break;
            test_session_load(session, profile, section);
        }
        RegCloseKey(profile);
    }
    return &session->IUnknown_iface;
}

#endif
