/* The registered providers, kept in shutdown order: transport, then address
 * book, then store; within a type the profile's order, then registration order.
 * Sorted at registration so that the shutdown path only walks an array. */
#ifndef MAPISHUT_CORE_PROVIDER_TABLE_H
#define MAPISHUT_CORE_PROVIDER_TABLE_H

#include "shutdown_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROVIDER_NOT_IN_PROFILE UINT64_MAX

struct provider {
    uint32_t cookie;
    uint32_t resource_type;     /* SHUT_*_PROVIDER */
    bool has_section_uid;
    uint8_t section_uid[16];
    void *shutdown;             /* its IMAPIProviderShutdown, or NULL: it has none */
    uint64_t profile_order;     /* PROVIDER_NOT_IN_PROFILE until a profile places it */
    uint32_t registration;      /* registration sequence number */
    bool told_notify;           /* each notification at most once */
    bool told_do_fast;
    bool abandoned;             /* overran the deadline or crashed: never called or released again */
    struct provider_identity who;  /* names for the diagnostics and the exit record */
    uint16_t behavior_name[PROVIDER_DLL_MAX]; /* its DLL as ProviderBehavior names it; empty: unknown */
    uint32_t behavior;          /* enum provider_behavior at the last evaluation */
    uint8_t behavior_place, behavior_version; /* where it was set (POLICY_DEFAULT: nowhere) */
    uint32_t record_slot;       /* its slot in the exit record (EXIT_NO_PROVIDER: none) */
};

struct provider_table {
    struct provider *items;
    size_t count;
    size_t capacity;
    uint32_t last_cookie;
    uint32_t last_registration;
};

void provider_table_init(struct provider_table *table);
/* Frees the array; releasing the providers is the caller's business. */
void provider_table_free(struct provider_table *table);

bool provider_type_is_valid(uint32_t resource_type);
/* 0 for transport, 1 for address book, 2 for store: the shutdown order. */
unsigned provider_type_rank(uint32_t resource_type);
/* "transport", "address book", "store". */
const char *provider_type_name(uint32_t resource_type);

/* Does a provider of type_a, at profile_order_a, registered registration_a-th,
 * go before one of type_b...? Type first, then the profile's order, then the
 * registration order: the one definition of the shutdown order. */
bool shutdown_order_precedes(uint32_t type_a, uint64_t profile_order_a, uint32_t registration_a,
                             uint32_t type_b, uint64_t profile_order_b, uint32_t registration_b);

/* SHUT_S_OK, SHUT_E_INVALIDARG (resource type) or SHUT_E_OUTOFMEMORY. */
int32_t provider_table_add(struct provider_table *table, const uint8_t *section_uid,
                           uint32_t resource_type, void *shutdown, uint32_t *cookie);

/* SHUT_S_OK with *removed set to the entry as it was, or SHUT_E_INVALIDARG. */
int32_t provider_table_remove(struct provider_table *table, uint32_t cookie, struct provider *removed);

/* Restores the shutdown order after profile_order values changed. */
void provider_table_sort(struct provider_table *table);

#endif
