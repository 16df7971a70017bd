/* The real clients' sequences, through a MAPI session that aggregates the
 * subsystem, with providers loaded from a registry profile by their entry
 * points (mapi_session.h):
 *   MFCMAPI's "fast shutdown" command: QueryInterface on the session;
 *     QueryFastShutdown; NotifyProcessShutdown always, even after a refused
 *     query; DoFastShutdown only if the query succeeded; Release; no logoff.
 *   Microsoft's LeakMAPI sample: QueryFastShutdown; DoFastShutdown only if it
 *     succeeded, without NotifyProcessShutdown; Release; then the session's
 *     own release.
 * Each under FastShutdownBehavior 0, 1 and 2, in a client process that ends
 * with TerminateProcess; the bytes are counted on disk once it is gone. A
 * client whose fast shutdown was refused releases its session first, which
 * logs off: the providers save in their Shutdown instead. */
#define COBJMACROS
#define CONST_VTABLE
#include "mapi_session.h"
#include "profile_writer.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XP1 "a1000000000000000000000000000001"
#define AB1 "b1000000000000000000000000000001"
#define MS1 "c1000000000000000000000000000001"
#define MS_MISSING  "c2000000000000000000000000000002"
#define MS_NO_ENTRY "c3000000000000000000000000000003"
#define MS_FAILS    "c4000000000000000000000000000004"

static WCHAR log_file[MAX_PATH], data_folder[MAX_PATH];

static const char *const provider_names[] = { "xp", "ab", "ms" };

enum sequence { MFCMAPI, LEAKMAPI };

/* --- the client process --------------------------------------------------------- */

/* MFCMAPI's CMainDlg::OnFastShutdown, on the session. */
static BOOL run_mfcmapi(IUnknown *session, DWORD policy)
{
    IMAPIClientShutdown *client = NULL;
    HRESULT hr, notify, do_fast = E_FAIL;

    hr = IUnknown_QueryInterface(session, &IID_IMAPIClientShutdown, (void **)&client);
    ok(hr == S_OK, "QueryInterface(IMAPIClientShutdown) on the session: %#lx\n", hr);
    if (!client)
        return FALSE;
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    notify = IMAPIClientShutdown_NotifyProcessShutdown(client);
    if (SUCCEEDED(hr))
        do_fast = IMAPIClientShutdown_DoFastShutdown(client);
    IMAPIClientShutdown_Release(client);

    if (policy == 2) {
        ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
        ok(notify == MAPI_E_NO_SUPPORT, "NotifyProcessShutdown after a refusal: %#lx, expected MAPI_E_NO_SUPPORT\n",
           notify);
        return FALSE;
    }
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(notify == S_OK, "NotifyProcessShutdown: %#lx\n", notify);
    ok(do_fast == S_OK, "DoFastShutdown: %#lx\n", do_fast);
    return SUCCEEDED(do_fast);
}

/* LeakMAPI's DoFastShutdown(), on the session. */
static BOOL run_leakmapi(IUnknown *session, DWORD policy)
{
    IMAPIClientShutdown *client = NULL;
    HRESULT hr, do_fast = E_FAIL;

    hr = IUnknown_QueryInterface(session, &IID_IMAPIClientShutdown, (void **)&client);
    ok(hr == S_OK, "QueryInterface(IMAPIClientShutdown) on the session: %#lx\n", hr);
    if (!client)
        return FALSE;
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    if (SUCCEEDED(hr))
        do_fast = IMAPIClientShutdown_DoFastShutdown(client);
    IMAPIClientShutdown_Release(client);

    if (policy == 2) {
        ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
        return FALSE;
    }
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(do_fast == S_OK, "DoFastShutdown without NotifyProcessShutdown: %#lx\n", do_fast);
    /* The calls after it: the client still has its session to release. */
    return SUCCEEDED(do_fast);
}

