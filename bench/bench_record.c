/* What the exit record costs, as issue 15 asks: each phase's cost per
 * provider, with recording on (the default) and off (ExitRecords 0) against
 * the same calls made directly; and the cost of creating the record, which
 * the first RegisterProvider pays. Samples with recording on and off
 * alternate, so that both see the same machine. */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#define PHASE_PROVIDERS 64
#define PHASE_SAMPLES   9
#define RECORD_SAMPLES  15
#define PHASES          3

static const char *const phase_names[PHASES] = { "QueryFastShutdown", "NotifyProcessShutdown", "DoFastShutdown" };

static void call_directly(IMAPIProviderShutdown *s, int phase)
{
    if (phase == 0)
        IMAPIProviderShutdown_QueryFastShutdown(s);
    else if (phase == 1)
        IMAPIProviderShutdown_NotifyProcessShutdown(s);
    else
        IMAPIProviderShutdown_DoFastShutdown(s);
}

static void call_subsystem(int phase)
{
    if (phase == 0)
        IMAPIClientShutdown_QueryFastShutdown(client);
    else if (phase == 1)
        IMAPIClientShutdown_NotifyProcessShutdown(client);
    else
        IMAPIClientShutdown_DoFastShutdown(client);
}

/* What one QueryPerformanceCounter costs here, in nanoseconds. */
static double clock_read_ns(void)
{
    LARGE_INTEGER t;
    double start = now_us();

    for (int i = 0; i < 1000; i++)
        QueryPerformanceCounter(&t);
    return (now_us() - start) * 1000 / 1000;
}

/* One sample: N no-op stores; for each phase, the time from the call to the
 * first provider to the call to the last, made directly and through the
 * subsystem (after one query to warm it), and the subsystem's whole call. */
int sample_phases(int n)
{
    IMAPIProviderShutdown **providers = calloc(n, sizeof(*providers));
    double direct[PHASES], subsystem[PHASES], whole[PHASES];

    if (n < 2 || !open_subsystem())
        return 1;
    for (int i = 0; i < n; i++) {
        IUnknown *provider = bench_noop_provider();
        ULONG cookie;

        IUnknown_QueryInterface(provider, &IID_IMAPIProviderShutdown, (void **)&providers[i]);
        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, provider, &cookie);
    }
    client_runs_a_while();
    IMAPIClientShutdown_QueryFastShutdown(client);
    for (int phase = 0; phase < PHASES; phase++) {
        marks_arm(n);
        for (int i = 0; i < n; i++)
            call_directly(providers[i], phase);
        direct[phase] = marks_span_us();
    }
    for (int phase = 0; phase < PHASES; phase++) {
        double start;

        marks_arm(n);
        start = now_us();
        call_subsystem(phase);
        whole[phase] = now_us() - start;
        subsystem[phase] = marks_span_us();
    }
    marks_arm(0);
    for (int phase = 0; phase < PHASES; phase++)
        printf("%.3f %.3f %.3f ", direct[phase], subsystem[phase], whole[phase]);
    printf("%d %.3f\n", has_record(), clock_read_ns());
    return 0;
}

/* One sample: the first RegisterProvider (which creates the record, unless
 * ExitRecords is 0) and the second, each timed; then both unregistered, so
 * that the record reads as a normal exit. */
int sample_record(void)
{
    IUnknown *providers[2] = { bench_noop_provider(), bench_noop_provider() };
    ULONG cookies[2];
    double us[2];

    if (!open_subsystem())
        return 1;
    for (int i = 0; i < 2; i++) {
        double start = now_us();

        IMAPIShutdownHost_RegisterProvider(host, NULL, MAPI_STORE_PROVIDER, providers[i], &cookies[i]);
        us[i] = now_us() - start;
    }
    printf("%.3f %.3f %d\n", us[0], us[1], has_record());
    for (int i = 0; i < 2; i++)
        IMAPIShutdownHost_UnregisterProvider(host, cookies[i]);
    return 0;
}

static void recording(BOOL off)
{
    if (off)
        set_setting(MAPISHUT_RECORDS_VALUE, 0);
    else
        clear_setting(MAPISHUT_RECORDS_VALUE);
}

/* Nanoseconds per provider from the span of N calls: N - 1 intervals. */
static double per_provider_ns(double span_us, int n)
{
    return span_us * 1000 / (n - 1);
}

