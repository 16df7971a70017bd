/* A MAPI session aggregating the subsystem (docs/design.md section 2): COM's
 * aggregation rules, identity and reference counts through the outer
 * object, the inner freed with it, and two sessions of one process sharing
 * the process's one subsystem. */
#define COBJMACROS
#define CONST_VTABLE
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

/* The outer object a MAPI implementation's session would be: it hands out
 * the subsystem's interfaces from its own QueryInterface. */
struct session {
    IUnknown IUnknown_iface;
    LONG refs;
    IUnknown *inner;
};

static struct session *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct session, IUnknown_iface);
}

static HRESULT WINAPI session_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct session *session = impl_from_IUnknown(iface);

    if (IsEqualIID(riid, &IID_IUnknown)) {
        *out = &session->IUnknown_iface;
        IUnknown_AddRef(&session->IUnknown_iface);
        return S_OK;
    }
    if (session->inner && (IsEqualIID(riid, &IID_IMAPIClientShutdown) || IsEqualIID(riid, &IID_IMAPIShutdownHost)))
        return IUnknown_QueryInterface(session->inner, riid, out);
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI session_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refs);
}

static ULONG WINAPI session_Release(IUnknown *iface)
{
    struct session *session = impl_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&session->refs);

    if (!refs && session->inner) {
        IUnknown *inner = session->inner;

        session->inner = NULL;
        IUnknown_Release(inner);
    }
    return refs;
}

static const IUnknownVtbl session_vtbl = { session_QueryInterface, session_AddRef, session_Release };

static void session_init(struct session *session)
{
    session->IUnknown_iface.lpVtbl = &session_vtbl;
    session->refs = 1;
    session->inner = NULL;
}

static HRESULT session_aggregate(struct session *session)
{
    return CoCreateInstance(&CLSID_MAPIShutdown, &session->IUnknown_iface, CLSCTX_INPROC_SERVER,
                            &IID_IUnknown, (void **)&session->inner);
}

static HRESULT (WINAPI *pDllCanUnloadNow)(void);
static HRESULT (WINAPI *pDllGetClassObject)(REFCLSID, REFIID, void **);

static void test_outer_may_ask_for_iunknown_only(void)
{
    static const IID *const refused[] = { &IID_IMAPIClientShutdown, &IID_IMAPIShutdownHost, &IID_IDispatch };
    struct session session;
    IClassFactory *factory = NULL;
    void *out;
    HRESULT hr;

    session_init(&session);
    for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
        winetest_push_context("interface %u", i);
        out = (void *)0xdeadbeef;
        hr = CoCreateInstance(&CLSID_MAPIShutdown, &session.IUnknown_iface, CLSCTX_INPROC_SERVER, refused[i], &out);
        ok(hr == CLASS_E_NOAGGREGATION, "CoCreateInstance with an outer: %#lx, expected CLASS_E_NOAGGREGATION\n", hr);
        ok(out == NULL, "out pointer %p, expected NULL\n", out);
        winetest_pop_context();
    }
    ok(session.refs == 1, "the refused creations left the outer with %ld references, expected 1\n", session.refs);

    hr = pDllGetClassObject(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "DllGetClassObject: %#lx\n", hr);
    if (!factory)
        return;
    out = (void *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, &session.IUnknown_iface, &IID_IMAPIClientShutdown, &out);
    ok(hr == CLASS_E_NOAGGREGATION, "IClassFactory::CreateInstance(outer, IMAPIClientShutdown): %#lx\n", hr);
    ok(out == NULL, "out pointer %p, expected NULL\n", out);
    hr = IClassFactory_CreateInstance(factory, &session.IUnknown_iface, &IID_IUnknown, &out);
    ok(hr == S_OK, "IClassFactory::CreateInstance(outer, IUnknown): %#lx\n", hr);
    if (hr == S_OK)
        IUnknown_Release((IUnknown *)out);
    IClassFactory_Release(factory);
}

static void test_identity_through_the_outer(void)
{
    struct session session;
    IMAPIClientShutdown *client = NULL, *singleton;
    IMAPIShutdownHost *host = NULL;
    IUnknown *unknown = NULL, *inner_unknown = NULL;
    HRESULT hr;

    session_init(&session);
    hr = session_aggregate(&session);
    ok(hr == S_OK, "CoCreateInstance(outer, IUnknown): %#lx\n", hr);
    if (hr != S_OK)
        return;
    ok(session.inner != NULL, "no inner unknown\n");
    singleton = create_client_shutdown();
    ok((IUnknown *)singleton != session.inner, "the inner unknown is the singleton's interface\n");

    hr = IUnknown_QueryInterface(&session.IUnknown_iface, &IID_IMAPIClientShutdown, (void **)&client);
    ok(hr == S_OK, "session QueryInterface(IMAPIClientShutdown): %#lx\n", hr);
    ok(client != singleton, "the aggregate handed out the singleton's interface\n");
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IUnknown, (void **)&unknown);
    ok(hr == S_OK, "client QueryInterface(IUnknown): %#lx\n", hr);
    ok(unknown == &session.IUnknown_iface, "client's IUnknown is %p, expected the outer %p\n", unknown,
       &session.IUnknown_iface);
    if (unknown)
        IUnknown_Release(unknown);
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host);
    ok(hr == S_OK, "client QueryInterface(IMAPIShutdownHost): %#lx\n", hr);
    unknown = NULL;
    if (host) {
        hr = IMAPIShutdownHost_QueryInterface(host, &IID_IUnknown, (void **)&unknown);
        ok(hr == S_OK && unknown == &session.IUnknown_iface, "host's IUnknown: %#lx, %p\n", hr, unknown);
        if (unknown)
            IUnknown_Release(unknown);
    }
    /* Only the outer knows other interfaces: it says no, so the aggregate does. */
    unknown = (IUnknown *)0xdeadbeef;
    hr = IMAPIClientShutdown_QueryInterface(client, &IID_IDispatch, (void **)&unknown);
    ok(hr == E_NOINTERFACE && unknown == NULL, "QueryInterface(IDispatch) through the outer: %#lx, %p\n", hr, unknown);
    /* The inner unknown answers for itself. */
    hr = IUnknown_QueryInterface(session.inner, &IID_IUnknown, (void **)&inner_unknown);
    ok(hr == S_OK && inner_unknown == session.inner, "inner QueryInterface(IUnknown): %#lx, %p, expected %p\n",
       hr, inner_unknown, session.inner);
    if (inner_unknown)
        IUnknown_Release(inner_unknown);

    if (host)
        IMAPIShutdownHost_Release(host);
    IMAPIClientShutdown_Release(client);
    IMAPIClientShutdown_Release(singleton);
    ok(session.refs == 1, "the outer has %ld references after every interface was released, expected 1\n",
       session.refs);
    IUnknown_Release(&session.IUnknown_iface);
    ok(session.inner == NULL, "the outer did not release the inner\n");
}

