#include "exit_record.h"

#include <string.h>

/* The arrays follow the header, each entry size a multiple of 8. */
#define ALIGNED(size) (((size) + 7u) & ~(size_t)7u)

static const struct {
    size_t entry_size, capacity;
} layout[] = {
    { sizeof(struct exit_profile), EXIT_PROFILES_MAX },
    { sizeof(struct exit_provider), EXIT_PROVIDERS_MAX },
    { sizeof(struct exit_client_call), EXIT_CLIENT_CALLS_MAX },
    { sizeof(struct exit_provider_call), EXIT_PROVIDER_CALLS_MAX },
    { sizeof(struct exit_event), EXIT_EVENTS_MAX },
};

_Static_assert(sizeof(struct exit_header) % 8 == 0, "the arrays start aligned");
_Static_assert(sizeof(struct exit_provider) % 8 == 0 && sizeof(struct exit_provider_call) % 8 == 0 &&
               sizeof(struct exit_client_call) % 8 == 0 && sizeof(struct exit_event) % 8 == 0 &&
               sizeof(struct exit_profile) % 8 == 0, "every entry stays aligned");

size_t exit_record_size(void)
{
    size_t size = sizeof(struct exit_header);

    for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
        size += ALIGNED(layout[i].entry_size * layout[i].capacity);
    return size;
}

static struct exit_array *arrays(struct exit_header *h, size_t index)
{
    struct exit_array *all[] = { &h->profiles, &h->providers, &h->client_calls, &h->provider_calls, &h->events };

    return all[index];
}

void exit_record_format(void *memory, uint32_t pid, uint32_t pointer_bits, uint64_t process_start,
                        uint64_t created, uint64_t clock_base_us, const uint16_t *image)
{
    struct exit_header *h = memory;
    size_t offset = sizeof(*h), n = 0;

    memcpy(h->magic, EXIT_RECORD_MAGIC, sizeof(h->magic));
    h->version = EXIT_RECORD_VERSION;
    h->header_size = sizeof(*h);
    h->record_size = (uint32_t)exit_record_size();
    for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
        struct exit_array *a = arrays(h, i);

        a->offset = (uint32_t)offset;
        a->entry_size = (uint32_t)layout[i].entry_size;
        a->capacity = (uint32_t)layout[i].capacity;
        offset += ALIGNED(layout[i].entry_size * layout[i].capacity);
    }
    h->pid = pid;
    h->pointer_bits = pointer_bits;
    h->process_start = process_start;
    h->created = created;
    h->clock_base_us = clock_base_us;
    for (; image && image[n] && n + 1 < EXIT_IMAGE_MAX; n++)
        h->image[n] = image[n];
    h->image[n] = 0;
    __atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
}

/* An entry of the array, or NULL when the array is full: the counter goes
 * on, and how far it is past the capacity says how many were left out. */
static void *reserve(struct exit_record *r, struct exit_array *a, uint32_t *index)
{
    uint32_t at = __atomic_fetch_add(&a->reserved, 1, __ATOMIC_RELAXED);

    if (at >= a->capacity)
        return NULL;
    if (index)
        *index = at;
    return (uint8_t *)r->header + a->offset + (size_t)at * a->entry_size;
}

static void *entry(struct exit_record *r, struct exit_array *a, uint32_t index)
{
    if (!r || !r->header || index >= a->capacity)
        return NULL;
    return (uint8_t *)r->header + a->offset + (size_t)index * a->entry_size;
}

static void publish(uint32_t *state, uint32_t value)
{
    __atomic_store_n(state, value, __ATOMIC_RELEASE);
}

static uint64_t since_base(const struct exit_record *r, uint64_t now_us)
{
    return now_us >= r->header->clock_base_us ? now_us - r->header->clock_base_us : 0;
}

/* A clock read on another processor may lag a little: never negative. */
static uint64_t duration_since(const struct exit_record *r, uint64_t start_us, uint64_t now_us)
{
    uint64_t end_us = since_base(r, now_us);

    return end_us > start_us ? end_us - start_us : 0;
}

