#include "alloc_count.h"

#include <stdatomic.h>
#include <stddef.h>

static atomic_long allocations;
static atomic_long fail_countdown = -1;

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *old, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *old, size_t size);

/* Counts the allocation; true when this one is to fail. */
static int counted(void)
{
    long left;

    atomic_fetch_add(&allocations, 1);
    left = atomic_load(&fail_countdown);
    if (left < 0)
        return 0;
    atomic_store(&fail_countdown, left - 1);
    return left == 0;
}

void *__wrap_malloc(size_t size)
{
    return counted() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return counted() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *old, size_t size)
{
    return counted() ? NULL : __real_realloc(old, size);
}

void alloc_fail_after(long skip)
{
    atomic_store(&fail_countdown, skip);
}

long alloc_count(void)
{
    return atomic_load(&allocations);
}
