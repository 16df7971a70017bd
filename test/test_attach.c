/* Attached profiles: the profile's order within a type, and option 1's rule
 * for a loaded provider that never registered. */
#include "suites.h"
#include "fake_env.h"
#include "profile_builder.h"

#include <string.h>

#define XP_A "a0000000000000000000000000000001"
#define XP_B "a0000000000000000000000000000002"
#define MS_A "b0000000000000000000000000000001"
#define MS_B "b0000000000000000000000000000002"
#define MS_C "c0000000000000000000000000000003"

static struct fake f;
static struct fake_provider xp_a, xp_b, ms_a, ms_b, ms_c;
static struct profile_builder b;

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp_a, &f, "xpA");
    fake_provider_init(&xp_b, &f, "xpB");
    fake_provider_init(&ms_a, &f, "msA");
    fake_provider_init(&ms_b, &f, "msB");
    fake_provider_init(&ms_c, &f, "msC");
}

static void teardown(void) { fake_free(&f); }

static void add_section(const char *uid, uint32_t type, const char *dll)
{
    size_t s = builder_section(&b, uid);

    builder_long(&b, s, "00033e03", type);
    builder_unicode(&b, s, "001f300a", dll);
}

/* The profile's order is the order given here (one profile-wide list). */
static int32_t attach(const char *const *uids, const uint32_t *types, const char *const *dlls, size_t n)
{
    struct profile profile;
    int32_t hr;

    builder_init(&b);
    builder_uids(&b, builder_section(&b, "9207f3e0a3b11019908b08002b2a56c2"), "01023d00", uids, n);
    for (size_t i = 0; i < n; i++)
        add_section(uids[i], types[i], dlls[i]);
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
    hr = shutdown_attach(&f.s, &profile, NULL);
    profile_free(&profile);
    return hr;
}

static int32_t attach_standard(void)
{
    static const char *const uids[] = { MS_B, XP_B, MS_A, XP_A };
    static const uint32_t types[] = { 33, 36, 33, 36 };
    static const char *const dlls[] = { "MSB.DLL", "XPB.DLL", "MSA.DLL", "XPA.DLL" };

    return attach(uids, types, dlls, 4);
}

static uint32_t register_for(struct fake_provider *p, const char *uid, uint32_t type, int with_interface)
{
    uint8_t section[16];
    uint32_t cookie = 0;

    uid_from_hex(uid, section);
    p->no_interface = !with_interface;
    ck_assert_int_eq(shutdown_register(&f.s, section, type, p, &cookie), SHUT_S_OK);
    return cookie;
}

START_TEST(test_attach_orders_registered_providers_by_profile)
{
    register_for(&ms_a, MS_A, 33, 1);
    register_for(&xp_a, XP_A, 36, 1);
    register_for(&ms_b, MS_B, 33, 1);
    register_for(&xp_b, XP_B, 36, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xpA.Q xpB.Q msA.Q msB.Q");
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    f.log[0] = 0;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xpB.Q xpA.Q msB.Q msA.Q");
}
END_TEST

START_TEST(test_registration_after_attach_takes_the_profile_place)
{
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    register_for(&ms_c, MS_C, 33, 1); /* not in the profile: after those that are */
    register_for(&ms_a, MS_A, 33, 1);
    register_for(&xp_a, XP_A, 36, 1);
    register_for(&ms_b, MS_B, 33, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xpA.Q msB.Q msA.Q msC.Q xpA.N msB.N msA.N msC.N xpA.D msB.D msA.D msC.D");
}
END_TEST

START_TEST(test_provider_without_section_uid_is_still_told)
{
    uint32_t cookie;

    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    ck_assert_int_eq(shutdown_register(&f.s, NULL, SHUT_TRANSPORT_PROVIDER, &xp_a, &cookie), SHUT_S_OK);
    register_for(&xp_b, XP_B, 36, 1);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "xpB.Q xpA.Q xpB.N xpA.N xpB.D xpA.D");
}
END_TEST

START_TEST(test_option1_loaded_but_unregistered_section_refuses)
{
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 1);
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    register_for(&xp_a, XP_A, 36, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK); /* nothing else is loaded */
    f.loaded[0] = "MSB32.DLL";
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_SECTION_UNREGISTERED), 1);
    register_for(&ms_b, MS_B, 33, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

START_TEST(test_option1_unregistered_section_blocks_notify_and_do_fast_too)
{
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 1);
    f.loaded[0] = "XPA32.DLL";
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    register_for(&ms_a, MS_A, 33, 1);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms_a.calls[PROVIDER_NOTIFY] + ms_a.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

START_TEST(test_option0_unregistered_section_does_not_block)
{
    f.loaded[0] = "XPA32.DLL";
    f.loaded[1] = "MSA32.DLL";
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    register_for(&ms_b, MS_B, 33, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(fake_events(&f, EVENT_SECTION_UNREGISTERED), 0);
}
END_TEST

START_TEST(test_protocol_path_checks_no_module_after_query)
{
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 1);
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    register_for(&xp_a, XP_A, 36, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.loaded_checks, 3); /* the three unregistered sections */
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_S_OK);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(f.loaded_checks, 3);
}
END_TEST

START_TEST(test_attach_after_query_makes_the_next_phase_ask_again)
{
    register_for(&xp_a, XP_A, 36, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, 1);
    f.loaded[0] = "MSA32.DLL";
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    ck_assert_int_eq(shutdown_notify(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(xp_a.calls[PROVIDER_NOTIFY], 0);
}
END_TEST

START_TEST(test_second_profile_comes_after_the_first_and_repeats_are_ignored)
{
    static const char *const second_uids[] = { MS_C, MS_A };
    static const uint32_t types[] = { 33, 33 };
    static const char *const dlls[] = { "MSC.DLL", "OTHER.DLL" };

    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    ck_assert_int_eq(attach(second_uids, types, dlls, 2), SHUT_S_OK);
    ck_assert_int_eq(attach_standard(), SHUT_S_OK);
    ck_assert_uint_eq(f.s.section_count, 5);
    register_for(&ms_c, MS_C, 33, 1);
    register_for(&ms_a, MS_A, 33, 1);
    register_for(&ms_b, MS_B, 33, 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_str_eq(f.log, "msB.Q msA.Q msC.Q");
}
END_TEST

START_TEST(test_attach_is_refused_after_do_fast)
{
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(attach_standard(), SHUT_E_CALL_FAILED);
    ck_assert_uint_eq(f.s.section_count, 0);
}
END_TEST

Suite *attach_suite(void)
{
    Suite *suite = suite_create("attach");
    TCase *tc = tcase_create("profiles");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_attach_orders_registered_providers_by_profile);
    tcase_add_test(tc, test_registration_after_attach_takes_the_profile_place);
    tcase_add_test(tc, test_provider_without_section_uid_is_still_told);
    tcase_add_test(tc, test_option1_loaded_but_unregistered_section_refuses);
    tcase_add_test(tc, test_option1_unregistered_section_blocks_notify_and_do_fast_too);
    tcase_add_test(tc, test_option0_unregistered_section_does_not_block);
    tcase_add_test(tc, test_protocol_path_checks_no_module_after_query);
    tcase_add_test(tc, test_attach_after_query_makes_the_next_phase_ask_again);
    tcase_add_test(tc, test_second_profile_comes_after_the_first_and_repeats_are_ignored);
    tcase_add_test(tc, test_attach_is_refused_after_do_fast);
    suite_add_tcase(suite, tc);
    return suite;
}
