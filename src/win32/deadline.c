/* The deadline for hung providers (ours; Microsoft's subsystem has none).
 *
 * With ProviderTimeoutMs set, each provider call runs on a worker thread and
 * the caller waits at most that long. A call that overruns is abandoned: its
 * worker is left to it, and once the call returns the worker is idle again
 * (the provider stays abandoned: never called again). A call that crashes,
 * or whose thread ends inside it, is abandoned too; its slot is reclaimed.
 * When no worker can be had, the call is still made on the caller's thread
 * without a deadline (the provider is told: its data comes first) and the
 * caller hears of it. Workers are created by the first calls under a
 * deadline (normally QueryFastShutdown), so that the protocol path creates
 * nothing unless one had to be given up. A new worker is handed its call
 * only once the host's hook has prepared it: a hook that has not returned
 * within the call's deadline (or HOOK_WAIT_MS without one) is given up, and
 * the call made on the caller's thread, since the provider's data comes first.
 *
 * Workers live in a fixed table, not on the heap: after a provider crashed
 * inside the heap lock, nothing here may need the heap again. Once a worker
 * exists the module pins itself: an abandoned thread may still return into
 * it, and the exception filter points into it. */
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
    WORKER_BUSY,        /* a thread running a call its caller waits for (or being set up) */
    WORKER_RETURNED,    /* the call returned; its caller collects the result */
    WORKER_ABANDONED,   /* its caller gave up: it becomes idle when the call returns */
    WORKER_UNPREPARED,  /* its caller gave up waiting for the hook: idle when the hook returns */
    WORKER_DEAD,        /* its thread ended: the slot's handles wait to be closed */
};

struct worker {
    LONG state;                 /* enum worker_state */
    HANDLE thread;
    HANDLE start;               /* set by the caller: a call is ready */
    HANDLE done;                /* set by the worker: the call returned or crashed */
    HANDLE ready;               /* set by the worker once the host's hook returned */
    HRESULT (*work)(void *arg);  /* the call, given arg_copy */
    void *arg_copy[DEADLINE_ARG_MAX / sizeof(void *)]; /* its argument, copied: an
                                   abandoned call may use it after its caller moved on */
    DWORD caller_thread;
    HRESULT result;
    LONG crashed;
    DWORD exception_code;
    LONG quit;
    LONG unusable;              /* it could not set itself up: it ran nothing */
    LONG hook_failed;           /* the host's WorkerStarted failed: the next result says so */
    IMAPIShutdownWorkerHook *hook; /* the host's, held for the worker's life */
};

#define WORKER_SLOTS 64

static struct worker workers[WORKER_SLOTS];
static DWORD worker_tls = TLS_OUT_OF_INDEXES;
static LPTOP_LEVEL_EXCEPTION_FILTER previous_filter;
static INIT_ONCE setup_once = INIT_ONCE_STATIC_INIT;
static SRWLOCK hook_lock = SRWLOCK_INIT;
static IMAPIShutdownWorkerHook *host_hook;
static LONG retiring;

/* How long a new worker's hook may take where no deadline bounds the call. */
#define HOOK_WAIT_MS 2000

/* A thread that ended inside a call, for want of an exception code. */
#define THREAD_ENDED_IN_CALL ((DWORD)0xC000004BL) /* STATUS_THREAD_IS_TERMINATING */

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

static LONG state_of(struct worker *w)
{
    return InterlockedCompareExchange(&w->state, 0, 0);
}

static BOOL moves(struct worker *w, LONG from, LONG to)
{
    return InterlockedCompareExchange(&w->state, to, from) == from;
}

