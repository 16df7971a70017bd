/* The second review's findings (docs/design.md section 6), each as the shape
 * of client or host that broke the promise: an STA client waiting for the
 * gate, abandoned calls that come back, provider code that would run under
 * the gate, diagnostics written late, a call that ends its thread, a host
 * that prepares the workers for MAPI, and an unload with providers still
 * registered. Each case is a child process with a watchdog: a hang is a
 * failure, not a stuck run. */
#define COBJMACROS
#define CONST_VTABLE
#include "client_window.h"
#include "debug_monitor.h"
#include "profile_writer.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

static WCHAR log_file[MAX_PATH], data_file[MAX_PATH], second_data_file[MAX_PATH];

#define ENTERED_EVENT L"mapishut-hardening-entered"

/* Ends the child, failed, if the case has not finished in time. */
static DWORD WINAPI watchdog(void *arg)
{
    DWORD ms = (DWORD)(ULONG_PTR)arg;

    Sleep(ms);
    ok(0, "the case still runs after %lu ms: hung\n", ms);
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
    return 0;
}

static void start_watchdog(DWORD ms)
{
    CloseHandle(CreateThread(NULL, 0, watchdog, (void *)(ULONG_PTR)ms, 0, NULL));
}

static HANDLE entered_event(void)
{
    SetEnvironmentVariableW(L"TESTPROV_ENTERED", ENTERED_EVENT);
    return CreateEventW(NULL, TRUE, FALSE, ENTERED_EVENT);
}

static void set_dword(const WCHAR *name, DWORD value)
{
    set_policy_value(USER_POLICY, L"16.0", name, REG_DWORD, &value, sizeof(value));
}

/* --- 1. an STA client waiting for the gate ------------------------------------------ */

static DWORD WINAPI do_fast_thread(void *arg)
{
    IMAPIClientShutdown *client = arg;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    return (DWORD)IMAPIClientShutdown_DoFastShutdown(client);
}

/* Outlook's shape: the UI thread (STA, with a window) asks while another
 * thread's DoFastShutdown holds the gate, and the store being told sends a
 * message to that window. The UI thread's wait for the gate must pump, or
 * both wait for ever (and, under a deadline, the store is abandoned). */
static void sta_gate_child(void)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    HANDLE entered, other;
    IUnknown *ms;
    DWORD start, result = 0;
    ULONG cookie;
    HWND window;
    HRESULT hr;

    CoUninitialize();
    ok(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED) == S_OK, "CoInitializeEx(single-threaded) failed\n");
    window = create_client_window();
    if (!window) {
        skip("no window can be made here: the STA gate is not tested\n");
        return;
    }
    entered = entered_event();
    client = create_client_shutdown();
    host = create_shutdown_host();
    ms = make_provider(L"ms", TESTPROV_SIGNAL_DO_FAST | TESTPROV_SEND_TO_CLIENT, log_file, data_file);
    if (!client || !host || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
    start_watchdog(8000);
    other = CreateThread(NULL, 0, do_fast_thread, client, 0, NULL);
    /* Not pumping here: the store's SendMessage waits for this thread. */
    ok(WaitForSingleObject(entered, 5000) == WAIT_OBJECT_0, "the store was not told DoFastShutdown\n");
    start = GetTickCount();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr != S_OK, "QueryFastShutdown during DoFastShutdown: %#lx\n", hr);
    ok(GetTickCount() - start < 1500, "the UI thread waited %lu ms for the gate\n", GetTickCount() - start);
    ok(WaitForSingleObject(other, 5000) == WAIT_OBJECT_0, "DoFastShutdown did not return\n");
    GetExitCodeThread(other, &result);
    ok(result == S_OK, "DoFastShutdown: %#lx, expected S_OK\n", result);
    ok(provider_saved(ms), "the store did not save\n");
    DestroyWindow(window);
}

static void test_sta_gate(void)
{
    static const DWORD timeouts[] = { 0, 2000 };

    for (unsigned i = 0; i < ARRAY_SIZE(timeouts); i++) {
        clear_policies();
        if (timeouts[i])
            set_dword(MAPISHUT_TIMEOUT_VALUE, timeouts[i]);
        DeleteFileW(data_file);
        winetest_push_context("ProviderTimeoutMs %lu", timeouts[i]);
        run_child("sta_gate");
        ok(file_size(data_file) == TESTPROV_DATA_SIZE, "the store's data is not on disk\n");
        winetest_pop_context();
    }
    DeleteFileW(data_file);
    clear_policies();
}

