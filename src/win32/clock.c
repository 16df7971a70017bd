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

/* How close the two readings of QueryPerformanceCounter around the TSC's
 * must be, or the pair is read again (the thread was preempted). */
#define PAIR_SPREAD_US 20

static LARGE_INTEGER frequency;

/* Microseconds = ticks * us_per_tick_2e32 / 2^32: two multiplications, no
 * division, and no overflow however long the process lives. */
static struct {
    uint64_t base_us, base_ticks;
    uint32_t us_per_tick_2e32;
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

#ifdef HAVE_TSC
static uint64_t tsc_us(void)
{
    uint64_t now = __rdtsc();
    /* Another processor's counter may lag the calibrating one's a little. */
    uint64_t ticks = now > tsc.base_ticks ? now - tsc.base_ticks : 0;
    uint64_t scale = tsc.us_per_tick_2e32;

    return tsc.base_us + (ticks >> 32) * scale + (((ticks & 0xffffffffu) * scale) >> 32);
}
#endif

uint64_t clock_us(void)
{
#ifdef HAVE_TSC
    if (__atomic_load_n(&tsc.ready, __ATOMIC_ACQUIRE))
        return tsc_us();
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

/* The TSC and the time just after it: the later of two close readings, so
 * that a time read through the TSC is never before one read directly. */
static BOOL read_pair(uint64_t *us, uint64_t *ticks)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        uint64_t before = counter_us(), now = __rdtsc(), after = counter_us();

        if (after - before <= PAIR_SPREAD_US) {
            *us = after;
            *ticks = now;
            return TRUE;
        }
    }
    return FALSE;
}
#endif

void clock_calibrate(void)
{
#ifdef HAVE_TSC
    uint64_t start_us, start_ticks, end_us, end_ticks, scale;

    if (__atomic_load_n(&tsc.ready, __ATOMIC_ACQUIRE) || !tsc_is_invariant() || !read_pair(&start_us, &start_ticks))
        return;
    Sleep(CALIBRATION_MS);
    if (!read_pair(&end_us, &end_ticks) || end_us <= start_us || end_ticks <= start_ticks)
        return;
    scale = ((end_us - start_us) << 32) / (end_ticks - start_ticks);
    /* A counter slower than a megahertz is no better than the system's. */
    if (!scale || scale > UINT32_MAX)
        return;
    /* From here on the two clocks agree, so times read either way compare. */
    tsc.base_us = end_us;
    tsc.base_ticks = end_ticks;
    tsc.us_per_tick_2e32 = (uint32_t)scale;
    __atomic_store_n(&tsc.ready, 1, __ATOMIC_RELEASE);
#endif
}
