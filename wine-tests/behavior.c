/* ProviderBehavior: a value per provider DLL under each place's
 * ...\Outlook\Options\Shutdown\ProviderBehavior, as Group Policy (REG_SZ) or
 * a script (REG_DWORD) writes it. 1 refuses fast shutdown while the
 * provider is loaded, 2 overrides its opt-out (it is still told), in each of
 * the four places, with the usual precedence; an invalid value is ignored
 * and reported, and the next place read. Each case is a client process with
 * providers in DLLs of their own names; mapishut policy shows the values. */
#define COBJMACROS
#include "debug_output.h"
#include "exit_records.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { XP, AB, MS, PROVIDERS };
static const WCHAR *const names[PROVIDERS] = { L"xp", L"ab", L"ms" };
static const ULONG types[PROVIDERS] = { MAPI_TRANSPORT_PROVIDER, MAPI_AB_PROVIDER, MAPI_STORE_PROVIDER };
static const WCHAR *const files[PROVIDERS] = { L"testxp32.dll", L"testab32.dll", L"testms32.dll" };
static const char *const where_names[] = { "machine policy", "user policy", "user preference", "machine preference" };

static void set_provider_behavior(enum policy_where where, const WCHAR *name, DWORD type, const void *data, DWORD size)
{
    WCHAR path[256];
    LSTATUS status;
    HKEY key;

    shutdown_key_path(where, L"16.0", path, ARRAY_SIZE(path));
    wcscat(path, L"\\" MAPISHUT_BEHAVIOR_SUBKEY);
    status = RegCreateKeyExW(policy_root(where), path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(status == ERROR_SUCCESS, "RegCreateKeyEx(%ls): %ld\n", path, status);
    if (status != ERROR_SUCCESS)
        return;
    status = RegSetValueExW(key, name, 0, type, data, size);
    ok(status == ERROR_SUCCESS, "RegSetValueEx(%ls): %ld\n", name, status);
    RegCloseKey(key);
}

static void set_behavior_sz(enum policy_where where, const WCHAR *name, const WCHAR *text)
{
    set_provider_behavior(where, name, REG_SZ, text, (DWORD)((wcslen(text) + 1) * sizeof(WCHAR)));
}

static void set_behavior_dword(enum policy_where where, const WCHAR *name, DWORD value)
{
    set_provider_behavior(where, name, REG_DWORD, &value, sizeof(value));
}

/* --- the client -------------------------------------------------------------------- */

/* "<ab flags> <expected query>": the whole sequence when the query says
 * yes; exits 0 when each provider was told what it must have been. */
static void client_child(DWORD ab_flags, HRESULT expected, BOOL diagnostics)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *providers[PROVIDERS];
    WCHAR log[MAX_PATH];
    static char text[8192];
    ULONG cookie;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    test_file_path(L"behavior.log", log, ARRAY_SIZE(log));
    DeleteFileW(log);
    for (int i = 0; i < PROVIDERS; i++) {
        HMODULE module = load_testprov_as(files[i]);
        testprov_create_fn create = module ? (testprov_create_fn)(void *)GetProcAddress(module, "testprov_create")
                                           : NULL;

        providers[i] = NULL;
        if (create)
            create(names[i], i == AB ? ab_flags : 0, log, NULL, &providers[i]);
        ok(providers[i] != NULL, "no provider %ls\n", names[i]);
        if (!providers[i])
            return;
        IMAPIShutdownHost_RegisterProvider(host, NULL, types[i], providers[i], &cookie);
    }
    debug_output_start();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == expected, "QueryFastShutdown: %#lx, expected %#lx: %s\n", hr, expected, debug_output_text());
    if (hr == S_OK) {
        ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
        ok(IMAPIClientShutdown_DoFastShutdown(client) == S_OK, "DoFastShutdown failed\n");
        read_text_file(log, text, sizeof(text));
        /* An opt-out overridden is told all the same. */
        ok(strstr(text, "ab.N\n") && strstr(text, "ab.D\n"), "ab was not told:\n%s\n", text);
    }
    if (diagnostics) {
        ok(strstr(debug_output_text(), "ProviderBehavior value \"testms\" in the machine policy (HKLM\\Software\\Policies"
                                       "\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown) is out of range") != NULL,
           "no diagnostic for the ignored value: %s\n", debug_output_text());
        ok(strstr(debug_output_text(), "ProviderBehavior 1 in the user preference (HKCU\\Software\\Microsoft\\Office\\"
                                       "16.0\\Outlook\\Options\\Shutdown) for the store provider testms32.dll "
                                       "(cookie ") != NULL,
           "no diagnostic naming the provider: %s\n", debug_output_text());
    }
    debug_output_stop();
}

