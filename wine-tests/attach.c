/* Reading a profile while the desktop changes it (docs/design.md section 6): a
 * profile deleted during AttachProfile ends the read, and neither the attach
 * nor a concurrent QueryFastShutdown hangs; junk values do not hide a
 * provider's properties; a section that cannot be read is reported and,
 * under FastShutdownBehavior 1, counted as a provider that cannot opt in.
 * Each case runs in its own child process: attachments are the process's. */
#define COBJMACROS
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include "debug_output.h"
#include "iat_hook.h"
#include "profile_writer.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

#define MS1 "c1000000000000000000000000000001"
#define LOCKED "c9000000000000000000000000000009"

static IMAPIClientShutdown *client;
static IMAPIShutdownHost *host;

/* --- a profile deleted while it is attached ------------------------------------ */

#define VANISHING_SECTIONS 40
#define VANISHING_JUNK 400

/* Sections a reader may be slow on (junk values before the provider's own),
 * written with one check for the whole. */
static void write_vanishing_profile(void)
{
    static const DWORD store = MAPI_STORE_PROVIDER;
    static const WCHAR dll[] = L"TESTMS.DLL", display[] = L"Store";
    int written = 0;

    for (int i = 0; i < VANISHING_SECTIONS; i++) {
        WCHAR path[256], junk[16];
        BOOL ok_so_far = TRUE;
        HKEY key;

        _snwprintf(path, ARRAY_SIZE(path), L"%ls\\Vanishing\\e%031x", PROFILES_16, i);
        if (RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL))
            continue;
        for (int v = 0; v < VANISHING_JUNK; v++) {
            _snwprintf(junk, ARRAY_SIZE(junk), L"%08x", 0x10000000 + v);
            ok_so_far &= !RegSetValueExW(key, junk, 0, REG_BINARY, (const BYTE *)"junk", 4);
        }
        written += ok_so_far && !RegSetValueExW(key, L"00033e03", 0, REG_BINARY, (const BYTE *)&store, sizeof(store)) &&
                   !RegSetValueExW(key, L"001f300a", 0, REG_BINARY, (const BYTE *)dll, sizeof(dll)) &&
                   !RegSetValueExW(key, L"001f3006", 0, REG_BINARY, (const BYTE *)display, sizeof(display));
        RegCloseKey(key);
    }
    ok(written == VANISHING_SECTIONS, "%d of %d sections written\n", written, VANISHING_SECTIONS);
}

struct attach_run {
    HRESULT hr;
    DWORD delete_after_ms;
    LONG querying;              /* 1 while the attach runs */
    LONG slowest_query_ms;
    LONG queries;
};

static DWORD WINAPI delete_later(void *arg)
{
    struct attach_run *run = arg;
    WCHAR path[256];

    Sleep(run->delete_after_ms);
    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\Vanishing", PROFILES_16);
    RegDeleteTreeW(HKEY_CURRENT_USER, path);
    RegDeleteKeyW(HKEY_CURRENT_USER, path);
    return 0;
}

static DWORD WINAPI attach_vanishing(void *arg)
{
    struct attach_run *run = arg;

    run->hr = IMAPIShutdownHost_AttachProfile(host, L"Vanishing");
    InterlockedExchange(&run->querying, 0);
    return 0;
}

/* The client asks again and again while the attach runs: each answer must
 * come at once, not after the attach. */
static DWORD WINAPI query_meanwhile(void *arg)
{
    struct attach_run *run = arg;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    while (InterlockedCompareExchange(&run->querying, 1, 1)) {
        DWORD start = GetTickCount();

        IMAPIClientShutdown_QueryFastShutdown(client);
        if ((LONG)(GetTickCount() - start) > run->slowest_query_ms)
            run->slowest_query_ms = GetTickCount() - start;
        run->queries++;
        Sleep(1);
    }
    CoUninitialize();
    return 0;
}