/* --- 2. abandoned calls that come back ---------------------------------------------- */

/* 70 transports overrun a 50 ms deadline in NotifyProcessShutdown and return
 * at 120 ms: more abandoned calls than the subsystem has workers. Their
 * slots come back, so the hanging store is still abandoned at its deadline. */
#define SLOW_TRANSPORTS 70

static void abandoned_slots_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *ms;
    DWORD start;
    ULONG cookie;
    HRESULT hr;

    if (!client || !host)
        return;
    for (int i = 0; i < SLOW_TRANSPORTS; i++) {
        WCHAR name[16];

        _snwprintf(name, ARRAY_SIZE(name), L"xp%d", i);
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_TRANSPORT_PROVIDER,
                                           make_provider(name, TESTPROV_SLOW_NOTIFY, NULL, NULL), &cookie);
    }
    ms = make_provider(L"ms", TESTPROV_HANG_DO_FAST, NULL, NULL);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    start_watchdog(30000);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    /* Let the overrun calls return, as they would while the client goes on. */
    Sleep(300);
    start = GetTickCount();
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown: %#lx\n", hr);
    ok(GetTickCount() - start < 2000, "DoFastShutdown took %lu ms: the hung store had no deadline\n",
       GetTickCount() - start);
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void test_abandoned_slots(void)
{
    clear_policies();
    set_dword(MAPISHUT_TIMEOUT_VALUE, 50);
    run_child("abandoned_slots");
    clear_policies();
}

/* --- 3. no provider code under the gate ---------------------------------------------- */

struct registration {
    IMAPIShutdownHost *host;
    IUnknown *provider;
    HRESULT hr;
};

static DWORD WINAPI register_thread(void *arg)
{
    struct registration *r = arg;
    ULONG cookie;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    r->hr = IMAPIShutdownHost_RegisterProvider(r->host, NULL, MAPI_STORE_PROVIDER, r->provider, &cookie);
    return 0;
}

/* A host thread registers a provider whose QueryInterface takes 4 s while
 * the client exits under a 100 ms deadline: the exit does not wait for it. */
static void slow_qi_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    struct registration r = { create_shutdown_host(), NULL, E_PENDING };
    HANDLE entered = entered_event(), other;
    IUnknown *ms = make_provider(L"ms", 0, NULL, data_file);
    DWORD start;
    ULONG cookie;
    HRESULT hr;

    r.provider = make_provider(L"late", TESTPROV_SLOW_QI, NULL, NULL);
    if (!client || !r.host || !ms || !r.provider)
        return;
    IMAPIShutdownHost_RegisterProvider(r.host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    start_watchdog(15000);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
    other = CreateThread(NULL, 0, register_thread, &r, 0, NULL);
    ok(WaitForSingleObject(entered, 5000) == WAIT_OBJECT_0, "the provider's QueryInterface was not called\n");
    start = GetTickCount();
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "DoFastShutdown: %#lx\n", hr);
    ok(GetTickCount() - start < 1000, "DoFastShutdown waited %lu ms for a QueryInterface\n",
       GetTickCount() - start);
    ok(provider_saved(ms), "the store did not save\n");
    ok(WaitForSingleObject(other, 10000) == WAIT_OBJECT_0, "RegisterProvider did not return\n");
    ok(FAILED(r.hr), "RegisterProvider after DoFastShutdown: %#lx, expected a failure\n", r.hr);
}

static void test_slow_query_interface(void)
{
    clear_policies();
    set_dword(MAPISHUT_TIMEOUT_VALUE, 100);
    DeleteFileW(data_file);
    run_child("slow_qi");
    DeleteFileW(data_file);
    clear_policies();
}

/* --- 4. late diagnostics write what their phase saw ------------------------------------ */

static int occurrences(const char *text, const char *what)
{
    int count = 0;

    for (const char *at = text; (at = strstr(at, what)); at += strlen(what))
        count++;
    return count;
}

