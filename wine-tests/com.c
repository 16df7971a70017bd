/* COM's rules for the subsystem object and its class factory, argument
 * checks of every method, and AttachProfile's lookup of profiles. */
#define COBJMACROS
#define CONST_VTABLE
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

static HMODULE mapishut;
static HRESULT (WINAPI *pDllGetClassObject)(REFCLSID, REFIID, void **);
static HRESULT (WINAPI *pDllCanUnloadNow)(void);

static ULONG refcount(void *iface)
{
    IUnknown *unknown = iface;

    IUnknown_AddRef(unknown);
    return IUnknown_Release(unknown);
}

static void test_identity_and_query_interface(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = NULL;
    IUnknown *unknown1 = NULL, *unknown2 = NULL, *other;
    HRESULT hr;

    if (!client)
        return;
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host);
    ok(hr == S_OK, "QueryInterface(IMAPIShutdownHost): %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IUnknown, (void **)&unknown1);
    ok(hr == S_OK, "QueryInterface(IUnknown): %#lx\n", hr);
    hr = IMAPIShutdownHost_QueryInterface(host, &IID_IUnknown, (void **)&unknown2);
    ok(hr == S_OK, "host QueryInterface(IUnknown): %#lx\n", hr);
    ok(unknown1 == unknown2, "IUnknown differs between interfaces: %p, %p\n", unknown1, unknown2);
    hr = IMAPIShutdownHost_QueryInterface(host, &IID_IMAPIClientShutdown, (void **)&other);
    ok(hr == S_OK && other == (IUnknown *)client, "host -> IMAPIClientShutdown: %#lx, %p\n", hr, other);
    if (hr == S_OK)
        IUnknown_Release(other);

    other = (IUnknown *)0xdeadbeef;
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IDispatch, (void **)&other);
    ok(hr == E_NOINTERFACE, "QueryInterface(IDispatch): %#lx, expected E_NOINTERFACE\n", hr);
    ok(other == NULL, "out pointer is %p, expected NULL\n", other);
    other = (IUnknown *)0xdeadbeef;
    hr = IMAPIShutdownHost_QueryInterface(host, &IID_IMAPIProviderShutdown, (void **)&other);
    ok(hr == E_NOINTERFACE, "QueryInterface(IMAPIProviderShutdown): %#lx\n", hr);
    ok(other == NULL, "out pointer is %p, expected NULL\n", other);
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IUnknown, NULL);
    ok(hr == E_POINTER, "QueryInterface(NULL out): %#lx, expected E_POINTER\n", hr);

    if (unknown1)
        IUnknown_Release(unknown1);
    if (unknown2)
        IUnknown_Release(unknown2);
    if (host)
        IMAPIShutdownHost_Release(host);
    IMAPIClientShutdown_Release(client);
}

static void test_singleton_and_refcounts(void)
{
    IMAPIClientShutdown *first = create_client_shutdown(), *second = create_client_shutdown();
    ULONG refs, after;

    if (!first || !second)
        return;
    ok(first == second, "two instances: %p and %p, expected the process's one subsystem\n", first, second);
    refs = refcount(first);
    after = IMAPIClientShutdown_AddRef(first);
    ok(after == refs + 1, "AddRef returned %lu, expected %lu\n", after, refs + 1);
    after = IMAPIClientShutdown_Release(first);
    ok(after == refs, "Release returned %lu, expected %lu\n", after, refs);
    IMAPIClientShutdown_Release(second);
    ok(refcount(first) == refs - 1, "refcount %lu after releasing the second instance, expected %lu\n",
       refcount(first), refs - 1);
    IMAPIClientShutdown_Release(first);
}

/* An outer object: with it, only IID_IUnknown may be asked (aggregation.c
 * has the rest of aggregation). */
static HRESULT WINAPI outer_qi(IUnknown *iface, REFIID riid, void **out) { (void)iface; (void)riid; *out = NULL; return E_NOINTERFACE; }
static ULONG WINAPI outer_addref(IUnknown *iface) { (void)iface; return 2; }
static ULONG WINAPI outer_release(IUnknown *iface) { (void)iface; return 1; }
static const IUnknownVtbl outer_vtbl = { outer_qi, outer_addref, outer_release };
static IUnknown outer = { &outer_vtbl };

