/* Which FastShutdownBehavior value wins, and what is ignored on the way. */
#include "suites.h"
#include "core/policy.h"

#include <string.h>

static struct policy_reading reading;
static struct policy_decision decision;

static void setup(void)
{
    memset(&reading, 0, sizeof(reading));
    memset(&decision, 0xcc, sizeof(decision));
}

static void put(enum policy_place place, unsigned version, uint32_t type, uint32_t size,
                uint32_t number)
{
    struct policy_value *v = &reading.value[place][version];

    v->state = POLICY_VALUE_PRESENT;
    v->reg_type = type;
    v->size = size;
    v->data[0] = number & 0xff;
    v->data[1] = (number >> 8) & 0xff;
    v->data[2] = (number >> 16) & 0xff;
    v->data[3] = (number >> 24) & 0xff;
}

static void put_dword(enum policy_place place, unsigned version, uint32_t number)
{
    put(place, version, POLICY_REG_DWORD, 4, number);
}

static void decide(void)
{
    policy_decide(&reading, 2, 0, &decision);
}

START_TEST(test_nothing_set_gives_default_0)
{
    decide();
    ck_assert_uint_eq(decision.value, 0);
    ck_assert_int_eq(decision.place, POLICY_DEFAULT);
    ck_assert_uint_eq(decision.rejected_count, 0);
}
END_TEST

START_TEST(test_machine_policy_beats_user_policy)
{
    put_dword(POLICY_HKLM_POLICY, 2, 1);
    put_dword(POLICY_HKCU_POLICY, 0, 2);
    decide();
    ck_assert_uint_eq(decision.value, 1);
    ck_assert_int_eq(decision.place, POLICY_HKLM_POLICY);
    ck_assert_uint_eq(decision.version, 2);
}
END_TEST

START_TEST(test_user_policy_beats_user_preference)
{
    put_dword(POLICY_HKCU_POLICY, 1, 2);
    put_dword(POLICY_HKCU_PREFERENCE, 0, 0);
    decide();
    ck_assert_uint_eq(decision.value, 2);
    ck_assert_int_eq(decision.place, POLICY_HKCU_POLICY);
}
END_TEST

START_TEST(test_user_preference_beats_machine_preference)
{
    put_dword(POLICY_HKCU_PREFERENCE, 2, 1);
    put_dword(POLICY_HKLM_PREFERENCE, 0, 2);
    decide();
    ck_assert_uint_eq(decision.value, 1);
    ck_assert_int_eq(decision.place, POLICY_HKCU_PREFERENCE);
}
END_TEST

START_TEST(test_machine_preference_used_when_alone)
{
    put_dword(POLICY_HKLM_PREFERENCE, 1, 2);
    decide();
    ck_assert_uint_eq(decision.value, 2);
    ck_assert_int_eq(decision.place, POLICY_HKLM_PREFERENCE);
    ck_assert_uint_eq(decision.version, 1);
}
END_TEST

START_TEST(test_user_preference_cannot_override_machine_policy)
{
    put_dword(POLICY_HKLM_POLICY, 0, 2);
    put_dword(POLICY_HKCU_PREFERENCE, 0, 0);
    put_dword(POLICY_HKCU_POLICY, 0, 0);
    decide();
    ck_assert_uint_eq(decision.value, 2);
    ck_assert_int_eq(decision.place, POLICY_HKLM_POLICY);
}
END_TEST

START_TEST(test_newest_office_version_first_within_a_place)
{
    put_dword(POLICY_HKCU_POLICY, 2, 2); /* 14.0 */
    put_dword(POLICY_HKCU_POLICY, 1, 1); /* 15.0 */
    decide();
    ck_assert_uint_eq(decision.value, 1);
    ck_assert_uint_eq(decision.version, 1);
    put_dword(POLICY_HKCU_POLICY, 0, 0); /* 16.0 */
    decide();
    ck_assert_uint_eq(decision.value, 0);
    ck_assert_uint_eq(decision.version, 0);
    ck_assert_int_eq(decision.place, POLICY_HKCU_POLICY);
}
END_TEST

