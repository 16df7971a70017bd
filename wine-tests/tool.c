/* mapishut.exe, run as an administrator would: its output and exit codes. */
#define COBJMACROS
#include "profile_writer.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

static char output[16384];

/* Runs "<exe> <args>" (args in UTF-8) with stderr in a file, and stdout
 * there too or in `out`; returns the exit code and leaves the file's text in
 * `output`. */
static DWORD run_tool_from(const WCHAR *exe, const char *args, HANDLE out)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    STARTUPINFOW startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    WCHAR out_path[MAX_PATH], command[4096], wide_args[2048];
    DWORD code = (DWORD)-1;
    HANDLE file;

    test_file_path(L"tool-output.txt", out_path, ARRAY_SIZE(out_path));
    file = CreateFileW(out_path, GENERIC_WRITE, FILE_SHARE_READ, &inherit, CREATE_ALWAYS, 0, NULL);
    if (!MultiByteToWideChar(CP_UTF8, 0, args, -1, wide_args, ARRAY_SIZE(wide_args)))
        wide_args[0] = 0;
    _snwprintf(command, ARRAY_SIZE(command), L"\"%ls\" %ls", exe, wide_args);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = out ? out : file;
    startup.hStdError = file;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    if (CreateProcessW(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process)) {
        if (WaitForSingleObject(process.hProcess, 60000) == WAIT_OBJECT_0)
            GetExitCodeProcess(process.hProcess, &code);
        CloseHandle(process.hProcess);
        CloseHandle(process.hThread);
    }
    CloseHandle(file);
    if (read_text_file(out_path, output, sizeof(output)) < 0)
        output[0] = 0;
    DeleteFileW(out_path);
    /* Text-mode output ends its lines with CR LF: compare without the CR. */
    for (char *from = output, *to = output;; from++) {
        if (*from != '\r')
            *to++ = *from;
        if (!*from)
            break;
    }
    return code;
}

/* mapishut.exe beside the tests when it was built there, else on the path. */
static DWORD run_tool(const char *args)
{
    WCHAR exe[MAX_PATH];

    test_file_path(L"mapishut.exe", exe, ARRAY_SIZE(exe));
    if (GetFileAttributesW(exe) == INVALID_FILE_ATTRIBUTES)
        lstrcpyW(exe, L"mapishut.exe");
    return run_tool_from(exe, args, NULL);
}

#define expect_output(text) \
    ok(strstr(output, text) != NULL, "expected \"%s\" in:\n%s\n", text, output)

static void test_help_and_usage_errors(void)
{
    DWORD code = run_tool("/?");

    ok(code == 0, "/?: exit code %lu\n", code);
    expect_output("mapishut policy [--json]");
    expect_output("Exit codes: 0 done");
    code = run_tool("");
    ok(code == 2, "no command: exit code %lu, expected 2\n", code);
    code = run_tool("frobnicate");
    ok(code == 2, "unknown command: exit code %lu, expected 2\n", code);
    expect_output("unknown command or option for it: frobnicate");
    code = run_tool("policy /bogus");
    ok(code == 2, "unknown option: exit code %lu, expected 2\n", code);
    code = run_tool("profile a\\b");
    ok(code == 2, "a profile name with a backslash: exit code %lu, expected 2\n", code);
}

/* Errors name what the administrator typed, in UTF-8 as stdout is. */
static void test_errors_are_utf8(void)
{
    DWORD code = run_tool("profile \"Gr\xc3\xb6\xc3\x9f" "e \xce\xa9\"");

    ok(code == 1, "an unknown profile: exit code %lu, expected 1\n", code);
    expect_output("no profile named \"Gr\xc3\xb6\xc3\x9f" "e \xce\xa9\"");
    code = run_tool("policy /\xc3\xa9t\xc3\xa9");
    ok(code == 2, "an unknown option: exit code %lu, expected 2\n", code);
    expect_output("unexpected argument: /\xc3\xa9t\xc3\xa9");
}

