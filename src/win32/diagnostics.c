#include "module.h"

#include <stdarg.h>
#include <stdio.h>

void diag(const WCHAR *format, ...)
{
    WCHAR line[512];
    int prefix, written;
    va_list args;

    prefix = _snwprintf(line, ARRAYSIZE(line), L"mapishut: ");
    va_start(args, format);
    written = _vsnwprintf(line + prefix, ARRAYSIZE(line) - prefix - 2, format, args);
    va_end(args);
    if (written < 0)
        written = ARRAYSIZE(line) - prefix - 2; /* truncated: keep what fits */
    line[prefix + written] = L'\n';
    line[prefix + written + 1] = 0;
    OutputDebugStringW(line);
}

void widen(const char *ascii, WCHAR *wide, size_t size)
{
    size_t i = 0;

    for (; ascii[i] && i + 1 < size; i++)
        wide[i] = (unsigned char)ascii[i];
    wide[i] = 0;
}

void uid_to_text(const BYTE uid[16], WCHAR text[33])
{
    static const WCHAR digits[] = L"0123456789abcdef";

    for (int i = 0; i < 16; i++) {
        text[2 * i] = digits[uid[i] >> 4];
        text[2 * i + 1] = digits[uid[i] & 15];
    }
    text[32] = 0;
}