void bench_phases(void)
{
    double direct[PHASES][PHASE_SAMPLES], subsystem[2][PHASES][PHASE_SAMPLES], whole[2][PHASES][PHASE_SAMPLES];
    double cost[PHASES][PHASE_SAMPLES];
    double clock_ns[2 * PHASE_SAMPLES];
    int recorded[2] = { 0, 0 };

    printf("\nCost per provider per phase: %d no-op stores, each phase called directly on each and\n"
           "through mapishut.dll, with the exit record on (the default) and off (ExitRecords 0). A\n"
           "provider's figure is the time from the call to the first provider to the call to the\n"
           "last, over the %d intervals between them, so the phase's fixed cost (the policy read by\n"
           "the query) is not in it; \"cost\" is recording on minus direct. The last columns are the\n"
           "whole call (median of %d processes each).\n\n",
           PHASE_PROVIDERS, PHASE_PROVIDERS - 1, PHASE_SAMPLES);
    for (int i = 0; i < PHASE_SAMPLES; i++)
        for (int off = 0; off < 2; off++) {
            char args[32], output[512];
            double v[3 * PHASES + 2] = { 0 };
            const char *at = output;
            int used;

            recording(off);
            snprintf(args, sizeof(args), "phases %d", PHASE_PROVIDERS);
            output[0] = 0;
            run(args, output, sizeof(output), NULL, NULL);
            for (int k = 0; k < 3 * PHASES + 2 && sscanf(at, "%lf%n", &v[k], &used) == 1; k++)
                at += used;
            for (int phase = 0; phase < PHASES; phase++) {
                if (!off)
                    direct[phase][i] = per_provider_ns(v[3 * phase], PHASE_PROVIDERS);
                subsystem[off][phase][i] = per_provider_ns(v[3 * phase + 1], PHASE_PROVIDERS);
                whole[off][phase][i] = v[3 * phase + 2];
                if (!off)
                    cost[phase][i] = subsystem[0][phase][i] - direct[phase][i];
            }
            recorded[off] += v[3 * PHASES] != 0;
            clock_ns[2 * i + off] = v[3 * PHASES + 1];
        }
    recording(FALSE);
    printf("| phase | direct (ns per provider) | recording on (ns per provider) | recording off (ns per provider) "
           "| cost, on (ns per provider) | whole call, on (us) | whole call, off (us) |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int phase = 0; phase < PHASES; phase++)
        printf("| %s | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f |\n", phase_names[phase],
               median(direct[phase], PHASE_SAMPLES), median(subsystem[0][phase], PHASE_SAMPLES),
               median(subsystem[1][phase], PHASE_SAMPLES), median(cost[phase], PHASE_SAMPLES),
               median(whole[0][phase], PHASE_SAMPLES), median(whole[1][phase], PHASE_SAMPLES));
    printf("\nA record was made by %d of the %d samples with recording on, and %d of the %d with it off.\n"
           "One QueryPerformanceCounter read costs %.0f ns here. With recording on, the subsystem\n"
           "reads its clock once per provider call (the processor's invariant counter once calibrated,\n"
           "else QueryPerformanceCounter), and not for calls past the record's room; off, never.\n",
           recorded[0], PHASE_SAMPLES, recorded[1], PHASE_SAMPLES, median(clock_ns, 2 * PHASE_SAMPLES));
}

void bench_record(void)
{
    double us[2][2][RECORD_SAMPLES], ratio[2][RECORD_SAMPLES], cost[2][RECORD_SAMPLES];
    int recorded[2] = { 0, 0 };

    printf("\nCreating the record: the first RegisterProvider of a process creates its exit record\n"
           "(the file made, filled and mapped); the second is for comparison. Each is timed with\n"
           "recording on (the default) and off (ExitRecords 0), in alternate processes (median of %d;\n"
           "\"cost\" is on minus off, the median of each pair's difference).\n\n",
           RECORD_SAMPLES);
    for (int i = 0; i < RECORD_SAMPLES; i++) {
        for (int off = 0; off < 2; off++) {
            char output[128];
            int record = 0;

            recording(off);
            us[off][0][i] = us[off][1][i] = 0;
            if (run("record", output, sizeof(output), NULL, NULL))
                sscanf(output, "%lf %lf %d", &us[off][0][i], &us[off][1][i], &record);
            recorded[off] += record;
        }
        for (int which = 0; which < 2; which++) {
            ratio[which][i] = us[1][which][i] > 0 ? us[0][which][i] / us[1][which][i] : 0;
            cost[which][i] = us[0][which][i] - us[1][which][i];
        }
    }
    recording(FALSE);
    printf("| RegisterProvider | recording on (us) | recording off (us) | ratio | cost (us) |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (int which = 0; which < 2; which++)
        printf("| %s | %.1f | %.1f | %.2f | %.1f |\n", which ? "second" : "first (creates the record)",
               median(us[0][which], RECORD_SAMPLES), median(us[1][which], RECORD_SAMPLES),
               median(ratio[which], RECORD_SAMPLES), median(cost[which], RECORD_SAMPLES));
    printf("\nA record was made by %d of the %d samples with recording on, and %d of the %d with it off.\n",
           recorded[0], RECORD_SAMPLES, recorded[1], RECORD_SAMPLES);
}
