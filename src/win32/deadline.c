/* The deadline for hung providers (ours; Microsoft's subsystem has none).
 *
 * With ProviderTimeoutMs set, each provider call runs on a worker thread and
 * the caller waits at most that long. A call that overruns is abandoned with
 * its thread; a call that crashes ends its thread from the unhandled-exception
 * filter. Either way the next call gets a new worker. The worker is created by
 * the first call under a deadline (normally QueryFastShutdown), so that the
 * protocol path (NotifyProcessShutdown, DoFastShutdown) creates nothing unless
 * a provider had to be abandoned.
 *
 * Once a worker exists the module pins itself: an abandoned thread may still
 * return into it, and the exception filter points into it. */
#include "deadline.h"
#include "module.h"

struct worker {
    HANDLE thread;
    HANDLE start;               /* set by the caller: a call is ready */
    HANDLE done;                /* set by the worker: the call returned or crashed */
    IMAPIProviderShutdown *provider;
    enum provider_call call;
    DWORD caller_thread;
    HRESULT result;
    LONG crashed;
    DWORD exception_code;
    LONG quit;
};

static struct worker *worker;                /* the idle one, if any */
static DWORD worker_tls = TLS_OUT_OF_INDEXES;
static LPTOP_LEVEL_EXCEPTION_FILTER previous_filter;
static INIT_ONCE setup_once = INIT_ONCE_STATIC_INIT;

static HRESULT invoke(IMAPIProviderShutdown *provider, enum provider_call call)
{
    switch (call) {
    case PROVIDER_QUERY:   return IMAPIProviderShutdown_QueryFastShutdown(provider);
    case PROVIDER_NOTIFY:  return IMAPIProviderShutdown_NotifyProcessShutdown(provider);
    case PROVIDER_DO_FAST: return IMAPIProviderShutdown_DoFastShutdown(provider);
    }
    return E_UNEXPECTED;
}

/* An unhandled exception on a worker ends that thread, not the process. */
static LONG WINAPI crash_filter(EXCEPTION_POINTERS *info)
{
    struct worker *w = worker_tls == TLS_OUT_OF_INDEXES ? NULL : TlsGetValue(worker_tls);

    if (!w)
        return previous_filter ? previous_filter(info) : EXCEPTION_CONTINUE_SEARCH;
    w->exception_code = info->ExceptionRecord->ExceptionCode;
    InterlockedExchange(&w->crashed, 1);
    SetEvent(w->done);
    ExitThread(1);
}

static BOOL CALLBACK setup(INIT_ONCE *once, void *param, void **context)
{
    HMODULE self;

    (void)once;
    (void)param;
    (void)context;
    worker_tls = TlsAlloc();
    if (worker_tls == TLS_OUT_OF_INDEXES)
        return FALSE;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                       (const WCHAR *)crash_filter, &self);
    previous_filter = SetUnhandledExceptionFilter(crash_filter);
    return TRUE;
}

/* The worker joins the multithreaded apartment, so that a provider using COM
 * from inside its call finds it initialised whatever the client's threads are. */
static DWORD WINAPI worker_main(void *arg)
{
    struct worker *w = arg;
    HRESULT com = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    TlsSetValue(worker_tls, w);
    for (;;) {
        WaitForSingleObject(w->start, INFINITE);
        if (w->quit)
            break;
        w->result = invoke(w->provider, w->call);
        SetEvent(w->done);
    }
    if (SUCCEEDED(com))
        CoUninitialize();
    return 0;
}

static struct worker *get_worker(void)
{
    struct worker *w;

    if (worker)
        return worker;
    if (!InitOnceExecuteOnce(&setup_once, setup, NULL, NULL))
        return NULL;
    w = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*w));
    if (!w)
        return NULL;
    w->start = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->thread = w->start && w->done ? CreateThread(NULL, 0, worker_main, w, 0, NULL) : NULL;
    if (!w->thread) {
        if (w->start)
            CloseHandle(w->start);
        if (w->done)
            CloseHandle(w->done);
        HeapFree(GetProcessHeap(), 0, w);
        return NULL;
    }
    worker = w;
    return w;
}

HRESULT provider_call(IMAPIProviderShutdown *provider, enum provider_call call, DWORD timeout_ms,
                      enum call_outcome *outcome)
{
    struct worker *w;

    *outcome = CALL_RETURNED;
    if (!timeout_ms)
        return invoke(provider, call);
    w = get_worker();
    if (!w) {
        diag(L"no worker thread for the deadline: calling %hs without one", provider_call_name(call));
        return invoke(provider, call);
    }
    w->provider = provider;
    w->call = call;
    w->caller_thread = GetCurrentThreadId();
    SetEvent(w->start);
    if (WaitForSingleObject(w->done, timeout_ms) != WAIT_OBJECT_0) {
        /* Its thread, events and memory are left to it: it may still finish. */
        worker = NULL;
        *outcome = CALL_TIMED_OUT;
        return HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    }
    if (w->crashed) {
        worker = NULL;
        CloseHandle(w->thread);
        *outcome = CALL_CRASHED;
        return (HRESULT)w->exception_code;
    }
    return w->result;
}

DWORD deadline_logical_thread(void)
{
    struct worker *w = worker_tls == TLS_OUT_OF_INDEXES ? NULL : TlsGetValue(worker_tls);

    return w ? w->caller_thread : GetCurrentThreadId();
}

void deadline_shutdown(void)
{
    struct worker *w = worker;

    if (!w)
        return;
    worker = NULL;
    InterlockedExchange(&w->quit, 1);
    SetEvent(w->start);
    WaitForSingleObject(w->thread, INFINITE);
    CloseHandle(w->thread);
    CloseHandle(w->start);
    CloseHandle(w->done);
    HeapFree(GetProcessHeap(), 0, w);
}
