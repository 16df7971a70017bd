/* The exit record, seen as an administrator sees it: real client processes
 * that end in each way (fast and terminated at once, refused by policy or by
 * a provider, crashed inside a provider without a deadline, killed with
 * providers registered, shut down normally, still running), then read back
 * with the real mapishut.exe, text and JSON; the Event Log told once; eight
 * clients exiting at once; record files that are not what they claim; and
 * recording that cannot be done. */
#define COBJMACROS
#include "debug_output.h"
#include "exit_records.h"
#include "iat_hook.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { XP, AB, MS, PROVIDERS };
static const WCHAR *const names[PROVIDERS] = { L"xp", L"ab", L"ms" };
static const ULONG types[PROVIDERS] = { MAPI_TRANSPORT_PROVIDER, MAPI_AB_PROVIDER, MAPI_STORE_PROVIDER };
/* Each provider in a DLL of its own name, so that the record can tell them
 * apart: testprov.dll copied as testxp32.dll and so on. */
static const WCHAR *const files[PROVIDERS] = { L"testxp32.dll", L"testab32.dll", L"testms32.dll" };

static WCHAR records[MAX_PATH];
static char json[1 << 17];

static void set_setting(const WCHAR *name, DWORD value)
{
    set_policy_value(USER_POLICY, L"16.0", name, REG_DWORD, &value, sizeof(value));
}

/* A testprov.dll provider object from one of its copies. */
static IUnknown *make_named_provider(int which, DWORD flags)
{
    HMODULE module = load_testprov_as(files[which]);
    testprov_create_fn create = module ? (testprov_create_fn)(void *)GetProcAddress(module, "testprov_create") : NULL;
    WCHAR data[MAX_PATH], file[64];
    IUnknown *provider = NULL;

    if (!create)
        return NULL;
    _snwprintf(file, ARRAY_SIZE(file), L"exits-%lu-%ls.dat", GetCurrentProcessId(), names[which]);
    test_file_path(file, data, ARRAY_SIZE(data));
    create(names[which], flags, NULL, data, &provider);
    return provider;
}

/* A client's crash handler: the process ends with the exception's code. */
static LONG WINAPI end_process(EXCEPTION_POINTERS *info)
{
    TerminateProcess(GetCurrentProcess(), info->ExceptionRecord->ExceptionCode);
    return EXCEPTION_CONTINUE_SEARCH;
}

/* --- the clients -------------------------------------------------------------------- */

static void client_child(const char *how)
{
    DWORD flags[PROVIDERS] = { 0 };
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *providers[PROVIDERS];
    ULONG cookies[PROVIDERS];
    HANDLE event;

    SetUnhandledExceptionFilter(end_process);
    if (!strcmp(how, "refused_by_provider"))
        flags[AB] = TESTPROV_OPT_OUT;
    if (!strcmp(how, "crash"))
        flags[MS] = TESTPROV_CRASH_DO_FAST;
    if (!strcmp(how, "slow"))
        flags[AB] = TESTPROV_SLOW_DO_FAST;
    if (!strcmp(how, "abandoned"))
        flags[AB] = TESTPROV_HANG_DO_FAST;
    if (!strcmp(how, "crash_contained"))
        flags[XP] = TESTPROV_CRASH_DO_FAST;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    for (int i = 0; i < PROVIDERS; i++) {
        providers[i] = make_named_provider(i, flags[i]);
        IMAPIShutdownHost_RegisterProvider(host, NULL, types[i], providers[i], &cookies[i]);
    }
    /* More stores than the record has room to name. */
    for (int i = 0; !strcmp(how, "many") && i < FACT_EXIT_ROOM_PROVIDERS + 3; i++) {
        ULONG cookie;

        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, make_named_provider(MS, 0), &cookie);
    }
    if (!strcmp(how, "normal")) {
        for (int i = 0; i < PROVIDERS; i++)
            IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
        ExitProcess(0);
    }
    if (IMAPIClientShutdown_QueryFastShutdown(client) != S_OK) {
        if (!strcmp(how, "refused_by_policy")) {
            /* A client that refused fast shutdown shuts down normally. */
            for (int i = 0; i < PROVIDERS; i++)
                IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
        }
        TerminateProcess(GetCurrentProcess(), 2);
    }
    if (!strcmp(how, "killed") || !strcmp(how, "running")) {
        /* Tell the test, which ends this process (or looks at it alive). */
        event = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"mapishut-exits-ready");
        SetEvent(event);
        Sleep(INFINITE);
    }
    IMAPIClientShutdown_NotifyProcessShutdown(client);
    IMAPIClientShutdown_DoFastShutdown(client);
    /* As a fast client does: gone at once. */
    TerminateProcess(GetCurrentProcess(), 0);
}