START_TEST(test_wrong_type_is_ignored_and_search_goes_on)
{
    put(POLICY_HKLM_POLICY, 0, 1 /* REG_SZ */, 4, 2);
    put_dword(POLICY_HKCU_POLICY, 0, 1);
    decide();
    ck_assert_uint_eq(decision.value, 1);
    ck_assert_int_eq(decision.place, POLICY_HKCU_POLICY);
    ck_assert_uint_eq(decision.rejected_count, 1);
    ck_assert_int_eq(decision.rejected[0].why, POLICY_REJECT_TYPE);
    ck_assert_int_eq(decision.rejected[0].place, POLICY_HKLM_POLICY);
    ck_assert_uint_eq(decision.rejected[0].reg_type, 1);
}
END_TEST

START_TEST(test_big_endian_dword_is_a_wrong_type)
{
    put(POLICY_HKLM_POLICY, 0, 5 /* REG_DWORD_BIG_ENDIAN */, 4, 0x02000000);
    decide();
    ck_assert_uint_eq(decision.value, 0);
    ck_assert_int_eq(decision.place, POLICY_DEFAULT);
    ck_assert_int_eq(decision.rejected[0].why, POLICY_REJECT_TYPE);
}
END_TEST

START_TEST(test_wrong_size_is_ignored)
{
    static const uint32_t sizes[] = { 0, 1, 3, 5, 8, 4096 };

    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        setup();
        put(POLICY_HKLM_POLICY, 0, POLICY_REG_DWORD, sizes[i], 2);
        put_dword(POLICY_HKLM_PREFERENCE, 2, 1);
        decide();
        ck_assert_msg(decision.value == 1, "size %u: got %u", sizes[i], decision.value);
        ck_assert_uint_eq(decision.rejected_count, 1);
        ck_assert_int_eq(decision.rejected[0].why, POLICY_REJECT_SIZE);
        ck_assert_uint_eq(decision.rejected[0].size, sizes[i]);
    }
}
END_TEST

START_TEST(test_out_of_range_is_ignored)
{
    put_dword(POLICY_HKLM_POLICY, 0, 3);
    put_dword(POLICY_HKLM_POLICY, 1, 0xffffffff);
    put_dword(POLICY_HKLM_POLICY, 2, 2);
    decide();
    ck_assert_uint_eq(decision.value, 2);
    ck_assert_uint_eq(decision.version, 2);
    ck_assert_uint_eq(decision.rejected_count, 2);
    ck_assert_int_eq(decision.rejected[0].why, POLICY_REJECT_RANGE);
    ck_assert_uint_eq(decision.rejected[0].number, 3);
    ck_assert_int_eq(decision.rejected[1].why, POLICY_REJECT_RANGE);
    ck_assert_uint_eq(decision.rejected[1].number, 0xffffffff);
}
END_TEST

START_TEST(test_unreadable_value_is_ignored)
{
    reading.value[POLICY_HKLM_POLICY][0].state = POLICY_VALUE_UNREADABLE;
    reading.value[POLICY_HKLM_POLICY][0].error = 5; /* ERROR_ACCESS_DENIED */
    put_dword(POLICY_HKCU_PREFERENCE, 0, 2);
    decide();
    ck_assert_uint_eq(decision.value, 2);
    ck_assert_uint_eq(decision.rejected_count, 1);
    ck_assert_int_eq(decision.rejected[0].why, POLICY_REJECT_UNREADABLE);
    ck_assert_uint_eq(decision.rejected[0].error, 5);
}
END_TEST

START_TEST(test_every_value_malformed_gives_default_and_lists_all)
{
    for (unsigned place = 0; place < POLICY_PLACES; place++)
        for (unsigned version = 0; version < POLICY_VERSIONS; version++)
            put(place, version, 3 /* REG_BINARY */, 4, 1);
    decide();
    ck_assert_uint_eq(decision.value, 0);
    ck_assert_int_eq(decision.place, POLICY_DEFAULT);
    ck_assert_uint_eq(decision.rejected_count, POLICY_PLACES * POLICY_VERSIONS);
    ck_assert_int_eq(decision.rejected[11].place, POLICY_HKLM_PREFERENCE);
    ck_assert_uint_eq(decision.rejected[11].version, 2);
}
END_TEST