static void test_references_reach_the_outer(void)
{
    struct session session;
    IMAPIClientShutdown *client = NULL;
    ULONG refs;
    HRESULT hr;

    session_init(&session);
    if (session_aggregate(&session) != S_OK)
        return;
    ok(session.refs == 1, "creating the aggregate changed the outer's references to %ld\n", session.refs);
    hr = IUnknown_QueryInterface(&session.IUnknown_iface, &IID_IMAPIClientShutdown, (void **)&client);
    ok(hr == S_OK, "QueryInterface: %#lx\n", hr);
    if (!client)
        return;
    ok(session.refs == 2, "handing out IMAPIClientShutdown: outer has %ld references, expected 2\n", session.refs);
    refs = IMAPIClientShutdown_AddRef(client);
    ok(refs == 3 && session.refs == 3, "AddRef returned %lu, outer %ld, expected 3\n", refs, session.refs);
    refs = IMAPIClientShutdown_Release(client);
    ok(refs == 2 && session.refs == 2, "Release returned %lu, outer %ld, expected 2\n", refs, session.refs);
    IMAPIClientShutdown_Release(client);
    IUnknown_Release(&session.IUnknown_iface);
}

/* The aggregate keeps the DLL while it lives and lets it go with the outer. */
static void test_unloading_counts_aggregates(void)
{
    struct session session;

    ok(pDllCanUnloadNow() == S_OK, "DllCanUnloadNow before: %#lx\n", pDllCanUnloadNow());
    session_init(&session);
    if (session_aggregate(&session) != S_OK)
        return;
    ok(pDllCanUnloadNow() == S_FALSE, "DllCanUnloadNow with a live aggregate: %#lx, expected S_FALSE\n",
       pDllCanUnloadNow());
    IUnknown_Release(&session.IUnknown_iface);
    ok(pDllCanUnloadNow() == S_OK, "DllCanUnloadNow once the outer is gone: %#lx, expected S_OK\n",
       pDllCanUnloadNow());
}

/* Two sessions, one subsystem: a provider registered through one session is
 * asked by the other session's QueryFastShutdown and by the singleton's. */
static void test_two_sessions_share_one_subsystem(void)
{
    struct session first, second;
    IMAPIShutdownHost *host = NULL;
    IMAPIClientShutdown *client = NULL, *singleton = create_client_shutdown();
    IUnknown *provider = make_provider(L"shared", 0, NULL, NULL);
    ULONG cookie = 0;
    HRESULT hr;

    session_init(&first);
    session_init(&second);
    if (!provider || !singleton || session_aggregate(&first) != S_OK || session_aggregate(&second) != S_OK)
        return;
    ok(first.inner != second.inner, "both sessions got the same inner object\n");
    IUnknown_QueryInterface(&first.IUnknown_iface, &IID_IMAPIShutdownHost, (void **)&host);
    IUnknown_QueryInterface(&second.IUnknown_iface, &IID_IMAPIClientShutdown, (void **)&client);
    ok(host && client, "interfaces %p, %p\n", host, client);
    if (!host || !client)
        return;
    hr = IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    ok(hr == S_OK, "RegisterProvider through the first session: %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown through the second session: %#lx\n", hr);
    ok(provider_queries(provider) == 1, "the provider was asked %ld times, expected 1\n", provider_queries(provider));
    hr = IMAPIClientShutdown_QueryFastShutdown(singleton);
    ok(hr == S_OK, "QueryFastShutdown through the singleton: %#lx\n", hr);
    ok(provider_queries(provider) == 2, "the provider was asked %ld times, expected 2\n", provider_queries(provider));
    hr = IMAPIShutdownHost_UnregisterProvider(host, cookie);
    ok(hr == S_OK, "UnregisterProvider: %#lx\n", hr);

    IMAPIShutdownHost_Release(host);
    IMAPIClientShutdown_Release(client);
    IUnknown_Release(&first.IUnknown_iface);
    IUnknown_Release(&second.IUnknown_iface);
    IMAPIClientShutdown_Release(singleton);
    IUnknown_Release(provider);
}

START_TEST(aggregation)
{
    WCHAR path[MAX_PATH];
    HMODULE mapishut;

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
    if (pDllGetClassObject && pDllCanUnloadNow) {
        test_outer_may_ask_for_iunknown_only();
        test_identity_through_the_outer();
        test_references_reach_the_outer();
        test_unloading_counts_aggregates();
        test_two_sessions_share_one_subsystem();
    }
    unregister_and_restore_registry();
    CoUninitialize();
}