/* Starts "<exe> exits client HOW"; the process handle, or NULL. */
static HANDLE start_client(const char *how)
{
    PROCESS_INFORMATION process;
    char **argv, command[MAX_PATH + 64];

    winetest_get_mainargs(&argv);
    snprintf(command, sizeof(command), "\"%s\" %s client %s", argv[0], argv[1], how);
    if (!start_process(command, &process)) {
        ok(0, "CreateProcess(%s): %lu\n", command, GetLastError());
        return NULL;
    }
    CloseHandle(process.hThread);
    return process.hProcess;
}

static void run_client(const char *how)
{
    HANDLE process = start_client(how);

    if (!process)
        return;
    ok(WaitForSingleObject(process, 30000) == WAIT_OBJECT_0, "the %s client did not end\n", how);
    CloseHandle(process);
}

/* A client stopped by the test once it is ready: killed, or looked at. */
static HANDLE start_waiting_client(const char *how)
{
    HANDLE ready = CreateEventW(NULL, TRUE, FALSE, L"mapishut-exits-ready"), process;

    /* A client still waiting holds the event, set. */
    ResetEvent(ready);
    process = start_client(how);
    ok(process && WaitForSingleObject(ready, 30000) == WAIT_OBJECT_0, "the %s client never got ready\n", how);
    CloseHandle(ready);
    return process;
}

/* Kills a client the test started, and lets it go. */
static void end_client(HANDLE process)
{
    if (!process)
        return;
    TerminateProcess(process, 9);
    WaitForSingleObject(process, 10000);
    CloseHandle(process);
}

static void kill_waiting_client(void)
{
    end_client(start_waiting_client("killed"));
}

/* A fresh folder, a client, and the one record it left, as JSON. */
static BOOL one_exit(const char *how, const char *folder)
{
    exit_records_use_folder(folder, records, ARRAY_SIZE(records));
    run_client(how);
    if (!exit_records_json(records, json, sizeof(json)))
        return FALSE;
    ok(strstr(json, "\"unreadable\":[]") != NULL, "%s: a record could not be read: %s\n", how, json);
    return TRUE;
}

#define expect_json(text) ok(strstr(json, text) != NULL, "expected %s in %s\n", text, json)

/* --- verdicts ----------------------------------------------------------------------- */

static void test_fast_exit_terminated_at_once(void)
{
    if (!one_exit("fast", "exits-fast"))
        return;
    expect_json("\"verdict\":\"fast\",\"reason\":\"DoFastShutdown returned 0x00000000\"");
    expect_json("{\"name\":\"testms32.dll\",\"dll\":\"testms32.dll\"");
    expect_json("\"type\":\"store\",\"section\":null");
    ok(exit_calls_with(json, "DoFastShutdown", "returned") == 3, "not three DoFastShutdown calls: %s\n", json);
    ok(exit_calls_with(json, "NotifyProcessShutdown", "returned") == 3, "not three notifications: %s\n", json);
    expect_json("\"client_calls\":[{\"call\":\"QueryFastShutdown\",\"result\":\"0x00000000\",\"ms\":");
    expect_json("{\"call\":\"DoFastShutdown\",\"result\":\"0x00000000\",\"ms\":");
}

static void test_refused_by_policy(void)
{
    set_behavior(MACHINE_POLICY, L"16.0", 2);
    if (one_exit("refused_by_policy", "exits-refused-policy")) {
        expect_json("\"verdict\":\"refused\",\"reason\":\"FastShutdownBehavior is 2 in the machine policy (Office 16.0)\"");
        expect_json("\"providers_registered\":0");
    }
    clear_policies();
}

