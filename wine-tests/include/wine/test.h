/*
 * A conformance-test header for mapishut's tests: a faithful subset of Wine's
 * include/wine/test.h, written for this project (Wine's is LGPL and is not
 * copied). Same names, same semantics, same output, so that the tests build
 * and behave the same in Wine's tree against Wine's header. What the subset
 * holds, and what it leaves out, is in wine-tests/README.md.
 *
 * The runner (main, the counts, the summary line) is compiled where the test
 * list is, with STANDALONE defined, as makedep's generated testlist.c does.
 */
#ifndef __WINE_WINE_TEST_H
#define __WINE_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windef.h>
#include <winbase.h>

#ifdef __GNUC__
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WINETEST_PRINTF_ATTR(fmt, args)
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

extern int winetest_debug;              /* WINETEST_DEBUG: 0 mutes traces and todos */
extern int winetest_interactive;        /* WINETEST_INTERACTIVE */
extern int winetest_report_success;     /* WINETEST_REPORT_SUCCESS */
extern int winetest_mute_threshold;     /* WINETEST_MUTE_THRESHOLD: lines that print more are silenced */
extern const char *winetest_platform;   /* "windows" or "wine" (WINETEST_PLATFORM) */
extern int winetest_platform_is_wine;

extern LONG winetest_successes, winetest_failures, winetest_skipped;
extern LONG winetest_todo_successes, winetest_todo_failures;
extern LONG winetest_muted_traces, winetest_muted_skipped, winetest_muted_todo_successes;

/* What each thread keeps: where the current check is, the todo nesting, the
 * context prefixes. */
struct winetest_thread_data {
    const char *current_file;
    int current_line;
    unsigned int todo_level;
    int todo_do_loop;
    char context[8][128];
    unsigned int context_count;
};

struct winetest_thread_data *winetest_get_thread_data(void);
void winetest_print_lock(void);
void winetest_print_unlock(void);
/* The whole command line: argv[0] the executable, argv[1] the test name,
 * then a child's own arguments. */
int winetest_get_mainargs(char ***pargv);
/* Waits (30 s) for a child started with this executable; its exit code is
 * its failure count, a code above 255 an unhandled exception. Closes both
 * handles. */
void winetest_wait_child_process(const PROCESS_INFORMATION *info);

#define START_TEST(name) void func_##name(void)

static inline void winetest_set_location(const char *file, int line)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    const char *slash = strrchr(file, '/');

    if (!slash)
        slash = strrchr(file, '\\');
    data->current_file = slash ? slash + 1 : file;
    data->current_line = line;
}

static void winetest_print_location(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static inline void winetest_print_location(const char *msg, ...)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list args;

    printf("%s:%d: ", data->current_file, data->current_line);
    va_start(args, msg);
    vprintf(msg, args);
    va_end(args);
}

static inline void winetest_print_context(const char *msgtype)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    winetest_print_location("%s", msgtype);
    for (unsigned int i = 0; i < data->context_count && i < ARRAY_SIZE(data->context); i++)
        printf("%s: ", data->context[i]);
}

static inline int broken(int condition)
{
    return !winetest_platform_is_wine && condition;
}

/* How often this line printed already: past the threshold it goes quiet. */
static inline LONG winetest_add_line(void)
{
    static LONG line_counters[16384];
    struct winetest_thread_data *data;
    LONG count;

    if (winetest_debug > 1)
        return 0;
    data = winetest_get_thread_data();
    count = InterlockedIncrement(&line_counters[data->current_line % ARRAY_SIZE(line_counters)]) - 1;
    if (count == winetest_mute_threshold) {
        winetest_print_lock();
        winetest_print_location("Line has been silenced after %d occurrences\n", winetest_mute_threshold);
        winetest_print_unlock();
    }
    return count;
}

