/* DllRegisterServer, DllUnregisterServer and DllInstall.
 *
 * Per machine (HKLM\Software\Classes, what regsvr32 does by default) or per
 * user (HKCU\Software\Classes: `regsvr32 /n /i:user`, no administrator rights).
 *
 * On 64-bit Windows the CLSID key is one per bitness (the 32-bit view is
 * Wow6432Node), but the TypeLib and ProgID keys are shared: the 32-bit and
 * the 64-bit DLL may both be registered. Unregistering one removes only its
 * own parts: its CLSID, its TypeLib platform subkey, and the shared keys only
 * when the other bitness is not registered. A registration that fails
 * restores what was there before it, value by value and key by key.
 *
 * Per machine, the DLL is also the Application log's event source "mapishut"
 * (its message table). That key is one for both bitnesses (HKLM\SYSTEM is
 * not redirected) and both DLLs hold the same table, so unregistering one
 * while the other is registered points the source at the other DLL. */
#include "module.h"
#include "mapishut_ids.h"

#include <string.h>

#define CLSID_STRING    MAPISHUT_CLSID_W
#define LIBID_STRING    MAPISHUT_LIBID_W
#define DESCRIPTION     L"MAPI fast-shutdown subsystem"
#define TYPELIB_VERSION MAPISHUT_TYPELIB_VERSION_W

#ifdef _WIN64
#define TYPELIB_PLATFORM L"win64"
#define OTHER_VIEW       KEY_WOW64_32KEY
#else
#define TYPELIB_PLATFORM L"win32"
#define OTHER_VIEW       KEY_WOW64_64KEY
#endif

static const WCHAR clsid_key[] = L"Software\\Classes\\CLSID\\" CLSID_STRING;
static const WCHAR progid_key[] = L"Software\\Classes\\" MAPISHUT_PROGID;
static const WCHAR progid_independent_key[] = L"Software\\Classes\\" MAPISHUT_PROGID_INDEPENDENT;
static const WCHAR typelib_key[] = L"Software\\Classes\\TypeLib\\" LIBID_STRING;
static const WCHAR typelib_version_key[] =
    L"Software\\Classes\\TypeLib\\" LIBID_STRING L"\\" TYPELIB_VERSION;
static const WCHAR typelib_lcid_key[] =
    L"Software\\Classes\\TypeLib\\" LIBID_STRING L"\\" TYPELIB_VERSION L"\\0";
static const WCHAR event_source_key[] =
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\mapishut";

/* --- what a registration changed, to undo it -------------------------------- */

#define JOURNAL_MAX     64
#define OLD_VALUE_MAX   4096

struct change {
    WCHAR path[160];
    BOOL is_value;               /* else: a key it created */
    WCHAR name[32];              /* the value's name ("" for the default) */
    BOOL existed;                /* the value was there before... */
    DWORD type, size;            /* ...with these bytes */
    BYTE data[OLD_VALUE_MAX];
};

struct journal {
    HKEY root;
    unsigned count;
    struct change changes[JOURNAL_MAX];
};

static struct change *journal_add(struct journal *j)
{
    struct change *c;

    if (j->count == JOURNAL_MAX)
        return NULL;
    c = &j->changes[j->count++];
    memset(c, 0, sizeof(*c));
    return c;
}

/* Creates the key and each missing key above it, noting the new ones. */
static HRESULT create_key(struct journal *j, const WCHAR *path, HKEY *key)
{
    WCHAR prefix[160];
    size_t length = wcslen(path);

    if (length >= ARRAYSIZE(prefix))
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    for (size_t end = 0; end <= length; end++) {
        DWORD disposition = 0;
        LSTATUS status;
        HKEY created;

        if (path[end] != L'\\' && path[end])
            continue;
        memcpy(prefix, path, end * sizeof(WCHAR));
        prefix[end] = 0;
        status = RegCreateKeyExW(j->root, prefix, 0, NULL, 0, KEY_SET_VALUE | KEY_QUERY_VALUE, NULL, &created,
                                 &disposition);
        if (status != ERROR_SUCCESS)
            return HRESULT_FROM_WIN32(status);
        if (disposition == REG_CREATED_NEW_KEY) {
            struct change *c = journal_add(j);

            if (!c) {
                RegCloseKey(created);
                RegDeleteKeyW(j->root, prefix);
                return E_OUTOFMEMORY;
            }
            lstrcpyW(c->path, prefix);
        }
        if (path[end]) {
            RegCloseKey(created);
        } else {
            *key = created;
        }
    }
    return S_OK;
}

