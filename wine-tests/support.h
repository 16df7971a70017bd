/* What the conformance tests share, in a header as Wine's tests share their
 * helpers: paths, the test provider DLL, regsvr32 and the registration the
 * tests need, child processes, the policy keys of the test prefix. Every
 * function is static inline: each test file uses some of them. */
#ifndef MAPISHUT_WINE_TESTS_SUPPORT_H
#define MAPISHUT_WINE_TESTS_SUPPORT_H

#include "mapishut.h"
#include "project_facts.h"
#include "testprov.h"
#include "wine/test.h"

#include <stdio.h>

/* <folder of the test executable>\<file> */
static inline void test_file_path(const WCHAR *file, WCHAR *path, DWORD size)
{
    WCHAR *slash;

    GetModuleFileNameW(NULL, path, size);
    slash = wcsrchr(path, L'\\');
    if (slash)
        slash[1] = 0;
    wcsncat(path, file, size - wcslen(path) - 1);
}

/* The DLL under test: beside the tests when it was built there, else the
 * one the system has (a builtin in Wine's tree). */
static inline void mapishut_dll_path(WCHAR *path, DWORD size)
{
    test_file_path(L"mapishut.dll", path, size);
    if (GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES)
        lstrcpynW(path, L"mapishut.dll", size);
}

/* Is the file at path exactly these bytes? */
static inline BOOL file_holds(const WCHAR *path, const void *data, DWORD length)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    HANDLE mapping;
    const void *view;
    BOOL same = FALSE;

    if (file == INVALID_HANDLE_VALUE)
        return FALSE;
    if (GetFileSize(file, NULL) == length && (mapping = CreateFileMappingW(file, NULL, PAGE_READONLY, 0, 0, NULL))) {
        if ((view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0))) {
            same = !memcmp(view, data, length);
            UnmapViewOfFile(view);
        }
        CloseHandle(mapping);
    }
    CloseHandle(file);
    return same;
}

/* A test DLL ("#pragma makedep testdll") is a TESTDLL resource of the test
 * executable: written beside it under the name a test needs (profiles name
 * their providers' DLLs), unless an identical copy is there already. */
static inline BOOL testdll_path(const WCHAR *resource, const WCHAR *file, WCHAR *path, DWORD size)
{
    HRSRC found;
    HANDLE out;
    DWORD written = 0, length;
    void *data;

    test_file_path(file, path, size);
    /* Reported only when it fails, so that every run counts the same checks. */
    found = FindResourceW(NULL, resource, L"TESTDLL");
    if (!found) {
        ok(0, "no TESTDLL resource %ls: %lu\n", resource, GetLastError());
        return FALSE;
    }
    data = LockResource(LoadResource(GetModuleHandleW(NULL), found));
    length = SizeofResource(GetModuleHandleW(NULL), found);
    if (file_holds(path, data, length))
        return TRUE;
    out = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (out == INVALID_HANDLE_VALUE) {
        ok(0, "writing %ls: %lu\n", path, GetLastError());
        return FALSE;
    }
    WriteFile(out, data, length, &written, NULL);
    CloseHandle(out);
    if (written != length)
        ok(0, "writing %ls: %lu of %lu bytes\n", path, written, length);
    return written == length;
}

/* Loads testprov.dll under one of its names (testprov.dll by default). */
static inline HMODULE load_testprov_as(const WCHAR *file)
{
    WCHAR path[MAX_PATH];
    HMODULE module;

    if (!testdll_path(L"testprov.dll", file, path, ARRAY_SIZE(path)))
        return NULL;
    module = LoadLibraryW(path);
    if (!module)
        ok(0, "LoadLibrary(%ls): %lu\n", path, GetLastError());
    return module;
}

static inline HMODULE testprov(void)
{
    static HMODULE module;

    if (!module)
        module = load_testprov_as(L"testprov.dll");
    return module;
}