uint32_t exit_record_provider(struct exit_record *r, uint32_t cookie, uint32_t resource_type,
                              const uint8_t *section_uid, bool has_interface, uint64_t now_us,
                              const struct provider_identity *who)
{
    struct exit_provider *p;
    uint32_t slot;

    if (!r || !r->header || !(p = reserve(r, &r->header->providers, &slot)))
        return EXIT_NO_PROVIDER;
    p->cookie = cookie;
    p->resource_type = resource_type;
    p->flags = (section_uid ? EXIT_PROVIDER_HAS_SECTION : 0) | (has_interface ? EXIT_PROVIDER_HAS_INTERFACE : 0);
    if (section_uid)
        memcpy(p->section_uid, section_uid, sizeof(p->section_uid));
    p->registered_us = since_base(r, now_us);
    p->who = *who;
    publish(&p->state, EXIT_ENTRY_DONE);
    return slot;
}

void exit_record_provider_named(struct exit_record *r, uint32_t slot, const struct provider_identity *who)
{
    struct exit_provider *p = r && r->header ? entry(r, &r->header->providers, slot) : NULL;

    /* Field by field: a reader may look at any moment, and a half-copied
     * name is still a name, NUL-terminated by the array's last unit. */
    if (!p)
        return;
    memcpy(p->who.display_name, who->display_name, sizeof(p->who.display_name));
    memcpy(p->who.dll_name, who->dll_name, sizeof(p->who.dll_name));
}

void exit_record_provider_behavior(struct exit_record *r, uint32_t slot, uint32_t behavior, uint32_t place)
{
    struct exit_provider *p = r && r->header ? entry(r, &r->header->providers, slot) : NULL;

    if (p) {
        p->behavior = behavior;
        p->behavior_place = place;
    }
}

void exit_record_provider_flag(struct exit_record *r, uint32_t slot, uint32_t flag)
{
    struct exit_provider *p = r && r->header ? entry(r, &r->header->providers, slot) : NULL;

    if (p)
        __atomic_fetch_or(&p->flags, flag, __ATOMIC_RELAXED);
}

void exit_record_provider_gone(struct exit_record *r, uint32_t slot, uint64_t now_us)
{
    struct exit_provider *p = r && r->header ? entry(r, &r->header->providers, slot) : NULL;

    if (!p)
        return;
    p->unregistered_us = since_base(r, now_us);
    __atomic_fetch_or(&p->flags, EXIT_PROVIDER_UNREGISTERED, __ATOMIC_RELEASE);
}

void exit_record_registered(struct exit_record *r, uint32_t registered_now)
{
    if (r && r->header)
        __atomic_store_n(&r->header->providers_registered, registered_now, __ATOMIC_RELEASE);
}

void exit_record_profile(struct exit_record *r, const uint16_t *name, uint32_t providers, uint32_t problems,
                         uint64_t now_us)
{
    struct exit_profile *p;
    size_t n = 0;

    if (!r || !r->header || !(p = reserve(r, &r->header->profiles, NULL)))
        return;
    p->providers = providers;
    p->problems = problems;
    p->attached_us = since_base(r, now_us);
    for (; name && name[n] && n + 1 < EXIT_PROFILE_NAME_MAX; n++)
        p->name[n] = name[n];
    publish(&p->state, EXIT_ENTRY_DONE);
}

uint32_t exit_record_client_start(struct exit_record *r, enum client_call call, uint32_t thread,
                                  uint64_t now_us)
{
    struct exit_client_call *c;
    uint32_t index;

    if (!r || !r->header || !(c = reserve(r, &r->header->client_calls, &index)))
        return UINT32_MAX;
    c->call = call;
    c->thread = thread;
    c->start_us = since_base(r, now_us);
    publish(&c->state, EXIT_ENTRY_STARTED);
    return index;
}

void exit_record_client_done(struct exit_record *r, uint32_t index, int32_t result, uint64_t now_us)
{
    struct exit_client_call *c = r && r->header ? entry(r, &r->header->client_calls, index) : NULL;

    if (!c)
        return;
    c->result = result;
    c->duration_us = duration_since(r, c->start_us, now_us);
    publish(&c->state, EXIT_ENTRY_DONE);
}

