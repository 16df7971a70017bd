/* Builds profile sections in memory, the way the registry would hand them
 * over, for the profile decoding tests and the fuzzer's seeds. */
#ifndef MAPISHUT_TEST_PROFILE_BUILDER_H
#define MAPISHUT_TEST_PROFILE_BUILDER_H

#include "core/profile.h"

#define BUILDER_SECTIONS 64
#define BUILDER_VALUES   16
#define BUILDER_DATA     1024

struct profile_builder {
    struct profile_section_input sections[BUILDER_SECTIONS];
    struct profile_value values[BUILDER_SECTIONS][BUILDER_VALUES];
    uint16_t section_names[BUILDER_SECTIONS][64];
    uint16_t value_names[BUILDER_SECTIONS][BUILDER_VALUES][16];
    uint8_t data[BUILDER_SECTIONS][BUILDER_VALUES][BUILDER_DATA];
    size_t count;
};

void builder_init(struct profile_builder *b);
/* A section named by any ASCII string (normally 32 hex digits); returns its index. */
size_t builder_section(struct profile_builder *b, const char *name);
/* A value with raw bytes and registry type. */
void builder_raw(struct profile_builder *b, size_t section, const char *name, uint32_t reg_type,
                 const void *data, size_t size);
void builder_long(struct profile_builder *b, size_t section, const char *name, uint32_t number);
/* UTF-16LE with its terminator, from ASCII. */
void builder_unicode(struct profile_builder *b, size_t section, const char *name, const char *text);
/* 8-bit with its terminator. */
void builder_string8(struct profile_builder *b, size_t section, const char *name, const char *text);
/* A list of UIDs, each given as 32 hex digits. */
void builder_uids(struct profile_builder *b, size_t section, const char *name, const char *const *uids,
                  size_t count);

/* 32 hex digits to 16 bytes. */
void uid_from_hex(const char *hex, uint8_t uid[16]);
/* Compares a NUL-terminated UTF-16 string with ASCII. */
int unicode_equals(const uint16_t *s, const char *ascii);

#endif