START_TEST(test_values_after_the_winner_are_not_examined)
{
    put_dword(POLICY_HKLM_POLICY, 0, 1);
    put(POLICY_HKCU_POLICY, 0, 1, 2, 0);
    decide();
    ck_assert_uint_eq(decision.rejected_count, 0);
}
END_TEST

START_TEST(test_range_is_the_callers)
{
    put_dword(POLICY_HKCU_POLICY, 0, 600000);
    policy_decide(&reading, 600000, 0, &decision);
    ck_assert_uint_eq(decision.value, 600000);
    put_dword(POLICY_HKCU_POLICY, 0, 600001);
    policy_decide(&reading, 600000, 7, &decision);
    ck_assert_uint_eq(decision.value, 7);
    ck_assert_int_eq(decision.place, POLICY_DEFAULT);
}
END_TEST

START_TEST(test_names_for_diagnostics)
{
    ck_assert_str_eq(policy_version_name(0), "16.0");
    ck_assert_str_eq(policy_version_name(2), "14.0");
    ck_assert_str_eq(policy_version_name(3), "?");
    ck_assert_str_eq(policy_place_name(POLICY_HKLM_POLICY), "machine policy");
    ck_assert_str_eq(policy_place_name(POLICY_DEFAULT), "default");
    ck_assert_str_eq(policy_place_root(POLICY_HKCU_PREFERENCE), "HKCU");
    ck_assert_str_eq(policy_reject_reason(POLICY_REJECT_TYPE), "is not a REG_DWORD");
}
END_TEST

START_TEST(test_key_paths_of_every_place)
{
    char path[POLICY_KEY_PATH_MAX];

    policy_key_path(POLICY_HKLM_POLICY, 0, path);
    ck_assert_str_eq(path, "Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown");
    policy_key_path(POLICY_HKCU_PREFERENCE, 2, path);
    ck_assert_str_eq(path, "Software\\Microsoft\\Office\\14.0\\Outlook\\Options\\Shutdown");
    ck_assert_str_eq(policy_place_root(POLICY_HKLM_PREFERENCE), "HKLM");
    policy_shutdown_subkey(1, path);
    ck_assert_str_eq(path, "15.0\\Outlook\\Options\\Shutdown");
}
END_TEST

Suite *policy_suite(void)
{
    Suite *suite = suite_create("policy");
    TCase *tc = tcase_create("precedence");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_nothing_set_gives_default_0);
    tcase_add_test(tc, test_machine_policy_beats_user_policy);
    tcase_add_test(tc, test_user_policy_beats_user_preference);
    tcase_add_test(tc, test_user_preference_beats_machine_preference);
    tcase_add_test(tc, test_machine_preference_used_when_alone);
    tcase_add_test(tc, test_user_preference_cannot_override_machine_policy);
    tcase_add_test(tc, test_newest_office_version_first_within_a_place);
    tcase_add_test(tc, test_values_after_the_winner_are_not_examined);
    tcase_add_test(tc, test_range_is_the_callers);
    tcase_add_test(tc, test_names_for_diagnostics);
    tcase_add_test(tc, test_key_paths_of_every_place);
    suite_add_tcase(suite, tc);

    tc = tcase_create("malformed");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_wrong_type_is_ignored_and_search_goes_on);
    tcase_add_test(tc, test_big_endian_dword_is_a_wrong_type);
    tcase_add_test(tc, test_wrong_size_is_ignored);
    tcase_add_test(tc, test_out_of_range_is_ignored);
    tcase_add_test(tc, test_unreadable_value_is_ignored);
    tcase_add_test(tc, test_every_value_malformed_gives_default_and_lists_all);
    suite_add_tcase(suite, tc);
    return suite;
}
