/* The facts wine-tests/ spells itself (wine-tests/project_facts.h: Wine's
 * tree lets a test include no source of the DLL) against the originals:
 * the Office versions and policy places of src/core/policy.c, MAPI's DLL
 * naming rule of src/core/dll_name.c, the exit record's room for providers
 * of src/core/exit_record.h. A copy that drifts fails here. */
#include "suites.h"
#include "core/dll_name.h"
#include "core/exit_record.h"
#include "core/policy.h"
#include "../wine-tests/project_facts.h"

#include <stdio.h>
#include <string.h>

#define NARROW(version) version,
static const char *const versions[] = { FACT_OFFICE_VERSIONS(NARROW) };

START_TEST(test_exit_room_is_the_records)
{
    ck_assert_uint_eq(FACT_EXIT_ROOM_PROVIDERS, EXIT_PROVIDERS_MAX);
}
END_TEST

START_TEST(test_office_versions_are_the_subsystems)
{
    ck_assert_uint_eq(sizeof(versions) / sizeof(versions[0]), POLICY_VERSIONS);
    for (unsigned v = 0; v < POLICY_VERSIONS; v++)
        ck_assert_str_eq(versions[v], policy_version_name(v));
}
END_TEST

#define PLACE(name, machine, office_key) { #name, machine, office_key },
static const struct {
    const char *name;
    int machine;
    const char *office_key;
} places[] = { FACT_POLICY_PLACES(PLACE) };

/* Same order, roots and keys, and so the same whole paths. */
START_TEST(test_policy_places_are_the_subsystems)
{
    ck_assert_uint_eq(sizeof(places) / sizeof(places[0]), POLICY_PLACES);
    for (unsigned p = 0; p < POLICY_PLACES; p++) {
        ck_assert_msg(!strcmp(policy_place_root(p), places[p].machine ? "HKLM" : "HKCU"),
                      "%s: the copy says %s, the subsystem %s", places[p].name, places[p].machine ? "HKLM" : "HKCU",
                      policy_place_root(p));
        ck_assert_str_eq(places[p].office_key, policy_place_office_key(p));
        for (unsigned v = 0; v < POLICY_VERSIONS; v++) {
            char copy[256], original[POLICY_KEY_PATH_MAX];

            snprintf(copy, sizeof(copy), "%s\\%s\\%s", places[p].office_key, versions[v], FACT_SHUTDOWN_SUBKEY);
            policy_key_path(p, v, original);
            ck_assert_str_eq(copy, original);
        }
    }
}
END_TEST

static void units(const char *text, uint16_t *out)
{
    size_t i = 0;

    for (; text[i]; i++)
        out[i] = (uint8_t)text[i];
    out[i] = 0;
}

static void expect_same_file_name(const uint16_t *dll, size_t size)
{
    uint16_t copy[80], original[80];
    int copy_fits = fact_dll_file_name(dll, copy, size);
    bool original_fits = dll_file_name(dll, original, size);

    ck_assert_int_eq(copy_fits, original_fits);
    if (copy_fits) {
        size_t n = 0;

        while (original[n])
            n++;
        ck_assert_msg(!memcmp(copy, original, (n + 1) * sizeof(uint16_t)), "the file names differ");
    }
}

/* Names as profiles store them, and every short string over an alphabet
 * of the characters the rule looks at, in buffers too small and enough. */
START_TEST(test_dll_naming_rule_is_mapis)
{
    static const char *const names[] = {
        "MSPST.DLL", "MSPST", "emsmdb32.dll", "a.b.c", "noext.", ".dll", "", "x", "MSPST32.DLL", "a..dll",
        "contab.dll.dll", "EMSABP", "long.name.with.many.dots.and.an.extension",
    };
    static const char alphabet[] = { 'a', '.', '3', '2', 'D' };
    uint16_t dll[16];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        uint16_t name[64];

        units(names[i], name);
        for (size_t size = 0; size <= 64; size++)
            expect_same_file_name(name, size);
    }
    /* Every string of up to 6 characters of the alphabet: 5^6 and fewer. */
    for (unsigned length = 0; length <= 6; length++) {
        unsigned total = 1;

        for (unsigned i = 0; i < length; i++)
            total *= sizeof(alphabet);
        for (unsigned n = 0; n < total; n++) {
            unsigned rest = n;

            for (unsigned i = 0; i < length; i++, rest /= sizeof(alphabet))
                dll[i] = (uint8_t)alphabet[rest % sizeof(alphabet)];
            dll[length] = 0;
            for (size_t size = length; size <= length + 6; size++)
                expect_same_file_name(dll, size);
        }
    }
}
END_TEST

Suite *wine_copies_suite(void)
{
    Suite *s = suite_create("wine_copies");
    TCase *t = tcase_create("copies");

    tcase_add_test(t, test_office_versions_are_the_subsystems);
    tcase_add_test(t, test_policy_places_are_the_subsystems);
    tcase_add_test(t, test_dll_naming_rule_is_mapis);
    tcase_add_test(t, test_exit_room_is_the_records);
    suite_add_tcase(s, t);
    return s;
}
