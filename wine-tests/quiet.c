/* When the client follows the protocol (a successful QueryFastShutdown
 * first), NotifyProcessShutdown and DoFastShutdown allocate no heap memory,
 * read no registry, touch no file or mapping, write no event log and make no
 * text, even when a provider fails and there is something to report: memory,
 * the registry and the heap's lock may be gone in a process's last moments.
 * Recording the exit is on (the default): it writes only to its mapped view.
 * The proof hooks the real mapishut.dll's imports (its import address table)
 * and counts every call to those functions, in a child process per case;
 * and a process whose heap lock another thread holds still exits fast. */
#define COBJMACROS
#include "exit_records.h"
#include "iat_hook.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <string.h>

static LONG allocations, registry_calls, threads_created, file_calls, event_log_calls, text_calls;
static HANDLE tidied;   /* set when the subsystem's tidying thread ends */

#define COUNTING(name, counter, ret, params, args)            \
    static ret (WINAPI *real_##name) params;                  \
    static ret WINAPI counting_##name params                  \
    {                                                         \
        InterlockedIncrement(&counter);                       \
        return real_##name args;                              \
    }
#define COUNTING_CDECL(name, counter, ret, params, args)      \
    static ret (__cdecl *real_##name) params;                 \
    static ret __cdecl counting_##name params                 \
    {                                                         \
        InterlockedIncrement(&counter);                       \
        return real_##name args;                              \
    }

COUNTING_CDECL(malloc, allocations, void *, (size_t size), (size))
COUNTING_CDECL(calloc, allocations, void *, (size_t count, size_t size), (count, size))
COUNTING_CDECL(realloc, allocations, void *, (void *old, size_t size), (old, size))
COUNTING(HeapAlloc, allocations, void *, (HANDLE heap, DWORD flags, SIZE_T size), (heap, flags, size))
COUNTING(HeapReAlloc, allocations, void *, (HANDLE heap, DWORD flags, void *old, SIZE_T size), (heap, flags, old, size))
COUNTING(HeapFree, allocations, BOOL, (HANDLE heap, DWORD flags, void *block), (heap, flags, block))
COUNTING(RegOpenKeyExW, registry_calls, LSTATUS, (HKEY k, const WCHAR *s, DWORD o, REGSAM a, HKEY *r), (k, s, o, a, r))
COUNTING(RegQueryValueExW, registry_calls, LSTATUS, (HKEY k, const WCHAR *n, DWORD *r, DWORD *t, BYTE *d, DWORD *c),
         (k, n, r, t, d, c))
COUNTING(RegGetValueW, registry_calls, LSTATUS,
         (HKEY k, const WCHAR *s, const WCHAR *v, DWORD f, DWORD *t, void *d, DWORD *c), (k, s, v, f, t, d, c))
COUNTING(RegEnumKeyExW, registry_calls, LSTATUS,
         (HKEY k, DWORD i, WCHAR *n, DWORD *l, DWORD *r, WCHAR *c, DWORD *cl, FILETIME *f), (k, i, n, l, r, c, cl, f))
COUNTING(RegEnumValueW, registry_calls, LSTATUS,
         (HKEY k, DWORD i, WCHAR *n, DWORD *l, DWORD *r, DWORD *t, BYTE *d, DWORD *c), (k, i, n, l, r, t, d, c))
COUNTING(CreateThread, threads_created, HANDLE,
         (SECURITY_ATTRIBUTES *a, SIZE_T s, LPTHREAD_START_ROUTINE f, void *p, DWORD c, DWORD *i), (a, s, f, p, c, i))
COUNTING(CreateFileW, file_calls, HANDLE, (const WCHAR *n, DWORD a, DWORD s, SECURITY_ATTRIBUTES *sa, DWORD c,
         DWORD f, HANDLE t), (n, a, s, sa, c, f, t))
COUNTING(WriteFile, file_calls, BOOL, (HANDLE h, const void *b, DWORD n, DWORD *w, OVERLAPPED *o), (h, b, n, w, o))
COUNTING(ReadFile, file_calls, BOOL, (HANDLE h, void *b, DWORD n, DWORD *r, OVERLAPPED *o), (h, b, n, r, o))
COUNTING(CreateFileMappingW, file_calls, HANDLE, (HANDLE h, SECURITY_ATTRIBUTES *s, DWORD p, DWORD hi, DWORD lo,
         const WCHAR *n), (h, s, p, hi, lo, n))
COUNTING(MapViewOfFile, file_calls, void *, (HANDLE h, DWORD a, DWORD hi, DWORD lo, SIZE_T n), (h, a, hi, lo, n))
COUNTING(FindFirstFileW, file_calls, HANDLE, (const WCHAR *n, WIN32_FIND_DATAW *d), (n, d))
COUNTING(DeleteFileW, file_calls, BOOL, (const WCHAR *n), (n))
COUNTING(RegisterEventSourceW, event_log_calls, HANDLE, (const WCHAR *s, const WCHAR *n), (s, n))
COUNTING(ReportEventW, event_log_calls, BOOL, (HANDLE h, WORD t, WORD c, DWORD i, PSID s, WORD n, DWORD z,
         const WCHAR **p, void *d), (h, t, c, i, s, n, z, p, d))
COUNTING(OutputDebugStringW, text_calls, void, (const WCHAR *text), (text))
COUNTING_CDECL(_vsnwprintf, text_calls, int, (WCHAR *b, size_t n, const WCHAR *f, va_list a), (b, n, f, a))

/* The tidying thread ends through this: the test waits for it, so that
 * what it does (the Event Log, old records) is not counted as the exit's. */
static void (WINAPI *real_FreeLibraryAndExitThread)(HMODULE module, DWORD code);
static void WINAPI counting_FreeLibraryAndExitThread(HMODULE module, DWORD code)
{
    SetEvent(tidied);
    real_FreeLibraryAndExitThread(module, code);
}

static const struct hook {
    const char *name;
    void *counting;
    void **real;
} hooks[] = {
#define HOOK(name) { #name, (void *)counting_##name, (void **)&real_##name }
    HOOK(malloc), HOOK(calloc), HOOK(realloc), HOOK(HeapAlloc), HOOK(HeapReAlloc), HOOK(HeapFree),
    HOOK(RegOpenKeyExW), HOOK(RegQueryValueExW), HOOK(RegGetValueW), HOOK(RegEnumKeyExW), HOOK(RegEnumValueW),
    HOOK(CreateThread), HOOK(CreateFileW), HOOK(WriteFile), HOOK(ReadFile), HOOK(CreateFileMappingW),
    HOOK(MapViewOfFile), HOOK(FindFirstFileW), HOOK(DeleteFileW), HOOK(RegisterEventSourceW), HOOK(ReportEventW),
    HOOK(OutputDebugStringW), HOOK(_vsnwprintf), HOOK(FreeLibraryAndExitThread),
#undef HOOK
};

/* Points every matching import of the module at its counting twin; returns
 * how many import slots were hooked. */
static int hook_imports(HMODULE module)
{
    int hooked = 0;

    for (unsigned h = 0; h < ARRAY_SIZE(hooks); h++)
        hooked += hook_import(module, hooks[h].name, hooks[h].counting, hooks[h].real);
    return hooked;
}

struct exit_calls {
    IMAPIClientShutdown *client;
    HANDLE ready, go;       /* the thread runs first: starting one needs the heap */
    HANDLE done;            /* waited for, not the thread: ending one needs the heap */
    HRESULT notify, do_fast;
};

static DWORD WINAPI notify_and_do_fast(void *arg)
{
    struct exit_calls *calls = arg;

    SetEvent(calls->ready);
    WaitForSingleObject(calls->go, INFINITE);
    calls->notify = IMAPIClientShutdown_NotifyProcessShutdown(calls->client);
    calls->do_fast = IMAPIClientShutdown_DoFastShutdown(calls->client);
    SetEvent(calls->done);
    return 0;
}

/* Another thread holds the process heap's lock, as a provider that crashed
 * inside HeapAlloc leaves it, until told to let go. */
static HANDLE let_go;

static DWORD WINAPI hold_the_heap(void *arg)
{
    HANDLE held = arg;

    HeapLock(GetProcessHeap());
    SetEvent(held);
    WaitForSingleObject(let_go, INFINITE);
    HeapUnlock(GetProcessHeap());
    return 0;
}

static void child(const char *which)
{
    BOOL protocol = strcmp(which, "no_query") != 0, failing = !strcmp(which, "failing"),
         heap_locked = !strcmp(which, "heap_locked");
    LONG before[6];
    WCHAR path[MAX_PATH], records[MAX_PATH];
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    struct exit_calls calls = { 0 };
    HANDLE exiting, held, holder = NULL;
    DWORD waited;
    static char json[65536];
    HMODULE module;
    int hooked;

    exit_records_use_folder("quiet", records, ARRAY_SIZE(records));
    tidied = CreateEventW(NULL, TRUE, FALSE, NULL);
    mapishut_dll_path(path, ARRAY_SIZE(path));
    module = LoadLibraryW(path);
    hooked = hook_imports(module);
    ok(hooked >= 20, "only %d imports hooked\n", hooked);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    /* Two of each type: with ConcurrentProviders, each type is a batch. The
     * last store fails its notifications when there must be something to
     * report. Providers without log or data files: they touch no heap. */
    for (int i = 0; i < 6; i++) {
        static const ULONG types[] = { MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, MAPI_TRANSPORT_PROVIDER,
                                       MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, MAPI_TRANSPORT_PROVIDER };
        DWORD flags = i == 3 && (failing || heap_locked) ? TESTPROV_FAIL_NOTIFY | TESTPROV_FAIL_DO_FAST : 0;
        IUnknown *provider = make_provider(L"p", flags, NULL, NULL);
        ULONG cookie;

        IMAPIShutdownHost_RegisterProvider(host, NULL, types[i], provider, &cookie);
        IUnknown_Release(provider);
    }
    ok(allocations > 0, "the hooks saw no allocation while providers registered\n");
    ok(WaitForSingleObject(tidied, 10000) == WAIT_OBJECT_0, "the tidying thread did not end\n");
    ok(file_calls > 0, "the hooks saw no file call when the exit record was made\n");

    if (protocol) {
        LONG registry_before = registry_calls;

        ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
        ok(registry_calls > registry_before, "the hooks saw no registry read in QueryFastShutdown\n");
    }
    calls.client = client;
    calls.ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    calls.go = CreateEventW(NULL, TRUE, FALSE, NULL);
    calls.done = CreateEventW(NULL, TRUE, FALSE, NULL);
    exiting = CreateThread(NULL, 0, notify_and_do_fast, &calls, 0, NULL);
    WaitForSingleObject(calls.ready, 5000);
    if (heap_locked) {
        held = CreateEventW(NULL, TRUE, FALSE, NULL);
        let_go = CreateEventW(NULL, TRUE, FALSE, NULL);
        holder = CreateThread(NULL, 0, hold_the_heap, held, 0, NULL);
        ok(WaitForSingleObject(held, 5000) == WAIT_OBJECT_0, "the heap's lock was not taken\n");
    }
    before[0] = allocations, before[1] = registry_calls, before[2] = threads_created;
    before[3] = file_calls, before[4] = event_log_calls, before[5] = text_calls;
    /* Nothing that may need the heap until the heap is let go: ok() formats. */
    SetEvent(calls.go);
    waited = WaitForSingleObject(calls.done, 5000);
    if (heap_locked) {
        SetEvent(let_go);
        WaitForSingleObject(holder, 5000);
    }
    CloseHandle(exiting);
    ok(waited == WAIT_OBJECT_0, "NotifyProcessShutdown and DoFastShutdown hung\n");
    if (waited != WAIT_OBJECT_0)
        return;
    ok(calls.notify == S_OK, "NotifyProcessShutdown %#lx\n", calls.notify);
    ok(calls.do_fast == (failing || heap_locked ? MAPI_W_ERRORS_RETURNED : S_OK), "DoFastShutdown %#lx\n",
       calls.do_fast);
    if (protocol) {
        ok(allocations == before[0], "%ld heap calls in NotifyProcessShutdown and DoFastShutdown\n",
           allocations - before[0]);
        ok(registry_calls == before[1], "%ld registry calls in NotifyProcessShutdown and DoFastShutdown\n",
           registry_calls - before[1]);
        /* Threads the deadline or a batch needs were made at the query. */
        ok(threads_created == before[2], "%ld threads created in NotifyProcessShutdown and DoFastShutdown\n",
           threads_created - before[2]);
        ok(file_calls == before[3], "%ld file or mapping calls in NotifyProcessShutdown and DoFastShutdown\n",
           file_calls - before[3]);
        ok(event_log_calls == before[4], "%ld event log calls in NotifyProcessShutdown and DoFastShutdown\n",
           event_log_calls - before[4]);
        ok(text_calls == before[5], "%ld diagnostics made text in NotifyProcessShutdown and DoFastShutdown\n",
           text_calls - before[5]);
    } else {
        /* Out of protocol the policy must be read there: the hooks see it. */
        ok(registry_calls > before[1], "no registry read without a query first\n");
    }
    /* What the exit wrote went to the record all the same. */
    if (!exit_records_json(records, json, sizeof(json)))
        return;
    ok(strstr(json, "\"client_calls\":[") != NULL && exit_calls_with(json, "DoFastShutdown", "returned") >= 5,
       "the exit record lacks the calls: %s\n", json);
    if (failing || heap_locked)
        ok(exit_calls_with(json, "DoFastShutdown", "failed") == 1, "the failure is not in the record: %s\n", json);
}

START_TEST(quiet)
{
    static const struct { const char *name; DWORD timeout_ms, concurrent; } cases[] = {
        { "protocol", 0, 0 }, { "protocol", 250, 0 }, { "no_query", 0, 0 },
        { "protocol", 0, 1 }, { "protocol", 250, 1 }, { "no_query", 0, 1 },
        { "failing", 0, 0 }, { "failing", 250, 0 }, { "failing", 0, 1 },
        { "heap_locked", 0, 0 }, { "heap_locked", 250, 0 }, { "heap_locked", 0, 1 },
    };
    int argc;
    char **args = child_args(&argc);

    if (args) {
        child(args[0]);
        return;
    }
    if (!save_registry_and_register())
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        clear_policies();
        if (cases[i].timeout_ms)
            set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &cases[i].timeout_ms, 4);
        if (cases[i].concurrent)
            set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &cases[i].concurrent, 4);
        run_child(cases[i].name);
    }
    clear_policies();
    unregister_and_restore_registry();
}
