/* FastShutdownBehavior read from a real registry at every QueryFastShutdown:
 * the four places, their precedence, the Office versions, malformed values. */
#define COBJMACROS
#include "debug_output.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <string.h>

static IMAPIClientShutdown *client;
static IUnknown *willing;   /* has IMAPIProviderShutdown and opts in */
static IUnknown *plain;     /* has no IMAPIProviderShutdown */

/* What the subsystem answers now, and whether it asked the willing provider. */
static HRESULT query(BOOL *asked)
{
    LONG before = provider_queries(willing);
    HRESULT hr = IMAPIClientShutdown_QueryFastShutdown(client);

    *asked = provider_queries(willing) > before;
    return hr;
}

/* Option 0 answers S_OK here, option 1 MAPI_E_NO_SUPPORT (the plain provider
 * cannot opt in), option 2 MAPI_E_NO_SUPPORT without asking anyone. */
static int effective_option(void)
{
    BOOL asked;
    HRESULT hr = query(&asked);

    if (!asked)
        return hr == MAPI_E_NO_SUPPORT ? 2 : -1;
    if (hr == S_OK)
        return 0;
    return hr == MAPI_E_NO_SUPPORT ? 1 : -1;
}

#define check_option(expected, why) do { \
        int option_ = effective_option(); \
        ok(option_ == (expected), "%s: effective option %d, expected %d\n", why, option_, expected); \
    } while (0)

static void test_default_is_0(void)
{
    clear_policies();
    check_option(0, "nothing set");
}

static void test_each_place_alone(void)
{
    clear_policies();
    set_behavior(MACHINE_POLICY, L"16.0", 1);
    check_option(1, "machine policy 1");
    clear_policies();
    set_behavior(USER_POLICY, L"16.0", 2);
    check_option(2, "user policy 2");
    clear_policies();
    set_behavior(USER_PREFERENCE, L"15.0", 1);
    check_option(1, "user preference 1 (15.0)");
    clear_policies();
    set_behavior(MACHINE_PREFERENCE, L"14.0", 2);
    check_option(2, "machine preference 2 (14.0)");
}

static void test_precedence(void)
{
    clear_policies();
    set_behavior(MACHINE_PREFERENCE, L"16.0", 2);
    set_behavior(USER_PREFERENCE, L"16.0", 1);
    check_option(1, "user preference over machine preference");
    set_behavior(USER_POLICY, L"16.0", 0);
    check_option(0, "user policy over user preference");
    set_behavior(MACHINE_POLICY, L"16.0", 2);
    check_option(2, "machine policy over user policy");

    /* A user cannot override a machine policy, whatever version they use. */
    clear_policies();
    set_behavior(MACHINE_POLICY, L"14.0", 2);
    set_behavior(USER_POLICY, L"16.0", 0);
    set_behavior(USER_PREFERENCE, L"16.0", 0);
    check_option(2, "machine policy 14.0 against user 16.0 values");
}

static void test_newest_version_first(void)
{
    clear_policies();
    set_behavior(USER_POLICY, L"14.0", 2);
    set_behavior(USER_POLICY, L"15.0", 1);
    check_option(1, "15.0 over 14.0");
    set_behavior(USER_POLICY, L"16.0", 0);
    check_option(0, "16.0 over 15.0");
}

static void test_changes_apply_without_restart(void)
{
    clear_policies();
    check_option(0, "before the change");
    set_behavior(MACHINE_POLICY, L"16.0", 2);
    check_option(2, "after the administrator set 2");
    clear_policies();
    check_option(0, "after the administrator removed it");
}

static void test_malformed_values_are_skipped(void)
{
    static const DWORD three = 3, big = 0xffffffff, two = 2;
    static const ULONGLONG qword_two = 2;
    static const BYTE binary_two[4] = { 2, 0, 0, 0 };
    static const BYTE big_endian_two[4] = { 0, 0, 0, 2 };
    static const struct {
        DWORD type;
        const void *data;
        DWORD size;
        const char *what;
    } bad[] = {
        { REG_SZ, L"2", sizeof(L"2"), "REG_SZ \"2\"" },
        { REG_BINARY, binary_two, sizeof(binary_two), "REG_BINARY 02000000" },
        { REG_QWORD, &qword_two, sizeof(qword_two), "REG_QWORD 2" },
        { REG_DWORD_BIG_ENDIAN, big_endian_two, sizeof(big_endian_two), "REG_DWORD_BIG_ENDIAN 2" },
        { REG_DWORD, &three, sizeof(three), "REG_DWORD 3" },
        { REG_DWORD, &big, sizeof(big), "REG_DWORD 0xffffffff" },
        { REG_DWORD, &two, 2, "REG_DWORD of 2 bytes" },
        { REG_DWORD, &qword_two, 8, "REG_DWORD of 8 bytes" },
        { REG_DWORD, NULL, 0, "empty REG_DWORD" },
        { REG_MULTI_SZ, L"2\0", sizeof(L"2\0"), "REG_MULTI_SZ" },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        clear_policies();
        /* The bad value stands first; the search must go on to the next place. */
        set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_POLICY_VALUE, bad[i].type, bad[i].data, bad[i].size);
        set_behavior(USER_POLICY, L"16.0", 1);
        check_option(1, bad[i].what);
        /* Alone, it leaves the default. */
        clear_policies();
        set_policy_value(USER_PREFERENCE, L"16.0", MAPISHUT_POLICY_VALUE, bad[i].type, bad[i].data, bad[i].size);
        check_option(0, bad[i].what);
    }
}

