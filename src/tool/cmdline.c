#include "cmdline.h"

static uint16_t lower(uint16_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint16_t)(c - 'A' + 'a') : c;
}

static bool equals_ascii(const uint16_t *text, const char *ascii)
{
    for (; *ascii; text++, ascii++)
        if (lower(*text) != (uint16_t)*ascii)
            return false;
    return !*text;
}

bool cmdline_is_option(const uint16_t *arg)
{
    return arg[0] == '/' || arg[0] == '-';
}

bool cmdline_option_is(const uint16_t *arg, const char *name)
{
    /* One prefix: / or -; two: --. */
    if (arg[0] == '/' || (arg[0] == '-' && arg[1] != '-'))
        return equals_ascii(arg + 1, name);
    if (arg[0] == '-' && arg[1] == '-')
        return equals_ascii(arg + 2, name);
    return false;
}

bool cmdline_is_help(const uint16_t *arg)
{
    return cmdline_option_is(arg, "?") || cmdline_option_is(arg, "h") || cmdline_option_is(arg, "help") ||
           equals_ascii(arg, "help");
}
