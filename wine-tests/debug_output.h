/* Captures what the process sends to OutputDebugString, as a debugger would
 * see it: OutputDebugString raises DBG_PRINTEXCEPTION_C/_WIDE_C, and a
 * vectored handler sees that exception first. debug_output_text() is
 * everything captured since debug_output_start(), one message after another. */
#ifndef MAPISHUT_WINE_TESTS_DEBUG_OUTPUT_H
#define MAPISHUT_WINE_TESTS_DEBUG_OUTPUT_H

#include <windows.h>
#include <stdio.h>
#include <string.h>

#ifndef DBG_PRINTEXCEPTION_WIDE_C
#define DBG_PRINTEXCEPTION_WIDE_C 0x4001000A
#endif

/* What was captured, and the handler: one of each per test file. */
static char captured[16384];
static size_t captured_length;
static void *handler;

static inline void append(const char *text, size_t length)
{
    if (length > sizeof(captured) - 1 - captured_length)
        length = sizeof(captured) - 1 - captured_length;
    memcpy(captured + captured_length, text, length);
    captured_length += length;
    captured[captured_length] = 0;
}

static LONG CALLBACK on_exception(EXCEPTION_POINTERS *info)
{
    const EXCEPTION_RECORD *record = info->ExceptionRecord;

    if (record->NumberParameters < 2)
        return EXCEPTION_CONTINUE_SEARCH;
    /* The wide form comes first; its ANSI copy follows only when nobody
     * handled it, so keep the wide one and skip a repeat. */
    if (record->ExceptionCode == DBG_PRINTEXCEPTION_WIDE_C) {
        char text[1024];
        int length = WideCharToMultiByte(CP_UTF8, 0, (const WCHAR *)record->ExceptionInformation[1],
                                         (int)record->ExceptionInformation[0], text, sizeof(text), NULL, NULL);

        if (length > 0)
            append(text, strnlen(text, (size_t)length));
    } else if (record->ExceptionCode == DBG_PRINTEXCEPTION_C) {
        const char *text = (const char *)record->ExceptionInformation[1];
        size_t length = strnlen(text, (size_t)record->ExceptionInformation[0]);

        if (captured_length < length || memcmp(captured + captured_length - length, text, length))
            append(text, length);
    }
    return EXCEPTION_CONTINUE_SEARCH;
}

static inline void debug_output_start(void)
{
    captured_length = 0;
    captured[0] = 0;
    if (!handler)
        handler = AddVectoredExceptionHandler(1, on_exception);
}

static inline const char *debug_output_text(void)
{
    return captured;
}

static inline void debug_output_stop(void)
{
    if (handler)
        RemoveVectoredExceptionHandler(handler);
    handler = NULL;
}

#endif