static void test_refused_by_a_provider(void)
{
    if (!one_exit("refused_by_provider", "exits-refused-provider"))
        return;
    expect_json("\"verdict\":\"refused\",\"reason\":\"the address book provider testab32.dll (testab32.dll) opted out: "
                "QueryFastShutdown returned 0x80040102; 3 providers were still registered: ");
    ok(exit_calls_with(json, "QueryFastShutdown", "failed") == 1, "the opt-out is not a failed call: %s\n", json);
}

/* Without a deadline a provider's crash ends the client: the record says
 * in which call, and the exception. */
static void test_crash_inside_a_provider_without_a_deadline(void)
{
    if (!one_exit("crash", "exits-crash"))
        return;
    expect_json("\"verdict\":\"ended-without-shutdown\"");
    expect_json("; it ended inside DoFastShutdown, in the store provider testms32.dll (testms32.dll)'s DoFastShutdown "
                "(exception 0xC0000005)");
    ok(exit_calls_with(json, "DoFastShutdown", "unfinished") == 1, "no unfinished DoFastShutdown: %s\n", json);
    expect_json("\"outcome\":\"unfinished\",\"unguarded\":false,\"hook_failed\":false,\"exception\":\"0xC0000005\"");
}

static void test_killed_with_providers_registered(void)
{
    exit_records_use_folder("exits-killed", records, ARRAY_SIZE(records));
    kill_waiting_client();
    if (!exit_records_json(records, json, sizeof(json)))
        return;
    expect_json("\"verdict\":\"ended-without-shutdown\",\"reason\":\"the process ended without DoFastShutdown and "
                "without unregistering its providers: 3 providers were still registered: testxp32.dll (testxp32.dll), "
                "testab32.dll (testab32.dll), testms32.dll (testms32.dll), and their unsaved data is at risk\"");
}

/* Every call is in the JSON, those of the providers past the record's room
 * too. */
static void test_more_providers_than_room(void)
{
    const char *unnamed;

    if (!one_exit("many", "exits-many"))
        return;
    expect_json("\"verdict\":\"fast\"");
    expect_json("\"providers_left_out\":6,");
    ok(exit_calls_with(json, "DoFastShutdown", "returned") == FACT_EXIT_ROOM_PROVIDERS + 6,
       "not %d DoFastShutdown calls: %s\n", FACT_EXIT_ROOM_PROVIDERS + 6, json);
    unnamed = strstr(json, "\"unnamed_provider_calls\":[");
    ok(unnamed && exit_calls_with(unnamed, "DoFastShutdown", "returned") == 6 &&
       exit_calls_with(unnamed, "QueryFastShutdown", "returned") == 6,
       "the six stores past the room are not in unnamed_provider_calls: %s\n", unnamed ? unnamed : json);
}

static void test_normal_and_running(void)
{
    HANDLE process;

    if (one_exit("normal", "exits-normal"))
        expect_json("\"verdict\":\"normal\",\"reason\":\"every provider was unregistered before the process ended\"");
    exit_records_use_folder("exits-running", records, ARRAY_SIZE(records));
    process = start_waiting_client("running");
    if (!process)
        return;
    if (exit_records_json(records, json, sizeof(json)))
        expect_json("\"verdict\":\"running\"");
    end_client(process);
    if (exit_records_json(records, json, sizeof(json)))
        expect_json("\"verdict\":\"ended-without-shutdown\"");
}

/* --- the report as text ------------------------------------------------------------------ */

static void test_report_text(void)
{
    static char text[1 << 16];
    WCHAR args[MAX_PATH + 64];
    DWORD code;

    set_setting(MAPISHUT_WARN_VALUE, 100);
    if (!one_exit("slow", "exits-text"))
        return;
    _snwprintf(args, ARRAY_SIZE(args), L"exits --dir \"%ls\"", records);
    code = run_mapishut(args, text, sizeof(text));
    ok(code == 0, "exits: exit code %lu\n", code);
    ok(strstr(text, "1 exit record in ") != NULL, "no count: %s\n", text);
    ok(strstr(text, "fast                    mapishut_test.exe (PID ") != NULL, "no verdict line: %s\n", text);
    ok(strstr(text, "slowest: address book testab32.dll (testab32.dll), DoFastShutdown, ") != NULL,
       "the slowest is not named: %s\n", text);
    _snwprintf(args, ARRAY_SIZE(args), L"exits show last --dir \"%ls\"", records);
    code = run_mapishut(args, text, sizeof(text));
    ok(code == 0, "exits show last: exit code %lu\n", code);
    ok(strstr(text, "verdict: fast\nwhy: DoFastShutdown returned 0x00000000\n") != NULL, "no verdict: %s\n", text);
    ok(strstr(text, "  ProviderWarnMs        100     user policy, Office 16.0\n") != NULL, "no policy: %s\n", text);
    /* The slow one holds the whole bar; the others hardly any of it. */
    ok(strstr(text, "DoFastShutdown         address book testab32.dll (testab32.dll)") != NULL &&
       strstr(text, "##############################\n") != NULL, "the slowest call has no full bar: %s\n", text);
    _snwprintf(args, ARRAY_SIZE(args), L"exits show nosuchexit --dir \"%ls\"", records);
    ok(run_mapishut(args, text, sizeof(text)) == 1, "an unknown ID: not exit code 1\n");
    ok(strstr(text, "no exit record nosuchexit") != NULL, "unknown ID: %s\n", text);
    clear_policies();
}

