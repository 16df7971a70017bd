/* ProviderTimeoutMs under Wine: where it is read from and when it is valid,
 * and which thread providers are called on. Without a deadline every call is
 * on the client's own thread, as with Microsoft's subsystem; with one, on the
 * subsystem's worker thread. Each case is a child process. */
#define COBJMACROS
#include "client_window.h"
#include "debug_monitor.h"
#include "debug_output.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

static WCHAR log_file[MAX_PATH];

struct timeout_value {
    enum policy_where where;
    DWORD type;
    DWORD value;
    DWORD size;
};

static const struct {
    const char *name;
    struct timeout_value values[3];
    unsigned count;
    BOOL deadline;             /* calls on the worker thread */
} cases[] = {
    { "none", { { 0 } }, 0, FALSE },
    { "zero", { { USER_POLICY, REG_DWORD, 0, 4 } }, 1, FALSE },
    { "user_preference", { { USER_PREFERENCE, REG_DWORD, 250, 4 } }, 1, TRUE },
    { "machine_policy_zero_wins", { { MACHINE_POLICY, REG_DWORD, 0, 4 }, { USER_POLICY, REG_DWORD, 250, 4 } }, 2, FALSE },
    { "maximum", { { MACHINE_PREFERENCE, REG_DWORD, 600000, 4 } }, 1, TRUE },
    { "too_large_ignored", { { USER_POLICY, REG_DWORD, 600001, 4 }, { MACHINE_PREFERENCE, REG_DWORD, 250, 4 } }, 2, TRUE },
    { "string_ignored", { { MACHINE_POLICY, REG_SZ, 0, 0 } }, 1, FALSE },
    { "binary_ignored", { { MACHINE_POLICY, REG_BINARY, 250, 4 } }, 1, FALSE },
    { "reentrant", { { USER_POLICY, REG_DWORD, 5000, 4 } }, 1, TRUE },
};

/* A provider calling back into the subsystem from the worker thread is
 * refused at once, as on the client's thread: no wait for the deadline. */
static void reentrant_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *provider = make_provider(L"ms", TESTPROV_REENTER, log_file, NULL);
    DWORD start = GetTickCount();
    char text[1024];
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !provider)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "DoFastShutdown: %#lx, expected S_OK (nobody abandoned)\n", hr);
    ok(GetTickCount() - start < 4000, "the calls back waited for the deadline: %lu ms\n", GetTickCount() - start);
    read_text_file(log_file, text, sizeof(text));
    ok(!strcmp(text, "ms.Q\nms.reenter=0x80004005,0x80004005,0x80004005\n"
                     "ms.N\nms.reenter=0x80004005,0x80004005,0x80004005\n"
                     "ms.D\nms.reenter=0x80004005,0x80004005,0x80004005\n"),
       "the provider was told, and answered on calling back:\n%s\n", text);
}

/* --- a provider abandoned by the deadline, calling back late --------------------- */

static void read_log(char *text, int size)
{
    if (read_text_file(log_file, text, size) < 0)
        text[0] = 0;
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = c[1] ? ' ' : 0;
}

/* The store overruns QueryFastShutdown, then calls QueryFastShutdown itself:
 * refused at once, it asks nobody; the client's next query is served. */
static void late_query_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *xp = make_provider(L"xp", 0, log_file, NULL);
    IUnknown *ms = make_provider(L"ms", TESTPROV_LATE_QUERY, log_file, NULL);
    HANDLE returned;
    char text[1024];
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !xp || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_TRANSPORT_PROVIDER, xp, &cookie);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    returned = provider_event(L"ms.Q-returns");
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown with the store abandoned: %#lx\n", hr);
    wait_provider_event(returned, L"ms.Q-returns"); /* the store wakes up, calls back and returns */
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "the client's next QueryFastShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);
    read_log(text, sizeof(text));
    ok(!strcmp(text, "xp.Q ms.Q ms.late=0x80004005 xp.Q"),
       "calls were \"%s\", expected the late call refused and nobody asked by it\n", text);
}

/* The store overruns NotifyProcessShutdown, then calls DoFastShutdown itself:
 * refused; the client's DoFastShutdown still tells the transport to save. */
static void late_notify_child(void)
{
    WCHAR data[MAX_PATH];
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *xp, *ms;
    HANDLE returned;
    char text[1024];
    ULONG cookie;
    HRESULT hr;

    test_file_path(L"deadline-xp.dat", data, ARRAY_SIZE(data));
    xp = make_provider(L"xp", 0, log_file, data);
    ms = make_provider(L"ms", TESTPROV_LATE_NOTIFY, log_file, NULL);
    if (!client || !host || !xp || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_TRANSPORT_PROVIDER, xp, &cookie);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    returned = provider_event(L"ms.N-returns");
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    /* the store wakes up, calls DoFastShutdown first and returns */
    wait_provider_event(returned, L"ms.N-returns");
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == MAPI_W_ERRORS_RETURNED, "the client's DoFastShutdown: %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    ok(provider_saved(xp), "the transport was not told to save\n");
    read_log(text, sizeof(text));
    ok(!strcmp(text, "xp.Q ms.Q xp.N ms.N ms.late=0x80004005 xp.D xp.saved"),
       "calls were \"%s\", expected the late DoFastShutdown refused and the client's told\n", text);
    DeleteFileW(data);
}