static inline int winetest_vok(int condition, const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->todo_level) {
        if (condition) {
            winetest_print_lock();
            winetest_print_context("Test succeeded inside todo block: ");
            vprintf(msg, args);
            winetest_print_unlock();
            InterlockedIncrement(&winetest_todo_failures);
            return 0;
        }
        if (!winetest_debug || winetest_add_line() < winetest_mute_threshold) {
            if (winetest_debug > 0) {
                winetest_print_lock();
                winetest_print_context("Test marked todo: ");
                vprintf(msg, args);
                winetest_print_unlock();
            }
            InterlockedIncrement(&winetest_todo_successes);
        } else {
            InterlockedIncrement(&winetest_muted_todo_successes);
        }
        return 1;
    }
    if (!condition) {
        winetest_print_lock();
        winetest_print_context("Test failed: ");
        vprintf(msg, args);
        winetest_print_unlock();
        InterlockedIncrement(&winetest_failures);
        return 0;
    }
    if (winetest_report_success) {
        winetest_print_lock();
        winetest_print_location("Test succeeded\n");
        winetest_print_unlock();
    }
    InterlockedIncrement(&winetest_successes);
    return 1;
}

static void winetest_ok(int condition, const char *msg, ...) WINETEST_PRINTF_ATTR(2, 3);
static inline void winetest_ok(int condition, const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vok(condition, msg, args);
    va_end(args);
}

static void winetest_trace(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static inline void winetest_trace(const char *msg, ...)
{
    va_list args;

    if (!winetest_debug)
        return;
    if (winetest_add_line() >= winetest_mute_threshold) {
        InterlockedIncrement(&winetest_muted_traces);
        return;
    }
    winetest_print_lock();
    winetest_print_context("");
    va_start(args, msg);
    vprintf(msg, args);
    va_end(args);
    winetest_print_unlock();
}

static inline void winetest_vskip(const char *msg, va_list args)
{
    if (winetest_add_line() >= winetest_mute_threshold) {
        InterlockedIncrement(&winetest_muted_skipped);
        return;
    }
    winetest_print_lock();
    winetest_print_context("Tests skipped: ");
    vprintf(msg, args);
    winetest_print_unlock();
    InterlockedIncrement(&winetest_skipped);
}

static void winetest_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static inline void winetest_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    winetest_vskip(msg, args);
    va_end(args);
}

/* A skip on Windows; under Wine, a failure: Wine is expected to have it. */
static void winetest_win_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static inline void winetest_win_skip(const char *msg, ...)
{
    va_list args;

    va_start(args, msg);
    if (!winetest_platform_is_wine)
        winetest_vskip(msg, args);
    else
        winetest_vok(0, msg, args);
    va_end(args);
}

static inline void winetest_start_todo(int is_todo)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    data->todo_level = (data->todo_level << 1) | (is_todo != 0);
    data->todo_do_loop = 1;
}

static inline int winetest_loop_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->todo_do_loop;

    data->todo_do_loop = 0;
    return do_loop;
}

static inline void winetest_end_todo(void)
{
    winetest_get_thread_data()->todo_level >>= 1;
}

/* A prefix for the messages that follow, until the matching pop: what a loop
 * is at, so that a failure says which case it was. */
static void winetest_push_context(const char *fmt, ...) WINETEST_PRINTF_ATTR(1, 2);
static inline void winetest_push_context(const char *fmt, ...)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list args;

    if (data->context_count < ARRAY_SIZE(data->context)) {
        va_start(args, fmt);
        vsnprintf(data->context[data->context_count], sizeof(data->context[0]), fmt, args);
        va_end(args);
        data->context[data->context_count][sizeof(data->context[0]) - 1] = 0;
    }
    data->context_count++;
}

static inline void winetest_pop_context(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->context_count)
        data->context_count--;
}

static inline LONG winetest_get_failures(void)
{
    return winetest_failures;
}

static inline void winetest_add_failures(LONG new_failures)
{
    while (new_failures-- > 0)
        InterlockedIncrement(&winetest_failures);
}