#define UNREGISTERED "c1600000000000000000000000000016"
#define OPTING_OUT "c1700000000000000000000000000017"
#define FREED_SECTIONS 300

/* Two queries refused with different codes while the monitor is stalled,
 * two stores each: their diagnostics (two lines a phase) are abandoned to
 * the deadline and written once the monitor reads again, each phase with its
 * own codes, though the second phase rewrote the core's events meanwhile. */
static void two_opt_outs_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    HANDLE queried = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"mapishut-hardening-queried");
    HANDLE read = OpenEventW(SYNCHRONIZE, FALSE, L"mapishut-hardening-read");
    static const DWORD flags[2] = { TESTPROV_OPT_OUT, TESTPROV_FAIL_QUERY };
    ULONG cookies[2];
    HRESULT hr;

    if (!client || !host || !queried || !read)
        return;
    start_watchdog(30000);
    for (int phase = 0; phase < 2; phase++) {
        for (int i = 0; i < 2; i++)
            IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER,
                                               make_provider(L"ms", flags[phase], NULL, NULL), &cookies[i]);
        hr = IMAPIClientShutdown_QueryFastShutdown(client);
        ok(hr == MAPI_E_NO_SUPPORT, "query %d: %#lx\n", phase, hr);
        for (int i = 0; i < 2; i++)
            IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
    }
    SetEvent(queried);
    WaitForSingleObject(read, 20000);
}

/* Runs the child case with the debug monitor stalled until it says it is
 * done, then reads everything it wrote meanwhile into text. FALSE: no
 * monitor can be made here. */
static BOOL read_late_diagnostics(const char *child, char *text, size_t size)
{
    HANDLE queried = CreateEventW(NULL, TRUE, FALSE, L"mapishut-hardening-queried");
    HANDLE read = CreateEventW(NULL, TRUE, FALSE, L"mapishut-hardening-read");
    PROCESS_INFORMATION process = { 0 };
    BOOL started;
    size_t length = 0;
    struct debug_monitor m;
    char command[MAX_PATH * 2], **argv;
    HANDLE waits[2];

    text[0] = 0;
    if (!debug_monitor_stall(&m)) {
        debug_monitor_close(&m);
        CloseHandle(queried);
        CloseHandle(read);
        return FALSE;
    }
    winetest_get_mainargs(&argv);
    snprintf(command, sizeof(command), "\"%s\" hardening %s", argv[0], child);
    started = start_process(command, &process);
    ok(started, "CreateProcess(%s): %lu\n", command, GetLastError());
    waits[0] = queried;
    waits[1] = process.hProcess;
    ok(WaitForMultipleObjects(2, waits, FALSE, 20000) == WAIT_OBJECT_0, "the child did not query\n");
    /* The monitor reads again: every write the child abandoned goes through. */
    ReleaseMutex(m.mutex);
    for (;;) {
        SetEvent(m.buffer_ready);
        if (WaitForSingleObject(m.data_ready, 2000) != WAIT_OBJECT_0)
            break;
        if (*(const DWORD *)m.view == process.dwProcessId) {
            size_t n = strnlen(m.view + sizeof(DWORD), 4096 - sizeof(DWORD));

            if (n > size - 1 - length)
                n = size - 1 - length;
            memcpy(text + length, m.view + sizeof(DWORD), n);
            length += n;
            text[length] = 0;
        }
    }
    SetEvent(read);
    wait_child_process(&process);
    debug_monitor_close(&m);
    CloseHandle(queried);
    CloseHandle(read);
    return TRUE;
}

static void test_late_diagnostics(void)
{
    static char text[65536];

    clear_policies();
    set_dword(MAPISHUT_TIMEOUT_VALUE, 300);
    if (!read_late_diagnostics("two_opt_outs", text, sizeof(text))) {
        skip("no debug monitor can be made here: late diagnostics are not tested\n");
        return;
    }
    ok(occurrences(text, "returned 0x80040102") == 2 && occurrences(text, "returned 0x80004005") == 2,
       "each query's code twice: %d and %d times\n%s\n", occurrences(text, "returned 0x80040102"),
       occurrences(text, "returned 0x80004005"), text);
    ok(occurrences(text, "store provider testprov.dll") == 4, "the providers are not named:\n%s\n", text);
    clear_policies();
}