/* --- the Event Log ---------------------------------------------------------------------- */

struct logged {
    DWORD id;
    WORD type;
    char strings[8][1024];
    WORD count;
};
static struct logged logged[32];
static LONG logged_count, sources_opened;
static char source_name[64];

static BOOL (WINAPI *real_ReportEventW)(HANDLE, WORD, WORD, DWORD, PSID, WORD, DWORD, const WCHAR **, void *);
static HANDLE (WINAPI *real_RegisterEventSourceW)(const WCHAR *, const WCHAR *);
static void (WINAPI *real_FreeLibraryAndExitThread)(HMODULE, DWORD);
static HANDLE tidied;

static BOOL WINAPI hooked_ReportEventW(HANDLE source, WORD type, WORD category, DWORD id, PSID sid, WORD count,
                                       DWORD size, const WCHAR **strings, void *data)
{
    LONG at = InterlockedIncrement(&logged_count) - 1;

    if (at < (LONG)ARRAY_SIZE(logged)) {
        logged[at].id = id;
        logged[at].type = type;
        logged[at].count = count;
        for (WORD i = 0; i < count && i < 8; i++)
            WideCharToMultiByte(CP_UTF8, 0, strings[i], -1, logged[at].strings[i], sizeof(logged[at].strings[i]),
                                NULL, NULL);
    }
    return real_ReportEventW(source, type, category, id, sid, count, size, strings, data);
}

static HANDLE WINAPI hooked_RegisterEventSourceW(const WCHAR *server, const WCHAR *name)
{
    InterlockedIncrement(&sources_opened);
    WideCharToMultiByte(CP_UTF8, 0, name, -1, source_name, sizeof(source_name), NULL, NULL);
    return real_RegisterEventSourceW(server, name);
}

static void WINAPI hooked_FreeLibraryAndExitThread(HMODULE module, DWORD code)
{
    SetEvent(tidied);
    real_FreeLibraryAndExitThread(module, code);
}

static const struct logged *find_logged(DWORD code)
{
    for (LONG i = 0; i < logged_count && i < (LONG)ARRAY_SIZE(logged); i++)
        if ((logged[i].id & 0xffff) == code)
            return &logged[i];
    return NULL;
}

/* The subsystem starting in a process of the same user reports the records
 * left by earlier exits, each once: here in a child, whose DLL imports are
 * hooked to see what it tells the log. Each client before it reported the
 * records before that client, so one is left: the last client's. */