#define ok_(file, line)       (winetest_set_location(file, line), 0) ? (void)0 : winetest_ok
#define skip_(file, line)     (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace
#define wait_child_process_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_wait_child_process

#define ok       ok_(__FILE__, __LINE__)
#define skip     skip_(__FILE__, __LINE__)
#define win_skip win_skip_(__FILE__, __LINE__)
#define trace    trace_(__FILE__, __LINE__)
#define wait_child_process wait_child_process_(__FILE__, __LINE__)

#define todo_if(is_todo) for (winetest_start_todo(is_todo); winetest_loop_todo(); winetest_end_todo())
#define todo_wine              todo_if(winetest_platform_is_wine)
#define todo_wine_if(is_todo)  todo_if((is_todo) && winetest_platform_is_wine)

/************************************************************************/
/* The runner, compiled once, in the generated test list (STANDALONE). */

#ifdef STANDALONE

struct test {
    const char *name;
    void (*func)(void);
};

extern const struct test winetest_testlist[];

int winetest_debug = 1;
int winetest_interactive = 0;
int winetest_report_success = 0;
int winetest_mute_threshold = 42;
const char *winetest_platform = "windows";
int winetest_platform_is_wine = 0;

LONG winetest_successes, winetest_failures, winetest_skipped;
LONG winetest_todo_successes, winetest_todo_failures;
LONG winetest_muted_traces, winetest_muted_skipped, winetest_muted_todo_successes;

static HANDLE winetest_mutex;
static int winetest_argc;
static char **winetest_argv;
static const struct test *current_test;
static DWORD tls_index = TLS_OUT_OF_INDEXES;

struct winetest_thread_data *winetest_get_thread_data(void)
{
    DWORD last_error = GetLastError();
    struct winetest_thread_data *data = TlsGetValue(tls_index);

    if (!data) {
        data = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*data));
        TlsSetValue(tls_index, data);
    }
    SetLastError(last_error);
    return data;
}

/* One lock for every process of the run, so that a child's lines and its
 * parent's never interleave within a line. */
void winetest_print_lock(void)
{
    DWORD ret;

    if (!winetest_mutex)
        return;
    ret = WaitForSingleObject(winetest_mutex, 30000);
    if (ret != WAIT_OBJECT_0 && ret != WAIT_ABANDONED) {
        winetest_print_location("could not get the print lock: %lu\n", ret);
        winetest_mutex = 0;
    }
}

void winetest_print_unlock(void)
{
    if (winetest_mutex)
        ReleaseMutex(winetest_mutex);
}

int winetest_get_mainargs(char ***pargv)
{
    *pargv = winetest_argv;
    return winetest_argc;
}

void winetest_wait_child_process(const PROCESS_INFORMATION *info)
{
    DWORD ret, exit_code;

    winetest_ok(info->hProcess != NULL, "No child process handle (CreateProcess failed?)\n");
    if (!info->hProcess)
        return;
    ret = WaitForSingleObject(info->hProcess, 30000);
    if (ret == WAIT_TIMEOUT) {
        winetest_ok(0, "Timed out waiting for the child process\n");
        return;
    }
    if (ret != WAIT_OBJECT_0) {
        winetest_ok(0, "Could not wait for the child process: %lu le=%lu\n", ret, GetLastError());
        return;
    }
    GetExitCodeProcess(info->hProcess, &exit_code);
    if (exit_code > 255) {
        winetest_print_lock();
        winetest_print_location("unhandled exception %08lx in child process %04lx\n", exit_code, info->dwProcessId);
        winetest_print_unlock();
        InterlockedIncrement(&winetest_failures);
    } else if (exit_code) {
        winetest_print_lock();
        winetest_print_location("%lu failures in child process\n", exit_code);
        winetest_print_unlock();
        while (exit_code-- > 0)
            InterlockedIncrement(&winetest_failures);
    }
    CloseHandle(info->hProcess);
    CloseHandle(info->hThread);
}