/* An administrator (or a debugger) sees why a value was ignored. */
static void test_ignored_values_are_reported(void)
{
    const char *text;

    clear_policies();
    set_policy_value(MACHINE_POLICY, L"15.0", MAPISHUT_POLICY_VALUE, REG_SZ, L"2", sizeof(L"2"));
    set_behavior(USER_PREFERENCE, L"16.0", 7);
    set_behavior(MACHINE_PREFERENCE, L"16.0", 1);
    debug_output_start();
    check_option(1, "a REG_SZ and an out-of-range value before a valid one");
    text = debug_output_text();
    ok(strstr(text, "mapishut: FastShutdownBehavior in the machine policy (HKLM\\Software\\Policies\\Microsoft\\"
                    "Office\\15.0\\Outlook\\Options\\Shutdown) is not a REG_DWORD") != NULL,
       "no diagnostic for the REG_SZ value; got \"%s\"\n", text);
    ok(strstr(text, "user preference (HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown) is out of range") != NULL,
       "no diagnostic for the value 7; got \"%s\"\n", text);
    ok(strstr(text, "value 7") != NULL, "the diagnostic does not give the value; got \"%s\"\n", text);
    ok(strstr(text, "machine preference") == NULL, "the valid value was reported; got \"%s\"\n", text);

    /* A provider standing in the way is named too. */
    clear_policies();
    set_behavior(MACHINE_POLICY, L"16.0", 1);
    debug_output_start();
    check_option(1, "option 1 with a provider lacking the interface");
    text = debug_output_text();
    ok(strstr(text, "has no IMAPIProviderShutdown") != NULL,
       "no diagnostic for the provider without the interface; got \"%s\"\n", text);
    debug_output_stop();
}

static void test_other_value_names_are_not_read(void)
{
    clear_policies();
    set_policy_value(MACHINE_POLICY, L"16.0", L"fastshutdownbehaviour", REG_DWORD, &(DWORD){ 2 }, 4);
    set_policy_value(MACHINE_POLICY, L"17.0", MAPISHUT_POLICY_VALUE, REG_DWORD, &(DWORD){ 2 }, 4);
    set_policy_value(MACHINE_POLICY, L"13.0", MAPISHUT_POLICY_VALUE, REG_DWORD, &(DWORD){ 2 }, 4);
    check_option(0, "a misspelt name and unknown Office versions");
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\17.0");
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\13.0");
    /* Value names are case-insensitive in the registry. */
    set_policy_value(USER_POLICY, L"16.0", L"FASTSHUTDOWNBEHAVIOR", REG_DWORD, &(DWORD){ 2 }, 4);
    check_option(2, "the name in capitals");
}

/* A value the user may not read (an empty DACL on its key) is skipped with
 * a diagnostic, and the search goes on. */
/* A test leaves the registry as it found it: what was there before the
 * tests cleared the policies comes back with its type and data, a subkey
 * included; what they wrote is gone, and so are the keys they made for it. */
