/* Decoding profile sections: realistic layouts, MAPI's order, and every
 * kind of malformed input, each skipped and reported without stopping the rest. */
#include "suites.h"
#include "alloc_count.h"
#include "profile_builder.h"
#include "core/dll_name.h"
#include "core/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICES     "9207f3e0a3b11019908b08002b2a56c2"
#define GLOBAL       "13dbb0c8aa05101a9bb000aa002fc45a"
#define SVC_PST      "1111111111111111111111111111aaaa"
#define SVC_MAIL     "2222222222222222222222222222bbbb"
#define PST_STORE    "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define MAIL_XP      "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"
#define MAIL_AB      "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"
#define MAIL_STORE   "b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3"

static struct profile_builder b;
static struct profile profile;

static void setup(void)
{
    builder_init(&b);
    memset(&profile, 0, sizeof(profile));
}

static void teardown(void)
{
    profile_free(&profile);
}

static void build(void)
{
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
}

static size_t provider(const char *uid_hex, uint32_t type, const char *dll, const char *display)
{
    size_t s = builder_section(&b, uid_hex);

    builder_long(&b, s, "00033e03", type);
    if (dll)
        builder_unicode(&b, s, "001f300a", dll);
    if (display)
        builder_unicode(&b, s, "001f3006", display);
    return s;
}

static void assert_provider(size_t i, const char *uid_hex, uint32_t type, const char *dll_file)
{
    uint8_t uid[16];
    char message[128];

    ck_assert_msg(i < profile.provider_count, "provider %zu of %zu", i, profile.provider_count);
    uid_from_hex(uid_hex, uid);
    snprintf(message, sizeof(message), "provider %zu is not %s", i, uid_hex);
    ck_assert_msg(!memcmp(profile.providers[i].section_uid, uid, 16), "%s", message);
    ck_assert_uint_eq(profile.providers[i].resource_type, type);
    ck_assert_msg(unicode_equals(profile.providers[i].dll_file, dll_file), "provider %zu: wrong file name", i);
}

static unsigned problems_of(enum profile_problem_kind kind)
{
    unsigned n = 0;

    for (size_t i = 0; i < profile.problem_count; i++)
        n += profile.problems[i].kind == kind;
    return n;
}

/* Two services, as Outlook writes them: a PST and a mail service with a
 * transport, an address book and a store. */
static void realistic_profile(void)
{
    static const char *const services[] = { SVC_PST, SVC_MAIL };
    static const char *const pst_stores[] = { PST_STORE };
    static const char *const mail_xp[] = { MAIL_XP };
    static const char *const mail_ab[] = { MAIL_AB };
    static const char *const mail_stores[] = { MAIL_STORE };
    size_t s;

    s = builder_section(&b, SERVICES);
    builder_uids(&b, s, "01023d0e", services, 2);
    s = builder_section(&b, GLOBAL);
    builder_unicode(&b, s, "001f3001", "Outlook");
    s = builder_section(&b, SVC_PST);
    builder_unicode(&b, s, "001f3d09", "MSUPST MS");
    builder_unicode(&b, s, "001f3d0a", "MSPST.DLL");
    builder_uids(&b, s, "01023d00", pst_stores, 1);
    s = builder_section(&b, SVC_MAIL);
    builder_unicode(&b, s, "001f3d09", "MAILSVC");
    builder_uids(&b, s, "01023d02", mail_xp, 1);
    builder_uids(&b, s, "01023d01", mail_ab, 1);
    builder_uids(&b, s, "01023d00", mail_stores, 1);
    /* sections in registry (alphabetical) order, not profile order */
    provider(PST_STORE, 33, "MSPST.DLL", "Personal Folders");
    provider(MAIL_XP, 36, "MAILXP.DLL", "Internet Mail");
    provider(MAIL_AB, 35, "MAILAB.DLL", "Contacts");
    provider(MAIL_STORE, 33, "MAILMS.DLL", "Mailbox");
}