static void test_late_callbacks(void)
{
    static const char *const children[] = { "late_query", "late_notify" };

    for (unsigned i = 0; i < ARRAY_SIZE(children); i++) {
        clear_policies();
        set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &(DWORD){ 100 }, 4);
        DeleteFileW(log_file);
        run_child(children[i]);
    }
    DeleteFileW(log_file);
    clear_policies();
}

/* --- crashes, one after the other ------------------------------------------------ */

#define CRASHES 70

/* Each crash ends its worker's thread, and its slot, events and handle are
 * given back: more crashes than there are slots, and no handle left behind. */
static void many_crashes_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *last = make_provider(L"last", TESTPROV_LOG_THREAD, log_file, NULL);
    DWORD handles_before = 0, handles_after = 0;
    BOOL counted;
    char text[1024];
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !last)
        return;
    for (int i = 0; i < CRASHES; i++) {
        IUnknown *crasher = make_provider(L"crasher", TESTPROV_CRASH_DO_FAST, NULL, NULL);

        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, crasher, &cookie);
        IUnknown_Release(crasher);
    }
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, last, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    counted = GetProcessHandleCount(GetCurrentProcess(), &handles_before) && handles_before;
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    counted = counted && GetProcessHandleCount(GetCurrentProcess(), &handles_after);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown with %d crashes: %#lx\n", CRASHES, hr);
    if (counted)
        ok(handles_after < handles_before + 10, "%d crashes left %ld handles behind\n", CRASHES,
           (long)handles_after - (long)handles_before);
    else
        skip("GetProcessHandleCount counts nothing here: the handles left behind are not counted\n");
    read_log(text, sizeof(text));
    ok(strstr(text, "last.D@other") != NULL, "the provider after the crashes was not called on a worker: \"%s\"\n",
       text);
}

/* --- a client in a single-threaded apartment --------------------------------------- */

/* The store sends a message to the client's window from its worker: the
 * client's thread must keep pumping while it waits, or the store only
 * returns when the deadline abandons it, unsaved. */
static void sta_child(void)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *ms;
    WCHAR data[MAX_PATH];
    DWORD start;
    ULONG cookie;
    HWND window;
    HRESULT hr;

    CoUninitialize();
    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    ok(hr == S_OK, "CoInitializeEx(single-threaded): %#lx\n", hr);
    window = create_client_window();
    if (!window) {
        skip("no window can be made here: the single-threaded apartment is not tested\n");
        return;
    }
    test_file_path(L"deadline-ms.dat", data, ARRAY_SIZE(data));
    client = create_client_shutdown();
    host = create_shutdown_host();
    ms = make_provider(L"ms", TESTPROV_SEND_TO_CLIENT, log_file, data);
    if (!client || !host || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    start = GetTickCount();
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "DoFastShutdown: %#lx, expected S_OK: the store was abandoned waiting for the client\n", hr);
    ok(GetTickCount() - start < 1500, "DoFastShutdown took %lu ms\n", GetTickCount() - start);
    ok(provider_saved(ms), "the store did not save\n");
    DestroyWindow(window);
}

static void test_worker_cases(void)
{
    WCHAR data[MAX_PATH];

    test_file_path(L"deadline-ms.dat", data, ARRAY_SIZE(data));
    clear_policies();
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &(DWORD){ 2000 }, 4);
    DeleteFileW(log_file);
    run_child("many_crashes");
    DeleteFileW(log_file);
    DeleteFileW(data);
    run_child("sta");
    DeleteFileW(log_file);
    DeleteFileW(data);
    clear_policies();
}

/* --- a debug monitor that never reads -------------------------------------------- */

static DWORD WINAPI write_debug_string(void *arg)
{
    (void)arg;
    OutputDebugStringA("is anyone listening?\n");
    return 0;
}

/* Diagnostics (a provider fails NotifyProcessShutdown; a policy value is
 * ignored) must not hold the exit: DoFastShutdown returns within the
 * deadline's reach, and every provider saved. */