static void case_deleted_while_attached(void)
{
    static const DWORD delays[] = { 0, 0, 1, 1, 2, 3, 5, 10 };

    for (unsigned i = 0; i < ARRAY_SIZE(delays); i++) {
        struct attach_run run = { E_FAIL, delays[i], 1, 0, 0 };
        HANDLE threads[3];
        DWORD wait;

        winetest_push_context("deleted after %lu ms", delays[i]);
        write_vanishing_profile();
        threads[0] = CreateThread(NULL, 0, query_meanwhile, &run, 0, NULL);
        threads[1] = CreateThread(NULL, 0, delete_later, &run, 0, NULL);
        threads[2] = CreateThread(NULL, 0, attach_vanishing, &run, 0, NULL);
        wait = WaitForMultipleObjects(3, threads, TRUE, 10000);
        ok(wait < WAIT_OBJECT_0 + 3, "AttachProfile or a QueryFastShutdown beside it did not return in 10 s\n");
        if (wait == WAIT_TIMEOUT) {
            /* Hung with the gate held: nothing more can be tested here. */
            TerminateProcess(GetCurrentProcess(), winetest_get_failures());
        }
        ok(run.hr == S_OK || run.hr == MAPI_W_ERRORS_RETURNED || run.hr == MAPI_E_NOT_FOUND ||
           run.hr == HRESULT_FROM_WIN32(ERROR_KEY_DELETED), "AttachProfile: %#lx\n", run.hr);
        ok(run.slowest_query_ms < 2000, "a QueryFastShutdown beside the attach took %ld ms\n", run.slowest_query_ms);
        trace("AttachProfile %#lx; %ld queries beside it, the slowest %ld ms\n", run.hr, run.queries,
              run.slowest_query_ms);
        for (int t = 0; t < 3; t++)
            CloseHandle(threads[t]);
        winetest_pop_context();
    }
}

/* --- the same, made certain: the DLL's registry calls say the key is gone ------- */

static LSTATUS (WINAPI *real_RegEnumKeyExW)(HKEY, DWORD, WCHAR *, DWORD *, DWORD *, WCHAR *, DWORD *, FILETIME *);
static LSTATUS (WINAPI *real_RegQueryValueExW)(HKEY, const WCHAR *, DWORD *, DWORD *, BYTE *, DWORD *);
static LONG enum_calls, grow_reads;
static int grow_times;

/* From the third section on, the profile key is gone, as after a delete. */
static LSTATUS WINAPI deleted_RegEnumKeyExW(HKEY key, DWORD index, WCHAR *name, DWORD *length, DWORD *reserved,
                                            WCHAR *class_name, DWORD *class_length, FILETIME *time)
{
    if (InterlockedIncrement(&enum_calls) > 1000)
        Sleep(1000); /* an endless loop: slowed, so that the test sees it */
    Sleep(5);
    if (index >= 2)
        return ERROR_KEY_DELETED;
    return real_RegEnumKeyExW(key, index, name, length, reserved, class_name, class_length, time);
}

/* PR_PROVIDER_DLL_NAME grows between the size query and the read, grow_times
 * times, as if someone rewrote it meanwhile. */
static LSTATUS WINAPI growing_RegQueryValueExW(HKEY key, const WCHAR *name, DWORD *reserved, DWORD *type, BYTE *data,
                                               DWORD *size)
{
    if (data && name && !lstrcmpW(name, L"001f300a") && InterlockedIncrement(&grow_reads) <= grow_times) {
        *size += 2;
        return ERROR_MORE_DATA;
    }
    return real_RegQueryValueExW(key, name, reserved, type, data, size);
}

static HMODULE hooked_mapishut(void)
{
    WCHAR path[MAX_PATH];

    mapishut_dll_path(path, ARRAY_SIZE(path));
    return LoadLibraryW(path);
}

