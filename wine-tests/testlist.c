/* The named tests of mapishut_test.exe. */
#include "test.h"

extern void func_registration(void);
extern void func_com(void);
extern void func_policy(void);
extern void func_phases(void);
extern void func_profiles(void);
extern void func_tool(void);
extern void func_matrix(void);
extern void func_deadline(void);
extern void func_stress(void);
extern void func_quiet(void);

const struct winetest_test winetest_testlist[] = {
    { "registration", func_registration },
    { "com", func_com },
    { "policy", func_policy },
    { "phases", func_phases },
    { "profiles", func_profiles },
    { "tool", func_tool },
    { "matrix", func_matrix },
    { "deadline", func_deadline },
    { "stress", func_stress },
    { "quiet", func_quiet },
    { NULL, NULL },
};
