/* Printing for mapishut.exe: UTF-8 to stdout and to stderr (never through
 * the C runtime's ANSI conversion of %ls), and JSON strings escaped. */
#ifndef MAPISHUT_TOOL_OUTPUT_H
#define MAPISHUT_TOOL_OUTPUT_H

#include <windows.h>

/* printf to stdout and to stderr; the format's arguments are ASCII or
 * UTF-8: wide strings go through out_wide and err_wide. */
void out(const char *format, ...) __attribute__((format(printf, 1, 2)));
void err(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* A wide string to stderr, as out_wide does to stdout. */
void err_wide(const WCHAR *text);
/* A wide string as UTF-8, control characters shown as '?'; padded to width
 * characters, if shorter. */
void out_wide(const WCHAR *text);
void out_wide_padded(const WCHAR *text, int width);
/* A JSON string literal (with its quotes) from a wide or an 8-bit string;
 * NULL gives null. */
void out_json_wide(const WCHAR *text);
void out_json(const char *text);

#endif