static void case_enumeration_fails(void)
{
    struct attach_run run = { E_FAIL, 0, 1, 0, 0 };
    HANDLE threads[2];
    DWORD wait;

    write_vanishing_profile();
    ok(hook_import(hooked_mapishut(), "RegEnumKeyExW", (void *)deleted_RegEnumKeyExW,
                   (void **)&real_RegEnumKeyExW) > 0, "RegEnumKeyExW is not imported by mapishut.dll\n");
    threads[0] = CreateThread(NULL, 0, query_meanwhile, &run, 0, NULL);
    threads[1] = CreateThread(NULL, 0, attach_vanishing, &run, 0, NULL);
    wait = WaitForMultipleObjects(2, threads, TRUE, 10000);
    ok(wait < WAIT_OBJECT_0 + 2, "AttachProfile did not return in 10 s: %ld enumerations\n", enum_calls);
    if (wait == WAIT_TIMEOUT)
        TerminateProcess(GetCurrentProcess(), winetest_get_failures());
    ok(run.hr == HRESULT_FROM_WIN32(ERROR_KEY_DELETED), "AttachProfile: %#lx, expected ERROR_KEY_DELETED\n", run.hr);
    ok(enum_calls == 3, "%ld enumerations, expected 3: the read ends at the first error\n", enum_calls);
    ok(run.slowest_query_ms < 2000, "a QueryFastShutdown beside the attach took %ld ms\n", run.slowest_query_ms);
    CloseHandle(threads[0]);
    CloseHandle(threads[1]);
}

static void case_value_grows(void)
{
    const char *text;
    HRESULT hr;

    write_vanishing_profile();
    ok(hook_import(hooked_mapishut(), "RegQueryValueExW", (void *)growing_RegQueryValueExW,
                   (void **)&real_RegQueryValueExW) > 0, "RegQueryValueExW is not imported by mapishut.dll\n");
    load_testprov_as(L"testms32.dll");
    /* Growing twice: the third read gets it. */
    grow_times = 2;
    hr = IMAPIShutdownHost_AttachProfile(host, L"Junk");
    ok(hr == S_OK, "AttachProfile with a value that grew twice: %#lx\n", hr);
    ok(grow_reads == 3, "%ld reads of the growing value, expected 3\n", grow_reads);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT: the store was not seen\n", hr);
    /* Growing for ever: reported, and the attach ends. */
    grow_times = 1000;
    grow_reads = 0;
    debug_output_start();
    hr = IMAPIShutdownHost_AttachProfile(host, L"Vanishing");
    ok(hr == MAPI_W_ERRORS_RETURNED, "AttachProfile with values that keep growing: %#lx\n", hr);
    text = debug_output_text();
    ok(strstr(text, "a property could not be read (error 234)") != NULL, "not reported: \"%.300s\"\n", text);
    debug_output_stop();
}

/* --- junk values before a provider's own ---------------------------------------- */

static void case_junk_values_first(void)
{
    HRESULT hr;

    load_testprov_as(L"testms32.dll");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Junk");
    ok(hr == S_OK, "AttachProfile(Junk): %#lx\n", hr);
    /* Option 1: the store is loaded and never registered, so it blocks. */
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT: the store was not seen\n", hr);
}

static void write_junk_profile(void)
{
    WCHAR path[256], tag[16];
    int written = 0;
    HKEY key;

    /* Written first, so that they come first in the section; past the 1024
     * values an enumerating reader would stop at. */
    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\Junk\\%hs", PROFILES_16, MS1);
    if (!RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL)) {
        for (int i = 0; i < 1500; i++) {
            _snwprintf(tag, ARRAY_SIZE(tag), L"%08x", 0x10000000 + i);
            written += !RegSetValueExW(key, tag, 0, REG_BINARY, (const BYTE *)"junk", 4);
        }
        RegCloseKey(key);
    }
    ok(written == 1500, "%d junk values written\n", written);
    provider_section(PROFILES_16, L"Junk", MS1, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Store after junk");
}