static void stalled_monitor_child(void)
{
    WCHAR data[MAX_PATH];
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *xp, *ms;
    HANDLE probe;
    DWORD start;
    ULONG cookie;
    HRESULT hr;

    /* The stall is real here, or this tests nothing. */
    probe = CreateThread(NULL, 0, write_debug_string, NULL, 0, NULL);
    if (WaitForSingleObject(probe, 500) == WAIT_OBJECT_0) {
        skip("OutputDebugString does not wait for a stalled debug monitor here\n");
        CloseHandle(probe);
        return;
    }
    CloseHandle(probe);
    test_file_path(L"deadline-ms.dat", data, ARRAY_SIZE(data));
    xp = make_provider(L"xp", TESTPROV_FAIL_NOTIFY, NULL, NULL);
    ms = make_provider(L"ms", 0, NULL, data);
    if (!client || !host || !xp || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_TRANSPORT_PROVIDER, xp, &cookie);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);

    start = GetTickCount();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(GetTickCount() - start < 3000, "QueryFastShutdown took %lu ms\n", GetTickCount() - start);
    start = GetTickCount();
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown: %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    ok(GetTickCount() - start < 3000, "NotifyProcessShutdown and DoFastShutdown took %lu ms\n",
       GetTickCount() - start);
    ok(provider_saved(ms), "the store did not save\n");
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void test_stalled_debug_monitor(void)
{
    struct debug_monitor monitor;
    WCHAR data[MAX_PATH];

    clear_policies();
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &(DWORD){ 300 }, 4);
    set_policy_value(MACHINE_POLICY, L"16.0", MAPISHUT_POLICY_VALUE, REG_SZ, L"0", sizeof(L"0"));
    test_file_path(L"deadline-ms.dat", data, ARRAY_SIZE(data));
    DeleteFileW(data);
    ok(debug_monitor_stall(&monitor), "creating the monitor's objects: %lu\n", GetLastError());
    run_child("stalled_monitor");
    debug_monitor_close(&monitor);
    ok(file_size(data) == TESTPROV_DATA_SIZE, "the store's data is not on disk: %I64d bytes\n", file_size(data));
    DeleteFileW(data);
    clear_policies();
}

static void child(unsigned index)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *provider;
    char text[1024], expected[64];
    ULONG cookie;
    HRESULT hr;

    client = create_client_shutdown();
    host = create_shutdown_host();
    provider = make_provider(L"ms", TESTPROV_LOG_THREAD, log_file, NULL);
    if (!client || !host || !provider)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    debug_output_start();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "%s: QueryFastShutdown: %#lx\n", cases[index].name, hr);
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "%s: NotifyProcessShutdown: %#lx\n", cases[index].name, hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "%s: DoFastShutdown: %#lx\n", cases[index].name, hr);
    read_text_file(log_file, text, sizeof(text));
    snprintf(expected, sizeof(expected), "ms.Q@%s\nms.N@%s\nms.D@%s\n", cases[index].deadline ? "other" : "same",
             cases[index].deadline ? "other" : "same", cases[index].deadline ? "other" : "same");
    ok(!strcmp(text, expected), "%s: calls were\n%s, expected\n%s\n", cases[index].name, text, expected);
    if (!strcmp(cases[index].name, "too_large_ignored"))
        ok(strstr(debug_output_text(), "ProviderTimeoutMs in the user policy (HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\"
                                         "Outlook\\Options\\Shutdown) is out of range") != NULL,
           "no diagnostic for 600001: \"%s\"\n", debug_output_text());
    debug_output_stop();
}

START_TEST(deadline)
{
    int argc;
    char **args = child_args(&argc);

    test_file_path(L"deadline.log", log_file, ARRAY_SIZE(log_file));
    if (args) {
        BOOL found = FALSE;

        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        if (!strcmp(args[0], "reentrant")) {
            reentrant_child();
            return;
        }
        if (!strcmp(args[0], "stalled_monitor")) {
            stalled_monitor_child();
            return;
        }
        if (!strcmp(args[0], "many_crashes")) {
            many_crashes_child();
            return;
        }
        if (!strcmp(args[0], "sta")) {
            sta_child();
            return;
        }
        if (!strcmp(args[0], "late_query") || !strcmp(args[0], "late_notify")) {
            (args[0][5] == 'q' ? late_query_child : late_notify_child)();
            return;
        }
        for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
            if (!strcmp(args[0], cases[i].name)) {
                found = TRUE;
                child(i);
            }
        }
        ok(found, "no case named %s\n", args[0]);
        return;
    }
    if (!save_registry_and_register())
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        clear_policies();
        for (unsigned v = 0; v < cases[i].count; v++) {
            const struct timeout_value *t = &cases[i].values[v];

            if (t->type == REG_SZ)
                set_policy_value(t->where, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_SZ, L"500", sizeof(L"500"));
            else
                set_policy_value(t->where, L"16.0", MAPISHUT_TIMEOUT_VALUE, t->type, &t->value, t->size);
        }
        DeleteFileW(log_file);
        winetest_push_context("%s", cases[i].name);
        run_child(cases[i].name);
        winetest_pop_context();
    }
    DeleteFileW(log_file);
    test_late_callbacks();
    test_worker_cases();
    test_stalled_debug_monitor();
    clear_policies();
    unregister_and_restore_registry();
}