bool exit_record_has_call_room(const struct exit_record *r)
{
    const struct exit_array *a;

    if (!r || !r->header)
        return false;
    a = &r->header->provider_calls;
    return __atomic_load_n(&a->reserved, __ATOMIC_RELAXED) < a->capacity;
}

uint32_t exit_record_call_start(struct exit_record *r, uint32_t slot, uint32_t call, uint32_t client_entry,
                                uint64_t now_us)
{
    struct exit_provider_call *c;
    uint32_t index;

    if (!r || !r->header || !(c = reserve(r, &r->header->provider_calls, &index)))
        return UINT32_MAX;
    c->provider = slot;
    c->call = call;
    c->client_call = client_entry;
    c->start_us = since_base(r, now_us);
    publish(&c->state, EXIT_ENTRY_STARTED);
    return index;
}

void exit_record_call_done(struct exit_record *r, uint32_t index, int32_t result, enum exit_outcome outcome,
                           uint32_t flags, uint32_t exception, uint64_t now_us)
{
    struct exit_provider_call *c = r && r->header ? entry(r, &r->header->provider_calls, index) : NULL;

    if (!c)
        return;
    c->result = result;
    c->outcome = outcome;
    /* Merged with what the exception handler noted inside the call. */
    if (flags)
        __atomic_fetch_or(&c->flags, flags, __ATOMIC_RELAXED);
    if (exception)
        c->exception = exception;
    c->duration_us = duration_since(r, c->start_us, now_us);
    publish(&c->state, EXIT_ENTRY_DONE);
}

void exit_record_call_exception(struct exit_record *r, uint32_t index, uint32_t code)
{
    struct exit_provider_call *c = r && r->header ? entry(r, &r->header->provider_calls, index) : NULL;

    if (!c)
        return;
    c->exception = code;
    __atomic_fetch_or(&c->flags, EXIT_CALL_EXCEPTION_SEEN, __ATOMIC_RELEASE);
}

void exit_record_setting(struct exit_record *r, enum exit_setting setting, uint32_t value, uint32_t place,
                         uint32_t version)
{
    struct exit_setting_value *s;

    if (!r || !r->header || setting >= EXIT_SETTINGS)
        return;
    s = &r->header->settings[setting];
    s->value = value;
    s->place = place;
    s->version = version;
    __atomic_store_n(&s->read, 1, __ATOMIC_RELEASE);
}

uint32_t exit_record_evaluation(struct exit_record *r)
{
    if (!r || !r->header)
        return 0;
    /* Killed before this one answers, the process refused nothing by it. */
    __atomic_store_n(&r->header->last_answer, EXIT_NO_ANSWER, __ATOMIC_RELAXED);
    return __atomic_add_fetch(&r->header->evaluations, 1, __ATOMIC_RELEASE);
}

void exit_record_answer(struct exit_record *r, int32_t answer)
{
    if (r && r->header)
        __atomic_store_n(&r->header->last_answer, answer, __ATOMIC_RELEASE);
}

void exit_record_event(struct exit_record *r, uint32_t evaluation, const struct shutdown_event *event)
{
    struct exit_event *e;

    if (!r || !r->header || !(e = reserve(r, &r->header->events, NULL)))
        return;
    e->evaluation = evaluation;
    e->event = *event;
    publish(&e->state, EXIT_ENTRY_DONE);
}

void exit_record_phase(struct exit_record *r, enum exit_phase phase)
{
    if (r && r->header)
        __atomic_store_n(&r->header->phase, phase, __ATOMIC_RELEASE);
}

void exit_record_done(struct exit_record *r, int32_t result)
{
    if (!r || !r->header)
        return;
    r->header->do_fast_result = result;
    __atomic_store_n(&r->header->phase, EXIT_PHASE_DONE, __ATOMIC_RELEASE);
}

void exit_record_lost(struct exit_record *r, uint32_t count)
{
    if (r && r->header && count)
        __atomic_fetch_add(&r->header->diagnostics_lost, count, __ATOMIC_RELAXED);
}
