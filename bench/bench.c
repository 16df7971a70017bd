/*
 * make bench: what the subsystem costs, and what fast shutdown saves.
 *
 *   bench.exe                      runs everything below in child processes and prints the tables
 *   bench.exe only T1,T2           only the tables named (overhead, phases, record, exit,
 *                                  concurrent, loopback, profile)
 *   bench.exe overhead N           one sample of the subsystem's overhead with N no-op providers
 *   bench.exe phases N             one sample of each phase's cost per provider (bench_record.c)
 *   bench.exe record               one sample of the first registrations' cost
 *   bench.exe exit K fast|legacy   one client exit with K providers holding unsaved data
 *   bench.exe stores N MODE DIR    one exit with N stores saving files (bench_concurrent.c)
 *   bench.exe server LATENCY_MS    the server the stores below commit to (bench_loopback.c)
 *   bench.exe remote N MODE PORT   one DoFastShutdown with N stores committing to it
 *   (and, in process, AttachProfile of a crafted profile: bench_profile.c)
 *
 * Every figure is a ratio against a baseline measured in the same run, as the
 * medians of several samples: the machines are shared and noisy.
 */
#include "bench.h"
#include "mapishut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVERHEAD_SAMPLES 15
#define EXIT_SAMPLES 5
#define EXIT_PROVIDERS 10


/* --- providers ---------------------------------------------------------------- */

/* A provider for the exit benchmark: unsaved data in memory, a background
 * thread polling every 50 ms (a transport looking for mail, an index
 * updater), and the work a normal shutdown does that a fast one skips
 * (stopping the poller politely, then compacting its store). */
struct provider {
    IUnknown IUnknown_iface;
    IMAPIProviderShutdown IMAPIProviderShutdown_iface;
    LONG refs;
    BOOL noop;                  /* the overhead benchmark's: does nothing at all */
    DWORD dirty_bytes;          /* what it saves */
    WCHAR data_path[MAX_PATH];
    SOCKET remote;              /* or a connection to the server it commits to */
    BYTE *dirty;
    HANDLE stop, poller;
    BOOL saved;
};

#define DIRTY_BYTES   (64 * 1024)
#define STORE_BYTES   (2 * 1024 * 1024)
#define POLL_MS       50

static struct provider *from_unknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IUnknown_iface);
}

static struct provider *from_shutdown(IMAPIProviderShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IMAPIProviderShutdown_iface);
}

static DWORD WINAPI poll_loop(void *arg)
{
    struct provider *p = arg;

    while (WaitForSingleObject(p->stop, POLL_MS) == WAIT_TIMEOUT)
        ; /* a poll: nothing new */
    return 0;
}

static void write_file(const WCHAR *path, const BYTE *data, DWORD size, DWORD repeat)
{
    HANDLE file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written;

    for (DWORD i = 0; i < repeat; i++)
        WriteFile(file, data, size, &written, NULL);
    FlushFileBuffers(file);
    CloseHandle(file);
}

static void save_dirty(struct provider *p)
{
    if (!p->saved && p->remote != INVALID_SOCKET)
        remote_commit(p->remote, p->dirty, p->dirty_bytes);
    else if (!p->saved && p->data_path[0])
        write_file(p->data_path, p->dirty, p->dirty_bytes, 1);
    p->saved = TRUE;
}

static HRESULT WINAPI Unknown_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct provider *p = from_unknown(iface);

    if (IsEqualIID(riid, &IID_IUnknown))
        *out = &p->IUnknown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIProviderShutdown))
        *out = &p->IMAPIProviderShutdown_iface;
    else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI Unknown_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&from_unknown(iface)->refs);
}

