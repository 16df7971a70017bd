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
 * Workers live in a fixed table, not on the heap: after a provider crashed
 * inside the heap lock, nothing here may need the heap again. A crashed
 * worker's slot is reclaimed (its thread has ended); an abandoned one's never
 * is (its thread may still run, and still calls back as a stranger).
 *
 * Once a worker exists the module pins itself: an abandoned thread may still
 * return into it, and the exception filter points into it. */
#include "deadline.h"
#include "module.h"

#include <string.h>

struct provider_request {
    IMAPIProviderShutdown *provider;
    enum provider_call call;
};
_Static_assert(sizeof(struct provider_request) <= DEADLINE_ARG_MAX, "a provider call runs under the deadline");

enum worker_state {
    WORKER_FREE,        /* no thread */
    WORKER_IDLE,        /* a thread waiting for a call */
    WORKER_BUSY,        /* a thread running a call */
    WORKER_ABANDONED,   /* a thread that overran its deadline: never used again */
};

struct worker {
    LONG state;                 /* enum worker_state */
    HANDLE thread;
    HANDLE start;               /* set by the caller: a call is ready */
    HANDLE done;                /* set by the worker: the call returned or crashed */
    HRESULT (*work)(void *arg);  /* the call, given arg_copy */
    void *arg_copy[DEADLINE_ARG_MAX / sizeof(void *)]; /* its argument, copied: an
                                   abandoned call may read it after its caller moved on */
    DWORD caller_thread;
    HRESULT result;
    LONG crashed;
    DWORD exception_code;
    LONG quit;
    LONG unusable;              /* it could not set itself up: it ran nothing */
};

#define WORKER_SLOTS 64

static struct worker workers[WORKER_SLOTS];
static DWORD worker_tls = TLS_OUT_OF_INDEXES;
static LPTOP_LEVEL_EXCEPTION_FILTER previous_filter;
static INIT_ONCE setup_once = INIT_ONCE_STATIC_INIT;

static HRESULT invoke(void *arg)
{
    struct provider_request *request = arg;

    switch (request->call) {
    case PROVIDER_QUERY:   return IMAPIProviderShutdown_QueryFastShutdown(request->provider);
    case PROVIDER_NOTIFY:  return IMAPIProviderShutdown_NotifyProcessShutdown(request->provider);
    case PROVIDER_DO_FAST: return IMAPIProviderShutdown_DoFastShutdown(request->provider);
    }
    return E_UNEXPECTED;
}

static struct worker *current_worker(void)
{
    return worker_tls == TLS_OUT_OF_INDEXES ? NULL : TlsGetValue(worker_tls);
}

/* An unhandled exception on a worker ends that thread, not the process. */
static LONG WINAPI crash_filter(EXCEPTION_POINTERS *info)
{
    struct worker *w = current_worker();

    if (!w)
        return previous_filter ? previous_filter(info) : EXCEPTION_CONTINUE_SEARCH;
    w->exception_code = info->ExceptionRecord->ExceptionCode;
    InterlockedExchange(&w->crashed, 1);
    SetEvent(w->done);
    ExitThread(1);
}

/* Without a pinned module, waiting for a worker on FreeLibrary would mean
 * waiting inside DllMain: no pin, no deadline. */
static BOOL CALLBACK setup(INIT_ONCE *once, void *param, void **context)
{
    HMODULE self;

    (void)once;
    (void)param;
    (void)context;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (const WCHAR *)crash_filter, &self))
        return FALSE;
    worker_tls = TlsAlloc();
    if (worker_tls == TLS_OUT_OF_INDEXES)
        return FALSE;
    previous_filter = SetUnhandledExceptionFilter(crash_filter);
    return TRUE;
}

/* The worker joins the multithreaded apartment, so that a provider using COM
 * from inside its call finds it initialised whatever the client's threads are. */
static DWORD WINAPI worker_main(void *arg)
{
    struct worker *w = arg;
    HRESULT com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    BOOL known = TlsSetValue(worker_tls, w);

    for (;;) {
        WaitForSingleObject(w->start, INFINITE);
        if (w->quit)
            break;
        /* A worker that cannot be recognised would let a crash kill the
         * process and a late callback pass for the client: it runs nothing. */
        if (!known)
            InterlockedExchange(&w->unusable, 1);
        else
            w->result = w->work(w->arg_copy);
        SetEvent(w->done);
        if (!known)
            break;
    }
    if (SUCCEEDED(com))
        CoUninitialize();
    return 0;
}

static void close_worker(struct worker *w)
{
    CloseHandle(w->thread);
    CloseHandle(w->start);
    CloseHandle(w->done);
    w->thread = w->start = w->done = NULL;
    InterlockedExchange(&w->state, WORKER_FREE);
}

static BOOL start_worker(struct worker *w)
{
    w->crashed = w->quit = w->unusable = 0;
    w->start = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->thread = w->start && w->done ? CreateThread(NULL, 0, worker_main, w, 0, NULL) : NULL;
    if (w->thread)
        return TRUE;
    if (w->start)
        CloseHandle(w->start);
    if (w->done)
        CloseHandle(w->done);
    w->start = w->done = NULL;
    return FALSE;
}

/* An idle worker, or a new one in a free slot; NULL when neither can be had. */
static struct worker *claim_worker(void)
{
    if (!InitOnceExecuteOnce(&setup_once, setup, NULL, NULL))
        return NULL;
    for (int i = 0; i < WORKER_SLOTS; i++)
        if (InterlockedCompareExchange(&workers[i].state, WORKER_BUSY, WORKER_IDLE) == WORKER_IDLE)
            return &workers[i];
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (InterlockedCompareExchange(&w->state, WORKER_BUSY, WORKER_FREE) != WORKER_FREE)
            continue;
        if (start_worker(w))
            return w;
        InterlockedExchange(&w->state, WORKER_FREE);
        return NULL;
    }
    return NULL;
}

