/* ConcurrentProviders under Wine: with it, the providers of one type are
 * called at once, each on its own thread, and the types still one after the
 * other; without it, one after the other. Providers log when each call
 * begins and ends (TESTPROV_TIMED: each takes 100 ms), and the test reads
 * what overlapped. Each case is a child process: a subsystem serves one exit. */
#define COBJMACROS
#include "debug_output.h"
#include "exit_records.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static WCHAR log_file[MAX_PATH];

enum { XP1, XP2, AB, MS1, MS2, MS3, PROVIDERS };

static const struct {
    const WCHAR *name;
    ULONG type;
} providers[PROVIDERS] = {
    { L"xp1", MAPI_TRANSPORT_PROVIDER }, { L"xp2", MAPI_TRANSPORT_PROVIDER },
    { L"ab", MAPI_AB_PROVIDER },
    { L"ms1", MAPI_STORE_PROVIDER }, { L"ms2", MAPI_STORE_PROVIDER }, { L"ms3", MAPI_STORE_PROVIDER },
};

struct span { ULONGLONG begin, end; };

/* Each provider's call of one kind ('Q', 'N', 'D'), from the log: FALSE if
 * one of them is missing. */
static BOOL read_spans(char call, struct span spans[PROVIDERS])
{
    static char text[16384];
    char *line, *next;

    memset(spans, 0, PROVIDERS * sizeof(*spans));
    if (read_text_file(log_file, text, sizeof(text)) < 0)
        return FALSE;
    for (line = text; *line; line = next) {
        char name[8];

        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        for (int p = 0; p < PROVIDERS; p++) {
            int length = snprintf(name, sizeof(name), "%ls.", providers[p].name);

            if (strncmp(line, name, length) || line[length] != call)
                continue;
            if (line[length + 1] == '>')
                spans[p].begin = strtoull(line + length + 2, NULL, 10);
            else if (line[length + 1] == '<')
                spans[p].end = strtoull(line + length + 2, NULL, 10);
        }
    }
    for (int p = 0; p < PROVIDERS; p++)
        if (!spans[p].begin || !spans[p].end)
            return FALSE;
    return TRUE;
}

/* Were the calls of providers first..last all running at one moment? */
static BOOL all_overlap(const struct span *spans, int first, int last)
{
    ULONGLONG latest_begin = 0, earliest_end = ~0ull;

    for (int p = first; p <= last; p++) {
        if (spans[p].begin > latest_begin)
            latest_begin = spans[p].begin;
        if (spans[p].end < earliest_end)
            earliest_end = spans[p].end;
    }
    return latest_begin < earliest_end;
}

/* Did each call of providers first..last end before the next began? */
static BOOL one_after_the_other(const struct span *spans, int first, int last)
{
    for (int p = first; p < last; p++)
        if (spans[p].end > spans[p + 1].begin)
            return FALSE;
    return TRUE;
}

static ULONGLONG last_end(const struct span *spans, int first, int last)
{
    ULONGLONG end = 0;

    for (int p = first; p <= last; p++)
        if (spans[p].end > end)
            end = spans[p].end;
    return end;
}

static ULONGLONG first_begin(const struct span *spans, int first, int last)
{
    ULONGLONG begin = ~0ull;

    for (int p = first; p <= last; p++)
        if (spans[p].begin < begin)
            begin = spans[p].begin;
    return begin;
}

/* Registers the six providers, each TESTPROV_TIMED with the given extra flags,
 * saving beside the tests. */
