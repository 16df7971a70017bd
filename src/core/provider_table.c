#include "provider_table.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

void provider_table_init(struct provider_table *table)
{
    memset(table, 0, sizeof(*table));
}

void provider_table_free(struct provider_table *table)
{
    free(table->items);
    provider_table_init(table);
}

bool provider_type_is_valid(uint32_t resource_type)
{
    return resource_type == SHUT_TRANSPORT_PROVIDER || resource_type == SHUT_AB_PROVIDER ||
           resource_type == SHUT_STORE_PROVIDER;
}

const char *provider_type_name(uint32_t resource_type)
{
    switch (resource_type) {
    case SHUT_TRANSPORT_PROVIDER: return "transport";
    case SHUT_AB_PROVIDER:        return "address book";
    case SHUT_STORE_PROVIDER:     return "store";
    }
    return "unknown";
}

unsigned provider_type_rank(uint32_t resource_type)
{
    switch (resource_type) {
    case SHUT_TRANSPORT_PROVIDER: return 0;
    case SHUT_AB_PROVIDER:        return 1;
    default:                      return 2;
    }
}

bool shutdown_order_precedes(uint32_t type_a, uint64_t profile_order_a, uint32_t registration_a,
                             uint32_t type_b, uint64_t profile_order_b, uint32_t registration_b)
{
    if (provider_type_rank(type_a) != provider_type_rank(type_b))
        return provider_type_rank(type_a) < provider_type_rank(type_b);
    if (profile_order_a != profile_order_b)
        return profile_order_a < profile_order_b;
    return registration_a < registration_b;
}

/* Does a go before b in every phase? */
static bool provider_precedes(const struct provider *a, const struct provider *b)
{
    return shutdown_order_precedes(a->resource_type, a->profile_order, a->registration,
                                   b->resource_type, b->profile_order, b->registration);
}

static bool cookie_in_use(const struct provider_table *table, uint32_t cookie)
{
    for (size_t i = 0; i < table->count; i++)
        if (table->items[i].cookie == cookie)
            return true;
    return false;
}

static uint32_t next_cookie(struct provider_table *table)
{
    /* 0 is never handed out; after a wrap, skip cookies still in use. */
    do {
        table->last_cookie++;
    } while (table->last_cookie == 0 || cookie_in_use(table, table->last_cookie));
    return table->last_cookie;
}

int32_t provider_table_add(struct provider_table *table, const uint8_t *section_uid,
                           uint32_t resource_type, void *shutdown, uint32_t *cookie)
{
    struct provider entry = { 0 };
    size_t at;

    if (!provider_type_is_valid(resource_type))
        return SHUT_E_INVALIDARG;
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 8;
        struct provider *items;

        if (capacity > SIZE_MAX / sizeof(*items))
            return SHUT_E_OUTOFMEMORY;
        items = realloc(table->items, capacity * sizeof(*items));
        if (!items)
            return SHUT_E_OUTOFMEMORY;
        table->items = items;
        table->capacity = capacity;
    }

    entry.resource_type = resource_type;
    if (section_uid) {
        entry.has_section_uid = true;
        memcpy(entry.section_uid, section_uid, sizeof(entry.section_uid));
    }
    entry.shutdown = shutdown;
    entry.profile_order = PROVIDER_NOT_IN_PROFILE;
    entry.registration = ++table->last_registration;
    entry.cookie = next_cookie(table);

    at = table->count;
    while (at > 0 && provider_precedes(&entry, &table->items[at - 1]))
        at--;
    memmove(&table->items[at + 1], &table->items[at], (table->count - at) * sizeof(entry));
    table->items[at] = entry;
    table->count++;
    *cookie = entry.cookie;
    return SHUT_S_OK;
}

int32_t provider_table_remove(struct provider_table *table, uint32_t cookie, struct provider *removed)
{
    for (size_t i = 0; i < table->count; i++) {
        if (table->items[i].cookie != cookie)
            continue;
        *removed = table->items[i];
        memmove(&table->items[i], &table->items[i + 1],
                (table->count - i - 1) * sizeof(table->items[i]));
        table->count--;
        return SHUT_S_OK;
    }
    return SHUT_E_INVALIDARG;
}

void provider_table_sort(struct provider_table *table)
{
    /* Insertion sort: the table is short, nearly sorted, and this runs at
     * attach time only. */
    for (size_t i = 1; i < table->count; i++) {
        struct provider entry = table->items[i];
        size_t at = i;

        while (at > 0 && provider_precedes(&entry, &table->items[at - 1])) {
            table->items[at] = table->items[at - 1];
            at--;
        }
        table->items[at] = entry;
    }
}