static void event_log_child(DWORD code)
{
    WCHAR path[MAX_PATH];
    IMAPIShutdownHost *host;
    IUnknown *provider;
    const struct logged *e;
    HMODULE module;
    ULONG cookie;

    mapishut_dll_path(path, ARRAY_SIZE(path));
    module = LoadLibraryW(path);
    tidied = CreateEventW(NULL, TRUE, FALSE, NULL);
    hook_import(module, "ReportEventW", (void *)hooked_ReportEventW, (void **)&real_ReportEventW);
    hook_import(module, "RegisterEventSourceW", (void *)hooked_RegisterEventSourceW, (void **)&real_RegisterEventSourceW);
    hook_import(module, "FreeLibraryAndExitThread", (void *)hooked_FreeLibraryAndExitThread,
                (void **)&real_FreeLibraryAndExitThread);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    host = create_shutdown_host();
    provider = make_provider(L"starter", 0, NULL, NULL);
    if (!host || !provider)
        return;
    /* The first registration starts the subsystem's tidying. */
    ok(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie) == S_OK,
       "RegisterProvider failed\n");
    ok(WaitForSingleObject(tidied, 20000) == WAIT_OBJECT_0, "the tidying thread did not end\n");
    /* Gone normally: this record tells the next one nothing. */
    IMAPIShutdownHost_UnregisterProvider(host, cookie);
    ok(sources_opened >= 1 && !strcmp(source_name, "mapishut"), "the source is \"%s\"\n", source_name);
    ok(logged_count == 1, "%ld events, expected 1 (%lu): the first %lu, the second %lu\n", logged_count, code,
       logged[0].id, logged_count > 1 ? logged[1].id : 0);
    e = find_logged(code);
    ok(e != NULL, "no event %lu\n", code);
    if (!e)
        return;
    ok(strstr(e->strings[0], "mapishut_test.exe") != NULL, "%lu: the process is \"%s\"\n", code, e->strings[0]);
    switch (code) {
    case 100:
        ok(e->type == EVENTLOG_WARNING_TYPE && e->count == 4, "refused: type %u, %u strings\n", e->type, e->count);
        ok(strstr(e->strings[3], "the address book provider testab32.dll (testab32.dll) opted out") != NULL,
           "refused: \"%s\"\n", e->strings[3]);
        break;
    case 101:
        ok(e->type == EVENTLOG_WARNING_TYPE && e->count == 8, "slow: type %u, %u strings\n", e->type, e->count);
        ok(!strcmp(e->strings[2], "address book") && !strcmp(e->strings[3], "testab32.dll") &&
           !strcmp(e->strings[4], "testab32.dll") && !strcmp(e->strings[5], "DoFastShutdown") &&
           atoi(e->strings[6]) >= 300 && !strcmp(e->strings[7], "250"),
           "slow: %s, %s, %s, %s, %s ms of %s\n", e->strings[2], e->strings[3], e->strings[4], e->strings[5],
           e->strings[6], e->strings[7]);
        break;
    case 102:
        ok(e->type == EVENTLOG_ERROR_TYPE && e->count == 7, "abandoned: type %u, %u strings\n", e->type, e->count);
        ok(!strcmp(e->strings[3], "testab32.dll") && !strcmp(e->strings[5], "DoFastShutdown") &&
           !strcmp(e->strings[6], "300"), "abandoned: %s, %s, %s\n", e->strings[3], e->strings[5], e->strings[6]);
        break;
    case 103:
        ok(e->type == EVENTLOG_ERROR_TYPE && e->count == 7, "crashed: type %u, %u strings\n", e->type, e->count);
        ok(!strcmp(e->strings[3], "testxp32.dll") && !strcmp(e->strings[6], "0xC0000005"), "crashed: %s, %s\n",
           e->strings[3], e->strings[6]);
        break;
    case 104:
        ok(e->type == EVENTLOG_ERROR_TYPE && e->count == 5 && !strcmp(e->strings[3], "3"),
           "ended without shutdown: type %u, %u strings, %s providers\n", e->type, e->count, e->strings[3]);
        ok(strstr(e->strings[4], "testms32.dll (testms32.dll)") != NULL, "ended without shutdown: %s\n",
           e->strings[4]);
        break;
    }
}

