/* ProviderBehavior: per-provider policy, named by the provider's DLL. What
 * a value means (0 ask, 1 refuse while loaded, 2 opted in), which value
 * wins, and what is ignored. */
#include "suites.h"
#include "fake_env.h"
#include "profile_builder.h"
#include "core/policy.h"

#include <string.h>

static struct fake f;
static struct fake_provider xp, ms;

static void setup(void)
{
    fake_init(&f);
    fake_provider_init(&xp, &f, "xp");
    fake_provider_init(&ms, &f, "ms");
    xp.module = "emsmdb32.dll";
    ms.module = "mspst32.dll";
}

static void teardown(void) { fake_free(&f); }

static void set_dword(enum policy_place place, const char *name, uint32_t value)
{
    fake_set_behavior(&f, place, name, POLICY_REG_DWORD, &value, 4);
}

static void set_string(enum policy_place place, const char *name, const char *text)
{
    uint16_t units[8] = { 0 };

    for (size_t i = 0; text[i] && i < 7; i++)
        units[i] = (unsigned char)text[i];
    fake_set_behavior(&f, place, name, POLICY_REG_SZ, units, (uint32_t)(2 * (strlen(text) + 1)));
}

static void register_both(void)
{
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 1);
    fake_register(&f, &ms, SHUT_STORE_PROVIDER, 1);
}

START_TEST(test_behavior_1_refuses_while_the_provider_is_loaded)
{
    register_both();
    set_string(POLICY_HKLM_POLICY, "MSPST", "1");
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 1);
    ck_assert_int_eq(f.reported[EVENT_BEHAVIOR_REFUSES], 1);
    /* Out of protocol nobody is told anything. */
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST] + xp.calls[PROVIDER_DO_FAST], 0);
}
END_TEST

START_TEST(test_behavior_2_overrides_an_opt_out_and_the_provider_is_still_told)
{
    register_both();
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    set_dword(POLICY_HKCU_POLICY, "mspst32.dll", 2);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_OVERRIDES), 1);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 0);
    ck_assert_int_eq(shutdown_do_fast(&f.s), SHUT_S_OK);
    ck_assert_int_eq(ms.calls[PROVIDER_NOTIFY], 1);
    ck_assert_int_eq(ms.calls[PROVIDER_DO_FAST], 1);
}
END_TEST

START_TEST(test_behavior_2_lets_a_provider_without_the_interface_pass_option_1)
{
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, SHUTDOWN_ONLY_IF_ALL_OPT_IN);
    fake_register(&f, &xp, SHUT_TRANSPORT_PROVIDER, 0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    set_string(POLICY_HKCU_PREFERENCE, "EMSMDB32", "2");
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_UNREACHABLE), 1); /* the first query's */
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_OVERRIDES), 1);
}
END_TEST

START_TEST(test_behavior_0_asks_the_provider)
{
    register_both();
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    set_dword(POLICY_HKLM_POLICY, "mspst", 0);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 1);
}
END_TEST

START_TEST(test_first_valid_value_in_precedence_wins)
{
    register_both();
    /* In the order the Win32 layer reads them: the machine policy first. */
    set_dword(POLICY_HKLM_POLICY, "MSPST.DLL", 0);
    set_dword(POLICY_HKCU_POLICY, "mspst", 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 0);
}
END_TEST

START_TEST(test_invalid_values_are_ignored_and_the_next_place_is_read)
{
    register_both();
    set_dword(POLICY_HKLM_POLICY, "mspst", 3);                  /* out of range */
    set_string(POLICY_HKCU_POLICY, "mspst", "yes");             /* not a digit */
    fake_set_behavior(&f, POLICY_HKCU_POLICY, "mspst", 3, "\x01", 1); /* REG_BINARY */
    set_string(POLICY_HKCU_PREFERENCE, "mspst", "1");
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_IGNORED), 3);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 1);
}
END_TEST

START_TEST(test_values_naming_no_provider_change_nothing)
{
    register_both();
    ms.answer[PROVIDER_QUERY] = SHUT_E_NO_SUPPORT;
    set_dword(POLICY_HKLM_POLICY, "other", 1);
    set_dword(POLICY_HKLM_POLICY, "mspst64", 2);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 0);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_OVERRIDES), 0);
    ck_assert_int_eq(fake_events(&f, EVENT_PROVIDER_OPTED_OUT), 1);
}
END_TEST

START_TEST(test_disabled_policy_asks_nobody_whatever_the_behavior)
{
    register_both();
    fake_set_policy(&f, POLICY_HKLM_POLICY, 0, SHUTDOWN_DISABLED);
    set_dword(POLICY_HKLM_POLICY, "mspst", 2);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(ms.calls[PROVIDER_QUERY], 0);
}
END_TEST

/* A loaded provider of the profile that never registered: ProviderBehavior
 * 1 refuses under option 0 too, where the section alone would not. */