/* The normal shutdown: stop the poller and wait for it, save, compact. */
static ULONG WINAPI Unknown_Release(IUnknown *iface)
{
    struct provider *p = from_unknown(iface);
    LONG refs = InterlockedDecrement(&p->refs);
    WCHAR store[MAX_PATH + 8];

    if (refs || p->noop)
        return refs;
    if (p->poller) {
        Sleep(POLL_MS / 2); /* the poll in flight finishes first */
        SetEvent(p->stop);
        WaitForSingleObject(p->poller, INFINITE);
    }
    save_dirty(p);
    if (!p->data_path[0])
        return 0;
    _snwprintf(store, ARRAYSIZE(store), L"%ls.store", p->data_path);
    write_file(store, p->dirty, p->dirty_bytes, STORE_BYTES / p->dirty_bytes); /* compaction */
    DeleteFileW(store);
    return 0;
}

static const IUnknownVtbl unknown_vtbl = { Unknown_QueryInterface, Unknown_AddRef, Unknown_Release };

static HRESULT WINAPI Shutdown_QueryInterface(IMAPIProviderShutdown *iface, REFIID riid, void **out)
{
    return Unknown_QueryInterface(&from_shutdown(iface)->IUnknown_iface, riid, out);
}

static ULONG WINAPI Shutdown_AddRef(IMAPIProviderShutdown *iface)
{
    return Unknown_AddRef(&from_shutdown(iface)->IUnknown_iface);
}

static ULONG WINAPI Shutdown_Release(IMAPIProviderShutdown *iface)
{
    return Unknown_Release(&from_shutdown(iface)->IUnknown_iface);
}

/* The phase benchmark's marks: when the first and the last of the calls
 * expected are made to no-op providers (nothing else, so that the calls
 * between them cost only what they cost). */
static struct {
    int expected, calls;
    double first, last;
} marks;

void marks_arm(int expected)
{
    marks.expected = expected;
    marks.calls = 0;
    marks.first = marks.last = 0;
}

double marks_span_us(void)
{
    return marks.calls == marks.expected ? marks.last - marks.first : 0;
}

static void mark(struct provider *p)
{
    if (!p->noop || !marks.expected)
        return;
    if (++marks.calls == 1)
        marks.first = now_us();
    if (marks.calls == marks.expected)
        marks.last = now_us();
}

static HRESULT WINAPI Shutdown_QueryFastShutdown(IMAPIProviderShutdown *iface)
{
    mark(from_shutdown(iface));
    return S_OK;
}

/* Fast shutdown: stop background work at once (no waiting)... */
static HRESULT WINAPI Shutdown_NotifyProcessShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = from_shutdown(iface);

    mark(p);
    if (p->stop)
        SetEvent(p->stop);
    return S_OK;
}

/* ...and save only what would be lost. */
static HRESULT WINAPI Shutdown_DoFastShutdown(IMAPIProviderShutdown *iface)
{
    struct provider *p = from_shutdown(iface);

    mark(p);
    if (!p->noop)
        save_dirty(p);
    return S_OK;
}

static const IMAPIProviderShutdownVtbl shutdown_vtbl = {
    Shutdown_QueryInterface, Shutdown_AddRef, Shutdown_Release,
    Shutdown_QueryFastShutdown, Shutdown_NotifyProcessShutdown, Shutdown_DoFastShutdown,
};

static struct provider *new_provider(BOOL noop, const WCHAR *data_path, DWORD dirty_bytes)
{
    struct provider *p = calloc(1, sizeof(*p));

    p->IUnknown_iface.lpVtbl = &unknown_vtbl;
    p->IMAPIProviderShutdown_iface.lpVtbl = &shutdown_vtbl;
    p->refs = 1;
    p->noop = noop;
    p->dirty_bytes = dirty_bytes;
    p->remote = INVALID_SOCKET;
    if (!noop) {
        lstrcpynW(p->data_path, data_path ? data_path : L"", MAX_PATH);
        p->dirty = malloc(dirty_bytes);
        memset(p->dirty, 0x5a, dirty_bytes);
        p->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
        p->poller = CreateThread(NULL, 0, poll_loop, p, 0, NULL);
    }
    return p;
}