/* An unhandled exception on a worker ends that thread, not the process. */
static LONG WINAPI crash_filter(EXCEPTION_POINTERS *info)
{
    struct worker *w = current_worker();

    if (!w)
        return previous_filter ? previous_filter(info) : EXCEPTION_CONTINUE_SEARCH;
    w->exception_code = info->ExceptionRecord->ExceptionCode;
    InterlockedExchange(&w->crashed, 1);
    if (moves(w, WORKER_BUSY, WORKER_RETURNED))
        SetEvent(w->done);
    else if (!moves(w, WORKER_ABANDONED, WORKER_DEAD)) /* nobody waits: the slot is reclaimed */
        moves(w, WORKER_UNPREPARED, WORKER_DEAD);
    /* Code run as the thread ends is not this slot's next worker's. */
    TlsSetValue(worker_tls, NULL);
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

/* An idle worker ends if the subsystem is done: deadline_retire may have
 * passed its slot while it was busy or abandoned. */
static BOOL retired_meanwhile(struct worker *w)
{
    return InterlockedCompareExchange(&retiring, 0, 0) && moves(w, WORKER_IDLE, WORKER_BUSY);
}

/* The call returned: its caller collects it, or, abandoned, the worker is
 * free for another call (or ends, once the subsystem is done). */
static BOOL call_returned(struct worker *w)
{
    if (moves(w, WORKER_BUSY, WORKER_RETURNED)) {
        SetEvent(w->done);
        return TRUE;
    }
    return moves(w, WORKER_ABANDONED, WORKER_IDLE) && !retired_meanwhile(w);
}

/* The worker joins the multithreaded apartment, so that a provider using COM
 * from inside its call finds it initialised whatever the client's threads
 * are; the host's hook prepares it for MAPI before its first call. */
static DWORD WINAPI worker_main(void *arg)
{
    struct worker *w = arg;
    HRESULT com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    BOOL known = TlsSetValue(worker_tls, w), started = FALSE;

    if (w->hook) {
        started = SUCCEEDED(IMAPIShutdownWorkerHook_WorkerStarted(w->hook));
        InterlockedExchange(&w->hook_failed, !started);
    }
    SetEvent(w->ready);
    /* Its caller gave up waiting for the hook: nobody has a call for it. */
    if (moves(w, WORKER_UNPREPARED, WORKER_IDLE) && retired_meanwhile(w))
        InterlockedExchange(&w->quit, 1);
    while (!w->quit) {
        WaitForSingleObject(w->start, INFINITE);
        if (w->quit)
            break;
        /* A worker that cannot be recognised would let a crash kill the
         * process and a late callback pass for the client: it runs nothing. */
        if (!known) {
            InterlockedExchange(&w->unusable, 1);
            SetEvent(w->done);
            break;
        }
        w->result = w->work(w->arg_copy);
        if (!call_returned(w))
            break;
    }
    if (started)
        IMAPIShutdownWorkerHook_WorkerEnding(w->hook);
    if (SUCCEEDED(com))
        CoUninitialize();
    /* The caller of an unusable worker closes the slot; otherwise it is left
     * for claim_worker to reclaim. */
    TlsSetValue(worker_tls, NULL);
    if (!w->unusable)
        InterlockedExchange(&w->state, WORKER_DEAD);
    return 0;
}

static void close_worker(struct worker *w)
{
    CloseHandle(w->thread);
    CloseHandle(w->start);
    CloseHandle(w->done);
    CloseHandle(w->ready);
    w->thread = w->start = w->done = w->ready = NULL;
    if (w->hook)
        IMAPIShutdownWorkerHook_Release(w->hook);
    w->hook = NULL;
    InterlockedExchange(&w->state, WORKER_FREE);
}

/* For a slot this caller holds (WORKER_BUSY). */
static BOOL start_worker(struct worker *w)
{
    w->crashed = w->quit = w->unusable = w->hook_failed = 0;
    AcquireSRWLockShared(&hook_lock);
    w->hook = host_hook;
    if (w->hook)
        IMAPIShutdownWorkerHook_AddRef(w->hook);
    ReleaseSRWLockShared(&hook_lock);
    w->start = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    w->ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    w->thread = w->start && w->done && w->ready ? CreateThread(NULL, 0, worker_main, w, 0, NULL) : NULL;
    if (w->thread)
        return TRUE;
    if (w->start)
        CloseHandle(w->start);
    if (w->done)
        CloseHandle(w->done);
    if (w->ready)
        CloseHandle(w->ready);
    w->start = w->done = w->ready = NULL;
    if (w->hook)
        IMAPIShutdownWorkerHook_Release(w->hook);
    w->hook = NULL;
    InterlockedExchange(&w->state, WORKER_FREE);
    return FALSE;
}

static BOOL thread_has_ended(struct worker *w)
{
    return WaitForSingleObject(w->thread, 0) == WAIT_OBJECT_0;
}

/* An idle worker whose thread is alive, or a new one in a slot that has
 * none; NULL when neither can be had. A thread that died while idle, or
 * ended after it was abandoned, gives its slot back here. */
static struct worker *claim_worker(void)
{
    if (!InitOnceExecuteOnce(&setup_once, setup, NULL, NULL) || InterlockedCompareExchange(&retiring, 0, 0))
        return NULL;
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (!moves(w, WORKER_IDLE, WORKER_BUSY))
            continue;
        if (!thread_has_ended(w))
            return w;
        close_worker(w);
    }
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (moves(w, WORKER_DEAD, WORKER_BUSY) ||
            (thread_has_ended(w) &&
             (moves(w, WORKER_ABANDONED, WORKER_BUSY) || moves(w, WORKER_UNPREPARED, WORKER_BUSY)))) {
            /* A dead worker's thread may still be ending (a crash, its DLL
             * notifications): its slot waits for a later claim. */
            if (thread_has_ended(w))
                close_worker(w);
            else
                InterlockedExchange(&w->state, WORKER_DEAD);
        }
    }
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (!moves(w, WORKER_FREE, WORKER_BUSY))
            continue;
        /* The hook, run first, acts for this caller too. */
        w->caller_thread = GetCurrentThreadId();
        return start_worker(w) ? w : NULL;
    }
    return NULL;
}