static HRESULT set_value(struct journal *j, const WCHAR *key_path, const WCHAR *subkey, const WCHAR *name,
                         DWORD type, const void *data, DWORD size)
{
    WCHAR path[160];
    struct change *c;
    LSTATUS status;
    HRESULT hr;
    HKEY key = NULL;

    if (wcslen(key_path) + (subkey ? wcslen(subkey) + 1 : 0) >= ARRAYSIZE(path))
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    wcscpy(path, key_path);
    if (subkey) {
        wcscat(path, L"\\");
        wcscat(path, subkey);
    }
    hr = create_key(j, path, &key);
    if (FAILED(hr))
        return hr;
    c = journal_add(j);
    if (!c) {
        RegCloseKey(key);
        return E_OUTOFMEMORY;
    }
    lstrcpyW(c->path, path);
    c->is_value = TRUE;
    lstrcpynW(c->name, name ? name : L"", ARRAYSIZE(c->name));
    c->size = sizeof(c->data);
    status = RegQueryValueExW(key, name, NULL, &c->type, c->data, &c->size);
    if (status == ERROR_MORE_DATA) {
        /* Too large to keep for an undo: leave it as it is. */
        RegCloseKey(key);
        j->count--;
        return HRESULT_FROM_WIN32(ERROR_MORE_DATA);
    }
    c->existed = status == ERROR_SUCCESS;
    status = RegSetValueExW(key, name, 0, type, data, size);
    RegCloseKey(key);
    return HRESULT_FROM_WIN32(status);
}

static HRESULT set_string(struct journal *j, const WCHAR *key_path, const WCHAR *subkey, const WCHAR *name,
                          const WCHAR *value)
{
    return set_value(j, key_path, subkey, name, REG_SZ, value, (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
}

/* Undoes every change, newest first: values back as they were, keys made
 * by the registration removed. */
static void journal_undo(struct journal *j)
{
    while (j->count) {
        struct change *c = &j->changes[--j->count];
        const WCHAR *name = c->name[0] ? c->name : NULL;
        HKEY key;

        if (!c->is_value) {
            RegDeleteKeyW(j->root, c->path);
            continue;
        }
        if (RegOpenKeyExW(j->root, c->path, 0, KEY_SET_VALUE, &key) != ERROR_SUCCESS)
            continue;
        if (c->existed)
            RegSetValueExW(key, name, 0, c->type, c->data, c->size);
        else
            RegDeleteValueW(key, name);
        RegCloseKey(key);
    }
}

/* --- unregistering: this bitness's parts ------------------------------------ */

static HRESULT delete_tree(HKEY root, const WCHAR *path)
{
    LSTATUS status = RegDeleteTreeW(root, path);

    if (status == ERROR_SUCCESS || status == ERROR_FILE_NOT_FOUND)
        status = RegDeleteKeyW(root, path);
    if (status == ERROR_FILE_NOT_FOUND)
        status = ERROR_SUCCESS;
    return HRESULT_FROM_WIN32(status);
}

static DWORD subkey_count(HKEY root, const WCHAR *path)
{
    DWORD subkeys = 0;
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return 0;
    RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    RegCloseKey(key);
    return subkeys;
}

/* This platform's subkey; the version's keys when no platform is left; the
 * LIBID key when no version is left. */
static HRESULT delete_typelib(HKEY root)
{
    HRESULT hr = delete_tree(root, L"Software\\Classes\\TypeLib\\" LIBID_STRING L"\\" TYPELIB_VERSION
                                   L"\\0\\" TYPELIB_PLATFORM);

    if (FAILED(hr))
        return hr;
    if (subkey_count(root, typelib_lcid_key))
        return S_OK;
    hr = delete_tree(root, typelib_version_key);
    if (FAILED(hr) || subkey_count(root, typelib_key))
        return hr;
    return delete_tree(root, typelib_key);
}

/* Is the other bitness registered under this root? Then the shared keys are
 * its too. Its DLL's path, if asked (size in WCHARs). */
static BOOL other_bitness_registered(HKEY root, WCHAR *dll, DWORD size)
{
    DWORD bytes = size * sizeof(WCHAR), type = 0;
    LSTATUS status;
    HKEY key;

    if (RegOpenKeyExW(root, L"Software\\Classes\\CLSID\\" CLSID_STRING L"\\InprocServer32", 0,
                      KEY_READ | OTHER_VIEW, &key) != ERROR_SUCCESS)
        return FALSE;
    if (dll) {
        status = RegQueryValueExW(key, NULL, NULL, &type, (BYTE *)dll, &bytes);
        if (status != ERROR_SUCCESS || (type != REG_SZ && type != REG_EXPAND_SZ) || bytes < sizeof(WCHAR) ||
            bytes >= size * sizeof(WCHAR))
            dll[0] = 0;
        else
            dll[bytes / sizeof(WCHAR)] = 0;
    }
    RegCloseKey(key);
    return TRUE;
}

/* The source goes with the last DLL; while the other bitness is registered
 * it names that one. */
static HRESULT unregister_event_source(void)
{
    WCHAR other[MAX_PATH * 2];
    LSTATUS status;
    HKEY key;

    if (!other_bitness_registered(HKEY_LOCAL_MACHINE, other, ARRAYSIZE(other)))
        return delete_tree(HKEY_LOCAL_MACHINE, event_source_key);
    if (!other[0])
        return HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
    status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, event_source_key, 0, KEY_SET_VALUE, &key);
    if (status == ERROR_FILE_NOT_FOUND)
        return S_OK;
    if (status != ERROR_SUCCESS)
        return HRESULT_FROM_WIN32(status);
    status = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)other,
                            (DWORD)((wcslen(other) + 1) * sizeof(WCHAR)));
    RegCloseKey(key);
    return HRESULT_FROM_WIN32(status);
}

