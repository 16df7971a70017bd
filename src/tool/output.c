#include "output.h"

#include <stdarg.h>
#include <stdio.h>

void out(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vprintf(format, args);
    va_end(args);
}

void err(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

/* Text from a profile may hold anything: control characters (an escape
 * sequence would reach the administrator's terminal) are shown as '?'. */
static BOOL is_control(WCHAR c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

static void write_wide(const WCHAR *text, FILE *stream)
{
    WCHAR shown[2048];
    char utf8[8192];
    size_t n = 0;
    int length;

    for (; text[n] && n + 1 < ARRAYSIZE(shown); n++)
        shown[n] = is_control(text[n]) ? L'?' : text[n];
    shown[n] = 0;
    length = WideCharToMultiByte(CP_UTF8, 0, shown, -1, utf8, sizeof(utf8), NULL, NULL);
    if (length > 0)
        fputs(utf8, stream);
}

void out_wide(const WCHAR *text)
{
    write_wide(text, stdout);
}

void err_wide(const WCHAR *text)
{
    write_wide(text, stderr);
}

void out_wide_padded(const WCHAR *text, int width)
{
    out_wide(text);
    for (int length = (int)wcslen(text); length < width; length++)
        putchar(' ');
}

static void json_char(unsigned c)
{
    switch (c) {
    case '"':  fputs("\\\"", stdout); break;
    case '\\': fputs("\\\\", stdout); break;
    case '\n': fputs("\\n", stdout); break;
    case '\r': fputs("\\r", stdout); break;
    case '\t': fputs("\\t", stdout); break;
    default:
        if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar((int)c);
    }
}

void out_json(const char *text)
{
    if (!text) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *text; text++)
        json_char((unsigned char)*text);
    putchar('"');
}

void out_json_wide(const WCHAR *text)
{
    char utf8[4096];

    if (!text) {
        fputs("null", stdout);
        return;
    }
    if (WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof(utf8), NULL, NULL) <= 0)
        utf8[0] = 0;
    out_json(utf8);
}