START_TEST(test_behavior_1_refuses_for_a_loaded_unregistered_section)
{
    static struct profile_builder b;
    struct profile profile;
    size_t s;

    builder_init(&b);
    s = builder_section(&b, "a0000000000000000000000000000001");
    builder_long(&b, s, "00033e03", 33);
    builder_unicode(&b, s, "001f300a", "MSPST.DLL");
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
    ck_assert_int_eq(shutdown_attach(&f.s, &profile, NULL), SHUT_S_OK);
    profile_free(&profile);
    f.loaded[0] = "MSPST32.DLL";
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    set_dword(POLICY_HKLM_PREFERENCE, "mspst32", 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 1);
    f.loaded[0] = NULL; /* unloaded since: nothing stands in the way */
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
}
END_TEST

/* Named by the profile (PR_PROVIDER_DLL_NAME) rather than by its module. */
START_TEST(test_a_provider_with_a_section_is_named_by_it)
{
    static struct profile_builder b;
    static const uint8_t uid[16] = { 0xa0, [15] = 2 };
    struct profile profile;
    uint32_t cookie;
    size_t s;

    builder_init(&b);
    s = builder_section(&b, "a0000000000000000000000000000002");
    builder_long(&b, s, "00033e03", 33);
    builder_unicode(&b, s, "001f300a", "CORP.DLL");
    ck_assert_int_eq(profile_build(b.sections, b.count, &profile), SHUT_S_OK);
    ck_assert_int_eq(shutdown_attach(&f.s, &profile, NULL), SHUT_S_OK);
    profile_free(&profile);
    ms.module = "unrelated.dll";
    ck_assert_int_eq(shutdown_register(&f.s, uid, SHUT_STORE_PROVIDER, &ms, &cookie), SHUT_S_OK);
    set_dword(POLICY_HKLM_POLICY, "corp32.dll", 1);
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_E_NO_SUPPORT);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_REFUSES), 1);
}
END_TEST

START_TEST(test_values_past_the_reading_are_reported_as_left_out)
{
    register_both();
    f.behaviors.left_out = 9;
    ck_assert_int_eq(shutdown_query(&f.s), SHUT_S_OK);
    ck_assert_int_eq(fake_events(&f, EVENT_BEHAVIOR_LEFT_OUT), 1);
}
END_TEST

START_TEST(test_value_validity)
{
    struct behavior_value v = { .value = { .state = POLICY_VALUE_PRESENT } };
    struct policy_rejected why;
    uint32_t number;

    v.value.reg_type = POLICY_REG_SZ;
    v.value.size = 4;
    memcpy(v.value.data, "2\0\0\0", 4);
    ck_assert(behavior_value_is_valid(&v, &number, &why));
    ck_assert_uint_eq(number, 2);
    v.value.size = 2;                               /* no terminator */
    ck_assert(behavior_value_is_valid(&v, &number, &why));
    v.value.size = 6;                               /* "2" and more */
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_NOT_DIGIT);
    v.value.size = 4;
    memcpy(v.value.data, "2\0x\0", 4);              /* "2x" */
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_NOT_DIGIT);
    memcpy(v.value.data, "x\0\0\0", 4);             /* "x" */
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_NOT_DIGIT);
    ck_assert_str_eq(policy_reject_reason(why.why), "is not one digit");
    v.value.reg_type = POLICY_REG_DWORD;
    memcpy(v.value.data, "\x03\0\0\0", 4);
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_RANGE);
    ck_assert_uint_eq(why.number, 3);
    v.value.reg_type = 7;                           /* REG_MULTI_SZ */
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_BEHAVIOR_TYPE);
    ck_assert_str_eq(policy_reject_reason(why.why), "is neither a REG_SZ nor a REG_DWORD");
    v.value.reg_type = POLICY_REG_DWORD;
    memcpy(v.value.data, "\x01\0\0\0", 4);
    v.name_too_long = true;
    ck_assert(!behavior_value_is_valid(&v, &number, &why));
    ck_assert_int_eq(why.why, POLICY_REJECT_NAME);
}
END_TEST

Suite *provider_behavior_suite(void)
{
    Suite *suite = suite_create("provider_behavior");
    TCase *tc = tcase_create("values");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_behavior_1_refuses_while_the_provider_is_loaded);
    tcase_add_test(tc, test_behavior_2_overrides_an_opt_out_and_the_provider_is_still_told);
    tcase_add_test(tc, test_behavior_2_lets_a_provider_without_the_interface_pass_option_1);
    tcase_add_test(tc, test_behavior_0_asks_the_provider);
    tcase_add_test(tc, test_first_valid_value_in_precedence_wins);
    tcase_add_test(tc, test_invalid_values_are_ignored_and_the_next_place_is_read);
    tcase_add_test(tc, test_values_naming_no_provider_change_nothing);
    tcase_add_test(tc, test_disabled_policy_asks_nobody_whatever_the_behavior);
    tcase_add_test(tc, test_behavior_1_refuses_for_a_loaded_unregistered_section);
    tcase_add_test(tc, test_a_provider_with_a_section_is_named_by_it);
    tcase_add_test(tc, test_values_past_the_reading_are_reported_as_left_out);
    tcase_add_test(tc, test_value_validity);
    suite_add_tcase(suite, tc);
    return suite;
}
