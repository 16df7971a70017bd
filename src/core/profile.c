#include "profile.h"
#include "dll_name.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* Property tags, as their value names spell them: type first, then id. */
#define TAG(type, id) (((uint32_t)(type) << 16) | (uint32_t)(id))
#define PT_LONG    0x0003u
#define PT_STRING8 0x001eu
#define PT_UNICODE 0x001fu
#define PT_BINARY  0x0102u

enum property {
    P_RESOURCE_TYPE,
    P_DLL_NAME_W, P_DLL_NAME_A,
    P_PROVIDER_DISPLAY_W, P_PROVIDER_DISPLAY_A,
    P_DISPLAY_NAME_W, P_DISPLAY_NAME_A,
    P_SERVICE_UID,
    P_SERVICES,
    P_STORE_PROVIDERS, P_AB_PROVIDERS, P_TRANSPORT_PROVIDERS,
    P_COUNT
};

static const uint32_t property_tags[P_COUNT] = {
    [P_RESOURCE_TYPE]        = TAG(PT_LONG, 0x3e03),
    [P_DLL_NAME_W]           = TAG(PT_UNICODE, 0x300a),
    [P_DLL_NAME_A]           = TAG(PT_STRING8, 0x300a),
    [P_PROVIDER_DISPLAY_W]   = TAG(PT_UNICODE, 0x3006),
    [P_PROVIDER_DISPLAY_A]   = TAG(PT_STRING8, 0x3006),
    [P_DISPLAY_NAME_W]       = TAG(PT_UNICODE, 0x3001),
    [P_DISPLAY_NAME_A]       = TAG(PT_STRING8, 0x3001),
    [P_SERVICE_UID]          = TAG(PT_BINARY, 0x3d0c),
    [P_SERVICES]             = TAG(PT_BINARY, 0x3d0e),
    [P_STORE_PROVIDERS]      = TAG(PT_BINARY, 0x3d00),
    [P_AB_PROVIDERS]         = TAG(PT_BINARY, 0x3d01),
    [P_TRANSPORT_PROVIDERS]  = TAG(PT_BINARY, 0x3d02),
};

/* MAPI's services section: the profile's message services, in order. */
static const uint8_t services_section_uid[PROFILE_UID_SIZE] = {
    0x92, 0x07, 0xf3, 0xe0, 0xa3, 0xb1, 0x10, 0x19, 0x90, 0x8b, 0x08, 0x00, 0x2b, 0x2a, 0x56, 0xc2
};

const char *profile_problem_text(enum profile_problem_kind kind)
{
    switch (kind) {
    case PROFILE_BAD_SECTION_NAME:   return "section name is not 32 hexadecimal digits";
    case PROFILE_DUPLICATE_SECTION:  return "section appears twice";
    case PROFILE_BAD_RESOURCE_TYPE:  return "PR_RESOURCE_TYPE is malformed";
    case PROFILE_MISSING_DLL_NAME:   return "provider has no PR_PROVIDER_DLL_NAME";
    case PROFILE_BAD_DLL_NAME:       return "PR_PROVIDER_DLL_NAME is malformed";
    case PROFILE_UNSAFE_DLL_NAME:    return "PR_PROVIDER_DLL_NAME is a path or not a file name";
    case PROFILE_BAD_UID_LIST:       return "a provider or service list is not a whole number of UIDs";
    case PROFILE_LISTED_BUT_MISSING: return "listed provider has no usable section";
    case PROFILE_TOO_MANY_SECTIONS:  return "too many sections: the rest were not read";
    case PROFILE_SECTION_UNREADABLE: return "section could not be read";
    case PROFILE_VALUE_UNREADABLE:   return "a property could not be read";
    case PROFILE_LISTS_TOO_LONG:     return "provider lists too long: the rest were not followed";
    case PROFILE_MORE_MISSING:       return "more listed providers have no usable section";
    }
    return "?";
}

