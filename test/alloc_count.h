/* Counts heap allocations made by the code linked into check_core (the
 * link wraps malloc, calloc and realloc: see the Makefile). */
#ifndef MAPISHUT_TEST_ALLOC_COUNT_H
#define MAPISHUT_TEST_ALLOC_COUNT_H

long alloc_count(void);

#endif