static BOOL register_all(IMAPIShutdownHost *host, const DWORD extra[PROVIDERS], IUnknown *objects[PROVIDERS])
{
    for (int p = 0; p < PROVIDERS; p++) {
        WCHAR data[MAX_PATH], file[32];
        ULONG cookie;
        HRESULT hr;

        _snwprintf(file, ARRAY_SIZE(file), L"concurrent-%ls.dat", providers[p].name);
        test_file_path(file, data, ARRAY_SIZE(data));
        DeleteFileW(data);
        objects[p] = make_provider(providers[p].name, TESTPROV_TIMED | extra[p], log_file, data);
        if (!objects[p])
            return FALSE;
        hr = IMAPIShutdownHost_RegisterProvider(host, NULL, providers[p].type, objects[p], &cookie);
        ok(hr == S_OK, "RegisterProvider(%ls): %#lx\n", providers[p].name, hr);
    }
    return TRUE;
}

/* The whole sequence; then, for each phase, what overlapped. */
static void overlap_child(BOOL concurrent)
{
    static const DWORD plain[PROVIDERS];
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *objects[PROVIDERS];
    static const char calls[] = { 'Q', 'N', 'D' };

    if (!client || !host || !register_all(host, plain, objects))
        return;
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
    ok(IMAPIClientShutdown_DoFastShutdown(client) == S_OK, "DoFastShutdown failed\n");
    for (int p = 0; p < PROVIDERS; p++)
        ok(provider_saved(objects[p]) == 1, "%ls did not save\n", providers[p].name);

    for (unsigned c = 0; c < ARRAY_SIZE(calls); c++) {
        struct span spans[PROVIDERS];

        winetest_push_context("%c", calls[c]);
        if (!read_spans(calls[c], spans)) {
            ok(0, "the log lacks calls\n");
            winetest_pop_context();
            continue;
        }
        if (concurrent) {
            ok(all_overlap(spans, XP1, XP2), "the transports were not called at once\n");
            ok(all_overlap(spans, MS1, MS3), "the stores were not called at once\n");
        } else {
            ok(one_after_the_other(spans, XP1, XP2), "the transports overlapped\n");
            ok(one_after_the_other(spans, MS1, MS3), "the stores overlapped\n");
        }
        /* Either way, each type after the one before it. */
        ok(last_end(spans, XP1, XP2) <= spans[AB].begin, "the address book began before the transports ended\n");
        ok(spans[AB].end <= first_begin(spans, MS1, MS3), "a store began before the address book ended\n");
        winetest_pop_context();
    }
}

/* One store hangs, one crashes, one is slow: the deadline abandons the first
 * two, the others of their batch finish and are counted. */
static void faults_child(BOOL deadline)
{
    DWORD flags[PROVIDERS] = { 0 };
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *objects[PROVIDERS];
    static char json[65536];
    WCHAR records[MAX_PATH];
    DWORD start;
    HRESULT hr;

    exit_records_use_folder(deadline ? "concurrent-faults" : "concurrent-crash", records, ARRAY_SIZE(records));
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (deadline)
        flags[MS1] = TESTPROV_HANG_DO_FAST;
    flags[MS2] = TESTPROV_CRASH_DO_FAST;
    flags[MS3] = TESTPROV_SLOW_DO_FAST;
    if (!client || !host || !register_all(host, flags, objects))
        return;
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    start = GetTickCount();
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown: %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    ok(GetTickCount() - start < 5000, "DoFastShutdown took %lu ms\n", GetTickCount() - start);
    for (int p = 0; p < PROVIDERS; p++)
        if (!flags[p] || flags[p] == TESTPROV_SLOW_DO_FAST)
            ok(provider_saved(objects[p]) == 1, "%ls did not save\n", providers[p].name);
    /* DoFastShutdown made no text: its exit record tells. */
    if (!exit_records_json(records, json, sizeof(json)))
        return;
    ok(exit_calls_with(json, "DoFastShutdown", "crashed") == 1, "the crash was not recorded: %s\n", json);
    ok(exit_calls_with(json, "DoFastShutdown", "abandoned") == (deadline ? 1 : 0), "the hang was not recorded: %s\n",
       json);
    ok(exit_calls_with(json, "DoFastShutdown", "returned") == PROVIDERS - 1 - deadline,
       "not every other provider returned: %s\n", json);
}

/* Providers calling back from their threads are refused at once, as on the
 * client's own thread. */