START_TEST(test_realistic_profile_in_service_order)
{
    realistic_profile();
    build();
    ck_assert_uint_eq(profile.provider_count, 4);
    ck_assert_uint_eq(profile.problem_count, 0);
    assert_provider(0, PST_STORE, 33, "MSPST32.DLL");
    assert_provider(1, MAIL_XP, 36, "MAILXP32.DLL");
    assert_provider(2, MAIL_AB, 35, "MAILAB32.DLL");
    assert_provider(3, MAIL_STORE, 33, "MAILMS32.DLL");
    ck_assert(unicode_equals(profile.providers[0].display_name, "Personal Folders"));
    ck_assert(unicode_equals(profile.providers[0].dll_name, "MSPST.DLL"));
    ck_assert(profile.providers[3].listed);
}
END_TEST

START_TEST(test_service_order_follows_pr_services)
{
    static const char *const reversed[] = { SVC_MAIL, SVC_PST };

    realistic_profile();
    builder_uids(&b, 0, "01023d0e", reversed, 2); /* a second PR_SERVICES is ignored */
    build();
    assert_provider(0, PST_STORE, 33, "MSPST32.DLL");

    teardown();
    setup();
    realistic_profile();
    b.sections[0].value_count = 0;
    builder_uids(&b, 0, "01023d0e", reversed, 2);
    build();
    assert_provider(0, MAIL_XP, 36, "MAILXP32.DLL");
    assert_provider(3, PST_STORE, 33, "MSPST32.DLL");
}
END_TEST

