/* mapishut.exe's options: /name, -name or --name, and nothing read outside
 * the argument (each argument here is allocated to its exact size, so that
 * the address sanitizer sees a read before it or past it). */
#include "suites.h"
#include "tool/cmdline.h"

#include <stdlib.h>
#include <string.h>

static uint16_t *arg(const char *ascii)
{
    size_t n = strlen(ascii);
    uint16_t *text = malloc((n + 1) * sizeof(*text));

    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i <= n; i++)
        text[i] = (unsigned char)ascii[i];
    return text;
}

static int option_is(const char *argument, const char *name)
{
    uint16_t *text = arg(argument);
    int result = cmdline_option_is(text, name);

    free(text);
    return result;
}

START_TEST(test_three_spellings_of_an_option)
{
    ck_assert(option_is("/json", "json"));
    ck_assert(option_is("-json", "json"));
    ck_assert(option_is("--json", "json"));
    ck_assert(option_is("/JSON", "json"));
    ck_assert(option_is("--User", "user"));
}
END_TEST

START_TEST(test_a_bare_word_is_not_an_option)
{
    /* Nothing before the argument is read to decide this. */
    ck_assert(!option_is("json", "json"));
    ck_assert(!option_is("user", "user"));
    ck_assert(!option_is("", "json"));
}
END_TEST

START_TEST(test_near_misses)
{
    ck_assert(!option_is("---json", "json"));
    ck_assert(!option_is("/-json", "json"));
    ck_assert(!option_is("/jsonx", "json"));
    ck_assert(!option_is("/jso", "json"));
    ck_assert(!option_is("/", "json"));
    ck_assert(!option_is("-", "json"));
    ck_assert(!option_is("--", "json"));
}
END_TEST

START_TEST(test_help_and_options)
{
    static const char *const helps[] = { "/?", "-?", "/h", "--help", "-HELP", "help" };
    uint16_t *text;

    for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
        text = arg(helps[i]);
        ck_assert_msg(cmdline_is_help(text), "%s", helps[i]);
        free(text);
    }
    text = arg("helpme");
    ck_assert(!cmdline_is_help(text));
    free(text);
    text = arg("-x");
    ck_assert(cmdline_is_option(text));
    free(text);
    text = arg("Outlook");
    ck_assert(!cmdline_is_option(text));
    free(text);
}
END_TEST

Suite *cmdline_suite(void)
{
    Suite *suite = suite_create("cmdline");
    TCase *tc = tcase_create("options");

    tcase_add_test(tc, test_three_spellings_of_an_option);
    tcase_add_test(tc, test_a_bare_word_is_not_an_option);
    tcase_add_test(tc, test_near_misses);
    tcase_add_test(tc, test_help_and_options);
    suite_add_tcase(suite, tc);
    return suite;
}
