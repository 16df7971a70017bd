/* Writes the fuzzer's seed corpus: realistic profiles (16.0 and legacy,
 * Unicode and 8-bit strings) and typical damage, in fuzz_format.h's format.
 *   make_seeds DIRECTORY */
#include "fuzz_format.h"
#include "profile_builder.h"

#include <stdio.h>
#include <string.h>

static struct profile_builder b;

static void put_name(FILE *f, const uint16_t *name, size_t length)
{
    fputc((int)length, f);
    for (size_t i = 0; i < length; i++) {
        fputc(name[i] & 0xff, f);
        fputc(name[i] >> 8, f);
    }
}

static void write_seed(const char *dir, const char *name)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fputc((int)b.count, f);
    for (size_t i = 0; i < b.count; i++) {
        const struct profile_section_input *s = &b.sections[i];

        put_name(f, s->name, s->name_length);
        fputc((int)s->value_count, f);
        for (size_t v = 0; v < s->value_count; v++) {
            const struct profile_value *value = &s->values[v];

            put_name(f, value->name, value->name_length);
            fputc((int)value->reg_type, f);
            fputc((int)(value->size & 0xff), f);
            fputc((int)(value->size >> 8), f);
            fwrite(value->data, 1, value->size, f);
        }
    }
    fclose(f);
}

static size_t provider(const char *uid, uint32_t type, const char *dll, const char *display, int ansi)
{
    size_t s = builder_section(&b, uid);

    builder_long(&b, s, "00033e03", type);
    if (ansi) {
        builder_string8(&b, s, "001e300a", dll);
        builder_string8(&b, s, "001e3006", display);
    } else {
        builder_unicode(&b, s, "001f300a", dll);
        builder_unicode(&b, s, "001f3006", display);
    }
    builder_long(&b, s, "00033009", 0);
    return s;
}

static void outlook_profile(int ansi)
{
    static const char *const services[] = { "1111111111111111111111111111aaaa", "2222222222222222222222222222bbbb" };
    static const char *const stores[] = { "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" };
    static const char *const xp[] = { "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1" };
    static const char *const ab[] = { "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" };
    size_t s;

    builder_init(&b);
    s = builder_section(&b, "9207f3e0a3b11019908b08002b2a56c2");
    builder_uids(&b, s, "01023d0e", services, 2);
    builder_uids(&b, s, "01023d00", stores, 1);
    s = builder_section(&b, "13dbb0c8aa05101a9bb000aa002fc45a");
    builder_unicode(&b, s, "001f3001", "Outlook");
    s = builder_section(&b, "1111111111111111111111111111aaaa");
    builder_unicode(&b, s, "001f3d09", "MSUPST MS");
    builder_unicode(&b, s, "001f3d0a", "MSPST.DLL");
    builder_uids(&b, s, "01023d00", stores, 1);
    s = builder_section(&b, "2222222222222222222222222222bbbb");
    builder_uids(&b, s, "01023d02", xp, 1);
    builder_uids(&b, s, "01023d01", ab, 1);
    provider("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", 33, "MSPST.DLL", "Personal Folders", ansi);
    provider("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", 36, "MAILXP.DLL", "Internet Mail", ansi);
    provider("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", 35, "CONTAB", "Contacts", ansi);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char uid[40];
    size_t s;

    outlook_profile(0);
    write_seed(dir, "outlook-16-unicode");
    outlook_profile(1);
    write_seed(dir, "legacy-string8");

    builder_init(&b);
    for (int i = 0; i < 40; i++) {
        snprintf(uid, sizeof(uid), "%032x", i + 1);
        provider(uid, i % 3 == 0 ? 33 : i % 3 == 1 ? 35 : 36, "MANY.DLL", "One of many", i % 2);
    }
    write_seed(dir, "many-sections");

    builder_init(&b);
    provider("zz", 33, "BADNAME.DLL", "Bad section name", 0);
    provider("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", 33, "..\\evil.dll", "Path", 0);
    provider("A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", 36, "C:evil.dll", "Duplicate", 0);
    s = builder_section(&b, "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1");
    builder_raw(&b, s, "00033e03", 4, "\x24\0\0", 3);
    builder_raw(&b, s, "001f300a", 3, "X\0P\0.", 5);
    s = builder_section(&b, "9207f3e0a3b11019908b08002b2a56c2");
    builder_raw(&b, s, "01023d0e", 3, "0123456789abcde", 15);
    write_seed(dir, "damaged");
    return 0;
}