static void test_event_log(void)
{
    static const struct { const char *client; DWORD timeout_ms, code; } cases[] = {
        { "refused_by_provider", 0, 100 }, { "slow", 0, 101 }, { "abandoned", 300, 102 },
        { "crash_contained", 300, 103 }, { "killed", 0, 104 },
    };
    static char text[4096];
    WCHAR args[MAX_PATH + 64];

    /* By hand: each record is reported once. */
    exit_records_use_folder("exits-report", records, ARRAY_SIZE(records));
    run_client("refused_by_provider");
    _snwprintf(args, ARRAY_SIZE(args), L"exits --report --dir \"%ls\"", records);
    run_mapishut(args, text, sizeof(text));
    ok(strstr(text, "1 exit record reported to the Application event log (1 event), source mapishut") != NULL,
       "--report: %s\n", text);
    run_mapishut(args, text, sizeof(text));
    ok(strstr(text, "0 exit records reported") != NULL, "reported twice: %s\n", text);

    /* At the subsystem's start in the next process. */
    exit_records_use_folder("exits-eventlog", records, ARRAY_SIZE(records));
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        char child[32];

        clear_policies();
        /* Only the slow case warns, above any other call's time: elsewhere a
         * call that a loaded machine slowed would be one more event. */
        set_setting(MAPISHUT_WARN_VALUE, strcmp(cases[i].client, "slow") ? 0 : 250);
        if (cases[i].timeout_ms)
            set_setting(MAPISHUT_TIMEOUT_VALUE, cases[i].timeout_ms);
        if (!strcmp(cases[i].client, "killed"))
            kill_waiting_client();
        else
            run_client(cases[i].client);
        snprintf(child, sizeof(child), "eventlog %lu", cases[i].code);
        run_child(child);
    }
    clear_policies();
}

/* --- many at once, and records that are not what they claim -------------------------- */

static void test_eight_clients_at_once(void)
{
    HANDLE processes[8];
    int fast = 0;

    exit_records_use_folder("exits-eight", records, ARRAY_SIZE(records));
    for (int i = 0; i < 8; i++)
        processes[i] = start_client("fast");
    for (int i = 0; i < 8; i++) {
        if (!processes[i])
            continue;
        ok(WaitForSingleObject(processes[i], 60000) == WAIT_OBJECT_0, "client %d did not end\n", i);
        CloseHandle(processes[i]);
    }
    if (!exit_records_json(records, json, sizeof(json)))
        return;
    for (const char *at = json; (at = strstr(at, "\"verdict\":\"fast\"")); at++)
        fast++;
    ok(fast == 8, "%d fast exits of 8: %s\n", fast, json);
    /* Each whole: three providers, each told DoFastShutdown once. */
    ok(exit_calls_with(json, "DoFastShutdown", "returned") == 24, "not 24 DoFastShutdown calls: %s\n", json);
    expect_json("\"unreadable\":[]");
}

/* The records of the folder: how many, and how many of the processes named. */
static int records_held(const DWORD *pids, int n, int *of_those)
{
    WCHAR pattern[MAX_PATH], tag[32];
    WIN32_FIND_DATAW found;
    HANDLE find;
    int count = 0;

    *of_those = 0;
    _snwprintf(pattern, ARRAY_SIZE(pattern), L"%ls\\*.exit", records);
    find = FindFirstFileW(pattern, &found);
    if (find == INVALID_HANDLE_VALUE)
        return 0;
    do {
        count++;
        for (int i = 0; i < n; i++) {
            _snwprintf(tag, ARRAY_SIZE(tag), L"-%lu-", pids[i]);
            if (wcsstr(found.cFileName, tag))
                (*of_those)++;
        }
    } while (FindNextFileW(find, &found));
    FindClose(find);
    return count;
}

/* Waits, 10 s at most, for a client's subsystem to tidy the folder in the
 * background, down to most records. */
static void wait_for_tidying(int most)
{
    int of_those;

    for (int waited = 0; waited < 10000 && records_held(NULL, 0, &of_those) > most; waited += 100)
        Sleep(100);
}

/* ExitRecords 2: a new record keeps itself and the newest other, whatever
 * the files' times say. Three clients killed unreported: the fourth's
 * subsystem reports them to the Event Log (a write into each) just before
 * it deletes the oldest. */
static void test_oldest_records_go(void)
{
    HANDLE processes[4];
    DWORD pids[4];
    int count, kept;

    exit_records_use_folder("exits-kept", records, ARRAY_SIZE(records));
    for (int i = 0; i < 4; i++) {
        if (i == 3)
            set_setting(MAPISHUT_RECORDS_VALUE, 2);
        processes[i] = start_waiting_client("killed");
        pids[i] = processes[i] ? GetProcessId(processes[i]) : 0;
        if (i == 2) {
            for (int k = 0; k < 3; k++)
                end_client(processes[k]);
        }
    }
    wait_for_tidying(2);
    end_client(processes[3]);
    count = records_held(pids + 2, 2, &kept);
    ok(count == 2 && kept == 2, "%d records left, %d of them the newest two's\n", count, kept);
    clear_policies();
}