static void test_freed_sections(void)
{
    static char text[65536];
    DWORD option = 1;

    clear_policies();
    delete_all_profiles();
    set_dword(MAPISHUT_TIMEOUT_VALUE, 300);
    set_policy_value(USER_POLICY, L"16.0", MAPISHUT_POLICY_VALUE, REG_DWORD, &option, sizeof(option));
    provider_section(PROFILES_16, L"Small", UNREGISTERED, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Store");
    provider_section(PROFILES_16, L"Small", OPTING_OUT, MAPI_STORE_PROVIDER, L"OPTOUT.DLL", L"Opting out");
    for (int i = 0; i < FREED_SECTIONS; i++) {
        char section[33];

        snprintf(section, sizeof(section), "e%031x", i);
        provider_section(PROFILES_16, L"Big", section, MAPI_STORE_PROVIDER, L"OTHER.DLL", L"Other");
    }
    if (!read_late_diagnostics("freed_sections", text, sizeof(text))) {
        skip("no debug monitor can be made here: late diagnostics are not tested\n");
    } else {
        ok(strstr(text, "TESTMS32.DLL (section " UNREGISTERED ") is loaded but never registered") != NULL,
           "the section is not named:\n%s\n", text);
        ok(strstr(text, "store provider Opting out (OPTOUT.DLL, cookie ") != NULL,
           "the provider is not named:\n%s\n", text);
        ok(!strstr(text, "????"), "a name from freed memory:\n%s\n", text);
    }
    delete_all_profiles();
    clear_policies();
}

/* Under option 1 a loaded store that never registered refuses the query,
 * and a registered one opts out; their diagnostics, abandoned to the
 * stalled monitor, are written after an attach of FREED_SECTIONS sections
 * replaced the section table they came from: they name each all the same. */
static void freed_sections_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    HANDLE queried = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"mapishut-hardening-queried");
    HANDLE read = OpenEventW(SYNCHRONIZE, FALSE, L"mapishut-hardening-read");
    IUnknown *ms = make_provider(L"ms", TESTPROV_OPT_OUT, NULL, NULL);
    ULONG cookie;
    BYTE uid[16];
    HRESULT hr;

    if (!client || !host || !queried || !read || !ms)
        return;
    start_watchdog(30000);
    load_testprov_as(L"testms32.dll");
    ok(IMAPIShutdownHost_AttachProfile(host, L"Small") == S_OK, "AttachProfile(Small) failed\n");
    uid_bytes(OPTING_OUT, uid);
    IMAPIShutdownHost_RegisterProvider(host, uid, MAPI_STORE_PROVIDER, ms, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "QueryFastShutdown: %#lx\n", hr);
    ok(IMAPIShutdownHost_AttachProfile(host, L"Big") == S_OK, "AttachProfile(Big) failed\n");
    SetEvent(queried);
    WaitForSingleObject(read, 20000);
}

/* --- 5. a call that ends its thread ------------------------------------------------- */

/* ConcurrentProviders without a deadline: a store's DoFastShutdown ends its
 * worker. That is a crash: DoFastShutdown returns, the other store saved. */
static void exit_thread_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *quitter = make_provider(L"quitter", TESTPROV_EXIT_THREAD, log_file, NULL);
    IUnknown *ms = make_provider(L"ms", 0, log_file, data_file);
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !quitter || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, quitter, &cookie);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    start_watchdog(8000);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == MAPI_W_ERRORS_RETURNED, "DoFastShutdown: %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    ok(provider_saved(ms), "the other store did not save\n");
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void test_exit_thread(void)
{
    char text[1024] = "";

    clear_policies();
    set_dword(MAPISHUT_CONCURRENT_VALUE, 1);
    DeleteFileW(log_file);
    run_child("exit_thread");
    read_text_file(log_file, text, sizeof(text));
    ok(strstr(text, "quitter.D\n") != NULL, "the quitter was not told DoFastShutdown:\n%s\n", text);
    DeleteFileW(log_file);
    DeleteFileW(data_file);
    clear_policies();
}

