/* The failure matrix: FastShutdownBehavior {0, 1, 2} x one provider's
 * behaviour {supports, opts out, no IMAPIProviderShutdown, S_FALSE, fails
 * NotifyProcessShutdown, hangs in DoFastShutdown, crashes in DoFastShutdown}
 * x how the client exits {ExitProcess, TerminateProcess}, then the hanging
 * and crashing rows again with ProviderTimeoutMs; all of it once more with
 * ConcurrentProviders. Each cell is a real client process with real
 * providers (xp, ab = the one under test, ms, and with ConcurrentProviders a
 * second address book, ab2, called beside ab); every provider writes its
 * data only when told (DoFastShutdown, or its last Release in a normal
 * shutdown), and the bytes are counted on disk after the process is gone. */
#define COBJMACROS
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum behaviour { SUPPORTS, OPTS_OUT, NO_INTERFACE, QUERY_S_FALSE, FAILS_NOTIFY, HANGS, CRASHES, BEHAVIOURS };
enum exit_kind { EXIT_PROCESS, TERMINATE_PROCESS, EXIT_KINDS };

static const char *const behaviour_names[] = {
    "supports", "opts out", "no interface", "S_FALSE", "fails Notify", "hangs in DoFast", "crashes in DoFast",
};
static const DWORD behaviour_flags[] = {
    0, TESTPROV_OPT_OUT, TESTPROV_NO_INTERFACE, TESTPROV_QUERY_S_FALSE, TESTPROV_FAIL_NOTIFY,
    TESTPROV_HANG_DO_FAST, TESTPROV_CRASH_DO_FAST,
};
static const char *const exit_names[] = { "ExitProcess", "TerminateProcess" };

#define DEADLINE_MS 500
/* Without a deadline a hanging provider holds the client forever, as with
 * Microsoft's subsystem: the test waits this long, then ends the client. */
#define HANG_BOUND_MS 3000
#define CHILD_EXIT_BASE 0x40

struct cell {
    DWORD policy;
    enum behaviour behaviour;
    enum exit_kind exit;
    DWORD timeout_ms;
    DWORD concurrent;       /* ConcurrentProviders; ab2 takes part */
};

enum { XP, AB, AB2, MS, PROVIDERS };

/* What the client must see and the disk must hold afterwards. */
struct expected {
    HRESULT query;          /* QueryFastShutdown's answer */
    HRESULT do_fast;        /* DoFastShutdown's, when it returns */
    BOOL client_exits;      /* FALSE: it hangs (bounded by the test) or crashes */
    BOOL hangs;
    BOOL saved[PROVIDERS];
};

static const WCHAR *const names[PROVIDERS] = { L"xp", L"ab", L"ab2", L"ms" };
static const ULONG types[PROVIDERS] = { MAPI_TRANSPORT_PROVIDER, MAPI_AB_PROVIDER, MAPI_AB_PROVIDER,
                                        MAPI_STORE_PROVIDER };

/* ab2 is there only with ConcurrentProviders. */
static BOOL takes_part(const struct cell *c, int provider)
{
    return provider != AB2 || c->concurrent;
}

static struct expected expect(const struct cell *c)
{
    struct expected e = { S_OK, S_OK, TRUE, FALSE, { TRUE, TRUE, TRUE, TRUE } };
    BOOL deadline = c->timeout_ms != 0;

    if (c->policy == 2 || c->behaviour == OPTS_OUT || (c->policy == 1 && c->behaviour == NO_INTERFACE)) {
        e.query = MAPI_E_NO_SUPPORT; /* a normal shutdown: every provider saves on release */
        return e;
    }
    switch (c->behaviour) {
    case NO_INTERFACE:
        e.saved[AB] = FALSE; /* option 0: it cannot be told, and the client exits fast */
        break;
    case FAILS_NOTIFY:
        e.do_fast = MAPI_W_ERRORS_RETURNED;
        break;
    case HANGS:
    case CRASHES:
        e.saved[AB] = FALSE;
        if (deadline) {
            e.do_fast = MAPI_W_ERRORS_RETURNED; /* abandoned; the store is still told */
        } else if (c->concurrent && c->behaviour == CRASHES) {
            e.do_fast = MAPI_W_ERRORS_RETURNED; /* on its own thread: the crash ends that thread only */
        } else {
            e.client_exits = FALSE;             /* the store after it is never told */
            e.hangs = c->behaviour == HANGS;
            e.saved[MS] = FALSE;                /* (ab2, beside it, saves) */
        }
        break;
    default:
        break;
    }
    return e;
}