static void run_case(DWORD ab_flags, HRESULT expected)
{
    char args[64];

    snprintf(args, sizeof(args), "client %lu %lx 0", ab_flags, (unsigned long)expected);
    run_child(args);
}

/* --- the cases ---------------------------------------------------------------------- */

static void test_each_place(void)
{
    for (enum policy_where where = MACHINE_POLICY; where <= MACHINE_PREFERENCE; where++) {
        winetest_push_context("%s", where_names[where]);
        /* 1, as a Group Policy list writes it, names the store in any form. */
        clear_policies();
        set_behavior_sz(where, L"TESTMS", L"1");
        run_case(0, MAPI_E_NO_SUPPORT);
        clear_policies();
        set_behavior_dword(where, L"testms32.dll", 1);
        run_case(0, MAPI_E_NO_SUPPORT);
        /* 2 overrides an opt-out; 0 leaves it to the provider. */
        clear_policies();
        set_behavior_sz(where, L"testab.dll", L"2");
        run_case(TESTPROV_OPT_OUT, S_OK);
        clear_policies();
        set_behavior_dword(where, L"TESTAB32", 0);
        run_case(TESTPROV_OPT_OUT, MAPI_E_NO_SUPPORT);
        winetest_pop_context();
    }
}

static void test_precedence_and_invalid_values(void)
{
    /* A machine policy is never overridden by the user. */
    clear_policies();
    set_behavior_dword(MACHINE_POLICY, L"testms", 0);
    set_behavior_sz(USER_POLICY, L"testms", L"1");
    run_case(0, S_OK);
    clear_policies();
    set_behavior_sz(USER_POLICY, L"testab", L"2");
    set_behavior_sz(USER_PREFERENCE, L"testab", L"0");
    run_case(TESTPROV_OPT_OUT, S_OK);
    /* Not valid, so the next place decides. */
    clear_policies();
    set_behavior_sz(MACHINE_POLICY, L"testms", L"9");
    set_behavior_sz(USER_POLICY, L"testms", L"on");
    set_provider_behavior(USER_POLICY, L"testms32", REG_BINARY, "\x01", 1);
    set_behavior_dword(USER_PREFERENCE, L"TESTMS.DLL", 1);
    run_case(0, MAPI_E_NO_SUPPORT);
    /* A Group Policy list's other entries change nothing. */
    clear_policies();
    set_behavior_sz(MACHINE_POLICY, L"emsmdb", L"1");
    set_behavior_sz(MACHINE_POLICY, L"testms64", L"1");
    run_case(0, S_OK);
    clear_policies();
}

/* The diagnostics of a refusal and of an ignored value, from a client. */
static void test_diagnostics(void)
{
    static char output[1 << 16];
    char args[64];
    DWORD code;

    clear_policies();
    set_behavior_sz(MACHINE_POLICY, L"testms", L"7");
    set_behavior_sz(USER_PREFERENCE, L"TestMS32.dll", L"1");
    snprintf(args, sizeof(args), "client 0 %lx 1", (unsigned long)MAPI_E_NO_SUPPORT);
    run_child(args);
    code = run_mapishut(L"policy", output, sizeof(output));
    ok(code == 0, "policy: exit code %lu\n", code);
    ok(strstr(output, "  TestMS32.dll = 1: no fast shutdown while it is loaded\n    decided by: the user preference, "
                      "HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown\\ProviderBehavior\n") != NULL,
       "mapishut policy does not show the value: %s\n", output);
    ok(strstr(output, "HKLM\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown\\ProviderBehavior: "
                      "testms is out of range") != NULL, "mapishut policy does not show what was ignored: %s\n", output);
    code = run_mapishut(L"policy --json", output, sizeof(output));
    ok(code == 0, "policy --json: exit code %lu\n", code);
    ok(strstr(output, "\"provider_behavior\":[{\"name\":\"TestMS32.dll\",\"value\":1,\"meaning\":\"no fast shutdown while "
                      "it is loaded\",\"decided_by\":{\"place\":\"user preference\",") != NULL,
       "policy --json: %s\n", output);
    ok(strstr(output, "\"provider_behavior_ignored\":[{\"name\":\"testms\",\"place\":\"machine policy\",") != NULL,
       "policy --json ignored: %s\n", output);
    clear_policies();
}

START_TEST(behavior)
{
    int argc;
    char **args = child_args(&argc);

    if (args) {
        if (argc == 4 && !strcmp(args[0], "client"))
            client_child(strtoul(args[1], NULL, 10), (HRESULT)strtoul(args[2], NULL, 16), atoi(args[3]));
        return;
    }
    if (!save_registry_and_register())
        return;
    test_each_place();
    test_precedence_and_invalid_values();
    test_diagnostics();
    unregister_and_restore_registry();
}
