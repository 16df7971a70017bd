/* The diagnostics: every text the subsystem sends to the debug output. */
#include "module.h"
#include "core/policy.h"
#include "core/profile.h"
#include "core/provider_table.h"

#include <stdarg.h>
#include <stdio.h>

void diag(const WCHAR *format, ...)
{
    WCHAR line[512];
    int prefix, written;
    va_list args;

    prefix = _snwprintf(line, ARRAYSIZE(line), L"mapishut: ");
    va_start(args, format);
    written = _vsnwprintf(line + prefix, ARRAYSIZE(line) - prefix - 2, format, args);
    va_end(args);
    if (written < 0)
        written = ARRAYSIZE(line) - prefix - 2; /* truncated: keep what fits */
    line[prefix + written] = L'\n';
    line[prefix + written + 1] = 0;
    OutputDebugStringW(line);
}

void widen(const char *ascii, WCHAR *wide, size_t size)
{
    size_t i = 0;

    for (; ascii[i] && i + 1 < size; i++)
        wide[i] = (unsigned char)ascii[i];
    wide[i] = 0;
}

void uid_to_text(const BYTE uid[16], WCHAR text[33])
{
    static const WCHAR digits[] = L"0123456789abcdef";

    for (int i = 0; i < 16; i++) {
        text[2 * i] = digits[uid[i] >> 4];
        text[2 * i + 1] = digits[uid[i] & 15];
    }
    text[32] = 0;
}

/* A name from a profile or a provider, for a diagnostic: NUL-terminated
 * within its array, control characters shown as '?'. */
static void safe_name(const uint16_t *name, size_t max, WCHAR *out, size_t size)
{
    size_t n = 0;

    for (; n < max && n + 1 < size && name[n]; n++)
        out[n] = name[n] < 0x20 || name[n] == 0x7f || (name[n] >= 0x80 && name[n] <= 0x9f) ? L'?' : name[n];
    out[n] = 0;
}

/* The file name of a module path. */
static const uint16_t *file_of(const uint16_t *path, size_t max)
{
    const uint16_t *file = path;

    for (size_t i = 0; i < max && path[i]; i++)
        if (path[i] == '\\' || path[i] == '/')
            file = path + i + 1;
    return file;
}

/* "store provider Personal Folders (mspst32.dll)": its display name and its
 * DLL, as the administrator knows them. */
static void provider_words(const struct shutdown_event *e, const struct provider_identity *who,
                           WCHAR *text, size_t size)
{
    const uint16_t *module = file_of(who->module, ARRAYSIZE(who->module));
    WCHAR name[PROVIDER_DISPLAY_NAME_MAX], dll[PROVIDER_MODULE_MAX];

    safe_name(who->dll_name[0] ? who->dll_name : module, who->dll_name[0] ? ARRAYSIZE(who->dll_name)
                                                                              : ARRAYSIZE(who->module),
              dll, ARRAYSIZE(dll));
    safe_name(who->display_name, ARRAYSIZE(who->display_name), name, ARRAYSIZE(name));
    if (!dll[0])
        lstrcpynW(dll, L"unknown module", ARRAYSIZE(dll));
    if (name[0])
        _snwprintf(text, size, L"%hs provider %ls (%ls, cookie %lu)", provider_type_name(e->resource_type), name,
                   dll, (unsigned long)e->cookie);
    else
        _snwprintf(text, size, L"%hs provider %ls (cookie %lu)", provider_type_name(e->resource_type), dll,
                   (unsigned long)e->cookie);
    text[size - 1] = 0;
}

static void policy_key(const struct shutdown_event *e, WCHAR *text, size_t size)
{
    char key[POLICY_KEY_PATH_MAX];

    policy_key_path(e->place, e->version, key);
    _snwprintf(text, size, L"%hs (%hs\\%hs)", policy_place_name(e->place), policy_place_root(e->place), key);
    text[size - 1] = 0;
}

