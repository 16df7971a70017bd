/* The three phases with real provider DLLs, each scenario in its own child
 * process (the subsystem is finished after DoFastShutdown). The parent reads
 * what the providers logged and saved once the child is gone. */
#define COBJMACROS
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

#define NO_POLICY ((DWORD)-1)
#define MAX_PROVIDERS 4

struct provider_spec {
    const WCHAR *name;
    ULONG type;
    DWORD flags;
    BOOL saves;             /* its data must be on disk after the child is gone */
};

struct child {
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *providers[MAX_PROVIDERS];
};

struct scenario {
    const char *name;
    DWORD policy;           /* FastShutdownBehavior in the user policy, or NO_POLICY */
    struct provider_spec providers[MAX_PROVIDERS];
    void (*run)(struct child *c);
    const char *log;        /* every provider call, in order, space-separated */
};

static HRESULT query(struct child *c) { return IMAPIClientShutdown_QueryFastShutdown(c->client); }
static HRESULT notify(struct child *c) { return IMAPIClientShutdown_NotifyProcessShutdown(c->client); }
static HRESULT do_fast(struct child *c) { return IMAPIClientShutdown_DoFastShutdown(c->client); }

static void check_finished(struct child *c)
{
    IUnknown *late = make_provider(L"late", 0, NULL, NULL);
    ULONG cookie = 1;
    HRESULT hr;

    hr = query(c);
    ok(hr == MAPI_E_CALL_FAILED, "QueryFastShutdown after DoFastShutdown: %#lx\n", hr);
    hr = notify(c);
    ok(hr == MAPI_E_CALL_FAILED, "NotifyProcessShutdown after DoFastShutdown: %#lx\n", hr);
    hr = do_fast(c);
    ok(hr == MAPI_E_CALL_FAILED, "DoFastShutdown after DoFastShutdown: %#lx\n", hr);
    hr = IMAPIShutdownHost_RegisterProvider(c->host, NULL, MAPI_STORE_PROVIDER, late, &cookie);
    ok(hr == MAPI_E_CALL_FAILED, "RegisterProvider after DoFastShutdown: %#lx\n", hr);
    ok(cookie == 0, "cookie %lu after a refused registration\n", cookie);
    hr = IMAPIShutdownHost_UnregisterProvider(c->host, 1);
    ok(hr == MAPI_E_CALL_FAILED, "UnregisterProvider after DoFastShutdown: %#lx\n", hr);
    hr = IMAPIShutdownHost_AttachProfile(c->host, L"Outlook");
    ok(hr == MAPI_E_CALL_FAILED, "AttachProfile after DoFastShutdown: %#lx\n", hr);
    ok(provider_refs(late) == 1, "the refused provider was kept: %ld references\n", provider_refs(late));
    IUnknown_Release(late);
}

static void run_protocol(struct child *c)
{
    HRESULT hr = query(c);

    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    hr = notify(c);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    hr = do_fast(c);
    ok(hr == S_OK, "DoFastShutdown: %#lx\n", hr);
    check_finished(c);
}

