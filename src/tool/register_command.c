/* mapishut register|unregister [/user]: what regsvr32 does, with a message
 * that says where the registration went. */
#include "commands.h"
#include "output.h"

#include <stdio.h>

static void print_error(HRESULT hr)
{
    WCHAR text[256];

    if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)hr, 0, text,
                        ARRAYSIZE(text), NULL))
        text[0] = 0;
    fprintf(stderr, " failed: %#lx %ls\n", hr, text);
}

int command_register(BOOL install, BOOL per_user)
{
    HRESULT (WINAPI *dll_install)(BOOL, const WCHAR *);
    HRESULT (WINAPI *server)(void);
    WCHAR path[MAX_PATH], *slash;
    HMODULE module;
    HRESULT hr;

    GetModuleFileNameW(NULL, path, ARRAYSIZE(path));
    slash = wcsrchr(path, L'\\');
    lstrcpynW(slash ? slash + 1 : path, L"mapishut.dll", (int)(ARRAYSIZE(path) - (slash ? slash + 1 - path : 0)));
    module = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!module) {
        fprintf(stderr, "mapishut: cannot load %ls: error %lu\n", path, GetLastError());
        return EXIT_FAILED;
    }
    dll_install = (void *)GetProcAddress(module, "DllInstall");
    server = (void *)GetProcAddress(module, install ? "DllRegisterServer" : "DllUnregisterServer");
    if (per_user)
        hr = dll_install ? dll_install(install, L"user") : E_NOTIMPL;
    else
        hr = server ? server() : E_NOTIMPL;
    FreeLibrary(module);

    if (FAILED(hr)) {
        fprintf(stderr, "mapishut: %s %ls", install ? "registering" : "unregistering", path);
        print_error(hr);
        return EXIT_FAILED;
    }
    out("%s ", install ? "registered" : "unregistered");
    out_wide(path);
    out(per_user ? " for the current user (HKCU\\Software\\Classes)\n"
                 : " for every user of this machine (HKLM\\Software\\Classes)\n");
    return EXIT_OK;
}
