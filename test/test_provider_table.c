/* The provider table: shutdown order and cookies. */
#include "suites.h"
#include "core/provider_table.h"
#include "core/status.h"

#include <string.h>

static struct provider_table table;
static int tag[8];

static void setup(void) { provider_table_init(&table); }
static void teardown(void) { provider_table_free(&table); }

static uint32_t add(uint32_t type, int index)
{
    uint32_t cookie = 0;

    ck_assert_int_eq(provider_table_add(&table, NULL, type, &tag[index], &cookie), SHUT_S_OK);
    return cookie;
}

static int at(size_t i)
{
    return (int)((int *)table.items[i].shutdown - tag);
}

START_TEST(test_order_is_transport_then_ab_then_store)
{
    add(SHUT_STORE_PROVIDER, 0);
    add(SHUT_AB_PROVIDER, 1);
    add(SHUT_TRANSPORT_PROVIDER, 2);
    add(SHUT_STORE_PROVIDER, 3);
    add(SHUT_TRANSPORT_PROVIDER, 4);
    add(SHUT_AB_PROVIDER, 5);
    ck_assert_uint_eq(table.count, 6);
    ck_assert_int_eq(at(0), 2);
    ck_assert_int_eq(at(1), 4);
    ck_assert_int_eq(at(2), 1);
    ck_assert_int_eq(at(3), 5);
    ck_assert_int_eq(at(4), 0);
    ck_assert_int_eq(at(5), 3);
}
END_TEST

START_TEST(test_invalid_resource_type_is_refused_and_changes_nothing)
{
    static const uint32_t bad[] = { 0, 34, 37, 38, 39, 0xffffffff };
    uint32_t cookie = 1234;

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(provider_table_add(&table, NULL, bad[i], &tag[0], &cookie),
                         SHUT_E_INVALIDARG);
    ck_assert_uint_eq(table.count, 0);
    ck_assert_uint_eq(cookie, 1234);
}
END_TEST

START_TEST(test_cookies_are_unique_and_never_zero)
{
    uint32_t seen[300];

    table.last_cookie = UINT32_MAX - 150; /* wrap around on the way */
    for (int i = 0; i < 300; i++) {
        seen[i] = add(SHUT_STORE_PROVIDER, 0);
        ck_assert_uint_ne(seen[i], 0);
        for (int j = 0; j < i; j++)
            ck_assert_uint_ne(seen[i], seen[j]);
    }
}
END_TEST

START_TEST(test_wrapped_cookie_skips_one_in_use)
{
    uint32_t first = add(SHUT_STORE_PROVIDER, 0);  /* 1 */
    uint32_t again;

    table.last_cookie = UINT32_MAX;
    again = add(SHUT_STORE_PROVIDER, 1);
    ck_assert_uint_eq(first, 1);
    ck_assert_uint_eq(again, 2);
}
END_TEST

START_TEST(test_remove_returns_what_was_held_and_keeps_order)
{
    uint32_t a = add(SHUT_STORE_PROVIDER, 0);
    uint32_t b = add(SHUT_AB_PROVIDER, 1);
    uint32_t c = add(SHUT_TRANSPORT_PROVIDER, 2);
    struct provider held = { 0 };

    (void)a;
    (void)c;
    ck_assert_int_eq(provider_table_remove(&table, b, &held), SHUT_S_OK);
    ck_assert_ptr_eq(held.shutdown, &tag[1]);
    ck_assert_uint_eq(held.cookie, b);
    ck_assert_uint_eq(table.count, 2);
    ck_assert_int_eq(at(0), 2);
    ck_assert_int_eq(at(1), 0);
    ck_assert_int_eq(provider_table_remove(&table, b, &held), SHUT_E_INVALIDARG);
    ck_assert_int_eq(provider_table_remove(&table, 0, &held), SHUT_E_INVALIDARG);
}
END_TEST

START_TEST(test_section_uid_is_copied)
{
    uint8_t uid[16];
    uint32_t cookie;

    memset(uid, 0xab, sizeof(uid));
    ck_assert_int_eq(provider_table_add(&table, uid, SHUT_AB_PROVIDER, NULL, &cookie), SHUT_S_OK);
    memset(uid, 0, sizeof(uid));
    ck_assert(table.items[0].has_section_uid);
    ck_assert_uint_eq(table.items[0].section_uid[15], 0xab);
    ck_assert_ptr_null(table.items[0].shutdown);
}
END_TEST

START_TEST(test_type_names)
{
    ck_assert_str_eq(provider_type_name(SHUT_TRANSPORT_PROVIDER), "transport");
    ck_assert_str_eq(provider_type_name(SHUT_AB_PROVIDER), "address book");
    ck_assert_str_eq(provider_type_name(SHUT_STORE_PROVIDER), "store");
    ck_assert_str_eq(provider_type_name(1), "unknown");
}
END_TEST

Suite *provider_table_suite(void)
{
    Suite *suite = suite_create("provider_table");
    TCase *tc = tcase_create("table");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_order_is_transport_then_ab_then_store);
    tcase_add_test(tc, test_invalid_resource_type_is_refused_and_changes_nothing);
    tcase_add_test(tc, test_cookies_are_unique_and_never_zero);
    tcase_add_test(tc, test_wrapped_cookie_skips_one_in_use);
    tcase_add_test(tc, test_remove_returns_what_was_held_and_keeps_order);
    tcase_add_test(tc, test_section_uid_is_copied);
    tcase_add_test(tc, test_type_names);
    suite_add_tcase(suite, tc);
    return suite;
}