/* A worker that died while idle (a provider's code, or a debugger, ended it
 * between calls) gets no more calls: the next call has a worker that runs. */
static void idle_death_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *ms = make_provider(L"ms", 0, NULL, data_file);
    HANDLE worker;
    DWORD start;
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !ms)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    start_watchdog(15000);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    worker = OpenThread(THREAD_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)provider_count(ms, "testprov_last_thread"));
    ok(worker && (DWORD)provider_count(ms, "testprov_last_thread") != GetCurrentThreadId(),
       "the query was not made on a worker\n");
    if (!worker)
        return;
    TerminateThread(worker, 9);
    WaitForSingleObject(worker, 5000);
    CloseHandle(worker);
    start = GetTickCount();
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "NotifyProcessShutdown: %#lx\n", hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "DoFastShutdown: %#lx, expected S_OK\n", hr);
    ok(GetTickCount() - start < 1500, "the calls took %lu ms\n", GetTickCount() - start);
    ok(provider_saved(ms), "the store did not save\n");
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void test_idle_death(void)
{
    clear_policies();
    set_dword(MAPISHUT_TIMEOUT_VALUE, 2000);
    run_child("idle_death");
    DeleteFileW(data_file);
    clear_policies();
}

/* --- 6. the host's worker hook ------------------------------------------------------- */

enum hook_mode {
    HOOK_NONE, HOOK_PREPARES, HOOK_FAILS, HOOK_HANGS,
    HOOK_ENDS_THREAD,   /* the first HOOK_DEATHS workers' hooks crash or end their thread */
    HOOK_REENTERS,      /* it asks QueryFastShutdown of the subsystem, as a host's code may */
    HOOK_SLOW_LATER,    /* from the second worker on, it takes HOOK_SLOW_MS */
    HOOK_REGISTER_RACE, /* it prepares; a host thread registers a provider with a slow QueryInterface meanwhile */
};

#define HOOK_DEATHS 64
#define HOOK_SLOW_MS 900

struct hook {
    IMAPIShutdownWorkerHook IMAPIShutdownWorkerHook_iface;
    enum hook_mode mode;
    LONG started, ended;
    HANDLE release;
    IMAPIClientShutdown *client;
    HRESULT reentered;
    DWORD reentry_ms;
};

static struct hook *impl_from_hook(IMAPIShutdownWorkerHook *iface)
{
    return CONTAINING_RECORD(iface, struct hook, IMAPIShutdownWorkerHook_iface);
}