static void reentrant_child(void)
{
    DWORD flags[PROVIDERS] = { 0, 0, 0, TESTPROV_REENTER, TESTPROV_REENTER, TESTPROV_REENTER };
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *objects[PROVIDERS];
    static char text[16384];
    int refused = 0;

    if (!client || !host || !register_all(host, flags, objects))
        return;
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    ok(IMAPIClientShutdown_DoFastShutdown(client) == S_OK, "DoFastShutdown failed\n");
    read_text_file(log_file, text, sizeof(text));
    for (const char *at = text; (at = strstr(at, ".reenter=0x80004005,0x80004005,0x80004005\n")); at++)
        refused++;
    ok(refused == 9, "%d calls back refused, expected 9 (3 stores, 3 phases):\n%s\n", refused, text);
    ok(strstr(text, ".reenter=0x0") == NULL, "a call back was let in:\n%s\n", text);
}

/* Invalid values are ignored with a diagnostic, and the search goes on. */
static void invalid_values_child(void)
{
    debug_output_start();
    overlap_child(TRUE);
    ok(strstr(debug_output_text(), "ConcurrentProviders in the machine policy (HKLM\\Software\\Policies\\Microsoft\\Office\\"
                                   "16.0\\Outlook\\Options\\Shutdown) is not a REG_DWORD") != NULL,
       "no diagnostic for the string: \"%s\"\n", debug_output_text());
    ok(strstr(debug_output_text(), "ConcurrentProviders in the user policy (HKCU\\Software\\Policies\\Microsoft\\Office\\"
                                   "16.0\\Outlook\\Options\\Shutdown) is out of range") != NULL,
       "no diagnostic for 2: \"%s\"\n", debug_output_text());
    debug_output_stop();
}

START_TEST(concurrent)
{
    static const DWORD zero = 0, one = 1, two = 2;
    int argc;
    char **args = child_args(&argc);

    test_file_path(L"concurrent.log", log_file, ARRAY_SIZE(log_file));
    if (args) {
        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        if (!strcmp(args[0], "concurrent") || !strcmp(args[0], "machine_policy_one_wins"))
            overlap_child(TRUE);
        else if (!strcmp(args[0], "sequential") || !strcmp(args[0], "machine_policy_zero_wins"))
            overlap_child(FALSE);
        else if (!strcmp(args[0], "faults_deadline"))
            faults_child(TRUE);
        else if (!strcmp(args[0], "crash_no_deadline"))
            faults_child(FALSE);
        else if (!strcmp(args[0], "reentrant"))
            reentrant_child();
        else if (!strcmp(args[0], "invalid_values"))
            invalid_values_child();
        else
            ok(0, "no case named %s\n", args[0]);
        return;
    }
    if (!save_registry_and_register())
        return;

    clear_policies();
    DeleteFileW(log_file);
    run_child("sequential");

    set_policy_value(USER_PREFERENCE, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &one, 4);
    DeleteFileW(log_file);
    run_child("concurrent");
    DeleteFileW(log_file);
    run_child("reentrant");

    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &(DWORD){ 1000 }, 4);
    DeleteFileW(log_file);
    run_child("faults_deadline");
    clear_policies();
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &one, 4);
    DeleteFileW(log_file);
    run_child("crash_no_deadline");

    /* A user cannot override a machine policy of 0; a machine policy of 1 applies. */
    set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &zero, 4);
    DeleteFileW(log_file);
    run_child("machine_policy_zero_wins");
    clear_policies();
    set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &one, 4);
    DeleteFileW(log_file);
    run_child("machine_policy_one_wins");

    clear_policies();
    set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_SZ, L"1", sizeof(L"1"));
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &two, 4);
    set_policy_value(USER_PREFERENCE, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &one, 4);
    DeleteFileW(log_file);
    run_child("invalid_values");

    clear_policies();
    DeleteFileW(log_file);
    unregister_and_restore_registry();
}