IUnknown *bench_provider(const WCHAR *data_path, DWORD dirty_bytes)
{
    return &new_provider(FALSE, data_path, dirty_bytes)->IUnknown_iface;
}

IUnknown *bench_noop_provider(void)
{
    return &new_provider(TRUE, NULL, 0)->IUnknown_iface;
}

IUnknown *bench_remote_provider(SOCKET remote, DWORD dirty_bytes)
{
    struct provider *p = new_provider(FALSE, NULL, dirty_bytes);

    p->remote = remote;
    return &p->IUnknown_iface;
}

/* --- one sample of each, in its own process -------------------------------- */

IMAPIClientShutdown *client;
IMAPIShutdownHost *host;

BOOL open_subsystem(void)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    return SUCCEEDED(CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IMAPIClientShutdown,
                                      (void **)&client)) &&
           SUCCEEDED(IMAPIClientShutdown_QueryInterface(client, &IID_IMAPIShutdownHost, (void **)&host));
}

/* This process's exit record exists (ExitRecords is not 0, and the
 * subsystem could make it): named as docs/design.md 7.1 says, with the
 * start time, since Wine reuses a PID at once. */
BOOL has_record(void)
{
    WCHAR base[MAX_PATH], path[MAX_PATH + 64];
    FILETIME created, exited, kernel, user;
    SYSTEMTIME at;
    DWORD length = GetEnvironmentVariableW(L"LOCALAPPDATA", base, ARRAYSIZE(base));

    if (!length || length >= ARRAYSIZE(base) ||
        !GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user) ||
        !FileTimeToSystemTime(&created, &at))
        return FALSE;
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\mapishut\\exits\\bench.exe-%lu-%04u%02u%02uT%02u%02u%02u.%03u.exit", base,
               (unsigned long)GetCurrentProcessId(), at.wYear, at.wMonth, at.wDay, at.wHour, at.wMinute, at.wSecond,
               at.wMilliseconds);
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* The least any subsystem must do: read FastShutdownBehavior from its four
 * places and three versions, skipping a place whose Office key is missing. */
static void read_policy_directly(void)
{
    static const WCHAR *const prefixes[] = { L"Software\\Policies\\Microsoft\\Office", L"Software\\Microsoft\\Office" };
    static const WCHAR *const versions[] = { L"16.0", L"15.0", L"14.0" };

    for (int place = 0; place < 4; place++) {
        HKEY office;

        if (RegOpenKeyExW(place == 0 || place == 3 ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER,
                          prefixes[place == 2 || place == 3], 0, KEY_QUERY_VALUE, &office) != ERROR_SUCCESS)
            continue;
        for (int v = 0; v < 3; v++) {
            WCHAR path[64];
            DWORD value, size = sizeof(value);

            _snwprintf(path, ARRAYSIZE(path), L"%ls\\Outlook\\Options\\Shutdown", versions[v]);
            RegGetValueW(office, path, MAPISHUT_POLICY_VALUE, RRF_RT_REG_DWORD, NULL, &value, &size);
        }
        RegCloseKey(office);
    }
}

void client_runs_a_while(void)
{
    Sleep(300);
}

