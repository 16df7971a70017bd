/* Concurrency and reentrancy under Wine: in each round (its own process)
 * eight threads race QueryFastShutdown, NotifyProcessShutdown,
 * DoFastShutdown, RegisterProvider and UnregisterProvider. Every provider is
 * told each notification exactly once, no DoFastShutdown returns before the
 * slow store has saved, a provider calling back from inside its notification
 * is refused at once, and nothing deadlocks (the parent bounds each round).
 * All of it without ConcurrentProviders, then again with it. */
#define COBJMACROS
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

#define ROUNDS 25
#define THREADS 8

static IMAPIClientShutdown *client;
static IMAPIShutdownHost *host;
static IUnknown *store;
static HANDLE go;
static WCHAR log_file[MAX_PATH], data_file[MAX_PATH];
static LONG early_returns, do_fast_successes, unexpected;

/* Query, Notify, DoFast, as a client thread would. */
static DWORD WINAPI sequence(void *arg)
{
    HRESULT hr;

    (void)arg;
    WaitForSingleObject(go, INFINITE);
    IMAPIClientShutdown_QueryFastShutdown(client);
    IMAPIClientShutdown_NotifyProcessShutdown(client);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    if (SUCCEEDED(hr)) {
        InterlockedIncrement(&do_fast_successes);
        if (!provider_saved(store))
            InterlockedIncrement(&early_returns);
    } else if (hr != MAPI_E_CALL_FAILED) {
        InterlockedIncrement(&unexpected);
    }
    return 0;
}

/* Providers coming and going until the subsystem is finished. */
static DWORD WINAPI churn(void *arg)
{
    (void)arg;
    WaitForSingleObject(go, INFINITE);
    for (;;) {
        IUnknown *provider = make_provider(L"churn", 0, NULL, NULL);
        ULONG cookie = 0;
        HRESULT hr = IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_AB_PROVIDER, provider, &cookie);

        if (hr == S_OK)
            hr = IMAPIShutdownHost_UnregisterProvider(host, cookie);
        IUnknown_Release(provider);
        if (hr == MAPI_E_CALL_FAILED)
            return 0;
        if (hr != S_OK)
            InterlockedIncrement(&unexpected);
    }
}

static DWORD WINAPI querier(void *arg)
{
    (void)arg;
    WaitForSingleObject(go, INFINITE);
    while (IMAPIClientShutdown_QueryFastShutdown(client) != MAPI_E_CALL_FAILED)
        ;
    return 0;
}

static int count(const char *text, const char *line)
{
    int n = 0;

    for (const char *at = strstr(text, line); at; at = strstr(at + 1, line))
        n += at == text || at[-1] == '\n';
    return n;
}

static void round_child(void)
{
    static const struct { const WCHAR *name; ULONG type; DWORD flags; } fixed[] = {
        { L"ms", MAPI_STORE_PROVIDER, TESTPROV_SLOW_DO_FAST },
        { L"ab", MAPI_AB_PROVIDER, TESTPROV_REENTER },
        { L"xp", MAPI_TRANSPORT_PROVIDER, 0 },
    };
    LPTHREAD_START_ROUTINE roles[THREADS] = { sequence, sequence, sequence, sequence, churn, churn, querier, querier };
    HANDLE threads[THREADS];
    static char text[65536];
    char *line;
    DWORD wait;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++) {
        IUnknown *provider = make_provider(fixed[i].name, fixed[i].flags, log_file, i == 0 ? data_file : NULL);
        ULONG cookie;

        ok(IMAPIShutdownHost_RegisterProvider(host, NULL, fixed[i].type, provider, &cookie) == S_OK,
           "RegisterProvider(%ls) failed\n", fixed[i].name);
        if (i == 0)
            store = provider;
        else
            IUnknown_Release(provider);
    }
    go = CreateEventW(NULL, TRUE, FALSE, NULL);
    for (int t = 0; t < THREADS; t++)
        threads[t] = CreateThread(NULL, 0, roles[t], NULL, 0, NULL);
    SetEvent(go);
    wait = WaitForMultipleObjects(THREADS, threads, TRUE, 30000);
    ok(wait == WAIT_OBJECT_0, "the threads did not finish: %lu\n", wait);

    ok(do_fast_successes >= 1, "no DoFastShutdown succeeded\n");
    ok(!early_returns, "%ld DoFastShutdown calls returned before the store had saved\n", early_returns);
    ok(!unexpected, "%ld calls returned something unexpected\n", unexpected);
    read_text_file(log_file, text, sizeof(text));
    for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++) {
        char n[16], d[16];

        snprintf(n, sizeof(n), "%ls.N\n", fixed[i].name);
        snprintf(d, sizeof(d), "%ls.D\n", fixed[i].name);
        ok(count(text, n) == 1, "%ls was told NotifyProcessShutdown %d times\n", fixed[i].name, count(text, n));
        ok(count(text, d) == 1, "%ls was told DoFastShutdown %d times\n", fixed[i].name, count(text, d));
        ok(strstr(text, n) < strstr(text, d), "%ls heard DoFastShutdown before NotifyProcessShutdown\n", fixed[i].name);
    }
    for (line = strstr(text, "ab.reenter="); line; line = strstr(line + 1, "ab.reenter="))
        ok(!strncmp(line, "ab.reenter=0x80004005,0x80004005,0x80004005\n", 44),
           "a call back from inside a notification was not refused: %.60s\n", line);
    ok(file_size(data_file) == TESTPROV_DATA_SIZE, "the store's data is not on disk\n");
}

START_TEST(stress)
{
    int argc;
    char **args = child_args(&argc);
    DWORD start;

    test_file_path(L"stress.log", log_file, ARRAY_SIZE(log_file));
    test_file_path(L"stress-ms.dat", data_file, ARRAY_SIZE(data_file));
    if (args) {
        ok(!strcmp(args[0], "round"), "unknown child %s\n", args[0]);
        round_child();
        return;
    }
    if (!save_registry_and_register())
        return;
    for (DWORD concurrent = 0; concurrent <= 1; concurrent++) {
        clear_policies();
        if (concurrent)
            set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &concurrent, 4);
        start = GetTickCount();
        for (int round = 0; round < ROUNDS; round++) {
            DeleteFileW(log_file);
            DeleteFileW(data_file);
            winetest_push_context("ConcurrentProviders %lu, round %d", concurrent, round);
            run_child("round");
            winetest_pop_context();
        }
        trace("ConcurrentProviders %lu: %d rounds of %d threads in %lu ms\n", concurrent, ROUNDS, THREADS,
              GetTickCount() - start);
    }
    clear_policies();
    DeleteFileW(log_file);
    DeleteFileW(data_file);
    unregister_and_restore_registry();
}
