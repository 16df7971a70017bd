/* mapishut register|unregister [/user]: what regsvr32 does, with a message
 * that says where the registration went. */
#include "commands.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>

static void print_error(HRESULT hr)
{
    WCHAR text[256];
    DWORD length = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)hr, 0,
                                  text, ARRAYSIZE(text), NULL);

    /* The system's text ends with a line break of its own. */
    while (length && (text[length - 1] == L'\r' || text[length - 1] == L'\n' || text[length - 1] == L' '))
        length--;
    text[length] = 0;
    err(" failed: %#lx ", (unsigned long)hr);
    err_wide(text);
    err("\n");
}

/* <this program's folder>\mapishut.dll, whatever the folder's length: a
 * path cut short would name another folder's DLL. */
static WCHAR *dll_beside_me(void)
{
    static const WCHAR dll[] = L"mapishut.dll";
    DWORD size = MAX_PATH;

    for (;;) {
        WCHAR *path = malloc((size + ARRAYSIZE(dll)) * sizeof(WCHAR)), *slash;
        DWORD length = path ? GetModuleFileNameW(NULL, path, size) : 0;

        if (!path || !length) {
            free(path);
            return NULL;
        }
        if (length < size) {
            slash = wcsrchr(path, L'\\');
            wcscpy(slash ? slash + 1 : path, dll);
            return path;
        }
        free(path);
        if (size >= 32768)
            return NULL;
        size *= 2;
    }
}

int command_register(BOOL install, BOOL per_user)
{
    HRESULT (WINAPI *dll_install)(BOOL, const WCHAR *);
    HRESULT (WINAPI *server)(void);
    WCHAR *path = dll_beside_me();
    HMODULE module;
    HRESULT hr;

    if (!path) {
        err("mapishut: cannot tell where this program is: error %lu\n", GetLastError());
        return EXIT_FAILED;
    }
    module = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!module) {
        err("mapishut: cannot load ");
        err_wide(path);
        err(": error %lu\n", GetLastError());
        free(path);
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
        err("mapishut: %s ", install ? "registering" : "unregistering");
        err_wide(path);
        print_error(hr);
        free(path);
        return EXIT_FAILED;
    }
    out("%s ", install ? "registered" : "unregistered");
    out_wide(path);
    out(per_user ? " for the current user (HKCU\\Software\\Classes)\n"
                 : " for every user of this machine (HKLM\\Software\\Classes)\n");
    free(path);
    return EXIT_OK;
}