static void data_path(const struct cell *c, int provider, WCHAR *path)
{
    WCHAR file[MAX_PATH];

    _snwprintf(file, ARRAY_SIZE(file), L"matrix-%lu-%d-%d-%lu-%lu-%ls.dat", c->policy, c->behaviour, c->exit,
               c->timeout_ms, c->concurrent, names[provider]);
    test_file_path(file, path, MAX_PATH);
}

/* A client's crash handler: the process ends with the exception's code
 * (and Wine starts no debugger). */
static LONG WINAPI end_process(EXCEPTION_POINTERS *info)
{
    TerminateProcess(GetCurrentProcess(), info->ExceptionRecord->ExceptionCode);
    return EXCEPTION_CONTINUE_SEARCH;
}

/* The client: the best-practices sequence, then the exit under test. */
static void child(const struct cell *c)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *providers[PROVIDERS] = { 0 };
    ULONG cookies[PROVIDERS] = { 0 };
    HRESULT hr;

    SetUnhandledExceptionFilter(end_process);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    for (int i = PROVIDERS - 1; i >= 0; i--) {
        WCHAR path[MAX_PATH];

        if (!takes_part(c, i))
            continue;
        data_path(c, i, path);
        providers[i] = make_provider(names[i], TESTPROV_SAVE_ON_RELEASE | (i == AB ? behaviour_flags[c->behaviour] : 0),
                                     NULL, path);
        IMAPIShutdownHost_RegisterProvider(host, NULL, types[i], providers[i], &cookies[i]);
    }
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    if (hr != S_OK) {
        /* As MAPIUninitialize would: every provider unloaded. */
        for (int i = 0; i < PROVIDERS; i++) {
            if (!providers[i])
                continue;
            IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
            IUnknown_Release(providers[i]);
        }
    } else {
        IMAPIClientShutdown_NotifyProcessShutdown(client);
        hr = IMAPIClientShutdown_DoFastShutdown(client);
    }
    if (c->exit == EXIT_PROCESS)
        ExitProcess(CHILD_EXIT_BASE + (hr == MAPI_W_ERRORS_RETURNED ? 1 : hr == S_OK ? 0 : 2));
    TerminateProcess(GetCurrentProcess(), CHILD_EXIT_BASE + (hr == MAPI_W_ERRORS_RETURNED ? 1 : hr == S_OK ? 0 : 2));
}

static DWORD run_cell(const struct cell *c, BOOL *still_running)
{
    STARTUPINFOA startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    char **argv, command[MAX_PATH + 64];
    DWORD code = (DWORD)-1, wait;

    /* The client's exit code is its outcome, and a hang or a crash is what is
     * measured: this waits itself rather than with wait_child_process. */
    winetest_get_mainargs(&argv);
    snprintf(command, sizeof(command), "\"%s\" %s %lu %d %d %lu %lu", argv[0], argv[1], c->policy, c->behaviour,
             c->exit, c->timeout_ms, c->concurrent);
    *still_running = FALSE;
    if (!CreateProcessA(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process))
        return code;
    wait = WaitForSingleObject(process.hProcess, HANG_BOUND_MS);
    if (wait == WAIT_TIMEOUT) {
        *still_running = TRUE;
        TerminateProcess(process.hProcess, 0xdead);
        WaitForSingleObject(process.hProcess, INFINITE);
    }
    GetExitCodeProcess(process.hProcess, &code);
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    return code;
}

/* A setting other than its default 0, as a machine policy. */
static void set_unless_zero(const WCHAR *name, DWORD value)
{
    if (value)
        set_policy_value(MACHINE_POLICY, L"16.0", name, REG_DWORD, &value, sizeof(value));
}