/* A slot whose thread ended (after a crash): closed once the thread is gone. */
static void reclaim_ended(struct worker *w)
{
    WaitForSingleObject(w->thread, 1000);
    close_worker(w);
}

/* Waits for a new worker's hook, at most wait_ms. FALSE: the worker is not
 * this caller's any more (its thread ended, or it was given up and becomes
 * idle when its hook returns); the call is made here, unguarded. */
static BOOL worker_ready(struct worker *w, DWORD wait_ms, uint32_t *flags)
{
    HANDLE handles[2] = { w->ready, w->thread };
    DWORD signalled = 0;

    if (wait_for_handles(2, handles, wait_ms, &signalled) && signalled == 0)
        return TRUE;
    *flags |= CALL_UNGUARDED | CALL_HOOK_FAILED;
    /* Its thread ended in the hook: nobody else will free the slot. */
    if (signalled == 1) {
        reclaim_ended(w);
        return FALSE;
    }
    /* The hook is crashing just now: claim_worker reclaims the slot later. */
    if (!moves(w, WORKER_BUSY, WORKER_UNPREPARED)) {
        moves(w, WORKER_RETURNED, WORKER_DEAD);
        return FALSE;
    }
    /* The hook returned just now and the worker did not see it given up.
     * Only this caller can take an unprepared worker back. */
    if (WaitForSingleObject(w->ready, 0) == WAIT_OBJECT_0 && moves(w, WORKER_UNPREPARED, WORKER_BUSY)) {
        *flags &= ~(uint32_t)(CALL_UNGUARDED | CALL_HOOK_FAILED);
        return TRUE;
    }
    return FALSE;
}

/* Hands the call to the worker, which runs it at once. */
static void dispatch(struct worker *w, HRESULT (*work)(void *arg), const void *arg, size_t arg_size)
{
    w->work = work;
    memcpy(w->arg_copy, arg, arg_size);
    w->caller_thread = GetCurrentThreadId();
    SetEvent(w->start);
}

/* Waits for the worker's call at most timeout_ms (INFINITE: no deadline),
 * for its end or for its thread's, and frees or abandons the worker as the
 * call ended. On return the arguments are copied back to arg. */
