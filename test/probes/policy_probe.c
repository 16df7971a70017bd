/* What the real DLL does under the policy in force, for the template check:
 * QueryFastShutdown's answer with one provider that opts in (A), then with a
 * second one that has no IMAPIProviderShutdown (B), and whether providers
 * were called on the client's own thread. The three FastShutdownBehavior
 * values give three different (A, B); a deadline or ConcurrentProviders
 * moves the calls to another thread. Loads mapishut.dll from beside itself. */
#include "mapishut.h"

#include <stdio.h>

static DWORD called_on;

static HRESULT WINAPI probe_QueryInterface(IMAPIProviderShutdown *self, REFIID riid, void **out)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProviderShutdown)) {
        *out = self;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI probe_AddRef(IMAPIProviderShutdown *self) { (void)self; return 2; }
static ULONG WINAPI probe_Release(IMAPIProviderShutdown *self) { (void)self; return 1; }

static HRESULT WINAPI probe_QueryFastShutdown(IMAPIProviderShutdown *self)
{
    (void)self;
    called_on = GetCurrentThreadId();
    return S_OK;
}

static HRESULT WINAPI probe_Notify(IMAPIProviderShutdown *self) { (void)self; return S_OK; }

static const IMAPIProviderShutdownVtbl probe_vtbl = {
    probe_QueryInterface, probe_AddRef, probe_Release, probe_QueryFastShutdown, probe_Notify, probe_Notify,
};

/* A provider without IMAPIProviderShutdown: only IUnknown. */
static HRESULT WINAPI bare_QueryInterface(IUnknown *self, REFIID riid, void **out)
{
    *out = IsEqualIID(riid, &IID_IUnknown) ? self : NULL;
    return *out ? S_OK : E_NOINTERFACE;
}

static ULONG WINAPI bare_AddRef(IUnknown *self) { (void)self; return 2; }
static ULONG WINAPI bare_Release(IUnknown *self) { (void)self; return 1; }

static const IUnknownVtbl bare_vtbl = { bare_QueryInterface, bare_AddRef, bare_Release };

int main(void)
{
    IMAPIProviderShutdown probe = { &probe_vtbl };
    IUnknown bare = { &bare_vtbl };
    HMODULE dll = LoadLibraryW(L"mapishut.dll");
    HRESULT (WINAPI *get_class_object)(REFCLSID, REFIID, void **);
    IClassFactory *factory;
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    HRESULT a, b;
    ULONG cookie;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    get_class_object = dll ? (void *)GetProcAddress(dll, "DllGetClassObject") : NULL;
    if (!get_class_object || FAILED(get_class_object(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory)) ||
        FAILED(IClassFactory_CreateInstance(factory, NULL, &IID_IMAPIClientShutdown, (void **)&client)) ||
        FAILED(IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host))) {
        printf("probe: mapishut.dll could not be used\n");
        return 1;
    }
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, (IUnknown *)&probe, &cookie);
    a = IMAPIClientShutdown_QueryFastShutdown(client);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, &bare, &cookie);
    b = IMAPIClientShutdown_QueryFastShutdown(client);
    printf("A=%#lx B=%#lx thread=%s\n", (unsigned long)a, (unsigned long)b,
           !called_on ? "none" : called_on == GetCurrentThreadId() ? "same" : "other");
    return 0;
}
