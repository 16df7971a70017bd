/* What the benchmarks share: a clock and medians. */
#ifndef MAPISHUT_BENCH_H
#define MAPISHUT_BENCH_H

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

/* bench_profile.c */
void bench_crafted_profile(void);

#endif
