/* AttachProfile of a crafted profile: 10,000 sections, and provider lists
 * that name 4096 missing sections each, PR_SERVICES naming the same services
 * over and over. The subsystem reads at most 4096 sections and follows a
 * bounded number of list entries; this measures what that costs, against
 * the least any reader must do in the same run: enumerate the sections and
 * read one property of each one it keeps. */
#include "bench.h"
#include "core/profile.h"
#include "mapishut.h"

#include <stdio.h>

#define CRAFTED_SECTIONS 10000
#define CRAFTED_SERVICES 64
#define LIST_UIDS        4096
#define ATTACH_SAMPLES   5
#define PROFILE_KEY      L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Crafted"
#define SECTIONS_READ    4097   /* the decoder's cap, and one more to say it was cut */

static void uid_name(unsigned n, WCHAR name[33])
{
    _snwprintf(name, 33, L"%08x%024x", 0xa0000000u + n, 0);
}

/* PR_SERVICES naming the services over and over, and a provider list of
 * sections that do not exist. */
static void fill_crafted_lists(BYTE services[LIST_UIDS * 16], BYTE missing[LIST_UIDS * 16])
{
    for (unsigned i = 0; i < LIST_UIDS; i++) {
        memset(services + 16 * i, 0, 16);
        services[16 * i] = 0xa0;
        services[16 * i + 3] = (BYTE)(i % CRAFTED_SERVICES);
        memset(missing + 16 * i, 0xee, 16);
        missing[16 * i] = (BYTE)i;
        missing[16 * i + 1] = (BYTE)(i >> 8);
    }
}

static void write_crafted_profile(void)
{
    static BYTE services[LIST_UIDS * 16], missing[LIST_UIDS * 16];
    static const DWORD store = MAPI_STORE_PROVIDER;
    static const WCHAR dll[] = L"CRAFTED.DLL";
    WCHAR name[33], path[256];
    HKEY key;

    fill_crafted_lists(services, missing);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\9207f3e0a3b11019908b08002b2a56c2", PROFILE_KEY);
    if (!RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL)) {
        RegSetValueExW(key, L"01023d0e", 0, REG_BINARY, services, sizeof(services));
        RegCloseKey(key);
    }
    for (unsigned n = 0; n < CRAFTED_SECTIONS; n++) {
        uid_name(n, name);
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", PROFILE_KEY, name);
        if (RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL))
            continue;
        if (n < CRAFTED_SERVICES) {
            RegSetValueExW(key, L"01023d00", 0, REG_BINARY, missing, sizeof(missing));
            RegSetValueExW(key, L"01023d01", 0, REG_BINARY, missing, sizeof(missing));
            RegSetValueExW(key, L"01023d02", 0, REG_BINARY, missing, sizeof(missing));
        } else {
            RegSetValueExW(key, L"00033e03", 0, REG_BINARY, (const BYTE *)&store, sizeof(store));
            RegSetValueExW(key, L"001f300a", 0, REG_BINARY, (const BYTE *)dll, sizeof(dll));
        }
        RegCloseKey(key);
    }
}

/* The baseline: the sections enumerated, and one property read from each of
 * those a reader keeps. */
static double enumerate_only_us(void)
{
    double start = now_us();
    WCHAR name[256];
    HKEY profile;

    if (RegOpenKeyExW(HKEY_CURRENT_USER, PROFILE_KEY, 0, KEY_READ, &profile))
        return 0;
    for (DWORD index = 0; index < SECTIONS_READ; index++) {
        DWORD length = ARRAYSIZE(name), type, value, size = sizeof(value);
        HKEY section;

        if (RegEnumKeyExW(profile, index, name, &length, NULL, NULL, NULL, NULL))
            break;
        if (!RegOpenKeyExW(profile, name, 0, KEY_QUERY_VALUE, &section)) {
            RegQueryValueExW(section, L"00033e03", NULL, &type, (BYTE *)&value, &size);
            RegCloseKey(section);
        }
    }
    RegCloseKey(profile);
    return now_us() - start;
}

/* The decoder alone, given in memory what the reader gives it from the
 * registry: the services section, the services, then store sections, up to
 * the cap and one more. */