static void test_saved_registry_puts_back_what_was_there(void)
{
    static const BYTE administrators[] = { 0x4d, 0x00, 0xff, 0x01, 0x7f };
    static struct saved_registry saved;
    WCHAR path[256], behavior[300], text[8];
    DWORD type = 0, size;
    BYTE got[16];
    LSTATUS status;

    clear_policies();
    RegDeleteTreeW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\13.0");
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\13.0");
    set_policy_value(USER_POLICY, L"15.0", L"AnAdministratorsValue", REG_BINARY, administrators,
                     sizeof(administrators));
    shutdown_key_path(MACHINE_PREFERENCE, L"14.0", path, ARRAY_SIZE(path));
    _snwprintf(behavior, ARRAY_SIZE(behavior), L"%ls\\%ls", path, MAPISHUT_BEHAVIOR_SUBKEY);
    status = RegSetKeyValueW(HKEY_LOCAL_MACHINE, behavior, L"emsmdb", REG_SZ, L"1", sizeof(L"1"));
    ok(status == ERROR_SUCCESS, "writing ProviderBehavior: %ld\n", status);
    if (!save_test_registry(&saved))
        return;

    clear_policies();
    set_behavior(MACHINE_POLICY, L"16.0", 1);
    set_behavior(MACHINE_POLICY, L"13.0", 1);
    restore_test_registry(&saved);

    shutdown_key_path(USER_POLICY, L"15.0", path, ARRAY_SIZE(path));
    size = sizeof(got);
    status = RegGetValueW(HKEY_CURRENT_USER, path, L"AnAdministratorsValue", RRF_RT_ANY, &type, got, &size);
    ok(status == ERROR_SUCCESS && type == REG_BINARY && size == sizeof(administrators) &&
       !memcmp(got, administrators, size), "the user policy's value: status %ld, type %lu, %lu bytes, "
       "expected REG_BINARY, %u bytes as they were\n", status, type, size, (unsigned)sizeof(administrators));
    size = sizeof(text);
    status = RegGetValueW(HKEY_LOCAL_MACHINE, behavior, L"emsmdb", RRF_RT_ANY, &type, text, &size);
    ok(status == ERROR_SUCCESS && type == REG_SZ && size == sizeof(L"1") && !wcscmp(text, L"1"),
       "ProviderBehavior's value: status %ld, type %lu, %lu bytes, expected REG_SZ \"1\"\n", status, type, size);
    shutdown_key_path(MACHINE_POLICY, L"16.0", path, ARRAY_SIZE(path));
    ok(!key_exists(HKEY_LOCAL_MACHINE, path), "the machine policy written after saving is still there\n");
    ok(!key_exists(HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\13.0"),
       "the keys made for the 13.0 policy are still there\n");
    clear_policies();
}

static void test_unreadable_value(void)
{
    static const WCHAR path[] = L"Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown";
    SECURITY_DESCRIPTOR sd;
    ACL acl;
    LSTATUS status;
    HKEY key;

    clear_policies();
    set_behavior(MACHINE_POLICY, L"16.0", 2);
    set_behavior(USER_POLICY, L"16.0", 1);
    InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    InitializeAcl(&acl, sizeof(acl), ACL_REVISION);
    SetSecurityDescriptorDacl(&sd, TRUE, &acl, FALSE);
    status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, WRITE_DAC, &key);
    ok(status == ERROR_SUCCESS, "RegOpenKeyEx(WRITE_DAC): %ld\n", status);
    if (status != ERROR_SUCCESS)
        return;
    status = RegSetKeySecurity(key, DACL_SECURITY_INFORMATION, &sd);
    ok(status == ERROR_SUCCESS, "RegSetKeySecurity: %ld\n", status);
    RegCloseKey(key);

    debug_output_start();
    check_option(1, "an unreadable machine policy");
    ok(strstr(debug_output_text(), "could not be read") != NULL,
       "no diagnostic for the unreadable value; got \"%s\"\n", debug_output_text());
    debug_output_stop();
    clear_policies();
}

START_TEST(policy)
{
    IMAPIShutdownHost *host;
    ULONG cookie_willing = 0, cookie_plain = 0;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!save_registry_and_register()) {
        CoUninitialize();
        return;
    }
    client = create_client_shutdown();
    host = create_shutdown_host();
    willing = make_provider(L"willing", 0, NULL, NULL);
    plain = make_provider(L"plain", TESTPROV_NO_INTERFACE, NULL, NULL);
    if (client && host && willing && plain) {
        ok(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, willing, &cookie_willing) == S_OK,
           "RegisterProvider(willing) failed\n");
        ok(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_AB_PROVIDER, plain, &cookie_plain) == S_OK,
           "RegisterProvider(plain) failed\n");

        test_default_is_0();
        test_each_place_alone();
        test_precedence();
        test_newest_version_first();
        test_changes_apply_without_restart();
        test_malformed_values_are_skipped();
        test_ignored_values_are_reported();
        test_other_value_names_are_not_read();
        test_unreadable_value();
        test_saved_registry_puts_back_what_was_there();

        IMAPIShutdownHost_UnregisterProvider(host, cookie_willing);
        IMAPIShutdownHost_UnregisterProvider(host, cookie_plain);
    }
    clear_policies();
    if (willing)
        IUnknown_Release(willing);
    if (plain)
        IUnknown_Release(plain);
    if (host)
        IMAPIShutdownHost_Release(host);
    if (client)
        IMAPIClientShutdown_Release(client);
    unregister_and_restore_registry();
    CoUninitialize();
}
