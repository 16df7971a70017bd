/* What the benchmarks share: a clock and medians. */
#ifndef MAPISHUT_BENCH_H
#define MAPISHUT_BENCH_H

#include <winsock2.h>
#include <windows.h>
#include <stdlib.h>

static inline double now_us(void)
{
    static LARGE_INTEGER frequency;
    LARGE_INTEGER t;

    if (!frequency.QuadPart)
        QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e6 / (double)frequency.QuadPart;
}

static inline int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static inline double median(double *values, int n)
{
    qsort(values, n, sizeof(*values), compare_doubles);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* bench.c: the subsystem of a sample's process, a provider that saves
 * dirty_bytes to data_path in DoFastShutdown (or on its last Release), and
 * a sample run as a child process: its standard output in output; with
 * ready, the time from ready being set to the child being gone. */
#include "mapishut.h"

extern IMAPIClientShutdown *client;
extern IMAPIShutdownHost *host;
BOOL open_subsystem(void);
/* A client exits minutes after its logon, when what the subsystem does off
 * the exit path at its start (the Event Log report, the clock's calibration)
 * is long done: a sample of an exit waits that long after its set-up. */
void client_runs_a_while(void);
IUnknown *bench_provider(const WCHAR *data_path, DWORD dirty_bytes);
IUnknown *bench_remote_provider(SOCKET remote, DWORD dirty_bytes);
IUnknown *bench_noop_provider(void);
/* The no-op providers' calls from now on: the time from the first to the
 * expected-th (0 if fewer were made). */
void marks_arm(int expected);
double marks_span_us(void);
BOOL run(const char *args, char *output, DWORD size, HANDLE ready, double *ready_to_gone_us);
extern char exe[MAX_PATH];
BOOL has_record(void);

/* A setting (ConcurrentProviders, ExitRecords, ...) in the user's
 * preference place, which the children of the next samples read. */
void set_setting(const WCHAR *name, DWORD value);
void clear_setting(const WCHAR *name);

/* bench_record.c: each phase's cost per provider, with recording on and
 * off; the cost of creating the record. */
int sample_phases(int n);
int sample_record(void);
void bench_phases(void);
void bench_record(void);

/* bench_concurrent.c */
int sample_stores(int n, const char *mode, const WCHAR *folder);
void bench_concurrent(void);

/* bench_loopback.c: a store's commit of its unsaved data to the server, and
 * the server (a process of its own), and the table. */
BOOL remote_commit(SOCKET remote, const BYTE *data, DWORD size);
int serve_commits(int latency_ms);
int sample_remote(int n, const char *mode, int port);
void bench_loopback(void);

/* bench_profile.c */
void bench_crafted_profile(void);

#endif