static void test_class_factory_and_unloading(void)
{
    IClassFactory *factory = NULL;
    IMAPIShutdownHost *host = NULL;
    IUnknown *unknown = (IUnknown *)0xdeadbeef, *provider;
    ULONG cookie = 0;
    HRESULT hr;

    hr = pDllGetClassObject(&IID_IMAPIClientShutdown, &IID_IClassFactory, (void **)&unknown);
    ok(hr == CLASS_E_CLASSNOTAVAILABLE, "DllGetClassObject(wrong CLSID): %#lx\n", hr);
    ok(unknown == NULL, "out pointer is %p, expected NULL\n", unknown);
    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IClassFactory, NULL);
    ok(hr == E_POINTER, "DllGetClassObject(NULL out): %#lx, expected E_POINTER\n", hr);
    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IDispatch, (void **)&unknown);
    ok(hr == E_NOINTERFACE, "DllGetClassObject(IDispatch): %#lx, expected E_NOINTERFACE\n", hr);

    ok(pDllCanUnloadNow() == S_OK, "DllCanUnloadNow with nothing outstanding: %#lx\n", pDllCanUnloadNow());
    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "DllGetClassObject: %#lx\n", hr);
    if (!factory)
        return;
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow while a factory is held: %#lx\n", pDllCanUnloadNow());

    unknown = (IUnknown *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, &outer, &IID_IMAPIShutdownHost, (void **)&unknown);
    ok(hr == CLASS_E_NOAGGREGATION, "CreateInstance with an outer, not for IUnknown: %#lx\n", hr);
    ok(unknown == NULL, "out pointer is %p, expected NULL\n", unknown);
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, NULL);
    ok(hr == E_POINTER, "CreateInstance(NULL out): %#lx, expected E_POINTER\n", hr);
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IMAPIShutdownHost, (void **)&host);
    ok(hr == S_OK, "CreateInstance(IMAPIShutdownHost): %#lx\n", hr);

    hr = IClassFactory_LockServer(factory, TRUE);
    ok(hr == S_OK, "LockServer(TRUE): %#lx\n", hr);
    IClassFactory_Release(factory);
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow with an object and a lock: %#lx\n", pDllCanUnloadNow());

    /* A registered provider keeps the module: its registration would be lost. */
    provider = make_provider(L"keeper", 0, NULL, NULL);
    if (host && provider) {
        hr = IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
        ok(hr == S_OK, "RegisterProvider: %#lx\n", hr);
    }
    if (host)
        IMAPIShutdownHost_Release(host);
    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "DllGetClassObject: %#lx\n", hr);
    IClassFactory_LockServer(factory, FALSE);
    IClassFactory_Release(factory);
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow with a registered provider: %#lx\n", pDllCanUnloadNow());

    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory);
    if (SUCCEEDED(hr)) {
        hr = IClassFactory_CreateInstance(factory, NULL, &IID_IMAPIShutdownHost, (void **)&host);
        IClassFactory_Release(factory);
    }
    if (SUCCEEDED(hr)) {
        hr = IMAPIShutdownHost_UnregisterProvider(host, cookie);
        ok(hr == S_OK, "UnregisterProvider: %#lx\n", hr);
        IMAPIShutdownHost_Release(host);
    }
    ok(pDllCanUnloadNow() == S_OK, "DllCanUnloadNow with everything released: %#lx\n", pDllCanUnloadNow());
    if (provider)
        IUnknown_Release(provider);
}

