/* Whether COM finds mapishut from this bitness, for the package check: the
 * class (CoCreateInstance), the ProgID and the type library, and the DLL COM
 * loaded. Exit code 0 when all three work. */
#include "mapishut.h"

#include <stdio.h>

int main(void)
{
    IMAPIClientShutdown *client = NULL;
    ITypeLib *typelib = NULL;
    HMODULE loaded = NULL;
    WCHAR path[MAX_PATH] = L"(none)";
    HRESULT created, progid, library;
    CLSID clsid;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    created = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIClientShutdown,
                               (void **)&client);
    progid = CLSIDFromProgID(MAPISHUT_PROGID_INDEPENDENT, &clsid);
    if (progid == S_OK && !IsEqualCLSID(&clsid, &CLSID_MAPIShutdown))
        progid = E_UNEXPECTED;
    library = LoadRegTypeLib(&LIBID_MAPIShutdownLib, 1, 0, LOCALE_NEUTRAL, &typelib);
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, L"mapishut.dll", &loaded))
        GetModuleFileNameW(loaded, path, MAX_PATH);
    printf("com: CoCreateInstance %#lx, ProgID %#lx, TypeLib %#lx, loaded %ls\n", (unsigned long)created,
           (unsigned long)progid, (unsigned long)library, path);
    return created == S_OK && progid == S_OK && library == S_OK ? 0 : 1;
}
