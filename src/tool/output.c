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

void out_wide(const WCHAR *text)
{
    char utf8[4096];
    int length = WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof(utf8), NULL, NULL);

    if (length > 0)
        fputs(utf8, stdout);
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