START_TEST(test_profile_wide_lists_order_the_rest_and_unlisted_come_last)
{
    static const char *const wide[] = { MAIL_STORE, PST_STORE };
    size_t s = builder_section(&b, SERVICES);

    builder_uids(&b, s, "01023d00", wide, 2);
    provider("c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", 36, "HANDXP.DLL", "Added by a script");
    provider("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", 36, "HANDXP2.DLL", "Added by hand");
    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    provider(MAIL_STORE, 33, "MAILMS.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 4);
    assert_provider(0, MAIL_STORE, 33, "MAILMS32.DLL");
    assert_provider(1, PST_STORE, 33, "MSPST32.DLL");
    /* unlisted: by section UID, not by the order they came in */
    assert_provider(2, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", 36, "HANDXP232.DLL");
    assert_provider(3, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", 36, "HANDXP32.DLL");
    ck_assert(!profile.providers[2].listed);
    ck_assert(!profile.providers[3].listed);
    ck_assert_uint_eq(profile.problem_count, 0);
}
END_TEST

START_TEST(test_unicode_preferred_and_string8_accepted)
{
    size_t s = builder_section(&b, MAIL_XP);

    builder_long(&b, s, "00033e03", 36);
    builder_string8(&b, s, "001e300a", "ANSI.DLL");
    builder_unicode(&b, s, "001f300a", "WIDE.DLL");
    builder_string8(&b, s, "001e3006", "Old name");
    s = builder_section(&b, MAIL_AB);
    builder_long(&b, s, "00033e03", 35);
    builder_string8(&b, s, "001E300A", "OLDAB.DLL"); /* tags in capitals too */
    builder_string8(&b, s, "001e3001", "Display");
    build();
    ck_assert_uint_eq(profile.provider_count, 2);
    ck_assert(unicode_equals(profile.providers[0].dll_name, "WIDE.DLL"));
    ck_assert(unicode_equals(profile.providers[0].display_name, "Old name"));
    ck_assert(unicode_equals(profile.providers[1].dll_file, "OLDAB32.DLL"));
    ck_assert(unicode_equals(profile.providers[1].display_name, "Display"));
}
END_TEST

START_TEST(test_missing_terminators_are_tolerated)
{
    size_t s = builder_section(&b, MAIL_XP);

    builder_long(&b, s, "00033e03", 36);
    builder_raw(&b, s, "001f300a", PROFILE_REG_BINARY, "X\0P\0.\0D\0L\0L\0", 12);
    s = builder_section(&b, MAIL_AB);
    builder_long(&b, s, "00033e03", 35);
    builder_raw(&b, s, "001e300a", PROFILE_REG_BINARY, "AB.DLL", 6);
    build();
    ck_assert_uint_eq(profile.provider_count, 2);
    ck_assert(unicode_equals(profile.providers[0].dll_file, "XP32.DLL"));
    ck_assert(unicode_equals(profile.providers[1].dll_file, "AB32.DLL"));
}
END_TEST

START_TEST(test_odd_unicode_falls_back_to_string8_or_is_skipped)
{
    size_t s = builder_section(&b, MAIL_XP);

    builder_long(&b, s, "00033e03", 36);
    builder_raw(&b, s, "001f300a", PROFILE_REG_BINARY, "X\0P\0.", 5);
    builder_string8(&b, s, "001e300a", "XP.DLL");
    s = builder_section(&b, MAIL_AB);
    builder_long(&b, s, "00033e03", 35);
    builder_raw(&b, s, "001f300a", PROFILE_REG_BINARY, "A\0B\0.", 5);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert(unicode_equals(profile.providers[0].dll_file, "XP32.DLL"));
    ck_assert_uint_eq(problems_of(PROFILE_BAD_DLL_NAME), 1);
}
END_TEST

START_TEST(test_resource_type_forms)
{
    uint8_t three[3] = { 33, 0, 0 }, dword[4] = { 35, 0, 0, 0 };
    size_t s;

    s = builder_section(&b, MAIL_AB);
    builder_raw(&b, s, "00033e03", PROFILE_REG_DWORD, dword, 4);
    builder_unicode(&b, s, "001f300a", "AB.DLL");
    s = builder_section(&b, MAIL_STORE);
    builder_raw(&b, s, "00033e03", PROFILE_REG_BINARY, three, 3);
    builder_unicode(&b, s, "001f300a", "MS.DLL");
    s = builder_section(&b, MAIL_XP);
    builder_raw(&b, s, "00033e03", 1 /* REG_SZ */, dword, 4);
    builder_unicode(&b, s, "001f300a", "XP.DLL");
    provider(PST_STORE, 34 /* a spooler hook: not ours */, "HOOK.DLL", NULL);
    provider("d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", 0x12345678, "ODD.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    assert_provider(0, MAIL_AB, 35, "AB32.DLL");
    ck_assert_uint_eq(problems_of(PROFILE_BAD_RESOURCE_TYPE), 2);
    ck_assert_uint_eq(profile.problem_count, 2);
}
END_TEST

START_TEST(test_bad_section_names_are_reported_and_the_rest_read)
{
    static const char *const bad[] = {
        "", "1234", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a",
        "g1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "{a1a1a1a1-a1a1-a1a1-a1a1-a1a1a1a1a1a1}",
        " 1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        provider(bad[i], 33, "BAD.DLL", NULL);
    provider("A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", 33, "UPPER.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert(unicode_equals(profile.providers[0].dll_file, "UPPER32.DLL"));
    ck_assert_uint_eq(problems_of(PROFILE_BAD_SECTION_NAME), sizeof(bad) / sizeof(bad[0]));
    ck_assert(unicode_equals(profile.problems[1].name, "1234"));
}
END_TEST

START_TEST(test_duplicate_section_first_wins)
{
    provider("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", 33, "FIRST.DLL", NULL);
    provider("A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", 36, "SECOND.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert(unicode_equals(profile.providers[0].dll_file, "FIRST32.DLL"));
    ck_assert_uint_eq(problems_of(PROFILE_DUPLICATE_SECTION), 1);
}
END_TEST

START_TEST(test_unsafe_dll_names_are_never_used)
{
    static const char *const unsafe[] = {
        "..\\evil.dll", "C:evil.dll", "dir/evil.dll", "\\\\server\\share\\evil.dll", "evil?.dll",
        "..", "evil.dll.", "evil.dll ", "ev|il.dll", "a..dll", "C:\\Windows\\System32\\evil.dll",
    };
    char uid[40];

    for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
        snprintf(uid, sizeof(uid), "%032zx", i + 1);
        provider(uid, 33, unsafe[i], NULL);
    }
    build();
    ck_assert_uint_eq(profile.provider_count, 0);
    ck_assert_uint_eq(problems_of(PROFILE_UNSAFE_DLL_NAME), sizeof(unsafe) / sizeof(unsafe[0]));
}
END_TEST

START_TEST(test_malformed_dll_names_are_skipped)
{
    char long_name[400];
    uint8_t latin1[] = { 'B', 0xef, 'T', '.', 'D', 'L', 'L', 0 };
    size_t s;

    memset(long_name, 'a', sizeof(long_name));
    strcpy(long_name + 300, ".dll");
    provider("00000000000000000000000000000001", 33, "", NULL);
    provider("00000000000000000000000000000002", 33, long_name, NULL);
    s = provider("00000000000000000000000000000003", 33, NULL, NULL);
    builder_raw(&b, s, "001e300a", PROFILE_REG_BINARY, latin1, sizeof(latin1));
    s = provider("00000000000000000000000000000004", 33, NULL, NULL);
    builder_raw(&b, s, "001f300a", 1 /* REG_SZ */, "M\0S\0\0\0", 6);
    provider("00000000000000000000000000000005", 33, NULL, "No DLL");
    provider("00000000000000000000000000000006", 33, "GOOD.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert(unicode_equals(profile.providers[0].dll_file, "GOOD32.DLL"));
    ck_assert_uint_eq(problems_of(PROFILE_BAD_DLL_NAME), 4);
    ck_assert_uint_eq(problems_of(PROFILE_MISSING_DLL_NAME), 1);
}
END_TEST

START_TEST(test_bad_uid_lists_and_missing_listed_sections)
{
    static const char *const listed[] = { PST_STORE, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", PST_STORE,
                                          "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" };
    uint8_t fifteen[15] = { 0 };
    size_t s = builder_section(&b, SERVICES);

    builder_raw(&b, s, "01023d0e", PROFILE_REG_BINARY, fifteen, sizeof(fifteen));
    builder_uids(&b, s, "01023d00", listed, 4);
    provider(MAIL_XP, 36, "XP.DLL", NULL);
    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 2);
    assert_provider(0, PST_STORE, 33, "MSPST32.DLL");
    assert_provider(1, MAIL_XP, 36, "XP32.DLL");
    ck_assert_uint_eq(problems_of(PROFILE_BAD_UID_LIST), 1);
    ck_assert_uint_eq(problems_of(PROFILE_LISTED_BUT_MISSING), 1);
}
END_TEST

START_TEST(test_values_that_are_not_property_tags_are_ignored)
{
    size_t s = builder_section(&b, MAIL_XP);

    builder_long(&b, s, "00033e030", 33);
    builder_long(&b, s, "0003 3e03", 33);
    builder_long(&b, s, "", 33);
    builder_unicode(&b, s, "001f300a", "XP.DLL");
    build();
    ck_assert_uint_eq(profile.provider_count, 0);
    ck_assert_uint_eq(profile.problem_count, 0);
}
END_TEST

START_TEST(test_service_uid_and_display_fallback)
{
    uint8_t service[16];
    size_t s = provider(MAIL_XP, 36, "XP.DLL", NULL);

    uid_from_hex(SVC_MAIL, service);
    builder_raw(&b, s, "01023d0c", PROFILE_REG_BINARY, service, 16);
    builder_raw(&b, s, "001f3006", PROFILE_REG_BINARY, "x", 1); /* malformed: odd */
    builder_unicode(&b, s, "001f3001", "Fallback");
    build();
    ck_assert(profile.providers[0].has_service_uid);
    ck_assert(!memcmp(profile.providers[0].service_uid, service, 16));
    ck_assert(unicode_equals(profile.providers[0].display_name, "Fallback"));
}
END_TEST

START_TEST(test_empty_profile)
{
    build();
    ck_assert_uint_eq(profile.provider_count, 0);
    ck_assert_uint_eq(profile.problem_count, 0);
}
END_TEST

START_TEST(test_too_many_sections_are_cut_and_reported)
{
    size_t count = PROFILE_SECTIONS_MAX + 10;
    struct profile_section_input *many = calloc(count, sizeof(*many));
    static const uint16_t bad_name[] = { 'x' };

    ck_assert_ptr_nonnull(many);
    for (size_t i = 0; i < count; i++) {
        many[i].name = bad_name;
        many[i].name_length = 1;
    }
    ck_assert_int_eq(profile_build(many, count, &profile), SHUT_S_OK);
    ck_assert_uint_eq(problems_of(PROFILE_BAD_SECTION_NAME), PROFILE_SECTIONS_MAX);
    ck_assert_uint_eq(problems_of(PROFILE_TOO_MANY_SECTIONS), 1);
    free(many);
}
END_TEST

START_TEST(test_dll_file_name_rule)
{
    static const struct { const char *stored, *file; } cases[] = {
        { "MSPST.DLL", "MSPST32.DLL" }, { "MSPST", "MSPST32.dll" }, { "emsmdb.dll", "emsmdb32.dll" },
        { "a.b.dll", "a.b32.dll" }, { "MSPST32.DLL", "MSPST3232.DLL" },
    };
    uint16_t stored[64], out[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(cases[i].stored);

        for (size_t k = 0; k <= n; k++)
            stored[k] = (unsigned char)cases[i].stored[k];
        ck_assert(dll_file_name(stored, out, 64));
        ck_assert_msg(unicode_equals(out, cases[i].file), "%s", cases[i].stored);
    }
    ck_assert(!dll_file_name(stored, out, 8)); /* does not fit */
}
END_TEST

static void to_units(const char *text, uint16_t *units)
{
    size_t n = strlen(text);

    for (size_t k = 0; k <= n; k++)
        units[k] = (unsigned char)text[k];
}

START_TEST(test_provider_names_as_provider_behavior_spells_them)
{
    static const char *const emsmdb[] = { "EMSMDB", "emsmdb", "EMSMDB.DLL", "emsmdb32.dll", "EMSMDB32", "Emsmdb32.Dll" };
    static const struct { const char *name, *provider; } others[] = {
        { "MSPST32", "mspst" }, { "a.b.dll", "a.b" }, { "x32", "x" }, { "32", "32" }, { "32.dll", "32" },
        { "contab32.exe", "contab32.exe" }, { "my.dll.bak", "my.dll.bak" },
    };
    uint16_t name[64], out[64];

    for (size_t i = 0; i < sizeof(emsmdb) / sizeof(emsmdb[0]); i++) {
        to_units(emsmdb[i], name);
        ck_assert(dll_provider_name(name, out, 64));
        ck_assert_msg(unicode_equals(out, "emsmdb"), "%s", emsmdb[i]);
    }
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        to_units(others[i].name, name);
        ck_assert(dll_provider_name(name, out, 64));
        ck_assert_msg(unicode_equals(out, others[i].provider), "%s", others[i].name);
    }
    to_units("EMSMDB32.DLL", name);
    ck_assert(!dll_provider_name(name, out, 6)); /* "emsmdb" needs 7 units */
    ck_assert(dll_provider_name(name, out, 7));
}
END_TEST

START_TEST(test_unreadable_section_is_reported_and_kept_as_unknown)
{
    size_t s;

    provider(MAIL_XP, 36, "EMSMDB.DLL", NULL);
    s = builder_section(&b, MAIL_AB);
    b.sections[s].read_error = 5; /* ERROR_ACCESS_DENIED */
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert_uint_eq(problems_of(PROFILE_SECTION_UNREADABLE), 1);
    ck_assert_uint_eq(profile.unreadable_count, 1);
    {
        uint8_t uid[16];

        uid_from_hex(MAIL_AB, uid);
        ck_assert(!memcmp(profile.unreadable[0], uid, 16));
    }
    for (size_t i = 0; i < profile.problem_count; i++)
        if (profile.problems[i].kind == PROFILE_SECTION_UNREADABLE)
            ck_assert_uint_eq(profile.problems[i].error, 5);
}
END_TEST

START_TEST(test_unreadable_property_is_reported)
{
    size_t s = provider(MAIL_XP, 36, NULL, NULL);
    size_t v;

    /* The DLL name could not be read: what the section is cannot be told. */
    builder_raw(&b, s, "001f300a", PROFILE_REG_UNREADABLE, NULL, 0);
    v = b.sections[s].value_count - 1;
    b.values[s][v].read_error = 1018; /* ERROR_KEY_DELETED */
    provider(MAIL_STORE, 33, "EMSMDB.DLL", NULL);
    build();
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert_uint_eq(problems_of(PROFILE_VALUE_UNREADABLE), 1);
    ck_assert_uint_eq(problems_of(PROFILE_MISSING_DLL_NAME), 1);
    ck_assert_uint_eq(profile.unreadable_count, 1);
}
END_TEST

START_TEST(test_lists_past_the_budget_are_reported_and_their_providers_kept)
{
    size_t services = builder_section(&b, SERVICES);

    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    /* A list the reader did not read, past its budget. */
    builder_raw(&b, services, "01023d00", PROFILE_REG_OVER_BUDGET, NULL, 0);
    build();
    ck_assert_uint_eq(problems_of(PROFILE_LISTS_TOO_LONG), 1);
    assert_provider(0, PST_STORE, 33, "MSPST32.DLL");
}
END_TEST

/* One service listed 4096 times, its list naming 4096 missing sections: the
 * work is bounded, the missing ones reported at most 64 times, and the
 * provider listed nowhere still found. */
START_TEST(test_crafted_lists_cost_bounded_work)
{
    static uint8_t services_list[4096 * 16], missing_list[4096 * 16];
    struct profile_value values[2];
    struct profile_section_input sections[3];
    static uint16_t names[3][33], value_names[2][9];
    uint8_t service_uid[16];

    uid_from_hex(SVC_PST, service_uid);
    for (size_t i = 0; i < 4096; i++) {
        memcpy(services_list + 16 * i, service_uid, 16);
        memset(missing_list + 16 * i, 0xee, 16);
        missing_list[16 * i] = (uint8_t)i;
        missing_list[16 * i + 1] = (uint8_t)(i >> 8);
    }
    memset(sections, 0, sizeof(sections));
    for (int i = 0; i < 3; i++) {
        const char *name = i == 0 ? SERVICES : i == 1 ? SVC_PST : PST_STORE;

        for (int k = 0; k < 32; k++)
            names[i][k] = (uint16_t)name[k];
        sections[i].name = names[i];
        sections[i].name_length = 32;
    }
    for (int k = 0; k < 8; k++) {
        value_names[0][k] = (uint16_t)"01023d0e"[k];
        value_names[1][k] = (uint16_t)"01023d00"[k];
    }
    values[0] = (struct profile_value){ value_names[0], 8, PROFILE_REG_BINARY, services_list, sizeof(services_list), 0 };
    values[1] = (struct profile_value){ value_names[1], 8, PROFILE_REG_BINARY, missing_list, sizeof(missing_list), 0 };
    sections[0].values = &values[0];
    sections[0].value_count = 1;
    sections[1].values = &values[1];
    sections[1].value_count = 1;
    /* The store section itself comes from the builder, for its properties. */
    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    sections[2] = b.sections[0];

    ck_assert_int_eq(profile_build(sections, 3, &profile), SHUT_S_OK);
    ck_assert_uint_eq(profile.provider_count, 1);
    ck_assert_uint_eq(problems_of(PROFILE_LISTED_BUT_MISSING), 64);
    ck_assert_uint_eq(problems_of(PROFILE_LISTS_TOO_LONG), 0);
    ck_assert_uint_eq(problems_of(PROFILE_MORE_MISSING), 1);
    ck_assert_uint_eq(profile.problems[profile.problem_count - 1].count, 4096 - 64);
}
END_TEST

/* A list naming 70 missing sections: 64 named, the other 6 counted. */
START_TEST(test_missing_sections_past_the_reported_are_counted)
{
    static const char *uids[70];
    static char hex[70][33];
    size_t services;

    for (int i = 0; i < 70; i++) {
        snprintf(hex[i], sizeof(hex[i]), "e%031x", i);
        uids[i] = hex[i];
    }
    services = builder_section(&b, SERVICES);
    builder_uids(&b, services, "01023d00", uids, 35);       /* a list holds 64 at most here */
    builder_uids(&b, services, "01023d01", uids + 35, 35);
    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    build();
    ck_assert_uint_eq(problems_of(PROFILE_LISTED_BUT_MISSING), 64);
    ck_assert_uint_eq(problems_of(PROFILE_MORE_MISSING), 1);
    for (size_t i = 0; i < profile.problem_count; i++)
        if (profile.problems[i].kind == PROFILE_MORE_MISSING)
            ck_assert_uint_eq(profile.problems[i].count, 6);
}
END_TEST

START_TEST(test_out_of_memory_at_any_allocation_leaves_nothing)
{
    provider(PST_STORE, 33, "MSPST.DLL", NULL);
    provider(MAIL_XP, 36, "EMSMDB.DLL", NULL);
    for (long skip = 0; skip < 8; skip++) {
        int32_t hr;

        alloc_fail_after(skip);
        hr = profile_build(b.sections, b.count, &profile);
        alloc_fail_after(-1);
        if (hr == SHUT_S_OK) {
            ck_assert_uint_eq(profile.provider_count, 2);
            profile_free(&profile);
            continue;
        }
        ck_assert_int_eq(hr, SHUT_E_OUTOFMEMORY);
        ck_assert_ptr_null(profile.providers);
        ck_assert_uint_eq(profile.provider_count + profile.problem_count + profile.unreadable_count, 0);
    }
}
END_TEST

START_TEST(test_property_names_for_the_reader)
{
    uint16_t name[9];
    int lists = 0;

    ck_assert_uint_eq(profile_property_count(), 12);
    profile_property_name(0, name);
    ck_assert(unicode_equals(name, "00033e03"));
    for (size_t i = 0; i < profile_property_count(); i++)
        lists += profile_property_is_list(i);
    ck_assert_int_eq(lists, 4);
}
END_TEST

START_TEST(test_problem_texts)
{
    ck_assert_str_eq(profile_problem_text(PROFILE_UNSAFE_DLL_NAME),
                     "PR_PROVIDER_DLL_NAME is a path or not a file name");
    ck_assert_str_eq(profile_problem_text((enum profile_problem_kind)99), "?");
}
END_TEST

Suite *profile_suite(void)
{
    Suite *suite = suite_create("profile");
    TCase *tc = tcase_create("decode");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_realistic_profile_in_service_order);
    tcase_add_test(tc, test_service_order_follows_pr_services);
    tcase_add_test(tc, test_profile_wide_lists_order_the_rest_and_unlisted_come_last);
    tcase_add_test(tc, test_unicode_preferred_and_string8_accepted);
    tcase_add_test(tc, test_missing_terminators_are_tolerated);
    tcase_add_test(tc, test_odd_unicode_falls_back_to_string8_or_is_skipped);
    tcase_add_test(tc, test_resource_type_forms);
    tcase_add_test(tc, test_bad_section_names_are_reported_and_the_rest_read);
    tcase_add_test(tc, test_duplicate_section_first_wins);
    tcase_add_test(tc, test_unsafe_dll_names_are_never_used);
    tcase_add_test(tc, test_malformed_dll_names_are_skipped);
    tcase_add_test(tc, test_bad_uid_lists_and_missing_listed_sections);
    tcase_add_test(tc, test_values_that_are_not_property_tags_are_ignored);
    tcase_add_test(tc, test_service_uid_and_display_fallback);
    tcase_add_test(tc, test_empty_profile);
    tcase_add_test(tc, test_too_many_sections_are_cut_and_reported);
    tcase_add_test(tc, test_dll_file_name_rule);
    tcase_add_test(tc, test_provider_names_as_provider_behavior_spells_them);
    tcase_add_test(tc, test_unreadable_section_is_reported_and_kept_as_unknown);
    tcase_add_test(tc, test_unreadable_property_is_reported);
    tcase_add_test(tc, test_lists_past_the_budget_are_reported_and_their_providers_kept);
    tcase_add_test(tc, test_crafted_lists_cost_bounded_work);
    tcase_add_test(tc, test_missing_sections_past_the_reported_are_counted);
    tcase_add_test(tc, test_out_of_memory_at_any_allocation_leaves_nothing);
    tcase_add_test(tc, test_property_names_for_the_reader);
    tcase_add_test(tc, test_problem_texts);
    suite_add_tcase(suite, tc);
    return suite;
}
