/* A client built against the installed SDK only: it loads mapishut.dll from
 * beside itself (no registration needed), registers the SDK test provider
 * and runs the fast-shutdown sequence. Exit code 0 when every call reached
 * the provider. Written in C89. */
#define COBJMACROS
#include <mapishut.h>
#include <stdio.h>

typedef HRESULT (WINAPI *get_class_object_fn)(REFCLSID, REFIID, void **);
typedef HRESULT (*create_fn)(IUnknown **);
typedef LONG (*told_fn)(void);

int main(void)
{
    HMODULE subsystem = LoadLibraryW(L"mapishut.dll"), sdkprov = LoadLibraryW(L"sdkprov.dll");
    get_class_object_fn get_class_object;
    create_fn create;
    told_fn told;
    IClassFactory *factory = NULL;
    IMAPIClientShutdown *client = NULL;
    IMAPIShutdownHost *host = NULL;
    IUnknown *provider = NULL;
    ULONG cookie = 0;
    HRESULT query, notify, do_fast;

    if (!subsystem || !sdkprov) {
        printf("sdk client: mapishut.dll or sdkprov.dll not found beside the client\n");
        return 1;
    }
    get_class_object = (get_class_object_fn)(void (*)(void))GetProcAddress(subsystem, "DllGetClassObject");
    create = (create_fn)(void (*)(void))GetProcAddress(sdkprov, "sdk_provider_create");
    told = (told_fn)(void (*)(void))GetProcAddress(sdkprov, "sdk_provider_told");
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!get_class_object || !create || !told ||
        FAILED(get_class_object(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory)) ||
        FAILED(IClassFactory_CreateInstance(factory, NULL, &IID_IMAPIClientShutdown, (void **)&client)) ||
        FAILED(IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host)) ||
        FAILED(create(&provider)) ||
        FAILED(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie))) {
        printf("sdk client: could not set up the subsystem and the provider\n");
        return 1;
    }
    query = IMAPIClientShutdown_QueryFastShutdown(client);
    notify = IMAPIClientShutdown_NotifyProcessShutdown(client);
    do_fast = IMAPIClientShutdown_DoFastShutdown(client);
    printf("sdk client: Query %#lx, Notify %#lx, DoFast %#lx, provider told %ld\n",
           (unsigned long)query, (unsigned long)notify, (unsigned long)do_fast, (long)told());
    return query == S_OK && notify == S_OK && do_fast == S_OK && told() == 7 ? 0 : 1;
}
