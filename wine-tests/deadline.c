/* ProviderTimeoutMs under Wine: where it is read from and when it is valid,
 * and which thread providers are called on. Without a deadline every call is
 * on the client's own thread, as with Microsoft's subsystem; with one, on the
 * subsystem's worker thread. Each case is a child process. */
#define COBJMACROS
#include "debug_output.h"
#include "support.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

static WCHAR log_file[MAX_PATH];

struct timeout_value {
    enum policy_where where;
    DWORD type;
    DWORD value;
    DWORD size;
};

static const struct {
    const char *name;
    struct timeout_value values[3];
    unsigned count;
    BOOL deadline;             /* calls on the worker thread */
} cases[] = {
    { "none", { { 0 } }, 0, FALSE },
    { "zero", { { USER_POLICY, REG_DWORD, 0, 4 } }, 1, FALSE },
    { "user_preference", { { USER_PREFERENCE, REG_DWORD, 250, 4 } }, 1, TRUE },
    { "machine_policy_zero_wins", { { MACHINE_POLICY, REG_DWORD, 0, 4 }, { USER_POLICY, REG_DWORD, 250, 4 } }, 2, FALSE },
    { "maximum", { { MACHINE_PREFERENCE, REG_DWORD, 600000, 4 } }, 1, TRUE },
    { "too_large_ignored", { { USER_POLICY, REG_DWORD, 600001, 4 }, { MACHINE_PREFERENCE, REG_DWORD, 250, 4 } }, 2, TRUE },
    { "string_ignored", { { MACHINE_POLICY, REG_SZ, 0, 0 } }, 1, FALSE },
    { "binary_ignored", { { MACHINE_POLICY, REG_BINARY, 250, 4 } }, 1, FALSE },
    { "reentrant", { { USER_POLICY, REG_DWORD, 5000, 4 } }, 1, TRUE },
};

/* A provider calling back into the subsystem from the worker thread is
 * refused at once, as on the client's thread: no wait for the deadline. */
static void reentrant_child(void)
{
    IMAPIClientShutdown *client = create_client_shutdown();
    IMAPIShutdownHost *host = create_shutdown_host();
    IUnknown *provider = make_provider(L"ms", TESTPROV_REENTER, log_file, NULL);
    DWORD start = GetTickCount();
    char text[1024];
    ULONG cookie;
    HRESULT hr;

    if (!client || !host || !provider)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "DoFastShutdown: %#lx, expected S_OK (nobody abandoned)\n", hr);
    ok(GetTickCount() - start < 4000, "the calls back waited for the deadline: %lu ms\n", GetTickCount() - start);
    read_text_file(log_file, text, sizeof(text));
    ok(!strcmp(text, "ms.Q\nms.reenter=0x80004005,0x80004005,0x80004005\n"
                     "ms.N\nms.reenter=0x80004005,0x80004005,0x80004005\n"
                     "ms.D\nms.reenter=0x80004005,0x80004005,0x80004005\n"),
       "the provider was told, and answered on calling back:\n%s\n", text);
}

static void child(unsigned index)
{
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    IUnknown *provider;
    char text[1024], expected[64];
    ULONG cookie;
    HRESULT hr;

    client = create_client_shutdown();
    host = create_shutdown_host();
    provider = make_provider(L"ms", TESTPROV_LOG_THREAD, log_file, NULL);
    if (!client || !host || !provider)
        return;
    IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    debug_output_start();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "%s: QueryFastShutdown: %#lx\n", cases[index].name, hr);
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == S_OK, "%s: NotifyProcessShutdown: %#lx\n", cases[index].name, hr);
    hr = IMAPIClientShutdown_DoFastShutdown(client);
    ok(hr == S_OK, "%s: DoFastShutdown: %#lx\n", cases[index].name, hr);
    read_text_file(log_file, text, sizeof(text));
    snprintf(expected, sizeof(expected), "ms.Q@%s\nms.N@%s\nms.D@%s\n", cases[index].deadline ? "other" : "same",
             cases[index].deadline ? "other" : "same", cases[index].deadline ? "other" : "same");
    ok(!strcmp(text, expected), "%s: calls were\n%s, expected\n%s\n", cases[index].name, text, expected);
    if (!strcmp(cases[index].name, "too_large_ignored"))
        ok(strstr(debug_output_text(), "ProviderTimeoutMs in the user policy (HKCU\\Software\\Policies), Office 16.0, is out of range") != NULL,
           "no diagnostic for 600001: \"%s\"\n", debug_output_text());
    debug_output_stop();
}

START_TEST(deadline)
{
    int argc;
    char **args = child_args(&argc);

    test_file_path(L"deadline.log", log_file, ARRAY_SIZE(log_file));
    if (args) {
        BOOL found = FALSE;

        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        if (!strcmp(args[0], "reentrant")) {
            reentrant_child();
            return;
        }
        for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
            if (!strcmp(args[0], cases[i].name)) {
                found = TRUE;
                child(i);
            }
        }
        ok(found, "no case named %s\n", args[0]);
        return;
    }
    if (!register_for_tests())
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        clear_policies();
        for (unsigned v = 0; v < cases[i].count; v++) {
            const struct timeout_value *t = &cases[i].values[v];

            if (t->type == REG_SZ)
                set_policy_value(t->where, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_SZ, L"500", sizeof(L"500"));
            else
                set_policy_value(t->where, L"16.0", MAPISHUT_TIMEOUT_VALUE, t->type, &t->value, t->size);
        }
        DeleteFileW(log_file);
        winetest_push_context("%s", cases[i].name);
        run_child(cases[i].name);
        winetest_pop_context();
    }
    DeleteFileW(log_file);
    clear_policies();
    restore_registration();
}