static HRESULT WINAPI hook_QueryInterface(IMAPIShutdownWorkerHook *iface, REFIID riid, void **out)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIShutdownWorkerHook)) {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI hook_AddRef(IMAPIShutdownWorkerHook *iface) { (void)iface; return 2; }
static ULONG WINAPI hook_Release(IMAPIShutdownWorkerHook *iface) { (void)iface; return 1; }

static HRESULT WINAPI hook_WorkerStarted(IMAPIShutdownWorkerHook *iface)
{
    struct hook *hook = impl_from_hook(iface);
    void (WINAPI *prepare)(void) = (void *)GetProcAddress(testprov(), "testprov_prepare_thread");

    LONG number = InterlockedIncrement(&hook->started);

    if (hook->mode == HOOK_HANGS)
        WaitForSingleObject(hook->release, INFINITE);
    if (hook->mode == HOOK_ENDS_THREAD && number <= HOOK_DEATHS) {
        if (number % 2)
            ExitThread(0);
        *(volatile int *)NULL = 0;
    }
    if (hook->mode == HOOK_REENTERS && number == 1) {
        DWORD start = GetTickCount();

        hook->reentered = IMAPIClientShutdown_QueryFastShutdown(hook->client);
        hook->reentry_ms = GetTickCount() - start;
    }
    if (hook->mode == HOOK_SLOW_LATER && number > 1)
        Sleep(HOOK_SLOW_MS);
    if (hook->mode == HOOK_FAILS)
        return E_FAIL;
    prepare();
    return S_OK;
}

static HRESULT WINAPI hook_WorkerEnding(IMAPIShutdownWorkerHook *iface)
{
    InterlockedIncrement(&impl_from_hook(iface)->ended);
    return S_OK;
}

static const IMAPIShutdownWorkerHookVtbl hook_vtbl = {
    hook_QueryInterface, hook_AddRef, hook_Release, hook_WorkerStarted, hook_WorkerEnding,
};

static const struct {
    const char *name;
    enum hook_mode mode;
    const WCHAR *setting;     /* ProviderTimeoutMs or ConcurrentProviders */
    DWORD value;
    DWORD store_flags;
    HRESULT expected;
    BOOL saved;
    unsigned transports;      /* registered before the store, doing nothing */
    DWORD second_store;       /* a second store's flags (0: none), saved unless it hangs */
    DWORD max_ms;             /* DoFastShutdown's bound (0: 4 s) */
} hook_cases[] = {
    /* The store needs a thread its host prepared, as MAPI does. */
    { "deadline", HOOK_PREPARES, MAPISHUT_TIMEOUT_VALUE, 2000, TESTPROV_NEEDS_PREPARED, S_OK, TRUE, 0, 0, 0 },
    { "concurrent", HOOK_PREPARES, MAPISHUT_CONCURRENT_VALUE, 1, TESTPROV_NEEDS_PREPARED, S_OK, TRUE, 0, 0, 0 },
    { "deadline_without_hook", HOOK_NONE, MAPISHUT_TIMEOUT_VALUE, 2000, TESTPROV_NEEDS_PREPARED,
      MAPI_W_ERRORS_RETURNED, FALSE, 0, 0, 0 },
    /* A hook that fails or hangs: the store is called all the same. */
    { "failing", HOOK_FAILS, MAPISHUT_TIMEOUT_VALUE, 2000, 0, S_OK, TRUE, 0, 0, 0 },
    { "hanging", HOOK_HANGS, MAPISHUT_TIMEOUT_VALUE, 300, 0, S_OK, TRUE, 0, 0, 0 },
    { "hanging_concurrent", HOOK_HANGS, MAPISHUT_CONCURRENT_VALUE, 1, 0, S_OK, TRUE, 0, 0, 0 },
    /* Workers whose hook crashed or ended their thread give their slots
     * back: the hung store still has its deadline after 64 of them. */
    { "ends_thread", HOOK_ENDS_THREAD, MAPISHUT_TIMEOUT_VALUE, 300, TESTPROV_HANG_DO_FAST, MAPI_W_ERRORS_RETURNED,
      FALSE, HOOK_DEATHS, 0, 0 },
    /* The host's code, run for the client, is the client's: refused at once. */
    { "reenters", HOOK_REENTERS, MAPISHUT_TIMEOUT_VALUE, 2000, TESTPROV_NEEDS_PREPARED, S_OK, TRUE, 0, 0, 0 },
    /* The first store hangs, so the second needs a new worker, whose hook
     * takes most of a deadline: the store still has its own to save in. */
    { "slow_later", HOOK_SLOW_LATER, MAPISHUT_TIMEOUT_VALUE, 1000, TESTPROV_HANG_DO_FAST, MAPI_W_ERRORS_RETURNED,
      FALSE, 0, TESTPROV_SLOW_DO_FAST, 1000 + HOOK_SLOW_MS + 1000 },
    /* A worker busy with a registration's QueryInterface as DoFastShutdown
     * retires the workers ends once that returns. */
    { "register_race", HOOK_REGISTER_RACE, MAPISHUT_TIMEOUT_VALUE, 6000, 0, S_OK, TRUE, 0, 0, 0 },
};

/* Every worker whose hook returned is told it ends once the subsystem is
 * done, those the deadline gave up on during their hook too. */
static void check_workers_end(const struct hook *hook)
{
    DWORD start = GetTickCount();

    while (hook->ended < hook->started && GetTickCount() - start < 3000)
        Sleep(20);
    ok(hook->ended == hook->started, "%ld workers started, %ld ended\n", hook->started, hook->ended);
}

static void hook_child(unsigned index)
{
    struct hook hook = { .IMAPIShutdownWorkerHook_iface = { &hook_vtbl }, .mode = hook_cases[index].mode,
                         .release = CreateEventW(NULL, TRUE, FALSE, NULL) };
    void (WINAPI *prepare)(void) = (void *)GetProcAddress(testprov(), "testprov_prepare_thread");
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IMAPIShutdownHost2 *host2 = NULL;
    IUnknown *ms = make_provider(L"ms", TESTPROV_LOG_THREAD | hook_cases[index].store_flags, log_file, data_file);
    IUnknown *ms2 = NULL;
    struct registration late = { host, NULL, E_PENDING };
    HANDLE entered = entered_event(), racer = NULL;
    DWORD start, max_ms = hook_cases[index].max_ms ? hook_cases[index].max_ms : 4000;
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !ms || !prepare)
        return;
    hook.client = client;
    /* The host prepared its own thread; the subsystem's are the hook's. */
    prepare();
    hr = IMAPIShutdownHost_QueryInterface(host, &IID_IMAPIShutdownHost2, (void **)&host2);
    ok(hr == S_OK, "QueryInterface(IMAPIShutdownHost2): %#lx\n", hr);
    if (!host2)
        return;
    if (hook.mode != HOOK_NONE) {
        hr = IMAPIShutdownHost2_SetWorkerHook(host2, &hook.IMAPIShutdownWorkerHook_iface);
        ok(hr == S_OK, "SetWorkerHook: %#lx\n", hr);
    }
    for (unsigned i = 0; i < hook_cases[index].transports; i++)
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_TRANSPORT_PROVIDER, make_provider(L"t", 0, NULL, NULL),
                                           &cookie);
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms, &cookie);
    if (hook_cases[index].second_store) {
        ms2 = make_provider(L"ms2", hook_cases[index].second_store, NULL, second_data_file);
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, ms2, &cookie);
    }
    start_watchdog(15000);
    ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
    if (hook.mode == HOOK_REGISTER_RACE) {
        late.provider = make_provider(L"late", TESTPROV_SLOW_QI, NULL, NULL);
        racer = CreateThread(NULL, 0, register_thread, &late, 0, NULL);
        ok(WaitForSingleObject(entered, 5000) == WAIT_OBJECT_0, "the late provider's QueryInterface was not called\n");
    }
    ok(IMAPIClientShutdown_NotifyProcessShutdown(client) == S_OK, "NotifyProcessShutdown failed\n");
    start = GetTickCount();
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == hook_cases[index].expected, "DoFastShutdown: %#lx, expected %#lx\n", hr, hook_cases[index].expected);
    ok(provider_saved(ms) == hook_cases[index].saved, "the store saved: %ld\n", provider_saved(ms));
    if (ms2)
        ok(provider_saved(ms2), "the second store did not save\n");
    ok(GetTickCount() - start < max_ms, "DoFastShutdown took %lu ms\n", GetTickCount() - start);
    ok(hook.mode == HOOK_NONE ? !hook.started : hook.started >= 1, "the hook started %ld workers\n", hook.started);
    if (hook.mode == HOOK_ENDS_THREAD)
        ok(hook.started > HOOK_DEATHS, "the hook started %ld workers\n", hook.started);
    if (hook.mode == HOOK_REENTERS) {
        ok(hook.reentered != S_OK, "QueryFastShutdown from the hook: %#lx\n", hook.reentered);
        ok(hook.reentry_ms < 1000, "QueryFastShutdown from the hook waited %lu ms\n", hook.reentry_ms);
    }
    SetEvent(hook.release);
    if (racer) {
        ok(WaitForSingleObject(racer, 10000) == WAIT_OBJECT_0, "RegisterProvider did not return\n");
        ok(FAILED(late.hr), "RegisterProvider after DoFastShutdown: %#lx, expected a failure\n", late.hr);
    }
    if (hook.mode == HOOK_PREPARES || hook.mode == HOOK_HANGS || hook.mode == HOOK_REGISTER_RACE)
        check_workers_end(&hook);
    TerminateProcess(GetCurrentProcess(), winetest_get_failures());
}

