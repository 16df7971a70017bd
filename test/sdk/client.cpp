// A client built against the installed SDK only, in C++: the C client's
// sequence through the C++ interface declarations.
#include <mapishut.h>
#include <stdio.h>

typedef HRESULT (WINAPI *get_class_object_fn)(REFCLSID, REFIID, void **);
typedef HRESULT (*create_fn)(IUnknown **);
typedef LONG (*told_fn)(void);

int main()
{
    HMODULE subsystem = LoadLibraryW(L"mapishut.dll"), sdkprov = LoadLibraryW(L"sdkprov.dll");

    if (!subsystem || !sdkprov) {
        printf("sdk client: mapishut.dll or sdkprov.dll not found beside the client\n");
        return 1;
    }
    get_class_object_fn get_class_object =
        reinterpret_cast<get_class_object_fn>(reinterpret_cast<void (*)()>(GetProcAddress(subsystem, "DllGetClassObject")));
    create_fn create = reinterpret_cast<create_fn>(reinterpret_cast<void (*)()>(GetProcAddress(sdkprov, "sdk_provider_create")));
    told_fn told = reinterpret_cast<told_fn>(reinterpret_cast<void (*)()>(GetProcAddress(sdkprov, "sdk_provider_told")));
    IClassFactory *factory = NULL;
    IMAPIClientShutdown *client = NULL;
    IMAPIShutdownHost *host = NULL;
    IUnknown *provider = NULL;
    ULONG cookie = 0;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!get_class_object || !create || !told ||
        FAILED(get_class_object(CLSID_MAPIShutdown, IID_IClassFactory, reinterpret_cast<void **>(&factory))) ||
        FAILED(factory->CreateInstance(NULL, IID_IMAPIClientShutdown, reinterpret_cast<void **>(&client))) ||
        FAILED(client->QueryInterface(IID_IMAPIShutdownHost, reinterpret_cast<void **>(&host))) ||
        FAILED(create(&provider)) ||
        FAILED(host->RegisterProvider(NULL, MAPI_STORE_PROVIDER, provider, &cookie))) {
        printf("sdk client: could not set up the subsystem and the provider\n");
        return 1;
    }
    HRESULT query = client->QueryFastShutdown();
    HRESULT notify = client->NotifyProcessShutdown();
    HRESULT do_fast = client->DoFastShutdown();
    printf("sdk client: Query %#lx, Notify %#lx, DoFast %#lx, provider told %ld\n", static_cast<unsigned long>(query),
           static_cast<unsigned long>(notify), static_cast<unsigned long>(do_fast), static_cast<long>(told()));
    return query == S_OK && notify == S_OK && do_fast == S_OK && told() == 7 ? 0 : 1;
}
