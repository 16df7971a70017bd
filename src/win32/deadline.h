/* Provider calls: directly, or under ProviderTimeoutMs on a worker thread,
 * abandoning a provider that overruns the deadline or crashes. */
#ifndef MAPISHUT_WIN32_DEADLINE_H
#define MAPISHUT_WIN32_DEADLINE_H

#include "mapishut.h"
#include "core/shutdown.h"

/* Calls one IMAPIProviderShutdown method. timeout_ms 0: on this thread, no
 * deadline, exactly as Microsoft's subsystem does. Otherwise on a worker,
 * waiting at most timeout_ms (pumping, in a single-threaded apartment).
 * *flags: CALL_UNGUARDED (no worker could be had: called here, no
 * deadline), CALL_HOOK_FAILED (the host's WorkerStarted failed on it). */
HRESULT provider_call(IMAPIProviderShutdown *provider, enum provider_call call, DWORD timeout_ms,
                      enum call_outcome *outcome, uint32_t *flags);

/* ConcurrentProviders: the same call to every provider of calls[] at once,
 * each on a worker, each under timeout_ms (0: waited for however long it
 * takes). Returns when each call returned or was abandoned; fills each
 * call's hr, outcome and flags. */
void provider_call_batch(struct shutdown_batch_call *calls, size_t count, enum provider_call call, DWORD timeout_ms);

/* Runs work on a copy of the arg_size bytes at arg the same way, and copies
 * them back once it returned: with timeout_ms 0 on this thread, otherwise on
 * a worker, abandoned past the deadline or when it crashes. The copy lives
 * in the worker's slot, so an abandoned call never touches its caller's
 * stack; an argument larger than DEADLINE_ARG_MAX runs on this thread. */
#define DEADLINE_ARG_MAX 32
HRESULT deadline_run(HRESULT (*work)(void *arg), void *arg, size_t arg_size, DWORD timeout_ms,
                     enum call_outcome *outcome, uint32_t *flags);

/* The same for work that may be skipped (a diagnostic): TRUE when it ran,
 * on this thread with timeout_ms 0, otherwise on a worker; FALSE when no
 * worker could be had in time, and it did not run. */
BOOL deadline_run_guarded(HRESULT (*work)(void *arg), void *arg, size_t arg_size, DWORD timeout_ms);

/* The thread a call is made for: on a worker, the thread that handed it the
 * call, so that a provider calling back into the subsystem from inside its
 * call is recognised as reentrant, deadline or not. */
DWORD deadline_logical_thread(void);

/* Is the caller a provider call the deadline abandoned (overran)? Whatever
 * it calls from now on, it is a stranger to the subsystem. */
BOOL deadline_caller_is_abandoned(void);

/* A worker exists (idle, busy, abandoned or not yet reclaimed): the module
 * must stay. */
BOOL deadline_in_use(void);

/* The host's hook, called on every worker started from now on (NULL:
 * none); a reference is kept while a worker uses it. */
void deadline_set_hook(IMAPIShutdownWorkerHook *hook);

/* DoFastShutdown has returned: no provider will be called again, and the
 * idle workers end (telling the host's hook); busy ones end when their
 * call returns. */
void deadline_retire(void);

#endif
