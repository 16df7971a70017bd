#include "dll_name.h"

#include <string.h>

static size_t unit_length(const uint16_t *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

bool dll_name_is_safe(const uint16_t *name)
{
    size_t length = unit_length(name);

    if (!length || name[length - 1] == '.' || name[length - 1] == ' ')
        return false;
    for (size_t i = 0; i < length; i++) {
        uint16_t c = name[i];

        if (c < 0x20 || c == '\\' || c == '/' || c == ':' || c == '*' || c == '?' ||
            c == '"' || c == '<' || c == '>' || c == '|')
            return false;
        if (c == '.' && i + 1 < length && name[i + 1] == '.')
            return false;
    }
    return true;
}

/* Where the extension begins: the last dot, or the end. */
static size_t extension_start(const uint16_t *name, size_t length)
{
    for (size_t i = length; i > 0; i--)
        if (name[i - 1] == '.')
            return i - 1;
    return length;
}

bool dll_file_name(const uint16_t *stored, uint16_t *out, size_t out_size)
{
    static const uint16_t dll_ext[] = { '.', 'd', 'l', 'l', 0 };
    size_t length = unit_length(stored), dot = extension_start(stored, length), ext_length;
    const uint16_t *ext;

    ext = dot < length ? stored + dot : dll_ext;
    ext_length = unit_length(ext);
    if (dot + 2 + ext_length + 1 > out_size)
        return false;
    memcpy(out, stored, dot * sizeof(*out));
    out[dot] = '3';
    out[dot + 1] = '2';
    memcpy(out + dot + 2, ext, (ext_length + 1) * sizeof(*out));
    return true;
}

static uint16_t lower(uint16_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint16_t)(c - 'A' + 'a') : c;
}

bool dll_provider_name(const uint16_t *name, uint16_t *out, size_t out_size)
{
    size_t length = unit_length(name), base = length;

    if (length >= 4 && name[length - 4] == '.' && lower(name[length - 3]) == 'd' &&
        lower(name[length - 2]) == 'l' && lower(name[length - 1]) == 'l')
        base = length - 4;
    if (base >= 3 && name[base - 2] == '3' && name[base - 1] == '2')
        base -= 2;
    if (base + 1 > out_size)
        return false;
    for (size_t i = 0; i < base; i++)
        out[i] = lower(name[i]);
    out[base] = 0;
    return true;
}