static void test_policy(void)
{
    DWORD code;

    clear_policies();
    code = run_tool("policy");
    ok(code == 0, "policy: exit code %lu\n", code);
    expect_output("FastShutdownBehavior = 0: fast shutdown unless a provider opts out");
    expect_output("decided by: the default (no valid value is set)");
    expect_output("ignored: none");
    expect_output("ProviderTimeoutMs = 0: no deadline");
    expect_output("ConcurrentProviders = 0: one provider after the other, as by Microsoft's subsystem");

    set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &(DWORD){ 2 }, 4);
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &(DWORD){ 1 }, 4);
    code = run_tool("policy");
    ok(code == 0, "policy: exit code %lu\n", code);
    expect_output("ConcurrentProviders = 1: the providers of one type are called at once, each on its own thread\n"
                  "decided by: the user policy, HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown\n"
                  "ignored:\n"
                  "  HKLM\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown: is out of range (2)");
    code = run_tool("policy --json");
    ok(code == 0, "policy --json: exit code %lu\n", code);
    expect_output(",\"concurrent_providers\":{\"value\":1,");
    clear_policies();

    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &(DWORD){ 1500 }, 4);
    code = run_tool("policy");
    ok(code == 0, "policy: exit code %lu\n", code);
    expect_output("ProviderTimeoutMs = 1500: each provider call has 1500 ms, then the provider is abandoned\n"
                  "decided by: the user policy, HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown");
    clear_policies();

    set_policy_value(MACHINE_POLICY, L"15.0", MAPISHUT_POLICY_VALUE, REG_SZ, L"2", sizeof(L"2"));
    set_behavior(USER_POLICY, L"14.0", 9);
    set_behavior(USER_PREFERENCE, L"16.0", 1);
    set_behavior(MACHINE_PREFERENCE, L"16.0", 2);
    code = run_tool("policy");
    ok(code == 0, "policy: exit code %lu\n", code);
    expect_output("FastShutdownBehavior = 1: fast shutdown only if every provider opts in");
    expect_output("decided by: the user preference, HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown");
    expect_output("HKLM\\Software\\Policies\\Microsoft\\Office\\15.0\\Outlook\\Options\\Shutdown: is not a REG_DWORD (registry type 1, 4 bytes)");
    expect_output("HKCU\\Software\\Policies\\Microsoft\\Office\\14.0\\Outlook\\Options\\Shutdown: is out of range (9)");
    ok(!strstr(output, "HKLM\\Software\\Microsoft"), "the machine preference, never examined, is listed:\n%s\n", output);

    code = run_tool("policy --json");
    ok(code == 0, "policy --json: exit code %lu\n", code);
    expect_output("{\"value\":1,\"meaning\":\"fast shutdown only if every provider opts in\"");
    expect_output("\"decided_by\":{\"place\":\"user preference\",\"key\":\"HKCU\\\\Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Options\\\\Shutdown\",\"version\":\"16.0\"}");
    expect_output("{\"place\":\"machine policy\"");
    expect_output("\"reason\":\"is not a REG_DWORD\",\"registry_type\":1,\"size\":4");
    expect_output(",\"provider_timeout_ms\":{\"value\":0,");
    clear_policies();
}