static void test_host_arguments(void)
{
    static const BYTE uid[16] = { 0x12, 0x34 };
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *provider = make_provider(L"args", 0, NULL, NULL);
    IUnknown *plain = make_provider(L"plain", TESTPROV_NO_INTERFACE, NULL, NULL);
    ULONG cookie, cookie2;
    LONG refs;
    HRESULT hr;

    if (!host || !provider || !plain)
        return;
    refs = provider_refs(provider);
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_STORE_PROVIDER, provider, NULL);
    ok(hr == E_POINTER, "RegisterProvider(NULL cookie): %#lx, expected E_POINTER\n", hr);
    cookie = 0xdeadbeef;
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_STORE_PROVIDER, NULL, &cookie);
    ok(hr == E_INVALIDARG, "RegisterProvider(NULL provider): %#lx, expected E_INVALIDARG\n", hr);
    ok(cookie == 0, "cookie %lu after a failure, expected 0\n", cookie);
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, 34, provider, &cookie);
    ok(hr == E_INVALIDARG, "RegisterProvider(type 34): %#lx, expected E_INVALIDARG\n", hr);
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, 0, provider, &cookie);
    ok(hr == E_INVALIDARG, "RegisterProvider(type 0): %#lx, expected E_INVALIDARG\n", hr);
    ok(provider_refs(provider) == refs, "a refused registration kept a reference: %ld, was %ld\n",
       provider_refs(provider), refs);

    hr = IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_TRANSPORT_PROVIDER, provider, &cookie);
    ok(hr == S_OK, "RegisterProvider: %#lx\n", hr);
    ok(cookie != 0, "cookie is 0\n");
    ok(provider_refs(provider) == refs + 1, "the subsystem holds %ld references, expected 1\n",
       provider_refs(provider) - refs);
    hr = IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_AB_PROVIDER, plain, &cookie2);
    ok(hr == S_OK, "RegisterProvider(no IMAPIProviderShutdown, no section): %#lx\n", hr);
    ok(cookie2 != cookie, "two registrations got the same cookie %lu\n", cookie);

    hr = IMAPIShutdownHost_UnregisterProvider(host, 0);
    ok(hr == E_INVALIDARG, "UnregisterProvider(0): %#lx, expected E_INVALIDARG\n", hr);
    hr = IMAPIShutdownHost_UnregisterProvider(host, cookie + cookie2 + 1000);
    ok(hr == E_INVALIDARG, "UnregisterProvider(unknown): %#lx, expected E_INVALIDARG\n", hr);
    hr = IMAPIShutdownHost_UnregisterProvider(host, cookie);
    ok(hr == S_OK, "UnregisterProvider: %#lx\n", hr);
    ok(provider_refs(provider) == refs, "after UnregisterProvider the provider has %ld references, expected %ld\n",
       provider_refs(provider), refs);
    hr = IMAPIShutdownHost_UnregisterProvider(host, cookie);
    ok(hr == E_INVALIDARG, "UnregisterProvider twice: %#lx, expected E_INVALIDARG\n", hr);
    hr = IMAPIShutdownHost_UnregisterProvider(host, cookie2);
    ok(hr == S_OK, "UnregisterProvider(plain): %#lx\n", hr);

    IUnknown_Release(provider);
    IUnknown_Release(plain);
    IMAPIShutdownHost_Release(host);
}

#define OFFICE16 L"Software\\Microsoft\\Office\\16.0\\Outlook"
#define OFFICE15 L"Software\\Microsoft\\Office\\15.0\\Outlook"
#define LEGACY L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

static void create_key(const WCHAR *path)
{
    HKEY key;
    LSTATUS status = RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL);

    ok(status == ERROR_SUCCESS, "RegCreateKeyEx(%ls): %ld\n", path, status);
    if (status == ERROR_SUCCESS)
        RegCloseKey(key);
}

static void write_default_profile(const WCHAR *holder, const WCHAR *name)
{
    LSTATUS status = RegSetKeyValueW(HKEY_CURRENT_USER, holder, L"DefaultProfile", REG_SZ, name,
                                     (DWORD)((wcslen(name) + 1) * sizeof(WCHAR)));

    ok(status == ERROR_SUCCESS, "setting DefaultProfile: %ld\n", status);
}

static void remove_profiles(void)
{
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Microsoft\\Office\\16.0");
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\Microsoft\\Office\\15.0");
    RegDeleteTreeW(HKEY_CURRENT_USER, LEGACY);
}

