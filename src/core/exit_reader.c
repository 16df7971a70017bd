#include "exit_reader.h"
#include "policy.h"
#include "provider_table.h"
#include "shutdown.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const size_t entry_sizes[] = {
    sizeof(struct exit_profile), sizeof(struct exit_provider), sizeof(struct exit_client_call),
    sizeof(struct exit_provider_call), sizeof(struct exit_event),
};
static const uint32_t capacities[] = {
    EXIT_PROFILES_MAX, EXIT_PROVIDERS_MAX, EXIT_CLIENT_CALLS_MAX, EXIT_PROVIDER_CALLS_MAX, EXIT_EVENTS_MAX,
};

static enum exit_file_status fail(struct exit_view *v, enum exit_file_status status, const char *problem)
{
    v->status = status;
    v->problem = problem;
    return status;
}

/* The header's array is where it says, inside the record, as large as this
 * reader's entries; *count and *left_out from its counter. */
static bool array_holds(const struct exit_array *a, size_t index, uint32_t record_size, const void **first,
                        uint32_t *count, uint32_t *left_out, const uint8_t *base)
{
    uint64_t end = (uint64_t)a->offset + (uint64_t)a->entry_size * a->capacity;

    if (a->entry_size != entry_sizes[index] || a->capacity != capacities[index] ||
        a->offset < sizeof(struct exit_header) || a->offset % 8 || end > record_size)
        return false;
    *first = base + a->offset;
    *count = a->reserved < a->capacity ? a->reserved : a->capacity;
    *left_out = a->reserved > a->capacity ? a->reserved - a->capacity : 0;
    return true;
}

/* The checks that need only the header. */
static bool header_holds(struct exit_view *v, const struct exit_header *h, size_t size)
{
    memset(v, 0, sizeof(*v));
    if (size < sizeof(h->magic) + sizeof(h->version)) {
        fail(v, EXIT_FILE_DAMAGED, "shorter than a record's header");
        return false;
    }
    if (memcmp(h->magic, EXIT_RECORD_MAGIC, sizeof(h->magic))) {
        /* A file created but not written yet is all zeroes. */
        bool zero = true;

        for (size_t i = 0; i < sizeof(h->magic) && zero; i++)
            zero = !h->magic[i];
        fail(v, zero ? EXIT_FILE_INCOMPLETE : EXIT_FILE_DAMAGED, zero ? "its header was never written"
                                                                      : "not an exit record");
        return false;
    }
    if (h->version != EXIT_RECORD_VERSION) {
        fail(v, EXIT_FILE_OTHER_VERSION, "a record of another version");
        return false;
    }
    if (size < sizeof(*h) || h->header_size != sizeof(*h)) {
        fail(v, EXIT_FILE_DAMAGED, "its header is cut short or of another size");
        return false;
    }
    if (!__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE)) {
        fail(v, EXIT_FILE_INCOMPLETE, "its creation was cut short");
        return false;
    }
    return true;
}

const struct exit_header *exit_header_of(const void *bytes, size_t size)
{
    struct exit_view v;

    return header_holds(&v, bytes, size) ? bytes : NULL;
}

void exit_view_open(struct exit_view *v, const void *bytes, size_t size)
{
    const struct exit_header *h = bytes;
    const uint8_t *base = bytes;
    const void *first[5];
    const struct exit_array *a[5];
    uint32_t *counts[5], *left[5];

    if (!header_holds(v, h, size))
        return;
    if (h->record_size > size) {
        fail(v, EXIT_FILE_DAMAGED, "the file is shorter than the record it holds");
        return;
    }
    if (h->record_size != exit_record_size() || size != h->record_size) {
        fail(v, EXIT_FILE_DAMAGED, "its size is not a record's of its version");
        return;
    }
    a[0] = &h->profiles, a[1] = &h->providers, a[2] = &h->client_calls, a[3] = &h->provider_calls, a[4] = &h->events;
    counts[0] = &v->profile_count, counts[1] = &v->provider_count, counts[2] = &v->client_call_count;
    counts[3] = &v->call_count, counts[4] = &v->event_count;
    left[0] = &v->profiles_left_out, left[1] = &v->providers_left_out, left[2] = &v->client_calls_left_out;
    left[3] = &v->calls_left_out, left[4] = &v->events_left_out;
    for (size_t i = 0; i < 5; i++) {
        if (!array_holds(a[i], i, h->record_size, &first[i], counts[i], left[i], base)) {
            fail(v, EXIT_FILE_DAMAGED, "an array of the record lies outside it");
            return;
        }
    }
    v->profiles = first[0];
    v->providers = first[1];
    v->client_calls = first[2];
    v->calls = first[3];
    v->events = first[4];
    v->header = h;
    v->status = EXIT_FILE_OK;
}