static void write_tool_profile(void)
{
    static const char *const services[] = { "d1000000000000000000000000000001" };
    static const char *const xp[] = { "a1000000000000000000000000000001" };
    static const char *const stores[] = { "c1000000000000000000000000000001" };
    static const char *const abs[] = { "b1000000000000000000000000000001" };

    delete_all_profiles();
    section_uids(PROFILES_16, L"Tool", SERVICES_SECTION, "01023d0e", services, 1);
    section_uids(PROFILES_16, L"Tool", services[0], "01023d00", stores, 1);
    section_uids(PROFILES_16, L"Tool", services[0], "01023d01", abs, 1);
    section_uids(PROFILES_16, L"Tool", services[0], "01023d02", xp, 1);
    provider_section(PROFILES_16, L"Tool", stores[0], MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Mailbox");
    provider_section(PROFILES_16, L"Tool", abs[0], MAPI_AB_PROVIDER, L"TESTAB.DLL", L"Adressbuch \x00e4\x00f6\x00fc");
    provider_section(PROFILES_16, L"Tool", xp[0], MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Mail \"quoted\"");
    provider_section(PROFILES_16, L"Tool", "c2000000000000000000000000000002", MAPI_STORE_PROVIDER,
                     L"..\\escape.dll", L"Escape");
    /* A display name that would drive the administrator's terminal. */
    provider_section(PROFILES_16, L"Tool", "c3000000000000000000000000000003", MAPI_STORE_PROVIDER,
                     L"TESTMS.DLL", L"Evil\x1b]0;owned\x07\x9b" L"2J");
    set_default_profile(PROFILES_16, L"Tool");
}

static void test_profile(void)
{
    const char *xp, *ab, *ms;
    DWORD code;

    write_tool_profile();
    code = run_tool("profile Tool");
    ok(code == 0, "profile Tool: exit code %lu\n", code);
    expect_output("profile Tool: HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Tool");
    expect_output("4 providers in shutdown order:");
    xp = strstr(output, " 1. transport     TESTXP32.DLL");
    ab = strstr(output, " 2. address book  TESTAB32.DLL");
    ms = strstr(output, " 3. store         TESTMS32.DLL");
    ok(!strchr(output, 0x1b) && !strchr(output, 0x07) && !strstr(output, "\xc2\x9b"),
       "a control character reached the terminal:\n%s\n", output);
    expect_output("Evil?]0;owned??2J");
    ok(xp && ab && ms && xp < ab && ab < ms, "providers not listed in shutdown order:\n%s\n", output);
    expect_output("not loaded");
    expect_output("Adressbuch \xc3\xa4\xc3\xb6\xc3\xbc");   /* UTF-8 */
    expect_output("section a1000000000000000000000000000001");
    expect_output("skipped:\n  section c2000000000000000000000000000002: PR_PROVIDER_DLL_NAME is a path or not a file name");

    code = run_tool("profile");
    ok(code == 0, "profile (default): exit code %lu\n", code);
    expect_output("profile Tool:");

    code = run_tool("profile Tool --json");
    ok(code == 0, "profile --json: exit code %lu\n", code);
    expect_output("{\"profile\":\"Tool\",\"key\":\"HKCU\\\\Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Profiles\\\\Tool\"");
    expect_output("{\"order\":1,\"type\":\"transport\",\"resource_type\":36,\"dll\":\"TESTXP32.DLL\",\"stored_dll_name\":\"TESTXP.DLL\",\"display_name\":\"Mail \\\"quoted\\\"\"");
    expect_output("\"service\":null,\"loaded\":false,\"listed\":true}");
    expect_output("\"display_name\":\"Evil\\u001b]0;owned\\u0007\xc2\x9b" "2J\"");
    expect_output("\"skipped\":[{\"section\":\"c2000000000000000000000000000002\",\"problem\":\"PR_PROVIDER_DLL_NAME is a path or not a file name\"}]");

    code = run_tool("profile Nobody");
    ok(code == 1, "an unknown profile: exit code %lu, expected 1\n", code);
    expect_output("no profile named \"Nobody\"");
    delete_all_profiles();
    code = run_tool("profile");
    ok(code == 1, "no default profile: exit code %lu, expected 1\n", code);
    expect_output("no default profile");
}

static void test_register(void)
{
    static const WCHAR clsid_key[] = MAPISHUT_CLSID_KEY;
    DWORD code;
    HKEY key;

    code = run_tool("register /user");
    ok(code == 0, "register /user: exit code %lu\n%s\n", code, output);
    expect_output("for the current user (HKCU\\Software\\Classes)");
    ok(RegOpenKeyExW(HKEY_CURRENT_USER, clsid_key, 0, KEY_READ, &key) == ERROR_SUCCESS, "no HKCU CLSID key\n");
    RegCloseKey(key);
    code = run_tool("unregister -user");
    ok(code == 0, "unregister -user: exit code %lu\n", code);
    ok(RegOpenKeyExW(HKEY_CURRENT_USER, clsid_key, 0, KEY_READ, &key) != ERROR_SUCCESS, "HKCU CLSID key left\n");

    code = run_tool("register");
    ok(code == 0, "register: exit code %lu\n", code);
    expect_output("for every user of this machine (HKLM\\Software\\Classes)");
    ok(RegOpenKeyExW(HKEY_LOCAL_MACHINE, clsid_key, 0, KEY_READ, &key) == ERROR_SUCCESS, "no HKLM CLSID key\n");
    RegCloseKey(key);
    code = run_tool("unregister");
    ok(code == 0, "unregister: exit code %lu\n", code);
    ok(RegOpenKeyExW(HKEY_LOCAL_MACHINE, clsid_key, 0, KEY_READ, &key) != ERROR_SUCCESS, "HKLM CLSID key left\n");
    code = run_tool("register --json");
    ok(code == 2, "register --json: exit code %lu, expected 2\n", code);
}

/* Output that cannot be written (a pipe nobody reads any more) is a failure,
 * not an answer. */
static void test_unwritable_output(void)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    WCHAR exe[MAX_PATH];
    HANDLE reader, writer;
    DWORD code;

    test_file_path(L"mapishut.exe", exe, ARRAY_SIZE(exe));
    if (GetFileAttributesW(exe) == INVALID_FILE_ATTRIBUTES)
        lstrcpyW(exe, L"mapishut.exe");
    ok(CreatePipe(&reader, &writer, &inherit, 0), "CreatePipe: %lu\n", GetLastError());
    CloseHandle(reader);
    code = run_tool_from(exe, "policy", writer);
    CloseHandle(writer);
    ok(code == 1, "policy into a closed pipe: exit code %lu, expected 1\n", code);
    expect_output("mapishut: writing the output failed");
}

