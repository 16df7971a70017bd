/* Provider calls: directly, or under ProviderTimeoutMs on a worker thread,
 * abandoning a provider that overruns the deadline or crashes. */
#ifndef MAPISHUT_WIN32_DEADLINE_H
#define MAPISHUT_WIN32_DEADLINE_H

#include "mapishut.h"
#include "core/shutdown.h"

/* Calls one IMAPIProviderShutdown method. timeout_ms 0: on this thread, no
 * deadline, exactly as Microsoft's subsystem does. Otherwise on the worker
 * thread, waiting at most timeout_ms (pumping, in a single-threaded
 * apartment). */
HRESULT provider_call(IMAPIProviderShutdown *provider, enum provider_call call, DWORD timeout_ms,
                      enum call_outcome *outcome);

/* ConcurrentProviders: the same call to every provider of calls[] at once,
 * each on a worker, each under timeout_ms (0: waited for however long it
 * takes). Returns when each call returned or was abandoned; fills each
 * call's hr and outcome. */
void provider_call_batch(struct shutdown_batch_call *calls, size_t count, enum provider_call call, DWORD timeout_ms);

/* Runs work on a copy of the arg_size bytes at arg the same way: with
 * timeout_ms 0 on this thread, otherwise on a worker, abandoned past the
 * deadline or when it crashes. The copy lives in the worker's slot, so an
 * abandoned call never reads its caller's stack; an argument larger than
 * DEADLINE_ARG_MAX runs on this thread. */
#define DEADLINE_ARG_MAX 32
HRESULT deadline_run(HRESULT (*work)(void *arg), const void *arg, size_t arg_size, DWORD timeout_ms,
                     enum call_outcome *outcome);

/* The thread a call is made for: on a worker, the thread that handed it the
 * call, so that a provider calling back into the subsystem from inside its
 * call is recognised as reentrant, deadline or not. */
DWORD deadline_logical_thread(void);

/* Is the caller a provider call the deadline abandoned (overran)? Whatever
 * it calls from now on, it is a stranger to the subsystem. */
BOOL deadline_caller_is_abandoned(void);

/* A worker exists (idle or abandoned): the module must stay. */
BOOL deadline_in_use(void);

/* Stops the idle workers on FreeLibrary. */
void deadline_shutdown(void);

#endif