static void run_refused(struct child *c)
{
    HRESULT hr = query(c);

    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
    /* A client that ignores the answer: the subsystem still tells nobody. */
    hr = notify(c);
    ok(hr == MAPI_E_NO_SUPPORT, "NotifyProcessShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
    hr = do_fast(c);
    ok(hr == MAPI_E_NO_SUPPORT, "DoFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
}

static void run_errors(struct child *c)
{
    HRESULT hr = query(c);

    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    hr = notify(c);
    ok(hr == S_OK, "NotifyProcessShutdown with a failing provider: %#lx, expected S_OK\n", hr);
    hr = do_fast(c);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown: %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    check_finished(c);
}

static void run_do_fast_only(struct child *c)
{
    HRESULT hr = do_fast(c);

    ok(hr == S_OK, "DoFastShutdown alone: %#lx\n", hr);
    check_finished(c);
}

static void run_notify_twice(struct child *c)
{
    HRESULT hr = notify(c);

    ok(hr == S_OK, "NotifyProcessShutdown without a query: %#lx\n", hr);
    hr = notify(c);
    ok(hr == S_OK, "NotifyProcessShutdown again: %#lx\n", hr);
    hr = do_fast(c);
    ok(hr == S_OK, "DoFastShutdown: %#lx\n", hr);
}

struct racer {
    struct child *c;
    HRESULT hr;
    LONG store_saved_at_return;
};

static DWORD WINAPI race_do_fast(void *arg)
{
    struct racer *r = arg;

    r->hr = do_fast(r->c);
    r->store_saved_at_return = provider_saved(r->c->providers[1]);
    return 0;
}

static BOOL log_contains(const char *needle);

/* Two threads call DoFastShutdown; the second arrives while the slow store
 * is still saving, and must not return before it has finished. */
static void run_two_threads(struct child *c)
{
    struct racer first = { .c = c }, second = { .c = c };
    HANDLE threads[2], told;
    HRESULT hr = query(c);

    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    told = provider_event(L"ms.D");
    threads[0] = CreateThread(NULL, 0, race_do_fast, &first, 0, NULL);
    ok(wait_provider_event(told, L"ms.D") && log_contains("ms.D"), "the store was never told DoFastShutdown\n");
    threads[1] = CreateThread(NULL, 0, race_do_fast, &second, 0, NULL);
    WaitForMultipleObjects(2, threads, TRUE, 30000);
    CloseHandle(threads[0]);
    CloseHandle(threads[1]);
    ok(first.hr == S_OK, "first DoFastShutdown: %#lx\n", first.hr);
    ok(second.hr == S_OK, "second DoFastShutdown: %#lx, expected the first one's S_OK\n", second.hr);
    ok(first.store_saved_at_return, "the first DoFastShutdown returned before the store saved\n");
    ok(second.store_saved_at_return, "the second DoFastShutdown returned before the store saved\n");
}

/* The client exits the hard way right after DoFastShutdown returns; its exit
 * code is its failure count, as wait_child_process reads it. */
static void run_then_terminate(struct child *c)
{
    run_protocol(c);
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void run_then_exit_process(struct child *c)
{
    run_protocol(c);
    ExitProcess(winetest_get_failures());
}

/* The baseline: without fast shutdown, a terminated client loses the data. */
static void run_terminate_without_shutdown(struct child *c)
{
    (void)c;
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

#define XP(flags, saves) { L"xp", MAPI_TRANSPORT_PROVIDER, flags, saves }
#define AB(flags, saves) { L"ab", MAPI_AB_PROVIDER, flags, saves }
#define MS(flags, saves) { L"ms", MAPI_STORE_PROVIDER, flags, saves }

/* Providers are registered store first, transport last, so that the order
 * the subsystem calls them in is its own doing. */
static const struct scenario scenarios[] = {
    { "protocol", NO_POLICY, { MS(0, TRUE), AB(0, TRUE), XP(0, TRUE) }, run_protocol,
      "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "opted_out", NO_POLICY, { MS(0, FALSE), AB(TESTPROV_OPT_OUT, FALSE), XP(0, FALSE) }, run_refused,
      "xp.Q ab.Q ms.Q xp.Q ab.Q ms.Q xp.Q ab.Q ms.Q" },
    { "disabled", 2, { MS(0, FALSE), AB(0, FALSE), XP(0, FALSE) }, run_refused, "" },
    { "option1_no_interface", 1, { MS(0, FALSE), AB(TESTPROV_NO_INTERFACE, FALSE), XP(0, FALSE) },
      run_refused, "xp.Q ms.Q xp.Q ms.Q xp.Q ms.Q" },
    { "option1_all_opt_in", 1, { MS(TESTPROV_QUERY_S_FALSE, TRUE), AB(0, TRUE), XP(0, TRUE) }, run_protocol,
      "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "option0_no_interface", 0, { MS(0, TRUE), AB(TESTPROV_NO_INTERFACE, FALSE), XP(0, TRUE) }, run_protocol,
      "xp.Q ms.Q xp.N ms.N xp.D xp.saved ms.D ms.saved" },
    { "errors", NO_POLICY, { MS(0, TRUE), AB(TESTPROV_FAIL_DO_FAST, TRUE), XP(TESTPROV_FAIL_NOTIFY, TRUE) },
      run_errors, "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "do_fast_only", NO_POLICY, { MS(0, TRUE), AB(0, TRUE), XP(0, TRUE) }, run_do_fast_only,
      "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "notify_twice", NO_POLICY, { MS(0, TRUE), XP(0, TRUE) }, run_notify_twice,
      "xp.Q ms.Q xp.N ms.N xp.D xp.saved ms.D ms.saved" },
    { "reentrant", NO_POLICY, { MS(0, TRUE), AB(TESTPROV_REENTER, TRUE), XP(0, TRUE) }, run_protocol,
      "xp.Q ab.Q ab.reenter=0x80004005,0x80004005,0x80004005 ms.Q "
      "xp.N ab.N ab.reenter=0x80004005,0x80004005,0x80004005 ms.N "
      "xp.D xp.saved ab.D ab.reenter=0x80004005,0x80004005,0x80004005 ab.saved ms.D ms.saved" },
    { "two_threads", NO_POLICY, { XP(0, TRUE), MS(TESTPROV_SLOW_DO_FAST, TRUE) }, run_two_threads,
      "xp.Q ms.Q xp.N ms.N xp.D xp.saved ms.D ms.saved" },
    { "terminate", NO_POLICY, { MS(0, TRUE), AB(0, TRUE), XP(0, TRUE) }, run_then_terminate,
      "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "exit_process", NO_POLICY, { MS(0, TRUE), AB(0, TRUE), XP(0, TRUE) }, run_then_exit_process,
      "xp.Q ab.Q ms.Q xp.N ab.N ms.N xp.D xp.saved ab.D ab.saved ms.D ms.saved" },
    { "terminate_without_shutdown", NO_POLICY, { MS(0, FALSE), AB(0, FALSE), XP(0, FALSE) },
      run_terminate_without_shutdown, "" },
};

static const struct scenario *current;

static void log_path(const struct scenario *s, WCHAR *path)
{
    WCHAR file[MAX_PATH];

    _snwprintf(file, ARRAY_SIZE(file), L"phases-%hs.log", s->name);
    test_file_path(file, path, MAX_PATH);
}

static void data_path(const struct scenario *s, const struct provider_spec *p, WCHAR *path)
{
    WCHAR file[MAX_PATH];

    _snwprintf(file, ARRAY_SIZE(file), L"phases-%hs-%ls.dat", s->name, p->name);
    test_file_path(file, path, MAX_PATH);
}

/* The child's first line in the log: proof that it ran, whatever it did. */
static void log_child_started(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written;

    ok(file != INVALID_HANDLE_VALUE, "opening the log: %lu\n", GetLastError());
    if (file == INVALID_HANDLE_VALUE)
        return;
    WriteFile(file, "child\n", 6, &written, NULL);
    CloseHandle(file);
}

static BOOL log_contains(const char *needle)
{
    WCHAR path[MAX_PATH];
    char text[4096];

    log_path(current, path);
    return read_text_file(path, text, sizeof(text)) > 0 && strstr(text, needle);
}

static void child(const struct scenario *s)
{
    struct child c = { 0 };
    WCHAR log[MAX_PATH], data[MAX_PATH];

    current = s;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    c.client = create_client_shutdown();
    c.host = create_shutdown_host();
    if (!c.client || !c.host)
        return;
    log_path(s, log);
    log_child_started(log);
    for (int i = 0; i < MAX_PROVIDERS && s->providers[i].name; i++) {
        ULONG cookie = 0;
        HRESULT hr;

        data_path(s, &s->providers[i], data);
        c.providers[i] = make_provider(s->providers[i].name, s->providers[i].flags, log, data);
        if (!c.providers[i])
            return;
        hr = IMAPIShutdownHost_RegisterProvider(c.host, NULL, s->providers[i].type, c.providers[i], &cookie);
        ok(hr == S_OK, "RegisterProvider(%ls): %#lx\n", s->providers[i].name, hr);
    }
    s->run(&c);
    /* Release works after DoFastShutdown too. */
    IMAPIShutdownHost_Release(c.host);
    IMAPIClientShutdown_Release(c.client);
}

static void check_outcome(const struct scenario *s)
{
    WCHAR path[MAX_PATH];
    char text[4096], expected[4096];

    log_path(s, path);
    if (read_text_file(path, text, sizeof(text)) < 0)
        text[0] = 0;
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = ' ';
    if (text[0])
        text[strlen(text) - 1] = 0; /* the last line's newline */
    snprintf(expected, sizeof(expected), "child%s%s", s->log[0] ? " " : "", s->log);
    ok(!strcmp(text, expected), "%s: providers were told\n  \"%s\"\nexpected\n  \"%s\"\n", s->name, text, expected);

    for (int i = 0; i < MAX_PROVIDERS && s->providers[i].name; i++) {
        LONGLONG size;

        data_path(s, &s->providers[i], path);
        size = file_size(path);
        if (s->providers[i].saves)
            ok(size == TESTPROV_DATA_SIZE, "%s: %ls has %I64d bytes on disk, expected %d: data lost\n",
               s->name, s->providers[i].name, size, TESTPROV_DATA_SIZE);
        else
            ok(size == -1, "%s: %ls saved %I64d bytes, but was never told to\n", s->name,
               s->providers[i].name, size);
    }
}

static void remove_files(const struct scenario *s)
{
    WCHAR path[MAX_PATH];

    log_path(s, path);
    DeleteFileW(path);
    for (int i = 0; i < MAX_PROVIDERS && s->providers[i].name; i++) {
        data_path(s, &s->providers[i], path);
        DeleteFileW(path);
    }
}

START_TEST(phases)
{
    int argc;
    char **args = child_args(&argc);

    if (args) {
        BOOL found = FALSE;

        for (unsigned i = 0; i < ARRAY_SIZE(scenarios); i++) {
            if (!strcmp(args[0], scenarios[i].name)) {
                found = TRUE;
                child(&scenarios[i]);
            }
        }
        ok(found, "no scenario named %s\n", args[0]);
        return;
    }

    if (!save_registry_and_register())
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(scenarios); i++) {
        const struct scenario *s = &scenarios[i];

        clear_policies();
        if (s->policy != NO_POLICY)
            set_behavior(USER_POLICY, L"16.0", s->policy);
        remove_files(s);
        winetest_push_context("%s", s->name);
        run_child(s->name);
        check_outcome(s);
        winetest_pop_context();
        remove_files(s);
    }
    clear_policies();
    unregister_and_restore_registry();
}
