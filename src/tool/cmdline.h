/* The command line of mapishut.exe, as portable code: options are written
 * /name, -name or --name, case-insensitively. Arguments are UTF-16, NUL-
 * terminated, and read from their first unit on, never before it. */
#ifndef MAPISHUT_CORE_CMDLINE_H
#define MAPISHUT_CORE_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

/* Is arg the option `name` (ASCII), with one of its prefixes? */
bool cmdline_option_is(const uint16_t *arg, const char *name);
/* /?, -?, /h, -help, help... */
bool cmdline_is_help(const uint16_t *arg);
/* Starts with / or -: an option, known or not. */
bool cmdline_is_option(const uint16_t *arg);

#endif