const struct exit_provider *exit_view_provider(const struct exit_view *v, uint32_t slot)
{
    if (slot >= v->provider_count || v->providers[slot].state != EXIT_ENTRY_DONE)
        return NULL;
    return &v->providers[slot];
}

uint32_t exit_ms(uint64_t us)
{
    uint64_t ms = (us + 999) / 1000;

    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* --- verdicts ---------------------------------------------------------------------- */

static bool last_answer_refused(const struct exit_header *h)
{
    return h->evaluations && SHUT_FAILED(h->last_answer);
}

enum exit_verdict exit_verdict(const struct exit_view *v, bool process_alive)
{
    const struct exit_header *h = v->header;

    if (process_alive)
        return VERDICT_RUNNING;
    if (h->phase == EXIT_PHASE_DONE)
        return VERDICT_FAST;
    if (last_answer_refused(h))
        return VERDICT_REFUSED;
    if (!h->providers_registered)
        return VERDICT_NORMAL;
    return VERDICT_ENDED_WITHOUT_SHUTDOWN;
}

const char *exit_verdict_name(enum exit_verdict verdict)
{
    switch (verdict) {
    case VERDICT_RUNNING:                return "running";
    case VERDICT_FAST:                   return "fast";
    case VERDICT_REFUSED:                return "refused";
    case VERDICT_NORMAL:                 return "normal";
    case VERDICT_ENDED_WITHOUT_SHUTDOWN: return "ended-without-shutdown";
    }
    return "?";
}

/* --- text ----------------------------------------------------------------------------- */

static bool is_control(uint32_t c)
{
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

void exit_text(const uint16_t *units, size_t max, char *text, size_t size)
{
    size_t out = 0;

    if (!size)
        return;
    for (size_t i = 0; i < max && units[i]; i++) {
        uint32_t c = units[i];
        char bytes[4];
        size_t n;

        if (c >= 0xd800 && c < 0xdc00 && i + 1 < max && units[i + 1] >= 0xdc00 && units[i + 1] < 0xe000)
            c = 0x10000 + ((c - 0xd800) << 10) + (units[++i] - 0xdc00u);
        else if (c >= 0xd800 && c < 0xe000)
            c = '?';                            /* a lone surrogate */
        if (is_control(c))
            c = '?';
        if (c < 0x80) {
            bytes[0] = (char)c, n = 1;
        } else if (c < 0x800) {
            bytes[0] = (char)(0xc0 | c >> 6), bytes[1] = (char)(0x80 | (c & 0x3f)), n = 2;
        } else if (c < 0x10000) {
            bytes[0] = (char)(0xe0 | c >> 12), bytes[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            bytes[2] = (char)(0x80 | (c & 0x3f)), n = 3;
        } else {
            bytes[0] = (char)(0xf0 | c >> 18), bytes[1] = (char)(0x80 | ((c >> 12) & 0x3f));
            bytes[2] = (char)(0x80 | ((c >> 6) & 0x3f)), bytes[3] = (char)(0x80 | (c & 0x3f)), n = 4;
        }
        if (out + n + 1 > size)
            break;
        memcpy(text + out, bytes, n);
        out += n;
    }
    text[out] = 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The last path component of the module. */
static void module_file(const struct exit_provider *p, char *text, size_t size)
{
    size_t from = 0;

    for (size_t i = 0; i < COUNT(p->who.module) && p->who.module[i]; i++)
        if (p->who.module[i] == '\\' || p->who.module[i] == '/')
            from = i + 1;
    exit_text(p->who.module + from, COUNT(p->who.module) - from, text, size);
}

void exit_provider_dll(const struct exit_provider *p, char *text, size_t size)
{
    if (p->who.dll_name[0])
        exit_text(p->who.dll_name, COUNT(p->who.dll_name), text, size);
    else
        module_file(p, text, size);
    if (!text[0])
        snprintf(text, size, "(unknown module)");
}

void exit_provider_name(const struct exit_provider *p, char *text, size_t size)
{
    if (p->who.display_name[0])
        exit_text(p->who.display_name, COUNT(p->who.display_name), text, size);
    else
        exit_provider_dll(p, text, size);
}

/* Appends to a text that is always NUL-terminated, however small. */
struct writer {
    char *text;
    size_t size, length;
};

static void add(struct writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(struct writer *w, const char *format, ...)
{
    va_list args;
    int n;

    if (w->length + 1 >= w->size)
        return;
    va_start(args, format);
    n = vsnprintf(w->text + w->length, w->size - w->length, format, args);
    va_end(args);
    if (n > 0)
        w->length += (size_t)n < w->size - w->length ? (size_t)n : w->size - w->length - 1;
}

/* "the store provider Personal Folders (mspst.dll)" */
static void add_provider(struct writer *w, const struct exit_view *v, uint32_t slot, uint32_t cookie,
                         uint32_t type)
{
    const struct exit_provider *p = exit_view_provider(v, slot);
    char name[160], dll[96];

    if (!p) {
        add(w, "the %s provider registered with cookie %u (its name did not fit the record)",
            provider_type_name(type), (unsigned)cookie);
        return;
    }
    exit_provider_name(p, name, sizeof(name));
    exit_provider_dll(p, dll, sizeof(dll));
    add(w, "the %s provider %s (%s)", provider_type_name(p->resource_type), name, dll);
}

static void add_place(struct writer *w, uint32_t place, uint32_t version)
{
    if (place >= POLICY_DEFAULT)
        return;
    add(w, " in the %s (Office %s)", policy_place_name((enum policy_place)place), policy_version_name(version));
}

/* One refusal of the last evaluation; false when the event is not one. */
static bool add_refusal(struct writer *w, const struct exit_view *v, const struct shutdown_event *e)
{
    const struct exit_setting_value *behavior = &v->header->settings[EXIT_BEHAVIOR];
    char dll[96];

    switch (e->kind) {
    case EVENT_POLICY_DISABLED:
        add(w, "FastShutdownBehavior is 2");
        add_place(w, behavior->place, behavior->version);
        return true;
    case EVENT_PROVIDER_OPTED_OUT:
        add_provider(w, v, e->provider, e->cookie, e->resource_type);
        add(w, " opted out: QueryFastShutdown returned 0x%08X", (unsigned)e->hr);
        return true;
    case EVENT_PROVIDER_UNREACHABLE:
        add(w, "FastShutdownBehavior is 1 and ");
        add_provider(w, v, e->provider, e->cookie, e->resource_type);
        add(w, " has no IMAPIProviderShutdown");
        return true;
    case EVENT_PROVIDER_TIMED_OUT:
    case EVENT_PROVIDER_CRASHED:
        if (e->call != PROVIDER_QUERY)
            return false;
        add_provider(w, v, e->provider, e->cookie, e->resource_type);
        add(w, e->kind == EVENT_PROVIDER_TIMED_OUT ? " did not answer QueryFastShutdown within ProviderTimeoutMs"
                                                  : " crashed in QueryFastShutdown");
        return true;
    case EVENT_PROVIDER_GONE_EARLIER:
        add_provider(w, v, e->provider, e->cookie, e->resource_type);
        add(w, " was abandoned earlier and cannot answer");
        return true;
    case EVENT_BEHAVIOR_REFUSES:
        add(w, "ProviderBehavior 1");
        add_place(w, e->place, e->version);
        add(w, " for ");
        if (e->cookie) {
            add_provider(w, v, e->provider, e->cookie, e->resource_type);
        } else {
            exit_text(e->name, COUNT(e->name), dll, sizeof(dll));
            add(w, "%s, loaded", dll);
        }
        return true;
    case EVENT_SECTION_UNREGISTERED:
        exit_text(e->name, COUNT(e->name), dll, sizeof(dll));
        add(w, "FastShutdownBehavior is 1 and the %s provider in %s is loaded but never registered",
            provider_type_name(e->resource_type), dll);
        return true;
    case EVENT_SECTION_UNREADABLE:
        add(w, "FastShutdownBehavior is 1 and a profile section that could not be read has no registered provider");
        return true;
    }
    return false;
}

static void add_refusals(struct writer *w, const struct exit_view *v)
{
    unsigned found = 0, more = 0;

    for (uint32_t i = 0; i < v->event_count; i++) {
        const struct exit_event *e = &v->events[i];
        struct writer probe = *w;

        if (e->state != EXIT_ENTRY_DONE || e->evaluation != v->header->evaluations)
            continue;
        if (found == 4) {
            /* Counted, not written: a report names the first few. */
            char scratch[2];
            struct writer none = { scratch, sizeof(scratch), 0 };

            more += add_refusal(&none, v, &e->event);
            continue;
        }
        if (found)
            add(&probe, "; ");
        if (add_refusal(&probe, v, &e->event)) {
            *w = probe;
            found++;
        }
    }
    if (!found)
        add(w, "QueryFastShutdown said no");
    if (more)
        add(w, "; and %u more", more);
    if (v->events_left_out)
        add(w, " (%u events did not fit the record)", (unsigned)v->events_left_out);
}

/* The providers registered when the process ended. */
static void add_registered(struct writer *w, const struct exit_view *v)
{
    unsigned named = 0;

    add(w, "%u provider%s still registered", (unsigned)v->header->providers_registered,
        v->header->providers_registered == 1 ? " was" : "s were");
    for (uint32_t i = 0; i < v->provider_count; i++) {
        const struct exit_provider *p = exit_view_provider(v, i);
        char name[160], dll[96];

        if (!p || p->flags & EXIT_PROVIDER_UNREGISTERED)
            continue;
        if (named == 8) {
            add(w, ", ...");
            break;
        }
        exit_provider_name(p, name, sizeof(name));
        exit_provider_dll(p, dll, sizeof(dll));
        add(w, "%s%s (%s)", named++ ? ", " : ": ", name, dll);
    }
}

/* A call the process was inside when it ended. */
static void add_unfinished(struct writer *w, const struct exit_view *v)
{
    static const char *const phases[] = { "", "QueryFastShutdown", "NotifyProcessShutdown", "DoFastShutdown" };
    uint32_t phase = v->header->phase;

    if (phase >= EXIT_PHASE_QUERY && phase <= EXIT_PHASE_DO_FAST)
        add(w, "; it ended inside %s", phases[phase]);
    for (uint32_t i = 0; i < v->call_count; i++) {
        const struct exit_provider_call *c = &v->calls[i];
        const struct exit_provider *p;

        if (c->state != EXIT_ENTRY_STARTED)
            continue;
        p = exit_view_provider(v, c->provider);
        add(w, ", in ");
        if (p)
            add_provider(w, v, c->provider, p->cookie, p->resource_type);
        else
            add(w, "a provider");
        add(w, "'s %s", provider_call_name((enum provider_call)(c->call <= PROVIDER_DO_FAST ? c->call : 0)));
        if (c->flags & EXIT_CALL_EXCEPTION_SEEN)
            add(w, " (exception 0x%08X)", (unsigned)c->exception);
    }
}

void exit_reason(const struct exit_view *v, enum exit_verdict verdict, char *text, size_t size)
{
    struct writer w = { text, size, 0 };

    if (!size)
        return;
    text[0] = 0;
    switch (verdict) {
    case VERDICT_RUNNING:
        add(&w, "process %u is still running", (unsigned)v->header->pid);
        break;
    case VERDICT_FAST:
        add(&w, "DoFastShutdown returned 0x%08X", (unsigned)v->header->do_fast_result);
        if (v->header->do_fast_result == SHUT_W_ERRORS_RETURNED)
            add(&w, ": a provider failed or was abandoned");
        break;
    case VERDICT_REFUSED:
        add_refusals(&w, v);
        if (v->header->providers_registered) {
            add(&w, "; ");
            add_registered(&w, v);
            add(&w, " when the process ended");
        }
        break;
    case VERDICT_NORMAL:
        add(&w, "every provider was unregistered before the process ended");
        break;
    case VERDICT_ENDED_WITHOUT_SHUTDOWN:
        add(&w, "the process ended without DoFastShutdown and without unregistering its providers: ");
        add_registered(&w, v);
        add(&w, ", and their unsaved data is at risk");
        add_unfinished(&w, v);
        break;
    }
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
    int64_t era, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doy = z - era * 146097;                                   /* day of era, for now */
    yoe = (doy - doy / 1460 + doy / 36524 - doy / 146096) / 365;
    doy = doy - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

void exit_time_text(uint64_t filetime, char *text, size_t size)
{
    /* 1601 to 1970: 11644473600 seconds. */
    int64_t seconds = (int64_t)(filetime / 10000000u) - INT64_C(11644473600), days, rest;
    unsigned month, day;
    int year;

    days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    rest = seconds - days * 86400;
    civil_from_days(days, &year, &month, &day);
    snprintf(text, size, "%04d-%02u-%02u %02u:%02u:%02u UTC", year, month, day, (unsigned)(rest / 3600),
             (unsigned)(rest / 60 % 60), (unsigned)(rest % 60));
}

/* --- Event Log items ----------------------------------------------------------------- */

static void item_begin(struct exit_item *item, enum exit_item_kind kind, const struct exit_view *v)
{
    item->kind = kind;
    item->count = 2;
    exit_text(v->header->image, COUNT(v->header->image), item->strings[0], EXIT_ITEM_TEXT);
    snprintf(item->strings[1], EXIT_ITEM_TEXT, "%u", (unsigned)v->header->pid);
}

static void item_add(struct exit_item *item, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void item_add(struct exit_item *item, const char *format, ...)
{
    va_list args;

    if (item->count == EXIT_ITEM_STRINGS)
        return;
    va_start(args, format);
    vsnprintf(item->strings[item->count++], EXIT_ITEM_TEXT, format, args);
    va_end(args);
}

static void item_add_provider(struct exit_item *item, const struct exit_view *v, const struct exit_provider_call *c)
{
    const struct exit_provider *p = exit_view_provider(v, c->provider);
    char name[EXIT_ITEM_TEXT], dll[EXIT_ITEM_TEXT];

    if (p) {
        exit_provider_name(p, name, sizeof(name));
        exit_provider_dll(p, dll, sizeof(dll));
    } else {
        snprintf(name, sizeof(name), "(a provider the record had no room to name)");
        snprintf(dll, sizeof(dll), "(unknown)");
    }
    item_add(item, "%s", p ? provider_type_name(p->resource_type) : "unknown");
    item_add(item, "%s", name);
    item_add(item, "%s", dll);
    item_add(item, "%s", provider_call_name((enum provider_call)(c->call <= PROVIDER_DO_FAST ? c->call : 0)));
}

/* A setting as the last evaluation read it, or its default. */
static uint32_t setting(const struct exit_view *v, enum exit_setting which, enum shutdown_setting as)
{
    const struct exit_setting_value *s = &v->header->settings[which];

    return s->read ? s->value : shutdown_setting_default(as);
}

void exit_items(const struct exit_view *v, enum exit_verdict verdict, struct exit_item *item,
                void (*report)(void *ctx, const struct exit_item *item), void *ctx)
{
    uint32_t warn_ms = setting(v, EXIT_WARN, SETTING_WARN), timeout_ms = setting(v, EXIT_TIMEOUT, SETTING_TIMEOUT);
    char start[64];

    exit_time_text(v->header->process_start, start, sizeof(start));
    if (verdict == VERDICT_REFUSED) {
        item_begin(item, ITEM_REFUSED, v);
        item_add(item, "%s", start);
        exit_reason(v, verdict, item->strings[item->count++], EXIT_ITEM_TEXT);
        report(ctx, item);
    }
    for (uint32_t i = 0; i < v->call_count; i++) {
        const struct exit_provider_call *c = &v->calls[i];

        if (c->state != EXIT_ENTRY_DONE)
            continue;
        if (c->outcome == OUTCOME_ABANDONED) {
            item_begin(item, ITEM_ABANDONED, v);
            item_add_provider(item, v, c);
            item_add(item, "%u", (unsigned)timeout_ms);
        } else if (c->outcome == OUTCOME_CRASHED) {
            item_begin(item, ITEM_CRASHED, v);
            item_add_provider(item, v, c);
            item_add(item, "0x%08X", (unsigned)c->exception);
        } else if (warn_ms && c->duration_us > (uint64_t)warn_ms * 1000) {
            item_begin(item, ITEM_SLOW, v);
            item_add_provider(item, v, c);
            item_add(item, "%u", (unsigned)exit_ms(c->duration_us));
            item_add(item, "%u", (unsigned)warn_ms);
        } else {
            continue;
        }
        report(ctx, item);
    }
    if (verdict == VERDICT_ENDED_WITHOUT_SHUTDOWN) {
        struct writer w;

        item_begin(item, ITEM_ENDED_WITHOUT_SHUTDOWN, v);
        item_add(item, "%s", start);
        item_add(item, "%u", (unsigned)v->header->providers_registered);
        w = (struct writer){ item->strings[item->count++], EXIT_ITEM_TEXT, 0 };
        add_registered(&w, v);
        add_unfinished(&w, v);
        report(ctx, item);
    }
}
