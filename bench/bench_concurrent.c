/* ConcurrentProviders: the exit of a client with N stores, each saving a file
 * of a realistic size in DoFastShutdown (written, then flushed to disk), one
 * after the other and all at once, each as a ratio to the physical limit
 * measured in the same run: the slowest of the same saves made alone. A
 * second baseline makes the same saves on N plain threads, without the
 * subsystem: the most any concurrent caller can get from this machine. */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#define STORE_SAVE_BYTES (4 * 1024 * 1024)  /* an offline store's dirty pages */
#define STORES_SAMPLES   5
#define STORES_MAX       16

static void store_path(const WCHAR *folder, int i, WCHAR *path)
{
    _snwprintf(path, MAX_PATH, L"%ls\\store-%d.dat", folder, i);
}

static DWORD WINAPI save_on_thread(void *store)
{
    IMAPIProviderShutdown *shutdown;

    IUnknown_QueryInterface((IUnknown *)store, &IID_IMAPIProviderShutdown, (void **)&shutdown);
    return IMAPIProviderShutdown_DoFastShutdown(shutdown);
}

/* One sample, in its own process. "alone": each store's save made directly,
 * one at a time, printing the slowest; "threads": all of them at once on
 * plain threads, printing the time; otherwise the whole exit through the
 * subsystem (the parent set ConcurrentProviders), printing its time. */
int sample_stores(int n, const char *mode, const WCHAR *folder)
{
    IUnknown *stores[STORES_MAX];
    HANDLE threads[STORES_MAX];
    double start, slowest = 0;

    if (n < 1 || n > STORES_MAX || !open_subsystem())
        return 1;
    for (int i = 0; i < n; i++) {
        WCHAR path[MAX_PATH];
        ULONG cookie;

        store_path(folder, i, path);
        stores[i] = bench_provider(path, STORE_SAVE_BYTES);
        if (strcmp(mode, "alone"))
            IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, stores[i], &cookie);
    }
    if (!strcmp(mode, "alone")) {
        for (int i = 0; i < n; i++) {
            IMAPIProviderShutdown *shutdown;

            IUnknown_QueryInterface(stores[i], &IID_IMAPIProviderShutdown, (void **)&shutdown);
            start = now_us();
            IMAPIProviderShutdown_DoFastShutdown(shutdown);
            if (now_us() - start > slowest)
                slowest = now_us() - start;
        }
        printf("%.1f\n", slowest);
        ExitProcess(0);
    }
    if (!strcmp(mode, "threads")) {
        start = now_us();
        for (int i = 0; i < n; i++)
            threads[i] = CreateThread(NULL, 0, save_on_thread, stores[i], 0, NULL);
        WaitForMultipleObjects(n, threads, TRUE, INFINITE);
        printf("%.1f\n", now_us() - start);
        ExitProcess(0);
    }
    start = now_us();
    if (IMAPIClientShutdown_QueryFastShutdown(client) == S_OK) {
        IMAPIClientShutdown_NotifyProcessShutdown(client);
        IMAPIClientShutdown_DoFastShutdown(client);
    }
    printf("%.1f\n", now_us() - start);
    ExitProcess(0);
}

/* Bytes the last sample's stores should have saved but did not; the files go. */
static LONGLONG lost_bytes(const WCHAR *folder, int n)
{
    LONGLONG lost = 0;

    for (int i = 0; i < n; i++) {
        WIN32_FILE_ATTRIBUTE_DATA data;
        WCHAR path[MAX_PATH];

        store_path(folder, i, path);
        lost += STORE_SAVE_BYTES;
        if (GetFileAttributesExW(path, GetFileExInfoStandard, &data))
            lost -= data.nFileSizeLow;
        DeleteFileW(path);
    }
    return lost;
}

static double run_sample(int n, const char *mode, const WCHAR *folder, LONGLONG *lost)
{
    char args[MAX_PATH + 48], output[64];
    double us = 0;

    snprintf(args, sizeof(args), "stores %d %s \"%ls\"", n, mode, folder);
    if (run(args, output, sizeof(output), NULL, NULL))
        sscanf(output, "%lf", &us);
    *lost += lost_bytes(folder, n);
    return us;
}

void bench_concurrent(void)
{
    static const int counts[] = { 1, 2, 4, 8, 16 };
    WCHAR folder[MAX_PATH];

    GetCurrentDirectoryW(ARRAYSIZE(folder), folder);
    printf("\nConcurrentProviders: the exit (Query, Notify, DoFast) of a client with N stores, each\n"
           "writing and flushing %d MiB in DoFastShutdown, one after the other (0) and all at once\n"
           "(1), each as a ratio to the physical limit measured in the same run: the slowest of the\n"
           "same saves made alone (median of %d; goal: concurrent <= 1.2x the limit up to N = 8).\n"
           "\"plain threads\": the same saves on N threads of their own, without the subsystem.\n\n",
           STORE_SAVE_BYTES / (1024 * 1024), STORES_SAMPLES);
    printf("| N stores | limit (ms) | sequential (ms) | ratio | concurrent (ms) | ratio "
           "| plain threads (ms) | ratio | bytes lost |\n");
    printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (unsigned c = 0; c < ARRAYSIZE(counts); c++) {
        static const char *const modes[3] = { "sequential", "concurrent", "threads" };
        double limit[STORES_SAMPLES], times[3][STORES_SAMPLES], ratios[3][STORES_SAMPLES];
        LONGLONG lost = 0, saved_alone = 0;
        int n = counts[c];

        for (int i = 0; i < STORES_SAMPLES; i++) {
            limit[i] = run_sample(n, "alone", folder, &saved_alone);
            for (int m = 0; m < 3; m++) {
                set_setting(MAPISHUT_CONCURRENT_VALUE, m == 1);
                times[m][i] = run_sample(n, modes[m], folder, m < 2 ? &lost : &saved_alone);
                ratios[m][i] = limit[i] > 0 ? times[m][i] / limit[i] : 0;
            }
        }
        printf("| %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.1f | %.2f | %lld |\n", n,
               median(limit, STORES_SAMPLES) / 1000, median(times[0], STORES_SAMPLES) / 1000,
               median(ratios[0], STORES_SAMPLES), median(times[1], STORES_SAMPLES) / 1000,
               median(ratios[1], STORES_SAMPLES), median(times[2], STORES_SAMPLES) / 1000,
               median(ratios[2], STORES_SAMPLES), (long long)lost);
    }
    clear_setting(MAPISHUT_CONCURRENT_VALUE);
}
