/* Counts heap allocations made by the code linked into check_core (the
 * link wraps malloc, calloc and realloc: see the Makefile), and can make one
 * of them fail. */
#ifndef MAPISHUT_TEST_ALLOC_COUNT_H
#define MAPISHUT_TEST_ALLOC_COUNT_H

long alloc_count(void);

/* The allocation after `skip` more succeed returns NULL, once; -1: none. */
void alloc_fail_after(long skip);

#endif