/* Live records are kept, and count among the ExitRecords kept: a client
 * started before two that were killed, a file mapped by a process that has
 * not written its header yet (dated 2012, as if the oldest), and the newest
 * client, with ExitRecords 2: the two killed go, the three live stay. */
static void test_live_records_are_kept(void)
{
    static const FILETIME old = { 0x5f4a0000, 0x01ccc84d }; /* 2012 */
    WCHAR creating[MAX_PATH];
    HANDLE file, mapping, first, last;
    DWORD pids[2];
    void *view = NULL;
    int count, kept;

    exit_records_use_folder("exits-live", records, ARRAY_SIZE(records));
    wcscpy(creating, records);
    *wcsrchr(creating, '\\') = 0;                  /* <appdata>\mapishut */
    CreateDirectoryW(creating, NULL);
    CreateDirectoryW(records, NULL);
    _snwprintf(creating, ARRAY_SIZE(creating), L"%ls\\creating.exe-1-20120101T000000.000.exit", records);
    file = CreateFileW(creating, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %ls: %lu\n", creating, GetLastError());
    SetFileTime(file, &old, &old, &old);
    mapping = CreateFileMappingW(file, NULL, PAGE_READWRITE, 0, 4096, NULL);
    CloseHandle(file);
    if (mapping) {
        view = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 4096);
        CloseHandle(mapping);
    }
    ok(view != NULL, "cannot map %ls\n", creating);
    first = start_waiting_client("running");
    kill_waiting_client();
    kill_waiting_client();
    set_setting(MAPISHUT_RECORDS_VALUE, 2);
    last = start_waiting_client("running");
    pids[0] = first ? GetProcessId(first) : 0;
    pids[1] = last ? GetProcessId(last) : 0;
    wait_for_tidying(3);
    end_client(first);
    end_client(last);
    if (view)
        UnmapViewOfFile(view);
    count = records_held(pids, 2, &kept);
    ok(count == 3 && kept == 2 && GetFileAttributesW(creating) != INVALID_FILE_ATTRIBUTES,
       "%d records left, %d of the live clients', the one being created %s\n", count, kept,
       GetFileAttributesW(creating) != INVALID_FILE_ATTRIBUTES ? "kept" : "deleted");
    clear_policies();
}

static void write_file(const WCHAR *name, const void *data, DWORD size)
{
    WCHAR path[MAX_PATH];
    DWORD written;
    HANDLE file;

    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", records, name);
    file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    WriteFile(file, data, size, &written, NULL);
    CloseHandle(file);
}

static void test_damaged_records(void)
{
    static BYTE good[1 << 20], bytes[1 << 20];
    WCHAR pattern[MAX_PATH], path[MAX_PATH], args[MAX_PATH + 64];
    static char text[1 << 16];
    WIN32_FIND_DATAW found;
    HANDLE find;
    int size;

    if (!one_exit("fast", "exits-damaged"))
        return;
    _snwprintf(pattern, ARRAY_SIZE(pattern), L"%ls\\*.exit", records);
    find = FindFirstFileW(pattern, &found);
    ok(find != INVALID_HANDLE_VALUE, "no record\n");
    if (find == INVALID_HANDLE_VALUE)
        return;
    FindClose(find);
    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\%ls", records, found.cFileName);
    size = read_text_file(path, (char *)good, sizeof(good));
    ok(size > 1024, "the record has %d bytes\n", size);
    if (size <= 1024)
        return;
    write_file(L"truncated.exit", good, (DWORD)size / 2);
    memcpy(bytes, good, (size_t)size);
    bytes[16] = 7;                                     /* its version */
    write_file(L"newer.exit", bytes, (DWORD)size);
    for (int i = 0; i < size; i++)
        bytes[i] = (BYTE)(i * 7919 >> 3);
    write_file(L"garbage.exit", bytes, (DWORD)size);
    write_file(L"empty.exit", bytes, 0);
    memset(bytes, 0, (size_t)size);
    write_file(L"created-not-written.exit", bytes, (DWORD)size);
    _snwprintf(args, ARRAY_SIZE(args), L"exits --dir \"%ls\"", records);
    ok(run_mapishut(args, text, sizeof(text)) == 0, "exits with damaged records failed: %s\n", text);
    ok(strstr(text, "6 exit records in ") != NULL, "not six records: %s\n", text);
    ok(strstr(text, "damaged                 truncated: the file is shorter than the record it holds") != NULL,
       "truncated: %s\n", text);
    ok(strstr(text, "other version           newer: a record of another version") != NULL, "newer: %s\n", text);
    ok(strstr(text, "damaged                 garbage: not an exit record") != NULL, "garbage: %s\n", text);
    ok(strstr(text, "damaged                 empty: shorter than a record's header") != NULL, "empty: %s\n", text);
    ok(strstr(text, "incomplete              created-not-written: its header was never written") != NULL,
       "zeroes: %s\n", text);
    ok(strstr(text, "fast                    mapishut_test.exe") != NULL, "the good one is not listed: %s\n", text);
    if (exit_records_json(records, json, sizeof(json)))
        expect_json("{\"id\":\"truncated\",\"status\":\"damaged\",\"problem\":\"the file is shorter than the record it holds\"}");
    _snwprintf(args, ARRAY_SIZE(args), L"exits show garbage --dir \"%ls\"", records);
    ok(run_mapishut(args, text, sizeof(text)) == 1, "showing a damaged record did not fail\n");
    ok(strstr(text, "garbage is damaged: not an exit record") != NULL, "show garbage: %s\n", text);
}