static void client(enum sequence sequence, DWORD policy, const WCHAR *profile, unsigned expected_loaded)
{
    IUnknown *session;
    struct test_session *state;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    session = test_session_logon(profile);
    if (!session)
        return;
    state = test_session_from_IUnknown(session);
    ok(state->loaded == expected_loaded, "%u providers loaded, expected %u\n", state->loaded, expected_loaded);
    if (sequence == MFCMAPI)
        run_mfcmapi(session, policy);
    else
        run_leakmapi(session, policy);
    /* Fast or not, the client lets its session go and exits at once: after a
     * fast shutdown that release touches no provider; after a refusal it is
     * the logoff that saves. */
    IUnknown_Release(session);
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

/* --- the parent: profiles, expectations, the disk --------------------------------- */

static void write_profiles(void)
{
    delete_all_profiles();
    provider_section(PROFILES_16, L"Clients", XP1, MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Transport");
    provider_section(PROFILES_16, L"Clients", AB1, MAPI_AB_PROVIDER, L"TESTAB.DLL", L"Contacts");
    provider_section(PROFILES_16, L"Clients", MS1, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Mailbox");

    /* Providers a loader cannot have: a missing DLL, a DLL without the entry
     * point (KERNEL.DLL is loaded as kernel32.dll), an entry point that fails. */
    provider_section(PROFILES_16, L"Damaged", XP1, MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Transport");
    provider_section(PROFILES_16, L"Damaged", MS_MISSING, MAPI_STORE_PROVIDER, L"MISSING.DLL", L"Gone");
    provider_section(PROFILES_16, L"Damaged", MS_NO_ENTRY, MAPI_STORE_PROVIDER, L"KERNEL.DLL", L"Not a provider");
    provider_section(PROFILES_16, L"Damaged", MS_FAILS, MAPI_STORE_PROVIDER, L"TESTBAD.DLL", L"Wrong version");
}

static void data_file(const char *name, WCHAR *path)
{
    _snwprintf(path, MAX_PATH, L"%ls\\%hs.dat", data_folder, name);
}

static void remove_data(void)
{
    WCHAR path[MAX_PATH];

    DeleteFileW(log_file);
    for (unsigned i = 0; i < ARRAY_SIZE(provider_names); i++) {
        data_file(provider_names[i], path);
        DeleteFileW(path);
    }
}

static void check_run(const char *told_expected, const BOOL saved[3])
{
    char text[4096];
    LONGLONG lost = 0;

    if (read_text_file(log_file, text, sizeof(text)) < 0)
        text[0] = 0;
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = c[1] ? ' ' : 0;
    ok(!strcmp(text, told_expected), "providers logged\n  \"%s\"\nexpected\n  \"%s\"\n", text, told_expected);
    for (unsigned i = 0; i < ARRAY_SIZE(provider_names); i++) {
        WCHAR path[MAX_PATH];
        LONGLONG size;

        data_file(provider_names[i], path);
        size = file_size(path);
        if (saved[i])
            lost += TESTPROV_DATA_SIZE - (size < 0 ? 0 : size);
        ok((size == TESTPROV_DATA_SIZE) == saved[i], "%s has %I64d bytes on disk, expected %s\n",
           provider_names[i], size, saved[i] ? "all of them" : "none");
    }
    ok(lost == 0, "%I64d bytes lost\n", lost);
}

static void test_sequence(enum sequence sequence, DWORD policy)
{
    static const BOOL all[3] = { TRUE, TRUE, TRUE };
    /* Fast: asked, told both in order, saved; the session's release after it
     * touches nobody. Refused: nobody asked or told; the logoff saves. */
    static const char fast[] = "xp.init ab.init ms.init xp.Q ab.Q ms.Q xp.N ab.N ms.N "
                               "xp.D xp.saved ab.D ab.saved ms.D ms.saved";
    static const char refused[] = "xp.init ab.init ms.init xp.shutdown xp.saved-on-shutdown xp.freed "
                                  "ab.shutdown ab.saved-on-shutdown ab.freed "
                                  "ms.shutdown ms.saved-on-shutdown ms.freed";
    char args[64];

    winetest_push_context("%s, FastShutdownBehavior %lu", sequence == MFCMAPI ? "MFCMAPI" : "LeakMAPI", policy);
    clear_policies();
    set_behavior(MACHINE_POLICY, L"16.0", policy);
    remove_data();
    snprintf(args, sizeof(args), "%s %lu", sequence == MFCMAPI ? "mfcmapi" : "leakmapi", policy);
    run_child(args);
    check_run(policy == 2 ? refused : fast, all);
    remove_data();
    winetest_pop_context();
}

/* The loader skips what it cannot load, and the subsystem is told about the
 * others only. */
static void test_damaged_profile(void)
{
    static const BOOL xp_only[3] = { TRUE, FALSE, FALSE };

    winetest_push_context("damaged profile");
    clear_policies();
    remove_data();
    run_child("damaged 0");
    check_run("xp.init xp.Q xp.N xp.D xp.saved", xp_only);
    remove_data();
    winetest_pop_context();
}

START_TEST(clients)
{
    static const WCHAR *const copies[] = { L"testxp32.dll", L"testab32.dll", L"testms32.dll", L"testbad32.dll" };
    int argc;
    char **args = child_args(&argc);
    WCHAR path[MAX_PATH];

    test_file_path(L"clients.log", log_file, ARRAY_SIZE(log_file));
    test_file_path(L"", data_folder, ARRAY_SIZE(data_folder));
    data_folder[wcslen(data_folder) - 1] = 0; /* no trailing backslash */
    if (args) {
        ok(argc == 2, "a client takes 2 arguments, got %d\n", argc);
        if (argc != 2)
            return;
        if (!strcmp(args[0], "damaged"))
            client(MFCMAPI, 0, L"Damaged", 1);
        else
            client(strcmp(args[0], "mfcmapi") ? LEAKMAPI : MFCMAPI, strtoul(args[1], NULL, 10), L"Clients", 3);
        return;
    }

    if (!save_registry_and_register())
        return;
    /* The provider DLLs, under the names MAPI's rule gives the profile's. */
    for (unsigned i = 0; i < ARRAY_SIZE(copies); i++)
        testdll_path(L"testprov.dll", copies[i], path, ARRAY_SIZE(path));
    SetEnvironmentVariableW(L"TESTPROV_LOG", log_file);
    SetEnvironmentVariableW(L"TESTPROV_DATA", data_folder);
    SetEnvironmentVariableW(L"TESTPROV_FAIL_INIT", L"testbad32.dll");
    write_profiles();

    for (DWORD policy = 0; policy <= 2; policy++) {
        test_sequence(MFCMAPI, policy);
        test_sequence(LEAKMAPI, policy);
    }
    test_damaged_profile();

    delete_all_profiles();
    clear_policies();
    unregister_and_restore_registry();
}