/* From a folder whose path is longer than MAX_PATH, register loads the DLL
 * beside it, not one of a folder its path cut short would name. */
static void test_long_path(void)
{
    WCHAR folder[1024], exe[1100], dll[1100], source[MAX_PATH];
    size_t length;
    DWORD code;

    lstrcpyW(folder, L"\\\\?\\");
    test_file_path(L"", folder + 4, ARRAY_SIZE(folder) - 4);
    length = wcslen(folder);
    folder[length - 1] = 0; /* no trailing backslash */
    for (int level = 0; level < 12; level++) {
        wcscat(folder, L"\\a-folder-with-a-rather-long-name");
        CreateDirectoryW(folder, NULL);
    }
    ok(wcslen(folder) > MAX_PATH + 4, "the folder's path is only %u characters\n", (unsigned)wcslen(folder));
    _snwprintf(exe, ARRAY_SIZE(exe), L"%ls\\mapishut.exe", folder);
    _snwprintf(dll, ARRAY_SIZE(dll), L"%ls\\mapishut.dll", folder);
    test_file_path(L"mapishut.exe", source, ARRAY_SIZE(source));
    if (!CopyFileW(source, exe, FALSE)) {
        skip("mapishut.exe not beside the tests: the long path is not tested\n");
        return;
    }
    mapishut_dll_path(source, ARRAY_SIZE(source));
    ok(CopyFileW(source, dll, FALSE), "copying mapishut.dll: %lu\n", GetLastError());

    code = run_tool_from(exe, "register /user", NULL);
    if (code == (DWORD)-1) {
        skip("a program cannot be started from a path longer than MAX_PATH here (Wine 8 refuses)\n");
    } else {
        ok(code == 0, "register /user from a long path: exit code %lu\n%s\n", code, output);
        ok(strstr(output, "a-folder-with-a-rather-long-name\\mapishut.dll") != NULL,
           "registered something else:\n%s\n", output);
        code = run_tool_from(exe, "unregister /user", NULL);
        ok(code == 0, "unregister /user from a long path: exit code %lu\n", code);
    }
    DeleteFileW(exe);
    DeleteFileW(dll);
    for (int level = 0; level < 12; level++) {
        RemoveDirectoryW(folder);
        *wcsrchr(folder, L'\\') = 0;
    }
}

START_TEST(tool)
{
    if (!save_test_registry(&test_registry))
        return;
    test_help_and_usage_errors();
    test_errors_are_utf8();
    test_policy();
    test_profile();
    test_register();
    test_unwritable_output();
    test_long_path();
    /* The prefix as it was: registered again if it was, and so on. */
    restore_test_registry(&test_registry);
}