/* Without a place for records the subsystem works as without recording,
 * with one diagnostic. */
static void no_record_child(const char *why)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *provider;
    const char *said;
    ULONG cookie;
    int times = 0;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    provider = make_named_provider(MS, 0);
    if (!client || !host || !provider)
        return;
    debug_output_start();
    ok(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie) == S_OK,
       "%s: RegisterProvider failed\n", why);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "%s: QueryFastShutdown failed\n", why);
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "%s: NotifyProcessShutdown failed\n", why);
    ok(IMAPIClientShutdown_DoFastShutdown(client) == S_OK, "%s: DoFastShutdown failed\n", why);
    ok(provider_saved(provider) == 1, "%s: the provider did not save\n", why);
    for (said = debug_output_text(); (said = strstr(said, "mapishut: no exit record: ")); said++)
        times++;
    ok(times == 1, "%s: %d diagnostics, expected one: \"%s\"\n", why, times, debug_output_text());
    debug_output_stop();
}

static void test_no_place_for_records(void)
{
    WCHAR appdata[MAX_PATH], file[MAX_PATH], deep[MAX_PATH];

    GetEnvironmentVariableW(L"LOCALAPPDATA", appdata, ARRAY_SIZE(appdata));
    SetEnvironmentVariableW(L"LOCALAPPDATA", NULL);
    run_child("norecord unset");
    /* A file where the folder should be. */
    test_file_path(L"exits-not-a-folder", file, ARRAY_SIZE(file));
    CloseHandle(CreateFileW(file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    SetEnvironmentVariableW(L"LOCALAPPDATA", file);
    run_child("norecord file");
    /* A path too long for a record's name. */
    test_file_path(L"", deep, ARRAY_SIZE(deep));
    while (wcslen(deep) < MAX_PATH - 30)
        wcscat(deep, L"x");
    SetEnvironmentVariableW(L"LOCALAPPDATA", deep);
    run_child("norecord long");
    SetEnvironmentVariableW(L"LOCALAPPDATA", appdata);
}

START_TEST(exits)
{
    int argc;
    char **args = child_args(&argc);

    if (args) {
        if (argc == 2 && !strcmp(args[0], "client"))
            client_child(args[1]);
        else if (argc == 2 && !strcmp(args[0], "eventlog"))
            event_log_child(strtoul(args[1], NULL, 10));
        else if (argc == 2 && !strcmp(args[0], "norecord"))
            no_record_child(args[1]);
        return;
    }
    if (!save_registry_and_register())
        return;
    clear_policies();
    test_fast_exit_terminated_at_once();
    test_refused_by_policy();
    test_refused_by_a_provider();
    test_crash_inside_a_provider_without_a_deadline();
    test_killed_with_providers_registered();
    test_more_providers_than_room();
    test_normal_and_running();
    test_report_text();
    test_event_log();
    test_eight_clients_at_once();
    test_oldest_records_go();
    test_live_records_are_kept();
    test_damaged_records();
    test_no_place_for_records();
    clear_policies();
    unregister_and_restore_registry();
}