static void check_cell(const struct cell *c, char *row, size_t row_size)
{
    struct expected e = expect(c);
    BOOL still_running;
    LONGLONG lost = 0;
    DWORD code, expected_code;
    char told[32] = "";

    clear_policies();
    if (c->policy)
        set_behavior(MACHINE_POLICY, L"16.0", c->policy);
    set_unless_zero(MAPISHUT_TIMEOUT_VALUE, c->timeout_ms);
    set_unless_zero(MAPISHUT_CONCURRENT_VALUE, c->concurrent);
    for (int i = 0; i < PROVIDERS; i++) {
        WCHAR path[MAX_PATH];

        data_path(c, i, path);
        DeleteFileW(path);
    }
    code = run_cell(c, &still_running);

    expected_code = CHILD_EXIT_BASE + (e.query != S_OK ? 2 : e.do_fast == MAPI_W_ERRORS_RETURNED ? 1 : 0);
    if (e.client_exits)
        ok(!still_running && code == expected_code,
           "policy %lu, %s, %s, deadline %lu, concurrent %lu: exit code %#lx, expected %#lx\n", c->policy,
           behaviour_names[c->behaviour], exit_names[c->exit], c->timeout_ms, c->concurrent, code, expected_code);
    else if (e.hangs)
        ok(still_running, "policy %lu, hangs, no deadline: the client exited (%#lx) instead of waiting\n",
           c->policy, code);
    else
        ok(!still_running && code == STATUS_ACCESS_VIOLATION,
           "policy %lu, crashes, no deadline: exit code %#lx, expected the access violation\n", c->policy, code);

    for (int i = 0; i < PROVIDERS; i++) {
        WCHAR path[MAX_PATH];
        LONGLONG size;

        if (!takes_part(c, i))
            continue;
        data_path(c, i, path);
        size = file_size(path);
        if (size < 0)
            size = 0;
        ok((size == TESTPROV_DATA_SIZE) == e.saved[i],
           "policy %lu, %s, %s, deadline %lu, concurrent %lu: %ls has %I64d bytes on disk, expected %s\n",
           c->policy, behaviour_names[c->behaviour], exit_names[c->exit], c->timeout_ms, c->concurrent, names[i],
           size, e.saved[i] ? "all of them" : "none");
        lost += TESTPROV_DATA_SIZE - size;
        if (size == TESTPROV_DATA_SIZE)
            snprintf(told + strlen(told), sizeof(told) - strlen(told), "%ls ", names[i]);
        DeleteFileW(path);
    }
    /* The row says what happened, read from the exit code and the disk. */
    snprintf(row, row_size, "| %lu | %s | %s | %s | %s | %s | %s | %d |", c->policy, behaviour_names[c->behaviour],
             exit_names[c->exit], c->timeout_ms ? "500 ms" : "none", c->concurrent ? "1" : "0",
             still_running ? "DoFastShutdown had not returned after 3 s: the test ended the client" :
             code == STATUS_ACCESS_VIOLATION ? "the client crashed inside DoFastShutdown" :
             code == CHILD_EXIT_BASE ? "S_OK; DoFastShutdown S_OK" :
             code == CHILD_EXIT_BASE + 1 ? "S_OK; DoFastShutdown MAPI_W_ERRORS_RETURNED" :
             code == CHILD_EXIT_BASE + 2 ? "MAPI_E_NO_SUPPORT: normal shutdown" : "unexpected",
             told[0] ? told : "none", (int)lost);
}

START_TEST(matrix)
{
    char row[256];
    int argc;
    char **args = child_args(&argc);

    if (args) {
        struct cell c = { 0 };

        ok(argc == 5, "a client takes 5 arguments, got %d\n", argc);
        if (argc == 5) {
            c.policy = strtoul(args[0], NULL, 10);
            c.behaviour = atoi(args[1]);
            c.exit = atoi(args[2]);
            c.timeout_ms = strtoul(args[3], NULL, 10);
            c.concurrent = strtoul(args[4], NULL, 10);
            child(&c);
        }
        return;
    }
    if (!save_registry_and_register())
        return;
    printf("| policy | provider ab | client exit | deadline | concurrent | client was answered | saved on disk "
           "| bytes lost |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (DWORD concurrent = 0; concurrent <= 1; concurrent++) {
        for (DWORD policy = 0; policy <= 2; policy++) {
            for (int b = 0; b < BEHAVIOURS; b++) {
                for (int x = 0; x < EXIT_KINDS; x++) {
                    struct cell c = { policy, b, x, 0, concurrent };

                    check_cell(&c, row, sizeof(row));
                    printf("%s\n", row);
                    if (b == HANGS || b == CRASHES) {
                        c.timeout_ms = DEADLINE_MS;
                        check_cell(&c, row, sizeof(row));
                        printf("%s\n", row);
                    }
                }
            }
        }
    }
    clear_policies();
    unregister_and_restore_registry();
}