static void diag_event(const struct reported_event *r)
{
    const struct shutdown_event *e = &r->event;
    const char *call = provider_call_name((enum provider_call)e->call);
    WCHAR who[PROVIDER_DISPLAY_NAME_MAX + PROVIDER_MODULE_MAX + 64], where[POLICY_KEY_PATH_MAX + 64], uid[33],
        name[ARRAYSIZE(e->name)];

    provider_words(e, &r->who, who, ARRAYSIZE(who));
    uid_to_text(e->section_uid, uid);
    safe_name(e->name, ARRAYSIZE(e->name), name, ARRAYSIZE(name));
    switch (e->kind) {
    case EVENT_POLICY_DISABLED:
        diag(L"FastShutdownBehavior is 2: fast shutdown is disabled");
        break;
    case EVENT_PROVIDER_OPTED_OUT:
        diag(L"%ls opted out: QueryFastShutdown returned %#lx", who, (unsigned long)e->hr);
        break;
    case EVENT_PROVIDER_UNREACHABLE:
        diag(L"%ls has no IMAPIProviderShutdown: FastShutdownBehavior 1 refuses fast shutdown", who);
        break;
    case EVENT_SECTION_UNREGISTERED:
        diag(L"%hs provider %ls (section %ls) is loaded but never registered: "
             L"FastShutdownBehavior 1 refuses fast shutdown", provider_type_name(e->resource_type), name, uid);
        break;
    case EVENT_POLICY_VALUE_IGNORED:
        policy_key(e, where, ARRAYSIZE(where));
        diag(L"%ls in the %ls %hs (type %lu, %lu bytes, value %lu, error %lu): ignored",
             policy_setting_names[e->setting < SHUTDOWN_SETTINGS ? e->setting : 0], where,
             policy_reject_reason(e->why), (unsigned long)e->reg_type, (unsigned long)e->size,
             (unsigned long)e->number, (unsigned long)e->error);
        break;
    case EVENT_SECTION_UNREADABLE:
        diag(L"profile section %ls could not be read and no provider registered with it: "
             L"FastShutdownBehavior 1 refuses fast shutdown", uid);
        break;
    case EVENT_PROVIDER_TIMED_OUT:
        diag(L"%ls did not return from %hs within ProviderTimeoutMs: abandoned", who, call);
        break;
    case EVENT_PROVIDER_CRASHED:
        diag(L"%ls crashed in %hs (exception %#lx): abandoned", who, call, (unsigned long)e->hr);
        break;
    case EVENT_PROVIDER_FAILED:
        diag(L"%ls failed %hs with %#lx", who, call, (unsigned long)e->hr);
        break;
    case EVENT_PROVIDER_GONE_EARLIER:
        diag(L"%ls was abandoned earlier and cannot answer: fast shutdown is refused while it is registered", who);
        break;
    case EVENT_BEHAVIOR_REFUSES:
        policy_key(e, where, ARRAYSIZE(where));
        if (e->cookie)
            diag(L"ProviderBehavior 1 in the %ls for the %ls: fast shutdown is refused while it is loaded", where, who);
        else
            diag(L"ProviderBehavior 1 in the %ls for %ls, loaded but never registered: fast shutdown is refused",
                 where, name);
        break;
    case EVENT_BEHAVIOR_OVERRIDES:
        policy_key(e, where, ARRAYSIZE(where));
        diag(L"ProviderBehavior 2 in the %ls: %ls counts as opted in (it answered %#lx)", where,
             e->cookie ? who : name, (unsigned long)e->hr);
        break;
    case EVENT_BEHAVIOR_IGNORED:
        policy_key(e, where, ARRAYSIZE(where));
        diag(L"ProviderBehavior value \"%ls\" in the %ls %hs (type %lu, %lu bytes, value %lu, error %lu): ignored",
             name, where, policy_reject_reason(e->why), (unsigned long)e->reg_type, (unsigned long)e->size,
             (unsigned long)e->number, (unsigned long)e->error);
        break;
    case EVENT_BEHAVIOR_LEFT_OUT:
        diag(L"%lu more ProviderBehavior values were not read", (unsigned long)e->number);
        break;
    case EVENT_UNGUARDED_CALL:
        diag(L"no worker could be had for %ls: %hs was called on the client's thread without a deadline",
             who, call);
        break;
    case EVENT_HOOK_FAILED:
        diag(L"the host's WorkerStarted failed on the worker that called %hs of the %ls: it was called anyway",
             call, who);
        break;
    }
}

void diag_events(const struct reported_event *events, size_t count, size_t lost)
{
    for (size_t i = 0; i < count; i++)
        diag_event(&events[i]);
    if (lost)
        diag(L"%lu more events of this phase were not recorded", (unsigned long)lost);
}

void diag_profile_problems(const WCHAR *path, const struct profile *profile)
{
    for (size_t i = 0; i < profile->problem_count; i++) {
        const struct profile_problem *problem = &profile->problems[i];
        WCHAR subject[40];

        if (problem->has_uid)
            uid_to_text(problem->uid, subject);
        else
            safe_name(problem->name, ARRAYSIZE(problem->name), subject, ARRAYSIZE(subject));
        if (problem->error)
            diag(L"profile %ls, section %ls: %hs (error %lu): skipped", path, subject,
                 profile_problem_text(problem->kind), (unsigned long)problem->error);
        else if (problem->kind == PROFILE_MORE_MISSING)
            diag(L"profile %ls: %lu more listed providers have no usable section", path,
                 (unsigned long)problem->count);
        else
            diag(L"profile %ls, section %ls: %hs: skipped", path, subject, profile_problem_text(problem->kind));
    }
}
