/* Provider discovery from real profiles in the registry: Outlook 16.0 and
 * 15.0 layouts and the legacy one, Unicode and 8-bit strings, many sections,
 * provider DLLs loaded or not, and corrupted sections. Each case runs in its
 * own child process: the subsystem is one per process and keeps what was
 * attached. */
#define COBJMACROS
#include "debug_output.h"
#include "profile_writer.h"
#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

#define XP1 "a1000000000000000000000000000001"
#define XP2 "a2000000000000000000000000000002"
#define AB1 "b1000000000000000000000000000001"
#define MS1 "c1000000000000000000000000000001"
#define MS2 "c2000000000000000000000000000002"
#define SVC1 "d1000000000000000000000000000001"
#define SVC2 "d2000000000000000000000000000002"

struct registered {
    const WCHAR *name;
    const char *section;        /* NULL: registered without a section */
    ULONG type;
};

static IMAPIClientShutdown *client;
static IMAPIShutdownHost *host;
static WCHAR log_file[MAX_PATH];

static void register_providers(const struct registered *list, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        IUnknown *provider = make_provider(list[i].name, 0, log_file, NULL);
        BYTE uid[16];
        ULONG cookie;
        HRESULT hr;

        if (list[i].section)
            uid_bytes(list[i].section, uid);
        hr = IMAPIShutdownHost_RegisterProvider(host, list[i].section ? uid : NULL, list[i].type, provider, &cookie);
        ok(hr == S_OK, "RegisterProvider(%ls): %#lx\n", list[i].name, hr);
        IUnknown_Release(provider);
    }
}

/* The calls the providers logged so far, as one line. */
static const char *told(void)
{
    static char text[8192];

    if (read_text_file(log_file, text, sizeof(text)) < 0)
        text[0] = 0;
    for (char *c = text; *c; c++)
        if (*c == '\n')
            *c = c[1] ? ' ' : 0;
    return text;
}

/* testprov.dll under the name a profile gives it (TESTXP.DLL is testxp32.dll). */
static void load(const WCHAR *dll)
{
    load_testprov_as(dll);
}

/* Outlook 2016's layout: two services; the profile orders the providers,
 * whatever order they registered in. */
