/* Printing for mapishut.exe: UTF-8 to stdout, and JSON strings escaped. */
#ifndef MAPISHUT_TOOL_OUTPUT_H
#define MAPISHUT_TOOL_OUTPUT_H

#include <windows.h>

/* printf, with %ls arguments written as UTF-8. */
void out(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* A wide string as UTF-8, control characters shown as '?'; padded to width
 * characters, if shorter. */
void out_wide(const WCHAR *text);
void out_wide_padded(const WCHAR *text, int width);
/* A JSON string literal (with its quotes) from a wide or an 8-bit string;
 * NULL gives null. */
void out_json_wide(const WCHAR *text);
void out_json(const char *text);

#endif