static HRESULT finish(struct worker *w, DWORD timeout_ms, void *arg, size_t arg_size, enum call_outcome *outcome,
                      uint32_t *flags)
{
    HANDLE handles[2] = { w->done, w->thread };
    DWORD signalled = 0;
    HRESULT result;

    *outcome = CALL_RETURNED;
    if (!wait_for_handles(2, handles, timeout_ms, &signalled)) {
        /* Its thread and events are left to it: it may still finish, and any
         * call it makes until then is a stranger's. */
        if (moves(w, WORKER_BUSY, WORKER_ABANDONED)) {
            *outcome = CALL_TIMED_OUT;
            return HRESULT_FROM_WIN32(ERROR_TIMEOUT);
        }
        /* It returned just now: its done event is set, or about to be. */
        WaitForSingleObject(w->done, INFINITE);
        signalled = 0;
    }
    /* The hook ran before the call, on the worker: known now. */
    if (InterlockedExchange(&w->hook_failed, 0))
        *flags |= CALL_HOOK_FAILED;
    if (signalled == 1 && !w->crashed && state_of(w) == WORKER_BUSY) {
        /* The thread ended inside the call (ExitThread, a filter of the
         * client's ending it): a crash, as far as the caller can tell. */
        reclaim_ended(w);
        *outcome = CALL_CRASHED;
        return (HRESULT)THREAD_ENDED_IN_CALL;
    }
    if (signalled == 1)
        WaitForSingleObject(w->done, 1000); /* a crash or a return, signalling as the thread ends */
    if (w->crashed) {
        HRESULT code = (HRESULT)w->exception_code;

        reclaim_ended(w);
        *outcome = CALL_CRASHED;
        return code;
    }
    if (w->unusable) {
        HRESULT (*work)(void *arg) = w->work;
        void *copy[ARRAYSIZE(w->arg_copy)];

        memcpy(copy, w->arg_copy, sizeof(copy));
        reclaim_ended(w);
        *flags |= CALL_UNGUARDED;
        result = work(copy);
        memcpy(arg, copy, arg_size);
        return result;
    }
    result = w->result;
    memcpy(arg, w->arg_copy, arg_size);
    InterlockedExchange(&w->state, WORKER_IDLE);
    /* deadline_retire may have passed it while its call ran (a registration's
     * QueryInterface, made outside the gate): it ends now. */
    if (retired_meanwhile(w)) {
        InterlockedExchange(&w->quit, 1);
        SetEvent(w->start);
    }
    return result;
}

/* What is left of timeout_ms since start. */
static DWORD time_left(ULONGLONG start, DWORD timeout_ms)
{
    ULONGLONG elapsed = GetTickCount64() - start;

    return elapsed >= timeout_ms ? 0 : (DWORD)(timeout_ms - elapsed);
}

/* Runs work on a worker, for at most timeout_ms once it started; a new
 * worker's hook may take as long again before. FALSE: no worker could be
 * had in time, and work has not run. */
static BOOL run_on_worker(HRESULT (*work)(void *arg), void *arg, size_t arg_size, DWORD timeout_ms,
                          HRESULT *result, enum call_outcome *outcome, uint32_t *flags)
{
    ULONGLONG start = GetTickCount64();
    struct worker *w;

    if (arg_size > DEADLINE_ARG_MAX || !(w = claim_worker()) || !worker_ready(w, time_left(start, timeout_ms), flags))
        return FALSE;
    /* The provider's deadline is its own: a hook that returned late must not
     * leave it too little time to save. */
    dispatch(w, work, arg, arg_size);
    *result = finish(w, timeout_ms, arg, arg_size, outcome, flags);
    return TRUE;
}

HRESULT deadline_run(HRESULT (*work)(void *arg), void *arg, size_t arg_size, DWORD timeout_ms,
                     enum call_outcome *outcome, uint32_t *flags)
{
    HRESULT result;