static void test_worker_hook(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(hook_cases); i++) {
        char args[32], text[1024] = "";

        clear_policies();
        set_dword(hook_cases[i].setting, hook_cases[i].value);
        DeleteFileW(log_file);
        DeleteFileW(data_file);
        DeleteFileW(second_data_file);
        winetest_push_context("%s", hook_cases[i].name);
        snprintf(args, sizeof(args), "hook %u", i);
        run_child(args);
        read_text_file(log_file, text, sizeof(text));
        ok(strstr(text, "ms.D@") != NULL, "the store was not told DoFastShutdown:\n%s\n", text);
        if (hook_cases[i].mode == HOOK_HANGS && !wcscmp(hook_cases[i].setting, MAPISHUT_TIMEOUT_VALUE))
            ok(strstr(text, "ms.D@same") != NULL, "the store was not called on the client's thread:\n%s\n", text);
        winetest_pop_context();
    }
    DeleteFileW(log_file);
    DeleteFileW(data_file);
    DeleteFileW(second_data_file);
    clear_policies();
}

/* --- 7. unloaded with providers registered ------------------------------------------- */

/* FreeLibrary against DllCanUnloadNow's answer, with a provider registered
 * whose DLL is gone: the subsystem must not call into it. */
static void detach_child(void)
{
    HRESULT (WINAPI *get_class)(REFCLSID, REFIID, void **);
    testprov_create_fn create;
    IClassFactory *factory = NULL;
    IMAPIShutdownHost *host = NULL;
    IUnknown *provider = NULL;
    HMODULE subsystem, copy;
    WCHAR path[MAX_PATH];
    ULONG cookie;

    mapishut_dll_path(path, ARRAY_SIZE(path));
    subsystem = LoadLibraryW(path);
    copy = load_testprov_as(L"testprov-gone.dll");
    ok(subsystem && copy, "LoadLibrary failed\n");
    if (!subsystem || !copy)
        return;
    get_class = (void *)GetProcAddress(subsystem, "DllGetClassObject");
    create = (testprov_create_fn)(void *)GetProcAddress(copy, "testprov_create");
    ok(get_class(&CLSID_MAPIShutdown, &IID_IClassFactory, (void **)&factory) == S_OK, "DllGetClassObject failed\n");
    IClassFactory_CreateInstance(factory, NULL, &IID_IMAPIShutdownHost, (void **)&host);
    IClassFactory_Release(factory);
    create(L"gone", 0, NULL, NULL, &provider);
    ok(host && provider, "no host or provider\n");
    if (!host || !provider)
        return;
    ok(IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie) == S_OK,
       "RegisterProvider failed\n");
    IMAPIShutdownHost_Release(host);
    /* The provider's code goes first, as when its own DLL was unloaded. */
    FreeLibrary(copy);
    FreeLibrary(subsystem);
    ok(GetModuleHandleW(L"testprov-gone.dll") == NULL, "the provider's DLL is still loaded\n");
}