static const struct test *find_test(const char *name)
{
    const char *p;
    size_t len;

    if ((p = strrchr(name, '/')))
        name = p + 1;
    if ((p = strrchr(name, '\\')))
        name = p + 1;
    len = strlen(name);
    if (len > 2 && !strcmp(name + len - 2, ".c"))
        len -= 2;
    for (const struct test *test = winetest_testlist; test->name; test++)
        if (!strncmp(test->name, name, len) && !test->name[len])
            return test;
    return NULL;
}

static void list_tests(void)
{
    printf("Valid test names:\n");
    for (const struct test *test = winetest_testlist; test->name; test++)
        printf("    %s\n", test->name);
}

static int run_test(const char *name)
{
    const struct test *test = find_test(name);
    LONG status;

    if (!test) {
        printf("Fatal: test '%s' does not exist.\n", name);
        fflush(stdout);
        ExitProcess(1);
    }
    tls_index = TlsAlloc();
    current_test = test;
    test->func();
    if (winetest_debug) {
        winetest_print_lock();
        if (winetest_muted_todo_successes || winetest_muted_skipped || winetest_muted_traces)
            printf("%04lx:%s: Silenced %ld todos, %ld skips and %ld traces.\n", GetCurrentProcessId(),
                   test->name, winetest_muted_todo_successes, winetest_muted_skipped, winetest_muted_traces);
        printf("%04lx:%s: %ld tests executed (%ld marked as todo, 0 as flaky, %ld %s), %ld skipped.\n",
               GetCurrentProcessId(), test->name,
               winetest_successes + winetest_failures + winetest_todo_successes + winetest_todo_failures,
               winetest_todo_successes, winetest_failures + winetest_todo_failures,
               winetest_failures + winetest_todo_failures != 1 ? "failures" : "failure", winetest_skipped);
        winetest_print_unlock();
    }
    status = winetest_failures + winetest_todo_failures;
    return status > 255 ? 255 : (int)status;
}

static int running_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");

    return ntdll && GetProcAddress(ntdll, "wine_server_call") != NULL;
}

static void winetest_usage(const char *argv0)
{
    printf("Usage: %s test_name\n\n", argv0);
    list_tests();
    fflush(stdout);
    ExitProcess(1);
}

int main(int argc, char **argv)
{
    char p[128];

    setvbuf(stdout, NULL, _IONBF, 0);
    winetest_mutex = CreateMutexA(NULL, FALSE, "winetest_print_mutex");
    winetest_argc = argc;
    winetest_argv = argv;
    if (GetEnvironmentVariableA("WINETEST_PLATFORM", p, sizeof(p)))
        winetest_platform = strdup(p);
    else if (running_under_wine())
        winetest_platform = "wine";
    winetest_platform_is_wine = !strcmp(winetest_platform, "wine");
    if (GetEnvironmentVariableA("WINETEST_DEBUG", p, sizeof(p)))
        winetest_debug = atoi(p);
    if (GetEnvironmentVariableA("WINETEST_INTERACTIVE", p, sizeof(p)))
        winetest_interactive = atoi(p);
    if (GetEnvironmentVariableA("WINETEST_MUTE_THRESHOLD", p, sizeof(p)))
        winetest_mute_threshold = atoi(p);
    if (GetEnvironmentVariableA("WINETEST_REPORT_SUCCESS", p, sizeof(p)))
        winetest_report_success = atoi(p);
    if (!winetest_interactive)
        SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);

    if (!argv[1]) {
        if (winetest_testlist[0].name && !winetest_testlist[1].name)
            return run_test(winetest_testlist[0].name);
        winetest_usage(argv[0]);
    }
    if (!strcmp(argv[1], "--list")) {
        list_tests();
        return 0;
    }
    return run_test(argv[1]);
}

#endif /* STANDALONE */

#endif /* __WINE_WINE_TEST_H */