    *outcome = CALL_RETURNED;
    *flags = 0;
    if (!timeout_ms)
        return work(arg);
    if (run_on_worker(work, arg, arg_size, timeout_ms, &result, outcome, flags))
        return result;
    *flags |= CALL_UNGUARDED;
    return work(arg);
}

BOOL deadline_run_guarded(HRESULT (*work)(void *arg), void *arg, size_t arg_size, DWORD timeout_ms)
{
    enum call_outcome outcome = CALL_RETURNED;
    uint32_t flags = 0;
    HRESULT result;

    if (!timeout_ms) {
        work(arg);
        return TRUE;
    }
    return run_on_worker(work, arg, arg_size, timeout_ms, &result, &outcome, &flags);
}

HRESULT provider_call(IMAPIProviderShutdown *provider, enum provider_call call, DWORD timeout_ms,
                      enum call_outcome *outcome, uint32_t *flags)
{
    struct provider_request request = { provider, call };

    return deadline_run(invoke, &request, sizeof(request), timeout_ms, outcome, flags);
}

/* All at once, each on a worker of its own; each call's deadline starts once
 * every call has been handed out (the new workers' hooks may take as long
 * again before). Without a deadline the workers are waited for as long as they
 * take, as a provider called on the client's thread would be, but no longer
 * than their threads live. A call no worker could be had for runs on this
 * thread meanwhile. */
void provider_call_batch(struct shutdown_batch_call *calls, size_t count, enum provider_call call, DWORD timeout_ms)
{
    ULONGLONG start = GetTickCount64(), calls_start;

    for (size_t i = 0; i < count; i++) {
        calls[i].running = claim_worker();
        calls[i].outcome = CALL_RETURNED;
        calls[i].flags = 0;
    }
    /* The new workers' hooks run meanwhile; each may take what is left. */
    for (size_t i = 0; i < count; i++) {
        struct provider_request request = { calls[i].shutdown, call };
        DWORD left = time_left(start, timeout_ms ? timeout_ms : HOOK_WAIT_MS);

        if (calls[i].running && !worker_ready(calls[i].running, left, &calls[i].flags))
            calls[i].running = NULL;
        if (calls[i].running)
            dispatch(calls[i].running, invoke, &request, sizeof(request));
    }
    calls_start = GetTickCount64();
    for (size_t i = 0; i < count; i++) {
        struct provider_request request = { calls[i].shutdown, call };

        if (!calls[i].running) {
            calls[i].flags |= CALL_UNGUARDED;
            calls[i].hr = invoke(&request);
        }
    }
    for (size_t i = 0; i < count; i++) {
        DWORD left = timeout_ms ? time_left(calls_start, timeout_ms) : INFINITE;
        struct provider_request request;

        if (calls[i].running)
            calls[i].hr = finish(calls[i].running, left, &request, sizeof(request), &calls[i].outcome,
                                 &calls[i].flags);
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
    LONG state = w ? state_of(w) : WORKER_FREE;

    return state == WORKER_ABANDONED || state == WORKER_UNPREPARED;
}

BOOL deadline_in_use(void)
{
    for (int i = 0; i < WORKER_SLOTS; i++)
        if (state_of(&workers[i]) != WORKER_FREE)
            return TRUE;
    return FALSE;
}

void deadline_set_hook(IMAPIShutdownWorkerHook *hook)
{
    IMAPIShutdownWorkerHook *old;

    if (hook)
        IMAPIShutdownWorkerHook_AddRef(hook);
    AcquireSRWLockExclusive(&hook_lock);
    old = host_hook;
    host_hook = hook;
    ReleaseSRWLockExclusive(&hook_lock);
    if (old)
        IMAPIShutdownWorkerHook_Release(old);
}

void deadline_retire(void)
{
    InterlockedExchange(&retiring, 1);
    for (int i = 0; i < WORKER_SLOTS; i++) {
        struct worker *w = &workers[i];

        if (!moves(w, WORKER_IDLE, WORKER_BUSY))
            continue;
        InterlockedExchange(&w->quit, 1);
        SetEvent(w->start);
    }
}