static int sample_overhead(int n)
{
    struct provider **providers = calloc(n, sizeof(*providers));
    double direct, subsystem, query, start;

    if (!open_subsystem())
        return 1;
    for (int i = 0; i < n; i++) {
        ULONG cookie;

        providers[i] = new_provider(TRUE, NULL, 0);
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER - 2 * (i % 2), &providers[i]->IUnknown_iface,
                                           &cookie);
    }
    client_runs_a_while();
    /* Warm both paths the same way: one query through the subsystem. */
    IMAPIClientShutdown_QueryFastShutdown(client);

    start = now_us();
    read_policy_directly();
    for (int call = 0; call < 3; call++)
        for (int i = 0; i < n; i++) {
            IMAPIProviderShutdown *s = &providers[i]->IMAPIProviderShutdown_iface;

            if (call == 0)
                IMAPIProviderShutdown_QueryFastShutdown(s);
            else if (call == 1)
                IMAPIProviderShutdown_NotifyProcessShutdown(s);
            else
                IMAPIProviderShutdown_DoFastShutdown(s);
        }
    direct = now_us() - start;

    start = now_us();
    IMAPIClientShutdown_QueryFastShutdown(client);
    query = now_us() - start;
    IMAPIClientShutdown_NotifyProcessShutdown(client);
    IMAPIClientShutdown_DoFastShutdown(client);
    subsystem = now_us() - start;
    printf("%.3f %.3f %.3f %d\n", direct, subsystem, subsystem - query, has_record());
    return 0;
}

/* From the moment the client decides to exit to the moment its providers are
 * done; the parent adds the process exit. */
static int sample_exit(int k, BOOL fast, const WCHAR *folder)
{
    struct provider **providers = calloc(k, sizeof(*providers));
    ULONG *cookies = calloc(k, sizeof(*cookies));
    HANDLE ready = OpenEventW(EVENT_MODIFY_STATE, FALSE, L"mapishut-bench-exit");

    if (!open_subsystem())
        return 1;
    for (int i = 0; i < k; i++) {
        WCHAR path[MAX_PATH];

        _snwprintf(path, ARRAYSIZE(path), L"%ls\\exit-%d.dat", folder, i);
        providers[i] = new_provider(FALSE, path, DIRTY_BYTES);
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, &providers[i]->IUnknown_iface, &cookies[i]);
    }
    Sleep(3 * POLL_MS); /* the pollers are running */
    SetEvent(ready);
    if (fast && IMAPIClientShutdown_QueryFastShutdown(client) == S_OK) {
        IMAPIClientShutdown_NotifyProcessShutdown(client);
        IMAPIClientShutdown_DoFastShutdown(client);
        ExitProcess(0);
    }
    /* The legacy path, as MAPIUninitialize would: every provider shut down. */
    for (int i = 0; i < k; i++) {
        IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
        IUnknown_Release(&providers[i]->IUnknown_iface);
    }
    ExitProcess(0);
}

/* --- the parent: samples, medians, tables --------------------------------------- */

char exe[MAX_PATH];

#define SETTINGS_KEY L"Software\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown"

void set_setting(const WCHAR *name, DWORD value)
{
    HKEY key;

    if (RegCreateKeyExW(HKEY_CURRENT_USER, SETTINGS_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL))
        return;
    RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value, sizeof(value));
    RegCloseKey(key);
}

void clear_setting(const WCHAR *name)
{
    RegDeleteKeyValueW(HKEY_CURRENT_USER, SETTINGS_KEY, name);
}

BOOL run(const char *args, char *output, DWORD size, HANDLE ready, double *ready_to_gone_us)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    STARTUPINFOA startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    HANDLE read_end, write_end;
    char command[MAX_PATH + 64];
    DWORD got = 0, n;
    double ready_at;

    CreatePipe(&read_end, &write_end, &inherit, 0);
    SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = write_end;
    startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    snprintf(command, sizeof(command), "\"%s\" %s", exe, args);
    if (!CreateProcessA(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process))
        return FALSE;
    CloseHandle(write_end);
    if (ready) {
        WaitForSingleObject(ready, INFINITE);
        ready_at = now_us();
        WaitForSingleObject(process.hProcess, INFINITE);
        *ready_to_gone_us = now_us() - ready_at;
    }
    while (size > 1 && got < size - 1 && ReadFile(read_end, output + got, size - 1 - got, &n, NULL) && n)
        got += n;
    output[got] = 0;
    WaitForSingleObject(process.hProcess, INFINITE);
    CloseHandle(read_end);
    CloseHandle(process.hProcess);
    CloseHandle(process.hThread);
    return TRUE;
}