/* A caller in a single-threaded apartment keeps pumping while it waits, so
 * that a provider which needs that apartment from its worker can get it. */
static BOOL wait_for(HANDLE done, DWORD timeout_ms)
{
    APTTYPE type;
    APTTYPEQUALIFIER qualifier;
    DWORD index;

    if (SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA))
        return CoWaitForMultipleHandles(0, timeout_ms, 1, &done, &index) == S_OK;
    return WaitForSingleObject(done, timeout_ms) == WAIT_OBJECT_0;
}

/* Hands the call to the worker, which runs it at once. */
static void dispatch(struct worker *w, HRESULT (*work)(void *arg), const void *arg, size_t arg_size)
{
    w->work = work;
    memcpy(w->arg_copy, arg, arg_size);
    w->caller_thread = GetCurrentThreadId();
    SetEvent(w->start);
}

/* Waits for the worker's call at most timeout_ms (INFINITE: no deadline)
 * and frees or abandons the worker as the call ended. */
static HRESULT finish(struct worker *w, DWORD timeout_ms, enum call_outcome *outcome)
{
    *outcome = CALL_RETURNED;
    if (!wait_for(w->done, timeout_ms)) {
        /* Its thread and events are left to it: it may still finish, and any
         * call it makes from now on is a stranger's. */
        InterlockedExchange(&w->state, WORKER_ABANDONED);
        *outcome = CALL_TIMED_OUT;
        return HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    }
    if (w->crashed) {
        HRESULT code = (HRESULT)w->exception_code;

        /* The filter ends the thread right after it signals: wait for that,
         * briefly, before the slot is reused. */
        WaitForSingleObject(w->thread, 1000);
        close_worker(w);
        *outcome = CALL_CRASHED;
        return code;
    }
    if (w->unusable) {
        HRESULT (*work)(void *arg) = w->work;
        void *arg[ARRAYSIZE(w->arg_copy)];

        memcpy(arg, w->arg_copy, sizeof(arg));
        WaitForSingleObject(w->thread, 1000);
        close_worker(w);
        return work(arg);
    }
    InterlockedExchange(&w->state, WORKER_IDLE);
    return w->result;
}

HRESULT deadline_run(HRESULT (*work)(void *arg), const void *arg, size_t arg_size, DWORD timeout_ms,
                     enum call_outcome *outcome)
{
    struct worker *w;

    *outcome = CALL_RETURNED;
    if (!timeout_ms || arg_size > DEADLINE_ARG_MAX || !(w = claim_worker()))
        return work((void *)arg);
    dispatch(w, work, arg, arg_size);
    return finish(w, timeout_ms, outcome);
}

HRESULT provider_call(IMAPIProviderShutdown *provider, enum provider_call call, DWORD timeout_ms,
                      enum call_outcome *outcome)
{
    struct provider_request request = { provider, call };

    return deadline_run(invoke, &request, sizeof(request), timeout_ms, outcome);
}

/* All at once, each on a worker of its own; each call's deadline starts with
 * the batch. Without a deadline the workers are waited for as long as they
 * take, as a provider called on the client's thread would be. A call no
 * worker could be had for runs on this thread meanwhile. */
void provider_call_batch(struct shutdown_batch_call *calls, size_t count, enum provider_call call, DWORD timeout_ms)
{
    ULONGLONG start = GetTickCount64();

    for (size_t i = 0; i < count; i++) {
        struct provider_request request = { calls[i].shutdown, call };
        struct worker *w = claim_worker();

        calls[i].running = w;
        calls[i].outcome = CALL_RETURNED;
        if (w)
            dispatch(w, invoke, &request, sizeof(request));
    }
    for (size_t i = 0; i < count; i++) {
        struct provider_request request = { calls[i].shutdown, call };

        if (!calls[i].running)
            calls[i].hr = invoke(&request);
    }
    for (size_t i = 0; i < count; i++) {
        ULONGLONG elapsed = GetTickCount64() - start;
        DWORD left = !timeout_ms ? INFINITE : elapsed >= timeout_ms ? 0 : (DWORD)(timeout_ms - elapsed);

        if (calls[i].running)
            calls[i].hr = finish(calls[i].running, left, &calls[i].outcome);
        calls[i].running = NULL;
    }
}

DWORD deadline_logical_thread(void)
{
    struct worker *w = current_worker();

    return w ? w->caller_thread : GetCurrentThreadId();
}

BOOL deadline_caller_is_abandoned(void)
{
    struct worker *w = current_worker();

    return w && InterlockedCompareExchange(&w->state, 0, 0) == WORKER_ABANDONED;
}

BOOL deadline_in_use(void)
{
    for (int i = 0; i < WORKER_SLOTS; i++)
        if (InterlockedCompareExchange(&workers[i].state, 0, 0) != WORKER_FREE)
            return TRUE;
    return FALSE;
}

void deadline_shutdown(void)
{
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (InterlockedCompareExchange(&w->state, WORKER_BUSY, WORKER_IDLE) != WORKER_IDLE)
            continue;
        InterlockedExchange(&w->quit, 1);
        SetEvent(w->start);
        WaitForSingleObject(w->thread, INFINITE);
        close_worker(w);
    }
}
