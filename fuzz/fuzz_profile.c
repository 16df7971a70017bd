/* libFuzzer target: profile_build() on arbitrary sections (see fuzz_format.h).
 * Every name and value gets its own exactly sized heap block, so that the
 * sanitizers catch a read one byte too far. */
#include "fuzz_format.h"
#include "core/profile.h"

#include <stdlib.h>
#include <string.h>

struct reader {
    const uint8_t *data;
    size_t size, at;
};

static int read_u8(struct reader *r, unsigned *out)
{
    if (r->at >= r->size)
        return 0;
    *out = r->data[r->at++];
    return 1;
}

static void *read_block(struct reader *r, size_t size)
{
    void *block;

    if (size > r->size - r->at)
        size = r->size - r->at;
    block = malloc(size ? size : 1);
    if (block && size)
        memcpy(block, r->data + r->at, size);
    r->at += size;
    return block;
}

static uint16_t *read_name(struct reader *r, size_t *length)
{
    unsigned units = 0;
    uint8_t *bytes;
    uint16_t *name;

    read_u8(r, &units);
    if (units > (r->size - r->at) / 2)
        units = (unsigned)((r->size - r->at) / 2);
    bytes = read_block(r, 2 * (size_t)units);
    name = malloc(units ? 2 * (size_t)units : 1);
    for (unsigned i = 0; bytes && name && i < units; i++)
        name[i] = (uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
    free(bytes);
    *length = units;
    return name;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = { data, size, 0 };
    struct profile_section_input *sections;
    struct profile profile;
    unsigned count = 0;

    read_u8(&r, &count);
    sections = calloc(count ? count : 1, sizeof(*sections));
    if (!sections)
        return 0;
    for (unsigned i = 0; i < count; i++) {
        struct profile_value *values;
        unsigned value_count = 0;

        sections[i].name = read_name(&r, &sections[i].name_length);
        read_u8(&r, &value_count);
        values = calloc(value_count ? value_count : 1, sizeof(*values));
        sections[i].values = values;
        sections[i].value_count = values ? value_count : 0;
        for (unsigned v = 0; values && v < value_count; v++) {
            unsigned type = 0, low = 0, high = 0;

            values[v].name = read_name(&r, &values[v].name_length);
            read_u8(&r, &type);
            read_u8(&r, &low);
            read_u8(&r, &high);
            values[v].reg_type = type;
            values[v].size = low | high << 8;
            if (values[v].size > r.size - r.at)
                values[v].size = r.size - r.at;
            values[v].data = read_block(&r, values[v].size);
        }
    }

    if (profile_build(sections, count, &profile) == 0) {
        /* What a caller does with the result: read every string to its
         * terminator, which must be inside the array. */
        for (size_t i = 0; i < profile.provider_count; i++) {
            const struct profile_provider *p = &profile.providers[i];
            size_t n;

            for (n = 0; p->dll_file[n]; n++)
                ;
            for (n = 0; p->dll_name[n]; n++)
                ;
            for (n = 0; p->display_name[n]; n++)
                ;
        }
        profile_free(&profile);
    }

    for (unsigned i = 0; i < count; i++) {
        for (size_t v = 0; v < sections[i].value_count; v++) {
            free((void *)sections[i].values[v].name);
            free((void *)sections[i].values[v].data);
        }
        free((void *)sections[i].values);
        free((void *)sections[i].name);
    }
    free(sections);
    return 0;
}