static void test_detach(void)
{
    run_child("detach");
}

START_TEST(hardening)
{
    int argc;
    char **args = child_args(&argc);

    test_file_path(L"hardening.log", log_file, ARRAY_SIZE(log_file));
    test_file_path(L"hardening-ms.dat", data_file, ARRAY_SIZE(data_file));
    test_file_path(L"hardening-ms2.dat", second_data_file, ARRAY_SIZE(second_data_file));
    if (args) {
        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        if (!strcmp(args[0], "sta_gate"))
            sta_gate_child();
        else if (!strcmp(args[0], "abandoned_slots"))
            abandoned_slots_child();
        else if (!strcmp(args[0], "slow_qi"))
            slow_qi_child();
        else if (!strcmp(args[0], "two_opt_outs"))
            two_opt_outs_child();
        else if (!strcmp(args[0], "freed_sections"))
            freed_sections_child();
        else if (!strcmp(args[0], "exit_thread"))
            exit_thread_child();
        else if (!strcmp(args[0], "idle_death"))
            idle_death_child();
        else if (!strcmp(args[0], "hook") && argc > 1)
            hook_child((unsigned)atoi(args[1]));
        else if (!strcmp(args[0], "detach"))
            detach_child();
        else
            ok(0, "unknown child case %s\n", args[0]);
        return;
    }
    if (!save_registry_and_register())
        return;
    test_sta_gate();
    test_abandoned_slots();
    test_slow_query_interface();
    test_late_diagnostics();
    test_freed_sections();
    test_exit_thread();
    test_idle_death();
    test_worker_hook();
    test_detach();
    unregister_and_restore_registry();
}
