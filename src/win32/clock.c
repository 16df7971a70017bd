/* The exit record's clock, in microseconds.
 *
 * QueryPerformanceCounter is exact but, where Windows cannot read the
 * processor's counter itself (and always under Wine), it is a system call
 * that costs more than a provider call that does nothing: the protocol path
 * reads the clock once per provider call. Where the processor's time-stamp
 * counter is invariant (same rate on every core, in every power state), it
 * is read directly, at the rate measured against QueryPerformanceCounter off
 * the exit path; until then, and without one, QueryPerformanceCounter. */
#include "module.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

/* How long the rate is measured over: long enough for 0.1% at Wine's
 * timer resolution, short enough for a thread that does other work. */
#define CALIBRATION_MS 50

static LARGE_INTEGER frequency;

static struct {
    uint64_t base_us, base_ticks, ticks_per_1024_us;
    LONG ready;
} tsc;

void clock_init(void)
{
    QueryPerformanceFrequency(&frequency);
}

static uint64_t counter_us(void)
{
    LARGE_INTEGER now;

    QueryPerformanceCounter(&now);
    return (uint64_t)(now.QuadPart / frequency.QuadPart) * 1000000u +
           (uint64_t)(now.QuadPart % frequency.QuadPart) * 1000000u / (uint64_t)frequency.QuadPart;
}

uint64_t clock_us(void)
{
#ifdef HAVE_TSC
    if (__atomic_load_n(&tsc.ready, __ATOMIC_ACQUIRE))
        return tsc.base_us + (__rdtsc() - tsc.base_ticks) * 1024 / tsc.ticks_per_1024_us;
#endif
    return counter_us();
}

#ifdef HAVE_TSC
static BOOL tsc_is_invariant(void)
{
    unsigned eax, ebx, ecx, edx;

    /* The macros, not __get_cpuid: every processor Windows runs on has
     * CPUID, and the DLL holds no function it does not call. */
    __cpuid(0x80000000, eax, ebx, ecx, edx);
    if (eax < 0x80000007)
        return FALSE;
    __cpuid(0x80000007, eax, ebx, ecx, edx);
    return (edx & (1u << 8)) != 0;
}
#endif

void clock_calibrate(void)
{
#ifdef HAVE_TSC
    uint64_t start_us, start_ticks, end_us, end_ticks, rate;

    if (__atomic_load_n(&tsc.ready, __ATOMIC_ACQUIRE) || !tsc_is_invariant())
        return;
    start_us = counter_us();
    start_ticks = __rdtsc();
    Sleep(CALIBRATION_MS);
    end_us = counter_us();
    end_ticks = __rdtsc();
    if (end_us <= start_us || end_ticks <= start_ticks)
        return;
    rate = (end_ticks - start_ticks) * 1024 / (end_us - start_us);
    if (!rate)
        return;
    /* From here on the two clocks agree, so times read either way compare. */
    tsc.base_us = end_us;
    tsc.base_ticks = end_ticks;
    tsc.ticks_per_1024_us = rate;
    __atomic_store_n(&tsc.ready, 1, __ATOMIC_RELEASE);
#endif
}
