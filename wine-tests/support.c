#include "support.h"
#include "test.h"

#include <stdio.h>

void test_file_path(const WCHAR *file, WCHAR *path, DWORD size)
{
    WCHAR *slash;

    GetModuleFileNameW(NULL, path, size);
    slash = wcsrchr(path, L'\\');
    if (slash)
        slash[1] = 0;
    wcsncat(path, file, size - wcslen(path) - 1);
}

static DWORD run_command(WCHAR *command)
{
    STARTUPINFOW startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    DWORD code = (DWORD)-1;

    if (!CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process))
        return code;
    if (WaitForSingleObject(process.hProcess, 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess(process.hProcess, &code);
    else
        TerminateProcess(process.hProcess, 1);
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    return code;
}

DWORD run_regsvr32(const WCHAR *args)
{
    WCHAR dll[MAX_PATH], command[MAX_PATH * 2];

    test_file_path(L"mapishut.dll", dll, ARRAYSIZE(dll));
    _snwprintf(command, ARRAYSIZE(command), L"regsvr32.exe %ls \"%ls\"", args, dll);
    return run_command(command);
}

BOOL register_for_tests(void)
{
    DWORD code = run_regsvr32(L"/s");

    ok(code == 0, "regsvr32: exit code %lu\n", code);
    return code == 0;
}

void unregister_after_tests(void)
{
    DWORD code = run_regsvr32(L"/s /u");

    ok(code == 0, "regsvr32 /u: exit code %lu\n", code);
}

static HMODULE testprov(void)
{
    static HMODULE module;

    if (!module) {
        WCHAR path[MAX_PATH];

        test_file_path(L"testprov.dll", path, ARRAYSIZE(path));
        module = LoadLibraryW(path);
    }
    return module;
}

IUnknown *make_provider(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                        const WCHAR *data_path)
{
    testprov_create_fn create = (testprov_create_fn)(void *)GetProcAddress(testprov(), "testprov_create");
    IUnknown *provider = NULL;
    HRESULT hr;

    if (!create) {
        ok(0, "testprov.dll or testprov_create not found\n");
        return NULL;
    }
    hr = create(name, flags, log_path, data_path, &provider);
    ok(hr == S_OK, "testprov_create(%ls): %#lx\n", name, hr);
    return provider;
}

static LONG provider_count(IUnknown *provider, const char *export)
{
    testprov_count_fn count = (testprov_count_fn)(void *)GetProcAddress(testprov(), export);

    return count ? count(provider) : -1;
}

LONG provider_refs(IUnknown *provider)
{
    return provider_count(provider, "testprov_refs");
}

LONG provider_queries(IUnknown *provider)
{
    return provider_count(provider, "testprov_queries");
}

LONG provider_saved(IUnknown *provider)
{
    return provider_count(provider, "testprov_saved");
}

IMAPIClientShutdown *create_client_shutdown(void)
{
    IMAPIClientShutdown *client = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IMAPIClientShutdown, (void **)&client);

    ok(hr == S_OK, "CoCreateInstance(IMAPIClientShutdown): %#lx\n", hr);
    return client;
}

IMAPIShutdownHost *create_shutdown_host(void)
{
    IMAPIShutdownHost *host = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IMAPIShutdownHost, (void **)&host);

    ok(hr == S_OK, "CoCreateInstance(IMAPIShutdownHost): %#lx\n", hr);
    return host;
}

static const struct {
    HKEY root;
    const WCHAR *prefix;
} policy_places[] = {
    [MACHINE_POLICY]     = { HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\" },
    [USER_POLICY]        = { HKEY_CURRENT_USER,  L"Software\\Policies\\Microsoft\\Office\\" },
    [USER_PREFERENCE]    = { HKEY_CURRENT_USER,  L"Software\\Microsoft\\Office\\" },
    [MACHINE_PREFERENCE] = { HKEY_LOCAL_MACHINE, L"Software\\Microsoft\\Office\\" },
};

static void shutdown_key_path(enum policy_where where, const WCHAR *version, WCHAR *path, DWORD size)
{
    _snwprintf(path, size, L"%ls%ls\\Outlook\\Options\\Shutdown", policy_places[where].prefix, version);
}

void set_policy_value(enum policy_where where, const WCHAR *version, const WCHAR *name,
                      DWORD type, const void *data, DWORD size)
{
    WCHAR path[256];
    LSTATUS status;
    HKEY key;

    shutdown_key_path(where, version, path, ARRAYSIZE(path));
    status = RegCreateKeyExW(policy_places[where].root, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(status == ERROR_SUCCESS, "RegCreateKeyEx(%ls): %ld\n", path, status);
    if (status != ERROR_SUCCESS)
        return;
    status = RegSetValueExW(key, name, 0, type, data, size);
    ok(status == ERROR_SUCCESS, "RegSetValueEx(%ls): %ld\n", name, status);
    RegCloseKey(key);
}

void set_behavior(enum policy_where where, const WCHAR *version, DWORD value)
{
    set_policy_value(where, version, MAPISHUT_POLICY_VALUE, REG_DWORD, &value, sizeof(value));
}

void clear_policies(void)
{
    static const WCHAR *const versions[] = { L"16.0", L"15.0", L"14.0" };

    for (unsigned where = 0; where < ARRAYSIZE(policy_places); where++) {
        for (unsigned v = 0; v < ARRAYSIZE(versions); v++) {
            WCHAR path[256];

            shutdown_key_path(where, versions[v], path, ARRAYSIZE(path));
            RegDeleteTreeW(policy_places[where].root, path);
            RegDeleteKeyW(policy_places[where].root, path);
        }
    }
}

int read_text_file(const WCHAR *path, char *text, int size)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, 0, NULL);
    DWORD read = 0;

    if (file == INVALID_HANDLE_VALUE)
        return -1;
    ReadFile(file, text, (DWORD)size - 1, &read, NULL);
    CloseHandle(file);
    text[read] = 0;
    return (int)read;
}

LONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;

    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &data))
        return -1;
    return ((LONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
}