static int hex_digit(uint16_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t profile_property_count(void)
{
    return P_COUNT;
}

void profile_property_name(size_t index, uint16_t name[9])
{
    static const char digits[] = "0123456789abcdef";
    uint32_t tag = index < P_COUNT ? property_tags[index] : 0;

    for (int i = 0; i < 8; i++)
        name[i] = (uint16_t)digits[(tag >> (28 - 4 * i)) & 15];
    name[8] = 0;
}

bool profile_property_is_list(size_t index)
{
    return index >= P_SERVICES && index <= P_TRANSPORT_PROVIDERS;
}

bool profile_parse_uid(const uint16_t *name, size_t length, uint8_t uid[PROFILE_UID_SIZE])
{
    if (length != 2 * PROFILE_UID_SIZE)
        return false;
    for (size_t i = 0; i < PROFILE_UID_SIZE; i++) {
        int high = hex_digit(name[2 * i]), low = hex_digit(name[2 * i + 1]);

        if (high < 0 || low < 0)
            return false;
        uid[i] = (uint8_t)(high << 4 | low);
    }
    return true;
}

/* A value name of exactly 8 hex digits, to its property tag. */
static bool parse_tag(const uint16_t *name, size_t length, uint32_t *tag)
{
    *tag = 0;
    if (length != 8)
        return false;
    for (size_t i = 0; i < 8; i++) {
        int digit = hex_digit(name[i]);

        if (digit < 0)
            return false;
        *tag = *tag << 4 | (uint32_t)digit;
    }
    return true;
}

/* --- one section ------------------------------------------------------------ */

struct section {
    bool usable;                       /* its name is a UID, and not a duplicate */
    uint8_t uid[PROFILE_UID_SIZE];
    const struct profile_value *property[P_COUNT];
    bool is_provider;                  /* a well-formed provider section of a type we forward to */
    bool taken;                        /* already placed in the output */
    bool unreadable;                   /* it, or a property of it, could not be read */
    bool lists_followed;               /* a service's lists, followed once however often it is listed */
    struct profile_provider provider;
};

enum string_status { STRING_ABSENT, STRING_OK, STRING_MALFORMED };

static bool type_is_binary(const struct profile_value *v)
{
    return v->reg_type == PROFILE_REG_BINARY;
}

/* UTF-16LE bytes, up to the first NUL or the end (a missing terminator is
 * tolerated, an odd length is not). Longer than max units: malformed. */
static enum string_status decode_unicode(const struct profile_value *v, uint16_t *out, size_t max)
{
    size_t units = 0;

    if (!type_is_binary(v) || v->size % 2)
        return STRING_MALFORMED;
    for (size_t i = 0; i + 1 < v->size; i += 2) {
        uint16_t c = (uint16_t)(v->data[i] | v->data[i + 1] << 8);

        if (!c)
            break;
        if (units == max)
            return STRING_MALFORMED;
        out[units++] = c;
    }
    out[units] = 0;
    return STRING_OK;
}

/* 8-bit bytes up to the first NUL or the end. The system code page is not
 * known here: bytes above 0x7f become '?', and mark the result not ASCII. */
static enum string_status decode_string8(const struct profile_value *v, uint16_t *out, size_t max,
                                         bool *ascii)
{
    size_t units = 0;

    *ascii = true;
    if (!type_is_binary(v))
        return STRING_MALFORMED;
    for (size_t i = 0; i < v->size && v->data[i]; i++) {
        if (units == max)
            return STRING_MALFORMED;
        if (v->data[i] > 0x7f)
            *ascii = false;
        out[units++] = v->data[i] > 0x7f ? '?' : v->data[i];
    }
    out[units] = 0;
    return STRING_OK;
}

/* The Unicode form when it is well-formed, else the 8-bit one. */
static enum string_status decode_string(const struct section *s, enum property unicode,
                                        enum property string8, uint16_t *out, size_t max,
                                        bool *ascii)
{
    enum string_status status = STRING_ABSENT;

    *ascii = true;
    out[0] = 0;
    if (s->property[unicode]) {
        status = decode_unicode(s->property[unicode], out, max);
        if (status == STRING_OK)
            return status;
    }
    if (s->property[string8])
        status = decode_string8(s->property[string8], out, max, ascii);
    return status;
}

static bool decode_long(const struct profile_value *v, uint32_t *number)
{
    if ((v->reg_type != PROFILE_REG_BINARY && v->reg_type != PROFILE_REG_DWORD) || v->size != 4)
        return false;
    *number = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 | (uint32_t)v->data[2] << 16 |
              (uint32_t)v->data[3] << 24;
    return true;
}

static struct profile_problem *add_problem(struct profile *p, enum profile_problem_kind kind,
                                          const uint8_t *uid, const uint16_t *name, size_t name_length)
{
    struct profile_problem *problem = &p->problems[p->problem_count++];

    memset(problem, 0, sizeof(*problem));
    problem->kind = kind;
    if (uid) {
        problem->has_uid = true;
        memcpy(problem->uid, uid, PROFILE_UID_SIZE);
    }
    for (size_t i = 0; name && i < name_length && i + 1 < sizeof(problem->name) / sizeof(problem->name[0]); i++)
        problem->name[i] = name[i] ? name[i] : '?';
    return problem;
}

static bool uid_list_ok(const struct profile_value *v)
{
    return !v || (type_is_binary(v) && v->size % PROFILE_UID_SIZE == 0);
}

/* Reads one section's properties; decides whether it is a provider we can use.
 * A property the reader could not get is reported, and leaves the section
 * "unreadable" unless it decodes as a provider all the same. */
static void decode_section(const struct profile_section_input *in, struct section *s, struct profile *p,
                           bool *over_budget)
{
    struct profile_provider *provider = &s->provider;
    enum string_status status;
    uint32_t type;
    bool ascii;

    for (size_t i = 0; i < in->value_count; i++) {
        const struct profile_value *v = &in->values[i];
        uint32_t tag;

        if (!parse_tag(v->name, v->name_length, &tag))
            continue; /* not a property: someone else's value */
        if (v->reg_type == PROFILE_REG_UNREADABLE) {
            add_problem(p, PROFILE_VALUE_UNREADABLE, s->uid, v->name, v->name_length)->error = v->read_error;
            s->unreadable = true;
            continue;
        }
        if (v->reg_type == PROFILE_REG_OVER_BUDGET) {
            *over_budget = true;
            continue;
        }
        for (unsigned k = 0; k < P_COUNT; k++)
            if (property_tags[k] == tag && !s->property[k])
                s->property[k] = v;
    }

    for (unsigned k = P_SERVICES; k <= P_TRANSPORT_PROVIDERS; k++) {
        if (!uid_list_ok(s->property[k])) {
            add_problem(p, PROFILE_BAD_UID_LIST, s->uid, NULL, 0);
            s->property[k] = NULL;
        }
    }

    if (!s->property[P_RESOURCE_TYPE])
        return; /* a service or another kind of section */
    if (!decode_long(s->property[P_RESOURCE_TYPE], &type)) {
        add_problem(p, PROFILE_BAD_RESOURCE_TYPE, s->uid, NULL, 0);
        return;
    }
    if (type != 33 && type != 35 && type != 36)
        return; /* a spooler hook, a profile provider...: not ours to tell */

    status = decode_string(s, P_DLL_NAME_W, P_DLL_NAME_A, provider->dll_name, PROFILE_DLL_NAME_MAX, &ascii);
    if (status == STRING_ABSENT) {
        add_problem(p, PROFILE_MISSING_DLL_NAME, s->uid, NULL, 0);
        return;
    }
    if (status == STRING_MALFORMED || !ascii || !provider->dll_name[0]) {
        add_problem(p, PROFILE_BAD_DLL_NAME, s->uid, NULL, 0);
        return;
    }
    if (!dll_name_is_safe(provider->dll_name) ||
        !dll_file_name(provider->dll_name, provider->dll_file,
                               sizeof(provider->dll_file) / sizeof(provider->dll_file[0]))) {
        add_problem(p, PROFILE_UNSAFE_DLL_NAME, s->uid, NULL, 0);
        return;
    }

    if (decode_string(s, P_PROVIDER_DISPLAY_W, P_PROVIDER_DISPLAY_A, provider->display_name,
                      PROFILE_DISPLAY_MAX, &ascii) != STRING_OK || !provider->display_name[0])
        decode_string(s, P_DISPLAY_NAME_W, P_DISPLAY_NAME_A, provider->display_name,
                      PROFILE_DISPLAY_MAX, &ascii);
    if (s->property[P_SERVICE_UID] && type_is_binary(s->property[P_SERVICE_UID]) &&
        s->property[P_SERVICE_UID]->size == PROFILE_UID_SIZE) {
        provider->has_service_uid = true;
        memcpy(provider->service_uid, s->property[P_SERVICE_UID]->data, PROFILE_UID_SIZE);
    }
    memcpy(provider->section_uid, s->uid, PROFILE_UID_SIZE);
    provider->resource_type = type;
    s->is_provider = true;
}

/* --- the whole profile ---------------------------------------------------------- */

/* Lists may name the same missing UID many times: report each at most once,
 * and at most this many; the entries past them are counted in one problem. */
#define MISSING_REPORTED_MAX 64

struct builder {
    struct section *sections;
    struct section **index;            /* usable sections, sorted by UID */
    size_t indexed;
    struct profile *profile;
    size_t missing_reported;
    uint8_t missing[MISSING_REPORTED_MAX][PROFILE_UID_SIZE];
    uint32_t missing_left_out;         /* list entries naming other missing sections (repeats counted) */
    size_t list_entries;               /* followed so far, of PROFILE_LIST_ENTRIES_MAX */
    bool lists_too_long;
};

static int compare_by_uid(const void *a, const void *b)
{
    const struct section *x = *(const struct section *const *)a, *y = *(const struct section *const *)b;
    int order = memcmp(x->uid, y->uid, PROFILE_UID_SIZE);

    /* Equal UIDs keep their input order, so that the first one wins. */
    return order ? order : (x < y ? -1 : x > y);
}

static int compare_key(const void *key, const void *element)
{
    return memcmp(key, (*(const struct section *const *)element)->uid, PROFILE_UID_SIZE);
}

static struct section *find_section(struct builder *b, const uint8_t *uid)
{
    struct section **found = bsearch(uid, b->index, b->indexed, sizeof(*b->index), compare_key);

    return found ? *found : NULL;
}

static void report_missing(struct builder *b, const uint8_t *uid)
{
    for (size_t i = 0; i < b->missing_reported; i++)
        if (!memcmp(b->missing[i], uid, PROFILE_UID_SIZE))
            return;
    if (b->missing_reported == MISSING_REPORTED_MAX) {
        b->missing_left_out++;
        return;
    }
    memcpy(b->missing[b->missing_reported++], uid, PROFILE_UID_SIZE);
    add_problem(b->profile, PROFILE_LISTED_BUT_MISSING, uid, NULL, 0);
}

static void take(struct builder *b, struct section *s, bool listed)
{
    struct profile *p = b->profile;

    s->taken = true;
    p->providers[p->provider_count] = s->provider;
    p->providers[p->provider_count].listed = listed;
    p->provider_count++;
}

/* Whether one more list entry may be followed: the work of a crafted profile
 * is bounded, and what is left over is reported, not dropped. */
static bool list_budget(struct builder *b)
{
    if (b->list_entries < PROFILE_LIST_ENTRIES_MAX) {
        b->list_entries++;
        return true;
    }
    b->lists_too_long = true;
    return false;
}

/* Places every provider a UID list names, in the list's order. */
static void take_list(struct builder *b, const struct profile_value *list)
{
    if (!list)
        return;
    for (size_t at = 0; at + PROFILE_UID_SIZE <= list->size && list_budget(b); at += PROFILE_UID_SIZE) {
        struct section *s = find_section(b, list->data + at);

        if (!s || !s->is_provider)
            report_missing(b, list->data + at);
        else if (!s->taken)
            take(b, s, true);
    }
}

static void take_provider_lists(struct builder *b, struct section *s)
{
    /* A service listed many times is followed once. */
    if (s->lists_followed)
        return;
    s->lists_followed = true;
    take_list(b, s->property[P_TRANSPORT_PROVIDERS]);
    take_list(b, s->property[P_AB_PROVIDERS]);
    take_list(b, s->property[P_STORE_PROVIDERS]);
}

/* Sorts the sections by UID; of several with one UID, the first stays. */
static void build_index(struct builder *b, size_t count)
{
    size_t candidates = 0;

    for (size_t i = 0; i < count; i++)
        if (b->sections[i].usable)
            b->index[candidates++] = &b->sections[i];
    qsort(b->index, candidates, sizeof(*b->index), compare_by_uid);
    for (size_t i = 0; i < candidates; i++) {
        if (b->indexed && !memcmp(b->index[b->indexed - 1]->uid, b->index[i]->uid, PROFILE_UID_SIZE)) {
            b->index[i]->usable = false;
            add_problem(b->profile, PROFILE_DUPLICATE_SECTION, b->index[i]->uid, NULL, 0);
            continue;
        }
        b->index[b->indexed++] = b->index[i];
    }
}

int32_t profile_build(const struct profile_section_input *sections, size_t count,
                      struct profile *profile)
{
    struct builder b;
    struct section *services;
    size_t problems_max;
    bool truncated = count > PROFILE_SECTIONS_MAX, over_budget = false;

    memset(&b, 0, sizeof(b));
    memset(profile, 0, sizeof(*profile));
    if (truncated)
        count = PROFILE_SECTIONS_MAX;
    /* Per section at most 5 problems (4 lists, and a name, a duplicate, an
     * unreadable section or a provider problem) plus one per unreadable
     * property; the missing ones and those left out, the truncation, the
     * lists too long. */
    problems_max = 5 * count + MISSING_REPORTED_MAX + 3;
    for (size_t i = 0; i < count; i++)
        problems_max += sections[i].value_count;

    b.sections = calloc(count ? count : 1, sizeof(*b.sections));
    b.index = calloc(count ? count : 1, sizeof(*b.index));
    profile->providers = calloc(count ? count : 1, sizeof(*profile->providers));
    profile->unreadable = calloc(count ? count : 1, sizeof(*profile->unreadable));
    profile->problems = calloc(problems_max, sizeof(*profile->problems));
    if (!b.sections || !b.index || !profile->providers || !profile->unreadable || !profile->problems) {
        free(b.sections);
        free(b.index);
        profile_free(profile);
        return SHUT_E_OUTOFMEMORY;
    }
    b.profile = profile;

    for (size_t i = 0; i < count; i++) {
        if (profile_parse_uid(sections[i].name, sections[i].name_length, b.sections[i].uid))
            b.sections[i].usable = true;
        else
            add_problem(profile, PROFILE_BAD_SECTION_NAME, NULL, sections[i].name, sections[i].name_length);
    }
    build_index(&b, count);
    for (size_t i = 0; i < count; i++) {
        struct section *s = &b.sections[i];

        if (!s->usable)
            continue;
        if (sections[i].read_error) {
            add_problem(profile, PROFILE_SECTION_UNREADABLE, s->uid, NULL, 0)->error = sections[i].read_error;
            s->unreadable = true;
        } else {
            decode_section(&sections[i], s, profile, &over_budget);
        }
        /* What it is cannot be told: a provider, maybe. */
        if (s->unreadable && !s->is_provider)
            memcpy(profile->unreadable[profile->unreadable_count++], s->uid, PROFILE_UID_SIZE);
    }

    /* The per-service lists, in the profile's service order, decide... */
    services = find_section(&b, services_section_uid);
    if (services && services->property[P_SERVICES]) {
        const struct profile_value *list = services->property[P_SERVICES];

        for (size_t at = 0; at + PROFILE_UID_SIZE <= list->size && list_budget(&b); at += PROFILE_UID_SIZE) {
            struct section *service = find_section(&b, list->data + at);

            if (service && service != services)
                take_provider_lists(&b, service);
        }
    }
    /* ...the profile-wide lists order what they did not name... */
    if (services)
        take_provider_lists(&b, services);
    /* ...and providers listed nowhere come last, by section name: the order
     * Windows enumerates registry keys in, whatever order they came in here. */
    for (size_t i = 0; i < b.indexed; i++)
        if (b.index[i]->is_provider && !b.index[i]->taken)
            take(&b, b.index[i], false);

    if (b.missing_left_out)
        add_problem(profile, PROFILE_MORE_MISSING, NULL, NULL, 0)->count = b.missing_left_out;
    if (b.lists_too_long || over_budget)
        add_problem(profile, PROFILE_LISTS_TOO_LONG, NULL, NULL, 0);
    if (truncated)
        add_problem(profile, PROFILE_TOO_MANY_SECTIONS, NULL, NULL, 0);
    free(b.sections);
    free(b.index);
    return SHUT_S_OK;
}

void profile_free(struct profile *profile)
{
    free(profile->providers);
    free(profile->unreadable);
    free(profile->problems);
    memset(profile, 0, sizeof(*profile));
}
