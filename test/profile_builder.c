#include "profile_builder.h"

#include <assert.h>
#include <string.h>

void builder_init(struct profile_builder *b)
{
    memset(b, 0, sizeof(*b));
}

static size_t ascii_to_units(const char *ascii, uint16_t *out, size_t max)
{
    size_t n = 0;

    for (; ascii[n] && n < max; n++)
        out[n] = (unsigned char)ascii[n];
    return n;
}

size_t builder_section(struct profile_builder *b, const char *name)
{
    size_t i = b->count++;

    assert(i < BUILDER_SECTIONS);
    b->sections[i].name = b->section_names[i];
    b->sections[i].name_length = ascii_to_units(name, b->section_names[i], 64);
    b->sections[i].values = b->values[i];
    return i;
}

void builder_raw(struct profile_builder *b, size_t section, const char *name, uint32_t reg_type,
                 const void *data, size_t size)
{
    struct profile_section_input *s = &b->sections[section];
    size_t v = s->value_count++;

    assert(v < BUILDER_VALUES && size <= BUILDER_DATA);
    b->values[section][v].name = b->value_names[section][v];
    b->values[section][v].name_length = ascii_to_units(name, b->value_names[section][v], 16);
    b->values[section][v].reg_type = reg_type;
    if (size)
        memcpy(b->data[section][v], data, size);
    b->values[section][v].data = b->data[section][v];
    b->values[section][v].size = size;
}

void builder_long(struct profile_builder *b, size_t section, const char *name, uint32_t number)
{
    uint8_t bytes[4] = { number & 0xff, (number >> 8) & 0xff, (number >> 16) & 0xff, number >> 24 };

    builder_raw(b, section, name, PROFILE_REG_BINARY, bytes, 4);
}

void builder_unicode(struct profile_builder *b, size_t section, const char *name, const char *text)
{
    uint8_t bytes[BUILDER_DATA];
    size_t n = strlen(text);

    assert(2 * (n + 1) <= sizeof(bytes));
    for (size_t i = 0; i <= n; i++) {
        bytes[2 * i] = (uint8_t)text[i];
        bytes[2 * i + 1] = 0;
    }
    builder_raw(b, section, name, PROFILE_REG_BINARY, bytes, 2 * (n + 1));
}

void builder_string8(struct profile_builder *b, size_t section, const char *name, const char *text)
{
    builder_raw(b, section, name, PROFILE_REG_BINARY, text, strlen(text) + 1);
}

void uid_from_hex(const char *hex, uint8_t uid[16])
{
    uint16_t units[32];

    for (int i = 0; i < 32; i++)
        units[i] = (unsigned char)hex[i];
    assert(profile_parse_uid(units, 32, uid));
}

void builder_uids(struct profile_builder *b, size_t section, const char *name, const char *const *uids,
                  size_t count)
{
    uint8_t bytes[BUILDER_DATA];

    assert(count * 16 <= sizeof(bytes));
    for (size_t i = 0; i < count; i++)
        uid_from_hex(uids[i], bytes + 16 * i);
    builder_raw(b, section, name, PROFILE_REG_BINARY, bytes, count * 16);
}

int unicode_equals(const uint16_t *s, const char *ascii)
{
    size_t i = 0;

    for (; ascii[i]; i++)
        if (s[i] != (unsigned char)ascii[i])
            return 0;
    return s[i] == 0;
}
