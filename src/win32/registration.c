/* DllRegisterServer, DllUnregisterServer and DllInstall.
 *
 * Per machine (HKLM\Software\Classes, what regsvr32 does by default) or per
 * user (HKCU\Software\Classes: `regsvr32 /n /i:user`, no administrator rights).
 * Unregistering removes exactly the keys written here, and a failed
 * registration removes what it had written so far. */
#include "module.h"

#include <string.h>

#define CLSID_STRING   L"{55E1F5C1-8DE5-4154-9EA9-E1ABF8DA621A}"
#define LIBID_STRING   L"{834D235D-D9F1-4024-B58F-86E7F9E39ED8}"
#define DESCRIPTION    L"MAPI fast-shutdown subsystem"
#define TYPELIB_VERSION L"1.0"

#ifdef _WIN64
#define TYPELIB_PLATFORM L"win64"
#else
#define TYPELIB_PLATFORM L"win32"
#endif

static const WCHAR clsid_key[] = L"Software\\Classes\\CLSID\\" CLSID_STRING;
static const WCHAR progid_key[] = L"Software\\Classes\\" MAPISHUT_PROGID;
static const WCHAR progid_independent_key[] = L"Software\\Classes\\" MAPISHUT_PROGID_INDEPENDENT;
static const WCHAR typelib_key[] = L"Software\\Classes\\TypeLib\\" LIBID_STRING;
static const WCHAR typelib_version_key[] =
    L"Software\\Classes\\TypeLib\\" LIBID_STRING L"\\" TYPELIB_VERSION;

static HRESULT set_string(HKEY root, const WCHAR *key_path, const WCHAR *subkey,
                          const WCHAR *name, const WCHAR *value)
{
    WCHAR path[256];
    LSTATUS status;
    HKEY key;

    wcscpy(path, key_path);
    if (subkey) {
        wcscat(path, L"\\");
        wcscat(path, subkey);
    }
    status = RegCreateKeyExW(root, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    if (status != ERROR_SUCCESS)
        return HRESULT_FROM_WIN32(status);
    status = RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value,
                            (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
    RegCloseKey(key);
    return HRESULT_FROM_WIN32(status);
}

static HRESULT delete_tree(HKEY root, const WCHAR *path)
{
    LSTATUS status = RegDeleteTreeW(root, path);

    if (status == ERROR_SUCCESS || status == ERROR_FILE_NOT_FOUND)
        status = RegDeleteKeyW(root, path);
    if (status == ERROR_FILE_NOT_FOUND)
        status = ERROR_SUCCESS;
    return HRESULT_FROM_WIN32(status);
}

/* Removes the LIBID key too, unless another version of the library is there. */
static HRESULT delete_typelib(HKEY root)
{
    HRESULT hr = delete_tree(root, typelib_version_key);
    DWORD subkeys = 0;
    HKEY key;

    if (FAILED(hr))
        return hr;
    if (RegOpenKeyExW(root, typelib_key, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return S_OK;
    RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    RegCloseKey(key);
    return subkeys ? S_OK : delete_tree(root, typelib_key);
}

static HRESULT unregister(HKEY root)
{
    HRESULT results[] = {
        delete_tree(root, clsid_key),
        delete_tree(root, progid_key),
        delete_tree(root, progid_independent_key),
        delete_typelib(root),
    };

    for (unsigned i = 0; i < ARRAYSIZE(results); i++)
        if (FAILED(results[i]))
            return results[i];
    return S_OK;
}

static HRESULT module_path(WCHAR *path, DWORD size, WCHAR *folder)
{
    DWORD length = GetModuleFileNameW(mapishut_instance, path, size);
    WCHAR *slash;

    if (length == 0)
        return HRESULT_FROM_WIN32(GetLastError());
    if (length >= size)
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    wcscpy(folder, path);
    slash = wcsrchr(folder, L'\\');
    if (slash)
        *slash = 0;
    return S_OK;
}

static HRESULT do_register(HKEY root)
{
    WCHAR path[MAX_PATH * 2], folder[MAX_PATH * 2];
    HRESULT hr = module_path(path, ARRAYSIZE(path), folder);
    const struct {
        const WCHAR *key, *subkey, *name, *value;
    } values[] = {
        { clsid_key, NULL, NULL, DESCRIPTION },
        { clsid_key, L"InprocServer32", NULL, path },
        { clsid_key, L"InprocServer32", L"ThreadingModel", L"Both" },
        { clsid_key, L"ProgID", NULL, MAPISHUT_PROGID },
        { clsid_key, L"VersionIndependentProgID", NULL, MAPISHUT_PROGID_INDEPENDENT },
        { clsid_key, L"TypeLib", NULL, LIBID_STRING },
        { clsid_key, L"Version", NULL, TYPELIB_VERSION },
        { progid_key, NULL, NULL, DESCRIPTION },
        { progid_key, L"CLSID", NULL, CLSID_STRING },
        { progid_independent_key, NULL, NULL, DESCRIPTION },
        { progid_independent_key, L"CLSID", NULL, CLSID_STRING },
        { progid_independent_key, L"CurVer", NULL, MAPISHUT_PROGID },
        { typelib_version_key, NULL, NULL, DESCRIPTION L" " TYPELIB_VERSION },
        { typelib_version_key, L"0\\" TYPELIB_PLATFORM, NULL, path },
        { typelib_version_key, L"FLAGS", NULL, L"0" },
        { typelib_version_key, L"HELPDIR", NULL, folder },
    };

    if (FAILED(hr))
        return hr;
    for (unsigned i = 0; i < ARRAYSIZE(values) && SUCCEEDED(hr); i++)
        hr = set_string(root, values[i].key, values[i].subkey, values[i].name, values[i].value);
    if (FAILED(hr))
        unregister(root);
    return hr;
}

HRESULT WINAPI DllRegisterServer(void)
{
    return do_register(HKEY_LOCAL_MACHINE);
}

HRESULT WINAPI DllUnregisterServer(void)
{
    return unregister(HKEY_LOCAL_MACHINE);
}

/* regsvr32 /i:user (or /i:machine, the default) [/n] [/u] */
HRESULT WINAPI DllInstall(BOOL install, LPCWSTR command_line)
{
    HKEY root;

    if (!command_line || !command_line[0] || !_wcsicmp(command_line, L"machine"))
        root = HKEY_LOCAL_MACHINE;
    else if (!_wcsicmp(command_line, L"user"))
        root = HKEY_CURRENT_USER;
    else
        return E_INVALIDARG;
    return install ? do_register(root) : unregister(root);
}