/* A testprov.dll provider object (the DLL stays loaded). */
static inline IUnknown *make_provider(const WCHAR *name, DWORD flags, const WCHAR *log_path,
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

static inline LONG provider_count(IUnknown *provider, const char *export)
{
    testprov_count_fn count = (testprov_count_fn)(void *)GetProcAddress(testprov(), export);

    return count ? count(provider) : -1;
}

static inline LONG provider_refs(IUnknown *provider) { return provider_count(provider, "testprov_refs"); }
static inline LONG provider_queries(IUnknown *provider) { return provider_count(provider, "testprov_queries"); }
static inline LONG provider_saved(IUnknown *provider) { return provider_count(provider, "testprov_saved"); }

/* An event testprov.dll's providers of this process set when one logs
 * what (L"ms.D", L"ms.Q-returns": see testprov.h). Made before the call
 * that leads to it; waited for with wait_provider_event(). */
static inline HANDLE provider_event(const WCHAR *what)
{
    WCHAR prefix[48], name[128];
    HANDLE event;

    _snwprintf(prefix, ARRAY_SIZE(prefix), L"mapishut-tests-%lu-", GetCurrentProcessId());
    SetEnvironmentVariableW(L"TESTPROV_EVENTS", prefix);
    _snwprintf(name, ARRAY_SIZE(name), L"%ls%ls", prefix, what);
    event = CreateEventW(NULL, TRUE, FALSE, name);
    if (!event)
        ok(0, "CreateEvent(%ls): %lu\n", name, GetLastError());
    return event;
}

/* Waits for it, generously: FALSE (a failure) when it never came. */
static inline BOOL wait_provider_event(HANDLE event, const WCHAR *what)
{
    DWORD waited = event ? WaitForSingleObject(event, 30000) : WAIT_FAILED;

    if (waited != WAIT_OBJECT_0)
        ok(0, "no provider logged %ls within 30 s: %lu\n", what, waited);
    if (event)
        CloseHandle(event);
    return waited == WAIT_OBJECT_0;
}

/* --- processes ---------------------------------------------------------------- */

/* Runs a command line and returns its exit code, or -1 (it is then ended)
 * when it did not end within a minute. */
static inline DWORD run_command(WCHAR *command)
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

/* CreateProcessA(command), inheriting no handles. Wine 8 under load now and
 * then fails one with ERROR_INTERNAL_ERROR; a second try starts it. On
 * failure, GetLastError says why. */
static inline BOOL start_process(char *command, PROCESS_INFORMATION *process)
{
    STARTUPINFOA startup = { .cb = sizeof(startup) };

    for (int tries = 0;; tries++) {
        if (CreateProcessA(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, process))
            return TRUE;
        if (tries == 2 || GetLastError() != ERROR_INTERNAL_ERROR)
            return FALSE;
    }
}

/* Runs this test again in a child process ("<exe> <test> <args>") and waits
 * for it the way Wine's tests do: its exit code is its failure count. A child
 * still running after wait_child_process gave up is ended. */
static inline void run_child(const char *args)
{
    PROCESS_INFORMATION process = { 0 };
    HANDLE watch = NULL;
    BOOL started;
    char command[MAX_PATH * 2 + 512], **argv;

    winetest_get_mainargs(&argv);
    snprintf(command, sizeof(command), "\"%s\" %s %s", argv[0], argv[1], args);
    started = start_process(command, &process);
    ok(started, "CreateProcess(%s): %lu\n", command, GetLastError());
    if (process.hProcess)
        DuplicateHandle(GetCurrentProcess(), process.hProcess, GetCurrentProcess(), &watch, 0, FALSE,
                        DUPLICATE_SAME_ACCESS);
    wait_child_process(&process);
    if (watch && WaitForSingleObject(watch, 0) == WAIT_TIMEOUT) {
        TerminateProcess(watch, 1);
        WaitForSingleObject(watch, 5000);
        CloseHandle(process.hProcess);
        CloseHandle(process.hThread);
    }
    if (watch)
        CloseHandle(watch);
}

/* The child's arguments after the test name, or NULL in the parent. */
static inline char **child_args(int *count)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    *count = argc - 2;
    return argc > 2 ? argv + 2 : NULL;
}

/* --- registration ------------------------------------------------------------- */

#include "mapishut_ids.h"
#define MAPISHUT_CLSID_KEY L"Software\\Classes\\CLSID\\" MAPISHUT_CLSID_W

/* Runs the real regsvr32 with args on the DLL under test; returns its exit code. */
static inline DWORD run_regsvr32(const WCHAR *args)
{
    WCHAR dll[MAX_PATH], command[MAX_PATH * 2];

    mapishut_dll_path(dll, ARRAY_SIZE(dll));
    _snwprintf(command, ARRAY_SIZE(command), L"regsvr32.exe %ls \"%ls\"", args, dll);
    return run_command(command);
}

static inline BOOL key_exists(HKEY root, const WCHAR *path)
{
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return FALSE;
    RegCloseKey(key);
    return TRUE;
}

/* Did register_for_tests() register the DLL (so that it must unregister it)? */
static inline BOOL *registered_by_test(void)
{
    static BOOL registered;

    return &registered;
}

