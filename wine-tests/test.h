/*
 * A small conformance-test header in the style of Wine's tests (written for
 * mapishut; Wine's own test.h is not used).
 *
 *   ok(cond, fmt, ...)   a check; its message says what was expected and what came
 *   todo_wine { ... }    checks known to fail under Wine: failures are "todo"
 *   skip(fmt, ...)       something could not be tested here; never counted as passed
 *   win_skip(fmt, ...)   a skip on Windows, a failure under Wine
 *   trace(fmt, ...)      a note in the output
 *   START_TEST(name)     one named test; wine-tests/testlist.c lists them
 *
 * Each test process ends with Wine's summary line:
 *   <pid>:<test>: N tests executed (T marked as todo, 0 as flaky, F failures), S skipped.
 */
#ifndef MAPISHUT_WINE_TESTS_TEST_H
#define MAPISHUT_WINE_TESTS_TEST_H

#include <windows.h>

#ifdef __GNUC__
#define WINETEST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WINETEST_PRINTF(a, b)
#endif

extern int winetest_platform_is_wine;

void winetest_set_location(const char *file, int line);
int winetest_ok(int condition, const char *format, ...) WINETEST_PRINTF(2, 3);
void winetest_skip(const char *format, ...) WINETEST_PRINTF(1, 2);
void winetest_win_skip(const char *format, ...) WINETEST_PRINTF(1, 2);
void winetest_trace(const char *format, ...) WINETEST_PRINTF(1, 2);
void winetest_start_todo(int is_todo);
int winetest_loop_todo(void);
void winetest_end_todo(void);

/* The arguments after the test name (for child processes). */
int winetest_get_mainargs(char ***argv);
/* Runs this executable again as "<exe> <test> <args>"; returns its exit code,
 * or -1 when it did not end within timeout_ms (it is then terminated). */
DWORD winetest_run_child(const char *args, DWORD timeout_ms);

/* Prints the summary line now and returns the exit code main() would; for a
 * child process that ends itself (ExitProcess, TerminateProcess). */
int winetest_summary(void);

#define ok        (winetest_set_location(__FILE__, __LINE__), 0) ? (void)0 : (void)winetest_ok
#define skip      winetest_set_location(__FILE__, __LINE__), winetest_skip
#define win_skip  winetest_set_location(__FILE__, __LINE__), winetest_win_skip
#define trace     winetest_set_location(__FILE__, __LINE__), winetest_trace

#define todo_if(is_todo) \
    for (winetest_start_todo(is_todo); winetest_loop_todo(); winetest_end_todo())
#define todo_wine todo_if(winetest_platform_is_wine)

#define START_TEST(name) void func_##name(void)

struct winetest_test {
    const char *name;
    void (*func)(void);
};

extern const struct winetest_test winetest_testlist[];

#endif
