/* The runner behind test.h: counts, output in Wine's format, main(). */
#include "test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int winetest_platform_is_wine;

static const char *current_test = "?";
static const char *location_file = "?";
static int location_line;
static LONG successes, failures, todo_count, skipped;
static int todo_level, todo_active, todo_loop;
static int main_argc;
static char **main_argv;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *backslash = strrchr(path, '\\');

    if (backslash > slash)
        slash = backslash;
    return slash ? slash + 1 : path;
}

void winetest_set_location(const char *file, int line)
{
    location_file = base_name(file);
    location_line = line;
}

static void vprint(const char *kind, const char *format, va_list args)
{
    printf("%s:%d: %s", location_file, location_line, kind);
    vprintf(format, args);
    fflush(stdout);
}

int winetest_ok(int condition, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    if (todo_active) {
        if (condition) {
            vprint("Test succeeded inside todo block: ", format, args);
            InterlockedIncrement(&failures);
        } else {
            vprint("Test marked todo: ", format, args);
            InterlockedIncrement(&todo_count);
        }
    } else if (!condition) {
        vprint("Test failed: ", format, args);
        InterlockedIncrement(&failures);
    } else {
        InterlockedIncrement(&successes);
    }
    va_end(args);
    return condition;
}

void winetest_skip(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vprint("Tests skipped: ", format, args);
    va_end(args);
    InterlockedIncrement(&skipped);
}

void winetest_win_skip(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    if (winetest_platform_is_wine) {
        vprint("Test failed: ", format, args);
        InterlockedIncrement(&failures);
    } else {
        vprint("Tests skipped: ", format, args);
        InterlockedIncrement(&skipped);
    }
    va_end(args);
}

void winetest_trace(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vprint("", format, args);
    va_end(args);
}

void winetest_start_todo(int is_todo)
{
    todo_level = todo_active;
    todo_active = is_todo;
    todo_loop = 1;
}

int winetest_loop_todo(void)
{
    return todo_loop;
}

void winetest_end_todo(void)
{
    todo_loop = 0;
    todo_active = todo_level;
}

int winetest_get_mainargs(char ***argv)
{
    *argv = main_argv + 2;
    return main_argc - 2;
}

DWORD winetest_run_child(const char *args, DWORD timeout_ms)
{
    char command[MAX_PATH * 2 + 512];
    STARTUPINFOA startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    DWORD code = (DWORD)-1;

    snprintf(command, sizeof(command), "\"%s\" %s %s", main_argv[0], current_test, args);
    if (!CreateProcessA(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process)) {
        winetest_set_location(__FILE__, __LINE__);
        winetest_ok(0, "CreateProcess(%s) failed: %lu\n", command, GetLastError());
        return code;
    }
    if (WaitForSingleObject(process.hProcess, timeout_ms) == WAIT_OBJECT_0)
        GetExitCodeProcess(process.hProcess, &code);
    else
        TerminateProcess(process.hProcess, 0xdead);
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    return code;
}

static void detect_wine(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");

    winetest_platform_is_wine = ntdll && GetProcAddress(ntdll, "wine_get_version");
}

static int print_summary(void)
{
    printf("%04lx:%s: %ld tests executed (%ld marked as todo, 0 as flaky, %ld failure%s), "
           "%ld skipped.\n", GetCurrentProcessId(), current_test, successes + failures + todo_count,
           todo_count, failures, failures == 1 ? "" : "s", skipped);
    fflush(stdout);
    return failures > 255 ? 255 : (int)failures;
}

int winetest_summary(void)
{
    return print_summary();
}

static void usage(void)
{
    printf("Usage: %s <test> [args]\nTests:", base_name(main_argv[0]));
    for (const struct winetest_test *t = winetest_testlist; t->name; t++)
        printf(" %s", t->name);
    printf("\n");
}

int main(int argc, char **argv)
{
    main_argc = argc;
    main_argv = argv;
    detect_wine();
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2 || !strcmp(argv[1], "--list")) {
        usage();
        return argc < 2 ? 1 : 0;
    }
    for (const struct winetest_test *t = winetest_testlist; t->name; t++) {
        if (strcmp(t->name, argv[1]))
            continue;
        current_test = t->name;
        t->func();
        return print_summary();
    }
    printf("%s: no test named %s\n", base_name(argv[0]), argv[1]);
    usage();
    return 1;
}