static void write_outlook_profile(const WCHAR *place, const WCHAR *name)
{
    static const char *const services[] = { SVC1, SVC2 };
    static const char *const svc1_stores[] = { MS2 };
    static const char *const svc2_xp[] = { XP2, XP1 };
    static const char *const svc2_stores[] = { MS1 };

    section_uids(place, name, SERVICES_SECTION, "01023d0e", services, 2);
    section_unicode(place, name, SVC1, "001f3d0a", L"MSPST.DLL");
    section_uids(place, name, SVC1, "01023d00", svc1_stores, 1);
    section_uids(place, name, SVC2, "01023d02", svc2_xp, 2);
    section_uids(place, name, SVC2, "01023d00", svc2_stores, 1);
    provider_section(place, name, XP1, MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Transport one");
    provider_section(place, name, XP2, MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Transport two");
    provider_section(place, name, MS1, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Mailbox");
    provider_section(place, name, MS2, MAPI_STORE_PROVIDER, L"TESTMS.DLL", L"Personal Folders");
}

static const struct registered outlook_providers[] = {
    { L"ms1", MS1, MAPI_STORE_PROVIDER }, { L"ms2", MS2, MAPI_STORE_PROVIDER },
    { L"xp1", XP1, MAPI_TRANSPORT_PROVIDER }, { L"xp2", XP2, MAPI_TRANSPORT_PROVIDER },
    { L"stranger", NULL, MAPI_STORE_PROVIDER },
};

static void case_outlook_16_order(void)
{
    HRESULT hr;

    register_providers(outlook_providers, ARRAY_SIZE(outlook_providers));
    hr = IMAPIShutdownHost_AttachProfile(host, L"Outlook");
    ok(hr == S_OK, "AttachProfile(Outlook): %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(!strcmp(told(), "xp2.Q xp1.Q ms2.Q ms1.Q stranger.Q"), "profile order: got \"%s\"\n", told());
}

static void case_outlook_15_default(void)
{
    HRESULT hr;

    hr = IMAPIShutdownHost_AttachProfile(host, NULL);
    ok(hr == S_OK, "AttachProfile(default, 15.0): %#lx\n", hr);
    register_providers(outlook_providers, ARRAY_SIZE(outlook_providers));
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(!strcmp(told(), "xp2.Q xp1.Q ms2.Q ms1.Q stranger.Q"), "profile order: got \"%s\"\n", told());
}

/* Older profiles: 8-bit strings, no service lists; registry order decides. */
static void case_legacy_string8(void)
{
    static const struct registered providers[] = {
        { L"ms2", MS2, MAPI_STORE_PROVIDER }, { L"ab1", AB1, MAPI_AB_PROVIDER }, { L"ms1", MS1, MAPI_STORE_PROVIDER },
    };
    HRESULT hr;

    register_providers(providers, ARRAY_SIZE(providers));
    hr = IMAPIShutdownHost_AttachProfile(host, L"Legacy");
    ok(hr == S_OK, "AttachProfile(Legacy): %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(!strcmp(told(), "ab1.Q ms1.Q ms2.Q"), "legacy order: got \"%s\"\n", told());
}

/* FastShutdownBehavior 1: a provider whose DLL is loaded but which never
 * registered cannot opt in, so it refuses fast shutdown; one whose DLL is not
 * loaded does not count, and is not loaded by the subsystem either. */
static void case_option1_loaded_unregistered(void)
{
    static const struct registered providers[] = {
        { L"xp1", XP1, MAPI_TRANSPORT_PROVIDER }, { L"xp2", XP2, MAPI_TRANSPORT_PROVIDER },
    };
    HMODULE module;
    HRESULT hr;

    register_providers(providers, ARRAY_SIZE(providers));
    load(L"testxp32.dll");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Outlook");
    ok(hr == S_OK, "AttachProfile: %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "with TESTMS.DLL not loaded: %#lx, expected S_OK\n", hr);
    ok(!GetModuleHandleW(L"testms32.dll") && !GetModuleHandleW(L"testms.dll"),
       "discovery loaded the store's DLL\n");

    load(L"testms32.dll");
    debug_output_start();
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "with testms32.dll loaded and its providers unregistered: %#lx\n", hr);
    ok(strstr(debug_output_text(), "TESTMS32.DLL (section c1000000000000000000000000000001) is loaded but never registered") != NULL,
       "no diagnostic naming the section; got \"%s\"\n", debug_output_text());
    debug_output_stop();
    hr = IMAPIClientShutdown_NotifyProcessShutdown(client);
    ok(hr == MAPI_E_NO_SUPPORT, "NotifyProcessShutdown: %#lx, expected MAPI_E_NO_SUPPORT\n", hr);

    {
        static const struct registered stores[] = {
            { L"ms1", MS1, MAPI_STORE_PROVIDER }, { L"ms2", MS2, MAPI_STORE_PROVIDER },
        };

        register_providers(stores, ARRAY_SIZE(stores));
    }
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "with every loaded section registered: %#lx\n", hr);
    module = GetModuleHandleW(L"testxp.dll");
    ok(module == NULL, "TESTXP.DLL as stored was loaded\n");
}

static void case_option0_loaded_unregistered(void)
{
    static const struct registered providers[] = { { L"xp1", XP1, MAPI_TRANSPORT_PROVIDER } };
    HRESULT hr;

    register_providers(providers, ARRAY_SIZE(providers));
    load(L"testms32.dll");
    hr = IMAPIShutdownHost_AttachProfile(host, L"Outlook");
    ok(hr == S_OK, "AttachProfile: %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "option 0 with a loaded, unregistered store: %#lx, expected S_OK\n", hr);
}

/* Damaged sections are skipped and reported; the good ones still count. */
static void case_corrupted(void)
{
    static const struct registered providers[] = { { L"xp1", XP1, MAPI_TRANSPORT_PROVIDER } };
    const char *text;
    HRESULT hr;

    register_providers(providers, ARRAY_SIZE(providers));
    load(L"testms32.dll");
    debug_output_start();
    hr = IMAPIShutdownHost_AttachProfile(host, L"Broken");
    ok(hr == MAPI_W_ERRORS_RETURNED, "AttachProfile(Broken): %#lx, expected MAPI_W_ERRORS_RETURNED\n", hr);
    text = debug_output_text();
    ok(strstr(text, "section not-a-uid: section name is not 32 hexadecimal digits") != NULL,
       "bad section name not reported: \"%s\"\n", text);
    ok(strstr(text, "PR_PROVIDER_DLL_NAME is a path or not a file name") != NULL,
       "a DLL name with a path not reported: \"%s\"\n", text);
    ok(strstr(text, "PR_RESOURCE_TYPE is malformed") != NULL, "a truncated resource type not reported: \"%s\"\n", text);
    ok(strstr(text, "provider has no PR_PROVIDER_DLL_NAME") != NULL, "a missing DLL name not reported: \"%s\"\n", text);
    ok(strstr(text, "PR_PROVIDER_DLL_NAME is malformed") != NULL, "an odd-length DLL name not reported: \"%s\"\n", text);
    debug_output_stop();
    /* Sections naming the loaded testms32.dll through a path never count as
     * active: under option 1 nothing stands in the way. */
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx, expected S_OK\n", hr);
    ok(!GetModuleHandleW(L"evil32.dll") && !GetModuleHandleW(L"evil.dll"), "a profile's DLL was loaded\n");
}

static void case_many_sections(void)
{
    struct registered providers[150];
    static char uids[150][33];
    static WCHAR names[150][8];
    char expected[4096] = "";
    HRESULT hr;

    for (int i = 149; i >= 0; i--) {
        snprintf(uids[i], sizeof(uids[i]), "e%031x", i);
        _snwprintf(names[i], ARRAY_SIZE(names[i]), L"p%d", i);
        providers[149 - i] = (struct registered){ names[i], uids[i], MAPI_STORE_PROVIDER };
    }
    for (int i = 0; i < 150; i++)
        snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%sp%d.Q", i ? " " : "", i);
    register_providers(providers, ARRAY_SIZE(providers));
    hr = IMAPIShutdownHost_AttachProfile(host, L"Many");
    ok(hr == S_OK, "AttachProfile(Many): %#lx\n", hr);
    hr = IMAPIClientShutdown_QueryFastShutdown(client);
    ok(hr == S_OK, "QueryFastShutdown: %#lx\n", hr);
    ok(!strcmp(told(), expected), "150 stores out of order: \"%.200s...\"\n", told());
}

static const struct {
    const char *name;
    void (*run)(void);
    DWORD policy;               /* FastShutdownBehavior in the machine policy */
} cases[] = {
    { "outlook_16_order", case_outlook_16_order, 0 },
    { "outlook_15_default", case_outlook_15_default, 0 },
    { "legacy_string8", case_legacy_string8, 0 },
    { "option1_loaded_unregistered", case_option1_loaded_unregistered, 1 },
    { "option0_loaded_unregistered", case_option0_loaded_unregistered, 0 },
    { "corrupted", case_corrupted, 1 },
    { "many_sections", case_many_sections, 0 },
};

static void write_profiles(void)
{
    static const char *const many_list[] = { "f0000000000000000000000000000001" };
    BYTE truncated[3] = { 33, 0, 0 };

    delete_all_profiles();
    write_outlook_profile(PROFILES_16, L"Outlook");
    write_outlook_profile(PROFILES_15, L"Older");
    set_default_profile(PROFILES_15, L"Older");

    /* The legacy layout, 8-bit strings, no lists: found in registry order. */
    section_long(PROFILES_LEGACY, L"Legacy", MS2, "00033e03", MAPI_STORE_PROVIDER);
    section_string8(PROFILES_LEGACY, L"Legacy", MS2, "001e300a", "TESTMS.DLL");
    section_long(PROFILES_LEGACY, L"Legacy", AB1, "00033e03", MAPI_AB_PROVIDER);
    section_string8(PROFILES_LEGACY, L"Legacy", AB1, "001e300a", "TESTAB.DLL");
    section_string8(PROFILES_LEGACY, L"Legacy", AB1, "001e3006", "Adressbuch");
    section_long(PROFILES_LEGACY, L"Legacy", MS1, "00033e03", MAPI_STORE_PROVIDER);
    section_string8(PROFILES_LEGACY, L"Legacy", MS1, "001e300a", "TESTMS");
    set_default_profile(PROFILES_LEGACY, L"Legacy");

    /* Damage of every kind, beside one good transport. */
    provider_section(PROFILES_16, L"Broken", XP1, MAPI_TRANSPORT_PROVIDER, L"TESTXP.DLL", L"Good");
    provider_section(PROFILES_16, L"Broken", "not-a-uid", MAPI_STORE_PROVIDER, L"TESTMS.DLL", NULL);
    provider_section(PROFILES_16, L"Broken", MS1, MAPI_STORE_PROVIDER, L"..\\testms32.dll", NULL);
    provider_section(PROFILES_16, L"Broken", MS2, MAPI_STORE_PROVIDER, L"C:\\tests\\testms32.dll", NULL);
    section_value(PROFILES_16, L"Broken", AB1, "00033e03", REG_BINARY, truncated, sizeof(truncated));
    section_unicode(PROFILES_16, L"Broken", AB1, "001f300a", L"TESTAB.DLL");
    provider_section(PROFILES_16, L"Broken", "b2000000000000000000000000000002", MAPI_AB_PROVIDER, NULL, L"No DLL");
    section_long(PROFILES_16, L"Broken", "b3000000000000000000000000000003", "00033e03", MAPI_AB_PROVIDER);
    section_value(PROFILES_16, L"Broken", "b3000000000000000000000000000003", "001f300a", REG_BINARY, "T\0E\0S", 5);
    section_uids(PROFILES_16, L"Broken", SERVICES_SECTION, "01023d00", many_list, 1);
    section_value(PROFILES_16, L"Broken", SERVICES_SECTION, "01023d0e", REG_SZ, L"garbage", sizeof(L"garbage"));

    for (int i = 0; i < 150; i++) {
        char uid[33];

        snprintf(uid, sizeof(uid), "e%031x", i);
        provider_section(PROFILES_16, L"Many", uid, MAPI_STORE_PROVIDER, L"TESTMS.DLL", NULL);
    }
}

START_TEST(profiles)
{
    int argc;
    char **args = child_args(&argc);

    test_file_path(L"profiles.log", log_file, ARRAY_SIZE(log_file));
    if (args) {
        BOOL found = FALSE;

        CoInitializeEx(NULL, COINIT_MULTITHREADED);
        client = create_client_shutdown();
        host = create_shutdown_host();
        for (unsigned i = 0; client && host && i < ARRAY_SIZE(cases); i++) {
            if (!strcmp(args[0], cases[i].name)) {
                found = TRUE;
                cases[i].run();
            }
        }
        ok(found, "no case named %s\n", args[0]);
        return;
    }

    if (!save_registry_and_register())
        return;
    write_profiles();
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        clear_policies();
        set_behavior(MACHINE_POLICY, L"16.0", cases[i].policy);
        DeleteFileW(log_file);
        run_child(cases[i].name);
    }
    DeleteFileW(log_file);
    delete_all_profiles();
    clear_policies();
    unregister_and_restore_registry();
}