/* Samples with recording on (ExitRecords unset: the default) and off
 * (ExitRecords 0) alternate, so that both see the same machine. */
static void bench_overhead(void)
{
    static const int sizes[] = { 1, 10, 100, 1000 };
    int recorded[2] = { 0, 0 };

    printf("Subsystem overhead: QueryFastShutdown + NotifyProcessShutdown + DoFastShutdown through\n"
           "mapishut.dll, against the same provider calls made directly plus the least registry reading\n"
           "of the policy (median of %d processes each; goal: ratio <= 1.2, growth linear in N), with\n"
           "the exit record on (the default) and off (ExitRecords 0). The last columns are Notify +\n"
           "DoFast alone (no registry) per provider: flat means linear. Off is a value in the policy\n"
           "key, so the subsystem then reads each of its settings there: that reading, not the record,\n"
           "is what the off columns add to the whole sequence.\n\n",
           OVERHEAD_SAMPLES);
    printf("| N providers | direct (us) | recording on (us) | ratio | recording off (us) | ratio "
           "| on / off | Notify+DoFast per provider, on (us) | off (us) |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int s = 0; s < 4; s++) {
        double direct[OVERHEAD_SAMPLES], subsystem[2][OVERHEAD_SAMPLES], phases[2][OVERHEAD_SAMPLES];
        double ratio[2][OVERHEAD_SAMPLES], on_off[OVERHEAD_SAMPLES];

        for (int i = 0; i < OVERHEAD_SAMPLES; i++) {
            for (int off = 0; off < 2; off++) {
                char args[32], output[256];
                double d = 0;
                int record = 0;

                if (off)
                    set_setting(MAPISHUT_RECORDS_VALUE, 0);
                else
                    clear_setting(MAPISHUT_RECORDS_VALUE);
                snprintf(args, sizeof(args), "overhead %d", sizes[s]);
                subsystem[off][i] = phases[off][i] = 0;
                if (run(args, output, sizeof(output), NULL, NULL))
                    sscanf(output, "%lf %lf %lf %d", &d, &subsystem[off][i], &phases[off][i], &record);
                if (!off)
                    direct[i] = d;
                ratio[off][i] = d > 0 ? subsystem[off][i] / d : 0;
                phases[off][i] /= sizes[s];
                recorded[off] += record;
            }
            on_off[i] = subsystem[1][i] > 0 ? subsystem[0][i] / subsystem[1][i] : 0;
        }
        printf("| %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f | %.3f | %.3f |\n", sizes[s],
               median(direct, OVERHEAD_SAMPLES), median(subsystem[0], OVERHEAD_SAMPLES),
               median(ratio[0], OVERHEAD_SAMPLES), median(subsystem[1], OVERHEAD_SAMPLES),
               median(ratio[1], OVERHEAD_SAMPLES), median(on_off, OVERHEAD_SAMPLES),
               median(phases[0], OVERHEAD_SAMPLES), median(phases[1], OVERHEAD_SAMPLES));
    }
    clear_setting(MAPISHUT_RECORDS_VALUE);
    printf("\nA record was made by %d of the %d samples with recording on, and %d of the %d with it off.\n\n",
           recorded[0], 4 * OVERHEAD_SAMPLES, recorded[1], 4 * OVERHEAD_SAMPLES);
}

static LONGLONG bytes_on_disk(const WCHAR *folder, int k)
{
    LONGLONG total = 0;

    for (int i = 0; i < k; i++) {
        WCHAR path[MAX_PATH];
        WIN32_FILE_ATTRIBUTE_DATA data;

        _snwprintf(path, ARRAYSIZE(path), L"%ls\\exit-%d.dat", folder, i);
        if (GetFileAttributesExW(path, GetFileExInfoStandard, &data))
            total += data.nFileSizeLow;
        DeleteFileW(path);
    }
    return total;
}