static HRESULT unregister(HKEY root)
{
    HRESULT hr = delete_tree(root, clsid_key), hr2 = delete_typelib(root);

    if (SUCCEEDED(hr))
        hr = hr2;
    if (root == HKEY_LOCAL_MACHINE) {
        hr2 = unregister_event_source();
        if (SUCCEEDED(hr))
            hr = hr2;
    }
    if (!other_bitness_registered(root, NULL, 0)) {
        hr2 = delete_tree(root, progid_key);
        if (SUCCEEDED(hr))
            hr = hr2;
        hr2 = delete_tree(root, progid_independent_key);
        if (SUCCEEDED(hr))
            hr = hr2;
    }
    return hr;
}

/* --- registering --------------------------------------------------------------- */

/* The DLL's full path, however long; refused rather than cut short. */
static HRESULT module_path(WCHAR *path, DWORD size)
{
    DWORD length = GetModuleFileNameW(mapishut_instance, path, size);

    if (length == 0)
        return HRESULT_FROM_WIN32(GetLastError());
    if (length >= size - 1)
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    return S_OK;
}

/* EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE */
#define EVENT_TYPES_SUPPORTED 7

static HRESULT register_event_source(struct journal *j, const WCHAR *dll)
{
    DWORD types = EVENT_TYPES_SUPPORTED;
    HRESULT hr = set_value(j, event_source_key, NULL, L"EventMessageFile", REG_EXPAND_SZ, dll,
                           (DWORD)((wcslen(dll) + 1) * sizeof(WCHAR)));

    if (FAILED(hr))
        return hr;
    return set_value(j, event_source_key, NULL, L"TypesSupported", REG_DWORD, &types, sizeof(types));
}

static HRESULT do_register(HKEY root)
{
    WCHAR path[MAX_PATH * 2];
    HRESULT hr = module_path(path, ARRAYSIZE(path));
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
        /* No help file: empty, as both MSIs write it, so that it never names
         * the folder of a DLL that was unregistered. */
        { typelib_version_key, L"HELPDIR", NULL, L"" },
    };
    struct journal *journal;

    if (FAILED(hr))
        return hr;
    journal = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*journal));
    if (!journal)
        return E_OUTOFMEMORY;
    journal->root = root;
    for (unsigned i = 0; i < ARRAYSIZE(values) && SUCCEEDED(hr); i++)
        hr = set_string(journal, values[i].key, values[i].subkey, values[i].name, values[i].value);
    if (SUCCEEDED(hr) && root == HKEY_LOCAL_MACHINE)
        hr = register_event_source(journal, path);
    if (FAILED(hr))
        journal_undo(journal);
    HeapFree(GetProcessHeap(), 0, journal);
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
