/* Captures what the process sends to OutputDebugString, as a debugger would
 * see it: OutputDebugString raises DBG_PRINTEXCEPTION_C/_WIDE_C, and a
 * vectored handler sees that exception first. */
#ifndef MAPISHUT_WINE_TESTS_DEBUG_OUTPUT_H
#define MAPISHUT_WINE_TESTS_DEBUG_OUTPUT_H

#include <windows.h>

void debug_output_start(void);
/* Everything captured since the last start, one message after another. */
const char *debug_output_text(void);
void debug_output_stop(void);

#endif