/* COM needs the class registered per machine (Wine 8 does not look up
 * classes registered per user). A registration that was there stays; one
 * this test made is removed again by restore_registration(). */
static inline BOOL register_for_tests(void)
{
    DWORD code;

    if (key_exists(HKEY_LOCAL_MACHINE, MAPISHUT_CLSID_KEY L"\\InprocServer32"))
        return TRUE;
    code = run_regsvr32(L"/s");
    ok(code == 0, "regsvr32: exit code %lu\n", code);
    *registered_by_test() = code == 0;
    return code == 0;
}

static inline void restore_registration(void)
{
    DWORD code;

    if (!*registered_by_test())
        return;
    code = run_regsvr32(L"/s /u");
    ok(code == 0, "regsvr32 /u: exit code %lu\n", code);
    *registered_by_test() = FALSE;
}

static inline IMAPIClientShutdown *create_client_shutdown(void)
{
    IMAPIClientShutdown *client = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IMAPIClientShutdown, (void **)&client);

    ok(hr == S_OK, "CoCreateInstance(IMAPIClientShutdown): %#lx\n", hr);
    return client;
}

static inline IMAPIShutdownHost *create_shutdown_host(void)
{
    IMAPIShutdownHost *host = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IMAPIShutdownHost, (void **)&host);

    ok(hr == S_OK, "CoCreateInstance(IMAPIShutdownHost): %#lx\n", hr);
    return host;
}

/* --- policy ------------------------------------------------------------------- */

/* FastShutdownBehavior (or another value) in one place of the policy: the
 * places of project_facts.h, in their order. */
#define POLICY_WHERE_NAME(name, machine, office_key) name,
enum policy_where { FACT_POLICY_PLACES(POLICY_WHERE_NAME) };

static inline HKEY policy_root(enum policy_where where)
{
#define POLICY_WHERE_ROOT(name, machine, office_key) machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER,
    static const HKEY roots[] = { FACT_POLICY_PLACES(POLICY_WHERE_ROOT) };

    return roots[where];
}

static inline void shutdown_key_path(enum policy_where where, const WCHAR *version, WCHAR *path, DWORD size)
{
#define POLICY_WHERE_KEY(name, machine, office_key) FACT_WIDE(office_key),
    static const WCHAR *const office_keys[] = { FACT_POLICY_PLACES(POLICY_WHERE_KEY) };

    _snwprintf(path, size, L"%ls\\%ls\\" FACT_WIDE(FACT_SHUTDOWN_SUBKEY), office_keys[where], version);
}

static inline void set_policy_value(enum policy_where where, const WCHAR *version, const WCHAR *name,
                                    DWORD type, const void *data, DWORD size)
{
    WCHAR path[256];
    LSTATUS status;
    HKEY key;

    shutdown_key_path(where, version, path, ARRAY_SIZE(path));
    status = RegCreateKeyExW(policy_root(where), path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(status == ERROR_SUCCESS, "RegCreateKeyEx(%ls): %ld\n", path, status);
    if (status != ERROR_SUCCESS)
        return;
    status = RegSetValueExW(key, name, 0, type, data, size);
    ok(status == ERROR_SUCCESS, "RegSetValueEx(%ls): %ld\n", name, status);
    RegCloseKey(key);
}

static inline void set_behavior(enum policy_where where, const WCHAR *version, DWORD value)
{
    set_policy_value(where, version, MAPISHUT_POLICY_VALUE, REG_DWORD, &value, sizeof(value));
}

/* Removes every Shutdown key the tests may have written. */
static inline void clear_policies(void)
{
#define OFFICE_VERSION(version) FACT_WIDE(version),
    static const WCHAR *const versions[] = { FACT_OFFICE_VERSIONS(OFFICE_VERSION) };

    for (int where = MACHINE_POLICY; where <= MACHINE_PREFERENCE; where++) {
        for (unsigned v = 0; v < ARRAY_SIZE(versions); v++) {
            WCHAR path[256];

            shutdown_key_path(where, versions[v], path, ARRAY_SIZE(path));
            RegDeleteTreeW(policy_root(where), path);
            RegDeleteKeyW(policy_root(where), path);
        }
    }
}

/* --- files -------------------------------------------------------------------- */

/* Reads a whole small text file; returns its length, or -1. */
static inline int read_text_file(const WCHAR *path, char *text, int size)
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

static inline LONGLONG file_size(const WCHAR *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;

    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &data))
        return -1;
    return ((LONGLONG)data.nFileSizeHigh << 32) | data.nFileSizeLow;
}

#endif