/* --- a section that cannot be read ----------------------------------------------- */

/* Everyone may list the section but not read its values. */
static BOOL lock_section(const char *section)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    WCHAR path[256];
    LSTATUS status;
    HKEY key;

    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\Locked\\%hs", PROFILES_16, section);
    if (RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, WRITE_DAC, &key) != ERROR_SUCCESS)
        return FALSE;
    /* D:(D;;KR;;;WD): deny read (values included) to Everyone. */
    ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:(D;;KR;;;WD)(A;;KA;;;WD)", SDDL_REVISION_1, &sd, NULL);
    status = RegSetKeySecurity(key, DACL_SECURITY_INFORMATION, sd);
    LocalFree(sd);
    RegCloseKey(key);
    return status == ERROR_SUCCESS;
}

static void unlock_section(const char *section)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    WCHAR path[256];
    HKEY key;

    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\Locked\\%hs", PROFILES_16, section);
    if (RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, WRITE_DAC, &key) != ERROR_SUCCESS)
        return;
    ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:(A;;KA;;;WD)", SDDL_REVISION_1, &sd, NULL);
    RegSetKeySecurity(key, DACL_SECURITY_INFORMATION, sd);
    LocalFree(sd);
    RegCloseKey(key);
}

static void case_unreadable_section(void)
{
    IUnknown *provider = make_provider(L"locked", 0, NULL, NULL);
    const char *text;
    ULONG cookie;
    BYTE uid[16];
    HRESULT hr;

    debug_output_start();
    hr = IMAPIShutdownHost_AttachProfile(host, L"Locked");
    ok(hr == MAPI_W_ERRORS_RETURNED, "AttachProfile(Locked): %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    text = debug_output_text();
    ok(strstr(text, "section " LOCKED ": section could not be read (error 5): skipped") != NULL,
       "the locked section was not reported: \"%s\"\n", text);
    debug_output_stop();
    /* Option 1: the section may be a provider that never registered. */
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
    uid_bytes(LOCKED, uid);
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_STORE_PROVIDER, provider, &cookie);
    ok(hr == S_OK, "RegisterProvider(the locked section's provider): %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown once its provider registered: %#lx\n", hr);
    IUnknown_Release(provider);
}

static const struct {
    const char *name;
    DWORD policy;
    void (*run)(void);
} cases[] = {
    { "deleted", 0, case_deleted_while_attached },
    { "enumeration_fails", 0, case_enumeration_fails },
    { "value_grows", 1, case_value_grows },
    { "junk", 1, case_junk_values_first },
    { "unreadable", 1, case_unreadable_section },
};

START_TEST(attach)
{
    int argc;
    char **args = child_args(&argc);
    BOOL locked;

    if (args) {
        BOOL found = FALSE;

        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        client = create_client_shutdown();
        host = create_shutdown_host();
        for (unsigned i = 0; client && host && i < ARRAY_SIZE(cases); i++) {
            if (!strcmp(args[0], cases[i].name)) {
                found = TRUE;
                cases[i].run();
            }
        }
        ok(found, "no case named %s\n", args[0]);
        return;
    }

    if (!save_registry_and_register())
        return;
    delete_all_profiles();
    write_junk_profile();
    provider_section(PROFILES_16, L"Locked", MS1, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Readable");
    provider_section(PROFILES_16, L"Locked", LOCKED, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Locked");
    locked = lock_section(LOCKED);
    ok(locked, "could not lock a section\n");
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        if (!strcmp(cases[i].name, "unreadable") && !locked)
            continue;
        clear_policies();
        set_behavior(MACHINE_POLICY, L"16.0", cases[i].policy);
        winetest_push_context("%s", cases[i].name);
        run_child(cases[i].name);
        winetest_pop_context();
    }
    unlock_section(LOCKED);
    delete_all_profiles();
    clear_policies();
    unregister_and_restore_registry();
}