static void bench_exit(void)
{
    HANDLE ready = CreateEventW(NULL, FALSE, FALSE, L"mapishut-bench-exit");
    double times[2][EXIT_SAMPLES];
    LONGLONG lost[2] = { 0, 0 };
    WCHAR folder[MAX_PATH];

    GetCurrentDirectoryW(ARRAYSIZE(folder), folder);
    printf("End-to-end exit: a client with %d providers, each holding %d KiB of unsaved data and a\n"
           "background poller, from its decision to exit until its process is gone (median of %d;\n"
           "goal: fast >= 20x faster, 0 bytes lost). A normal shutdown releases every provider, which\n"
           "stops its poller politely, saves, and compacts its %d MiB store, as MAPIUninitialize would.\n\n",
           EXIT_PROVIDERS, DIRTY_BYTES / 1024, EXIT_SAMPLES, STORE_BYTES / (1024 * 1024));
    for (int mode = 0; mode < 2; mode++) {
        for (int i = 0; i < EXIT_SAMPLES; i++) {
            char args[MAX_PATH + 32], output[64];

            snprintf(args, sizeof(args), "exit %d %s \"%ls\"", EXIT_PROVIDERS, mode ? "legacy" : "fast", folder);
            times[mode][i] = 0;
            run(args, output, sizeof(output), ready, &times[mode][i]);
            lost[mode] += (LONGLONG)EXIT_PROVIDERS * DIRTY_BYTES - bytes_on_disk(folder, EXIT_PROVIDERS);
        }
    }
    printf("| exit | time to exit (ms) | bytes lost |\n|---|---:|---:|\n");
    printf("| fast shutdown (Query, Notify, DoFast, ExitProcess) | %.1f | %lld |\n",
           median(times[0], EXIT_SAMPLES) / 1000, (long long)lost[0]);
    printf("| normal shutdown (every provider released) | %.1f | %lld |\n",
           median(times[1], EXIT_SAMPLES) / 1000, (long long)lost[1]);
    printf("\nfast shutdown is %.1fx faster\n", median(times[1], EXIT_SAMPLES) / median(times[0], EXIT_SAMPLES));
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*print)(void);
    } tables[] = {
        { "overhead", bench_overhead },
        { "exit", bench_exit },
        { "phases", bench_phases },
        { "record", bench_record },
        { "concurrent", bench_concurrent },
        { "loopback", bench_loopback },
        { "profile", bench_crafted_profile },
    };

    GetModuleFileNameA(NULL, exe, sizeof(exe));
    if (argc >= 3 && !strcmp(argv[1], "overhead"))
        return sample_overhead(atoi(argv[2]));
    if (argc >= 5 && !strcmp(argv[1], "exit")) {
        WCHAR folder[MAX_PATH];

        MultiByteToWideChar(CP_ACP, 0, argv[4], -1, folder, MAX_PATH);
        return sample_exit(atoi(argv[2]), !strcmp(argv[3], "fast"), folder);
    }
    if (argc >= 3 && !strcmp(argv[1], "phases"))
        return sample_phases(atoi(argv[2]));
    if (argc >= 2 && !strcmp(argv[1], "record"))
        return sample_record();
    if (argc >= 3 && !strcmp(argv[1], "server"))
        return serve_commits(atoi(argv[2]));
    if (argc >= 5 && !strcmp(argv[1], "remote"))
        return sample_remote(atoi(argv[2]), argv[3], atoi(argv[4]));
    if (argc >= 5 && !strcmp(argv[1], "stores")) {
        WCHAR folder[MAX_PATH];

        MultiByteToWideChar(CP_ACP, 0, argv[4], -1, folder, MAX_PATH);
        return sample_stores(atoi(argv[2]), argv[3], folder);
    }
    for (unsigned t = 0; t < ARRAYSIZE(tables); t++)
        if (argc < 3 || strcmp(argv[1], "only") || strstr(argv[2], tables[t].name))
            tables[t].print();
    return 0;
}
