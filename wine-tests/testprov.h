/* testprov.dll: real provider objects for the conformance tests. Each one
 * holds "dirty" data in memory and writes it to its data file only when it
 * is told DoFastShutdown; every call it gets is appended to a log file. */
#ifndef MAPISHUT_TESTPROV_H
#define MAPISHUT_TESTPROV_H

#include "mapishut.h"

/* Behaviour flags. */
#define TESTPROV_NO_INTERFACE   0x0001 /* no IMAPIProviderShutdown at all */
#define TESTPROV_OPT_OUT        0x0002 /* QueryFastShutdown: MAPI_E_NO_SUPPORT */
#define TESTPROV_QUERY_S_FALSE  0x0004 /* QueryFastShutdown: S_FALSE (opts in) */
#define TESTPROV_FAIL_NOTIFY    0x0008 /* NotifyProcessShutdown: MAPI_E_CALL_FAILED */
#define TESTPROV_FAIL_DO_FAST   0x0010 /* DoFastShutdown: MAPI_E_CALL_FAILED */
#define TESTPROV_SLOW_DO_FAST   0x0020 /* DoFastShutdown takes 300 ms before saving */
#define TESTPROV_REENTER        0x0040 /* calls back into the subsystem from each call */
#define TESTPROV_HANG_DO_FAST   0x0080 /* DoFastShutdown never returns (and never saves) */
#define TESTPROV_CRASH_DO_FAST  0x0100 /* DoFastShutdown dereferences NULL (and never saves) */
#define TESTPROV_SAVE_ON_RELEASE 0x0200 /* a normal shutdown (the last Release) saves too */
#define TESTPROV_LOG_THREAD     0x0400 /* logs "Q@same" or "Q@other": the creating thread or not */
#define TESTPROV_LATE_QUERY     0x0800 /* QueryFastShutdown: 300 ms, then QueryFastShutdown of the subsystem */
#define TESTPROV_LATE_NOTIFY    0x1000 /* NotifyProcessShutdown: 300 ms, then DoFastShutdown of the subsystem */
#define TESTPROV_SEND_TO_CLIENT 0x2000 /* DoFastShutdown: SendMessage to the window TESTPROV_HWND names, first */
#define TESTPROV_TIMED          0x4000 /* each call takes 100 ms, logging "Q>us" on entry and "Q<us" on return
                                          (us: QueryPerformanceCounter in microseconds) */
#define TESTPROV_SLOW_NOTIFY    0x8000 /* NotifyProcessShutdown takes 120 ms, then returns */
#define TESTPROV_SLOW_QI        0x10000 /* QueryInterface(IMAPIProviderShutdown) takes 4 s, after setting the
                                           event TESTPROV_ENTERED names */
#define TESTPROV_FAIL_QUERY     0x20000 /* QueryFastShutdown: E_FAIL (opts out, with another code) */
#define TESTPROV_EXIT_THREAD    0x40000 /* DoFastShutdown ends its thread (ExitThread; never saves) */
#define TESTPROV_NEEDS_PREPARED 0x80000 /* DoFastShutdown saves only on a thread testprov_prepare_thread
                                           prepared (as MAPI wants MAPIInitialize), else MAPI_E_NOT_INITIALIZED */
#define TESTPROV_SIGNAL_DO_FAST 0x100000 /* DoFastShutdown first sets the event TESTPROV_ENTERED names */

#define TESTPROV_DATA_SIZE 65536

typedef HRESULT (WINAPI *testprov_create_fn)(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                                             const WCHAR *data_path, IUnknown **out);
typedef LONG (WINAPI *testprov_count_fn)(IUnknown *provider);

/* Exported by testprov.dll, for MAPI (a loader finds them by type):
 *   XPProviderInit, ABProviderInit, MSProviderInit  Microsoft's entry points;
 *     the provider (IXPProvider, IABProvider, IMSProvider, and
 *     IMAPIProviderShutdown) is named xp, ab or ms and, since an entry point
 *     takes no configuration, reads it from the environment:
 *       TESTPROV_LOG           the log file
 *       TESTPROV_DATA          the folder of its data file, <name>.dat
 *       TESTPROV_FLAGS_<name>  its TESTPROV_* flags, in hexadecimal
 *     Its Shutdown (a normal logoff) logs "shutdown" and saves.
 * and for the tests:
 *   HRESULT WINAPI testprov_create(name, flags, log_path, data_path, out)
 *   LONG WINAPI testprov_refs(provider)      its reference count
 *   LONG WINAPI testprov_queries(provider)   how often QueryFastShutdown ran
 *   LONG WINAPI testprov_saved(provider)     1 once DoFastShutdown saved its data
 *   void WINAPI testprov_prepare_thread(void) prepares this thread for TESTPROV_NEEDS_PREPARED
 *   LONG WINAPI testprov_last_thread(provider) the thread ID of its last IMAPIProviderShutdown call
 * Every provider, however made, sets the named event
 * "<TESTPROV_EVENTS><name>.<event>" if it is there, for a test that waits:
 * <event> is what it logs, up to an '=' ("Q", "D", "saved", "late"), and
 * "Q-returns", "N-returns", "D-returns" as it returns from a call. */

#endif