static double decode_only_us(void)
{
    static BYTE services[LIST_UIDS * 16], missing[LIST_UIDS * 16];
    static WCHAR names[SECTIONS_READ][33], value_names[5][9];
    static struct profile_value values[SECTIONS_READ][3];
    static struct profile_section_input sections[SECTIONS_READ];
    static const DWORD store = MAPI_STORE_PROVIDER;
    static const WCHAR dll[] = L"CRAFTED.DLL";
    static const WCHAR *tags[5] = { L"01023d0e", L"01023d00", L"01023d01", L"01023d02", L"00033e03" };
    struct profile profile;
    double start;

    for (int t = 0; t < 5; t++)
        wcscpy(value_names[t], tags[t]);
    fill_crafted_lists(services, missing);
    wcscpy(names[0], L"9207f3e0a3b11019908b08002b2a56c2");
    values[0][0] = (struct profile_value){ value_names[0], 8, REG_BINARY, services, sizeof(services), 0 };
    sections[0] = (struct profile_section_input){ names[0], 32, values[0], 1, 0 };
    for (unsigned n = 1; n < SECTIONS_READ; n++) {
        struct profile_value *v = values[n];

        uid_name(n - 1, names[n]);
        if (n - 1 < CRAFTED_SERVICES) {
            /* The reader's budget: the first 16 lists are read, the rest are marked. */
            for (int list = 0; list < 3; list++) {
                BOOL read = (n - 1) * 3 + list < PROFILE_LIST_ENTRIES_MAX / LIST_UIDS;

                v[list] = (struct profile_value){ value_names[1 + list], 8,
                                                  read ? REG_BINARY : PROFILE_REG_OVER_BUDGET,
                                                  read ? missing : NULL, read ? sizeof(missing) : 0, 0 };
            }
            sections[n] = (struct profile_section_input){ names[n], 32, v, 3, 0 };
        } else {
            static const WCHAR dll_tag[] = L"001f300a";

            v[0] = (struct profile_value){ value_names[4], 8, REG_DWORD, (const BYTE *)&store, sizeof(store), 0 };
            v[1] = (struct profile_value){ (const uint16_t *)dll_tag, 8, REG_BINARY, (const BYTE *)dll, sizeof(dll), 0 };
            sections[n] = (struct profile_section_input){ names[n], 32, v, 2, 0 };
        }
    }
    start = now_us();
    if (profile_build(sections, SECTIONS_READ, &profile))
        return 0;
    start = now_us() - start;
    profile_free(&profile);
    return start;
}

/* How long a QueryFastShutdown waits while AttachProfile runs beside it: the
 * attach reads outside the gate, so a client's exit is not held by it. */
struct beside {
    IMAPIShutdownHost *host;
    volatile LONG attaching;
    double slowest_query_us;
};

static DWORD WINAPI attach_beside(void *context)
{
    struct beside *b = context;

    IMAPIShutdownHost_AttachProfile(b->host, L"Crafted");
    InterlockedExchange(&b->attaching, 0);
    return 0;
}

static double slowest_query_beside_attach_us(IMAPIShutdownHost *host)
{
    struct beside b = { host, 1, 0 };
    IMAPIClientShutdown *client;
    HANDLE thread;

    if (FAILED(IMAPIShutdownHost_QueryInterface(host, &IID_IMAPIClientShutdown, (void **)&client)))
        return 0;
    thread = CreateThread(NULL, 0, attach_beside, &b, 0, NULL);
    while (thread && b.attaching) {
        double start = now_us(), took;

        IMAPIClientShutdown_QueryFastShutdown(client);
        took = now_us() - start;
        if (took > b.slowest_query_us)
            b.slowest_query_us = took;
        Sleep(1);
    }
    if (thread) {
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
    IMAPIClientShutdown_Release(client);
    return b.slowest_query_us;
}

void bench_crafted_profile(void)
{
    double attach[ATTACH_SAMPLES], baseline[ATTACH_SAMPLES], ratio[ATTACH_SAMPLES];
    double decode[ATTACH_SAMPLES], query[ATTACH_SAMPLES];
    IMAPIShutdownHost *host = NULL;
    HRESULT hr = E_FAIL;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIShutdownHost, (void **)&host);
    if (!host) {
        printf("\ncrafted profile: mapishut.dll is not registered\n");
        return;
    }
    write_crafted_profile();
    for (int i = 0; i < ATTACH_SAMPLES; i++) {
        double start;

        baseline[i] = enumerate_only_us();
        start = now_us();
        hr = IMAPIShutdownHost_AttachProfile(host, L"Crafted");
        attach[i] = now_us() - start;
        ratio[i] = baseline[i] > 0 ? attach[i] / baseline[i] : 0;
        decode[i] = decode_only_us();
        query[i] = slowest_query_beside_attach_us(host);
    }
    printf("\nA crafted profile: %d sections (%d of them services listing %d missing sections in each\n"
           "of their three lists), PR_SERVICES naming those services %d times over. AttachProfile\n"
           "reads %d sections, asks each for the %u properties the decoder uses by name, and\n"
           "follows a bounded number of list entries (median of %d; the baseline enumerates the\n"
           "same sections and reads one property of each).\n\n",
           CRAFTED_SECTIONS, CRAFTED_SERVICES, LIST_UIDS, LIST_UIDS / CRAFTED_SERVICES, SECTIONS_READ - 1,
           (unsigned)profile_property_count(), ATTACH_SAMPLES);
    printf("| profile | AttachProfile (ms) | baseline (ms) | ratio | answer |\n|---|---:|---:|---:|---|\n");
    printf("| crafted, %d sections | %.1f | %.1f | %.2f | %#lx |\n", CRAFTED_SECTIONS,
           median(attach, ATTACH_SAMPLES) / 1000, median(baseline, ATTACH_SAMPLES) / 1000,
           median(ratio, ATTACH_SAMPLES), (unsigned long)hr);
    printf("\nOf that, the decoder alone (the same sections in memory): %.1f ms. The slowest\n"
           "QueryFastShutdown made while the attach ran beside it: %.1f ms (the attach reads\n"
           "outside the gate).\n", median(decode, ATTACH_SAMPLES) / 1000, median(query, ATTACH_SAMPLES) / 1000);
    IMAPIShutdownHost_Release(host);
    RegDeleteTreeW(HKEY_CURRENT_USER, PROFILE_KEY);
    RegDeleteKeyW(HKEY_CURRENT_USER, PROFILE_KEY);
}