static void test_attach_profile(void)
{
    IMAPIShutdownHost *host = create_shutdown_host();
    WCHAR long_name[300];
    HRESULT hr;

    if (!host)
        return;
    remove_profiles();
    hr = IMAPIShutdownHost_AttachProfile(host, L"Nobody");
    ok(hr == MAPI_E_NOT_FOUND, "unknown profile: %#lx, expected MAPI_E_NOT_FOUND\n", hr);
    hr = IMAPIShutdownHost_AttachProfile(host, NULL);
    ok(hr == MAPI_E_NOT_FOUND, "no default profile: %#lx, expected MAPI_E_NOT_FOUND\n", hr);
    hr = IMAPIShutdownHost_AttachProfile(host, L"");
    ok(hr == MAPI_E_NOT_FOUND, "no default profile (empty name): %#lx\n", hr);
    hr = IMAPIShutdownHost_AttachProfile(host, L"Outlook\\..\\Other");
    ok(hr == E_INVALIDARG, "a name with a backslash: %#lx, expected E_INVALIDARG\n", hr);
    for (int i = 0; i < 299; i++)
        long_name[i] = L'a';
    long_name[299] = 0;
    hr = IMAPIShutdownHost_AttachProfile(host, long_name);
    ok(hr == E_INVALIDARG, "a 299-character name: %#lx, expected E_INVALIDARG\n", hr);

    create_key(OFFICE16 L"\\Profiles\\Outlook");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Outlook");
    ok(hr == S_OK, "16.0 profile: %#lx\n", hr);
    hr = IMAPIShutdownHost_AttachProfile(host, L"OUTLOOK");
    ok(hr == S_OK, "profile names are registry key names, case-insensitive: %#lx\n", hr);
    create_key(OFFICE15 L"\\Profiles\\Old");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Old");
    ok(hr == S_OK, "15.0 profile: %#lx\n", hr);
    create_key(LEGACY L"\\Legacy");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Legacy");
    ok(hr == S_OK, "legacy profile: %#lx\n", hr);

    /* A DefaultProfile that names a profile of another place is not followed. */
    write_default_profile(OFFICE16, L"Legacy");
    hr = IMAPIShutdownHost_AttachProfile(host, NULL);
    ok(hr == MAPI_E_NOT_FOUND, "16.0 default naming a legacy profile: %#lx, expected MAPI_E_NOT_FOUND\n", hr);
    write_default_profile(LEGACY, L"Legacy");
    hr = IMAPIShutdownHost_AttachProfile(host, NULL);
    ok(hr == S_OK, "legacy default profile: %#lx\n", hr);
    write_default_profile(OFFICE16, L"Outlook");
    hr = IMAPIShutdownHost_AttachProfile(host, L"");
    ok(hr == S_OK, "16.0 default profile: %#lx\n", hr);

    /* Attached profiles are state the module must keep, even with every
     * reference released: option 1 counts their loaded sections. */
    IMAPIShutdownHost_Release(host);
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow with attached profiles: %#lx, expected S_FALSE\n",
       pDllCanUnloadNow());
    CoFreeUnusedLibraries();
    host = create_shutdown_host();
    if (!host)
        return;

    /* A DefaultProfile of the wrong type is ignored. */
    RegSetKeyValueW(HKEY_CURRENT_USER, OFFICE16, L"DefaultProfile", REG_BINARY, "Outlook", 7);
    RegDeleteKeyValueW(HKEY_CURRENT_USER, LEGACY, L"DefaultProfile");
    hr = IMAPIShutdownHost_AttachProfile(host, NULL);
    ok(hr == MAPI_E_NOT_FOUND, "binary DefaultProfile: %#lx, expected MAPI_E_NOT_FOUND\n", hr);

    remove_profiles();
    IMAPIShutdownHost_Release(host);
}

START_TEST(com)
{
    WCHAR path[MAX_PATH];

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!save_registry_and_register()) {
        skip("mapishut.dll could not be registered\n");
        CoUninitialize();
        return;
    }
    mapishut_dll_path(path, ARRAY_SIZE(path));
    mapishut = LoadLibraryW(path);
    pDllGetClassObject = (void *)GetProcAddress(mapishut, "DllGetClassObject");
    pDllCanUnloadNow = (void *)GetProcAddress(mapishut, "DllCanUnloadNow");
    ok(pDllGetClassObject && pDllCanUnloadNow, "mapishut.dll entry points not found\n");

    test_identity_and_query_interface();
    test_singleton_and_refcounts();
    if (pDllGetClassObject && pDllCanUnloadNow)
        test_class_factory_and_unloading();
    test_host_arguments();
    test_attach_profile();

    unregister_and_restore_registry();
    CoUninitialize();
}
