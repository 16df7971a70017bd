/* mapishut exits: what each process's subsystem did at its exit, from the
 * exit records (src/core/exit_record.h): the list, newest first; one record
 * in full, its providers' calls by phase with a bar for each duration; and
 * the Event Log report. Records are untrusted input: each is read as bytes
 * and checked by the core's reader; one that does not hold is listed as
 * damaged or incomplete and the others are shown. */
#include "commands.h"
#include "output.h"
#include "core/exit_reader.h"
#include "exit_summary.h"
#include "core/policy.h"
#include "core/provider_table.h"
#include "core/shutdown.h"
#include "win32/module.h"

#include <stdio.h>
#include <stdlib.h>

/* Larger than any record: not one. */
#define RECORD_FILE_MAX (16u << 20)
#define BAR_WIDTH 30

struct record {
    WCHAR id[MAX_PATH];         /* the file's name without ".exit" */
    uint64_t file_time;         /* its creation time, for the order of records that cannot be read */
    void *bytes;
    struct exit_view view;
    BOOL alive;                 /* its process is running */
};

static uint64_t record_time(const struct record *r)
{
    return r->view.status == EXIT_FILE_OK ? r->view.header->process_start : r->file_time;
}

static int newest_first(const void *a, const void *b)
{
    uint64_t x = record_time(a), y = record_time(b);

    return x < y ? 1 : x > y ? -1 : 0;
}

static void read_record(const WCHAR *dir, struct record *r)
{
    WCHAR path[MAX_PATH * 2];
    HANDLE file;
    LARGE_INTEGER size;
    DWORD done = 0;

    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls.exit", dir, r->id);
    path[ARRAYSIZE(path) - 1] = 0;
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_EXISTING, 0, NULL);
    r->view.status = EXIT_FILE_DAMAGED;
    r->view.problem = "it cannot be read";
    if (file == INVALID_HANDLE_VALUE)
        return;
    if (GetFileSizeEx(file, &size) && size.QuadPart > RECORD_FILE_MAX) {
        r->view.problem = "too large to be an exit record";
    } else if (size.QuadPart >= 0 && (r->bytes = malloc((size_t)size.QuadPart + 8)) &&
               ReadFile(file, r->bytes, (DWORD)size.QuadPart, &done, NULL)) {
        exit_view_open(&r->view, r->bytes, done);
        if (r->view.status == EXIT_FILE_OK)
            r->alive = exit_process_is_alive(r->view.header->pid, r->view.header->process_start);
    }
    CloseHandle(file);
}

/* Every *.exit of the folder, newest first; NULL with *count 0 for none. */
static struct record *load_records(const WCHAR *dir, size_t *count)
{
    WCHAR pattern[MAX_PATH * 2];
    WIN32_FIND_DATAW found;
    struct record *records = NULL;
    size_t capacity = 0;
    HANDLE find;

    *count = 0;
    _snwprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*.exit", dir);
    pattern[ARRAYSIZE(pattern) - 1] = 0;
    find = FindFirstFileW(pattern, &found);
    if (find == INVALID_HANDLE_VALUE)
        return NULL;
    do {
        struct record *r;
        size_t length = wcslen(found.cFileName);

        if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY || length < 5 || length - 5 >= MAX_PATH)
            continue;
        if (*count == capacity) {
            size_t more = capacity ? capacity * 2 : 16;
            struct record *grown = realloc(records, more * sizeof(*records));

            if (!grown)
                break;
            records = grown;
            capacity = more;
        }
        r = &records[(*count)++];
        memset(r, 0, sizeof(*r));
        memcpy(r->id, found.cFileName, (length - 5) * sizeof(WCHAR));
        r->file_time = (uint64_t)found.ftCreationTime.dwHighDateTime << 32 | found.ftCreationTime.dwLowDateTime;
    } while (FindNextFileW(find, &found));
    FindClose(find);
    for (size_t i = 0; i < *count; i++)
        read_record(dir, &records[i]);
    qsort(records, *count, sizeof(*records), newest_first);
    return records;
}

static void free_records(struct record *records, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(records[i].bytes);
    free(records);
}

/* The folder to read: --dir, or this user's. */
static BOOL folder_of(const WCHAR *dir, WCHAR *folder, size_t size)
{
    if (dir) {
        lstrcpynW(folder, dir, (int)size);
        return TRUE;
    }
    if (exit_folder(folder, size))
        return TRUE;
    err("mapishut: %%LOCALAPPDATA%% is not set: there is no folder of exit records\n");
    return FALSE;
}

static const char *status_name(enum exit_file_status status)
{
    switch (status) {
    case EXIT_FILE_OK:            return "ok";
    case EXIT_FILE_INCOMPLETE:    return "incomplete";
    case EXIT_FILE_OTHER_VERSION: return "other version";
    case EXIT_FILE_DAMAGED:       return "damaged";
    }
    return "?";
}

static enum exit_verdict verdict_of(const struct record *r)
{
    return exit_verdict(&r->view, r->alive);
}

static const char *image_name(const struct exit_view *v, char *text, size_t size)
{
    const uint16_t *image = v->header->image, *file = image;

    for (size_t i = 0; i < EXIT_IMAGE_MAX && image[i]; i++)
        if (image[i] == '\\' || image[i] == '/')
            file = image + i + 1;
    exit_text(file, EXIT_IMAGE_MAX - (size_t)(file - image), text, size);
    return text;
}

/* "store Personal Folders (mspst32.dll)" */
static void provider_label(const struct exit_view *v, uint32_t slot, char *text, size_t size)
{
    const struct exit_provider *p = exit_view_provider(v, slot);
    char name[200], dll[100];

    if (!p) {
        snprintf(text, size, "(a provider the record had no room to name)");
        return;
    }
    exit_provider_name(p, name, sizeof(name));
    exit_provider_dll(p, dll, sizeof(dll));
    snprintf(text, size, "%s %s (%s)", provider_type_name(p->resource_type), name, dll);
}

/* Milliseconds as an administrator reads them: "0.042", "3.1", "1520". */
static const char *ms_text(uint64_t us, char text[24])
{
    if (us < 1000)
        snprintf(text, 24, "%u.%03u", 0u, (unsigned)us);
    else if (us < 10000)
        snprintf(text, 24, "%u.%u", (unsigned)(us / 1000), (unsigned)(us % 1000 / 100));
    else
        snprintf(text, 24, "%llu", (unsigned long long)(us / 1000 + (us % 1000 >= 500))); /* no overflow */
    return text;
}

static const char *call_name(uint32_t call)
{
    return call <= PROVIDER_DO_FAST ? provider_call_name((enum provider_call)call) : "?";
}

/* How a call ended, or that it did not: still running, or cut by the end. */
static const char *outcome_of(const struct record *r, const struct exit_provider_call *c)
{
    if (c->state == EXIT_ENTRY_DONE)
        return exit_outcome_name(c->outcome);
    return r->alive ? "running" : "unfinished";
}

/* --- the list -------------------------------------------------------------------------- */

static void list_text(const WCHAR *folder, const struct record *records, size_t count)
{
    out("%u exit record%s in ", (unsigned)count, count == 1 ? "" : "s");
    out_wide(folder);
    out(count ? ", newest first:\n" : "\n");
    for (size_t i = 0; i < count; i++) {
        const struct record *r = &records[i];
        const struct exit_provider_call *slowest;
        char started[64], image[128], who[400];

        if (r->view.status != EXIT_FILE_OK) {
            out("  %-23s  %-22s  ", "(unknown time)", status_name(r->view.status));
            out_wide(r->id);
            out(": %s\n", r->view.problem);
            continue;
        }
        exit_time_text(r->view.header->process_start, started, sizeof(started));
        out("  %-23s  %-22s  %s (PID %u)\n", started, exit_verdict_name(verdict_of(r)),
            image_name(&r->view, image, sizeof(image)), (unsigned)r->view.header->pid);
        slowest = exit_slowest_call(&r->view);
        if (slowest) {
            provider_label(&r->view, slowest->provider, who, sizeof(who));
            char ms[24];

            out("      slowest: %s, %s, %s ms\n", who, call_name(slowest->call), ms_text(slowest->duration_us, ms));
        } else {
            out("      no provider was called\n");
        }
        out("      id: ");
        out_wide(r->id);
        out("\n");
    }
}

/* --- one record --------------------------------------------------------------------------- */

static void print_bar(uint64_t us, uint64_t longest_us)
{
    unsigned width = longest_us ? (unsigned)((us * BAR_WIDTH + longest_us - 1) / longest_us) : 0;

    for (unsigned i = 0; i < width && i < BAR_WIDTH; i++)
        putchar('#');
}

static void show_policy(const struct exit_view *v)
{
    static const char *const names[EXIT_SETTINGS] = {
        [EXIT_BEHAVIOR] = "FastShutdownBehavior", [EXIT_TIMEOUT] = "ProviderTimeoutMs",
        [EXIT_CONCURRENT] = "ConcurrentProviders", [EXIT_WARN] = "ProviderWarnMs", [EXIT_RECORDS] = "ExitRecords",
    };

    if (!v->header->settings[EXIT_BEHAVIOR].read) {
        out("policy: never read (no QueryFastShutdown was evaluated)\n");
        return;
    }
    out("policy at the last evaluation:\n");
    for (unsigned i = 0; i < EXIT_SETTINGS; i++) {
        const struct exit_setting_value *s = &v->header->settings[i];

        out("  %-21s %-7u %s", names[i], (unsigned)s->value,
            s->place < POLICY_DEFAULT ? policy_place_name((enum policy_place)s->place) : "default");
        if (s->place < POLICY_DEFAULT)
            out(", Office %s", policy_version_name(s->version));
        out("\n");
    }
}

static void show_providers(const struct exit_view *v)
{
    out("providers (%u registered when the record was last written):\n", (unsigned)v->header->providers_registered);
    for (uint32_t i = 0; i < v->provider_count; i++) {
        const struct exit_provider *p = exit_view_provider(v, i);
        char label[400], module[EXIT_IMAGE_MAX * 3];

        if (!p)
            continue;
        provider_label(v, i, label, sizeof(label));
        exit_text(p->who.module, PROVIDER_MODULE_MAX, module, sizeof(module));
        out("  %s%s%s%s\n      module %s", label, p->flags & EXIT_PROVIDER_HAS_INTERFACE ? "" : ", no IMAPIProviderShutdown",
            p->flags & EXIT_PROVIDER_UNREGISTERED ? ", unregistered" : "",
            p->flags & EXIT_PROVIDER_ABANDONED ? ", abandoned" : "", module[0] ? module : "(unknown)");
        if (p->flags & EXIT_PROVIDER_HAS_SECTION) {
            WCHAR uid[33];

            uid_to_text(p->section_uid, uid);
            out(", section ");
            out_wide(uid);
        }
        if (p->behavior)
            out(", ProviderBehavior %u in the %s", (unsigned)p->behavior,
                p->behavior_place < POLICY_DEFAULT ? policy_place_name((enum policy_place)p->behavior_place) : "?");
        out("\n");
    }
    if (v->providers_left_out)
        out("  and %u more the record had no room to name\n", (unsigned)v->providers_left_out);
}

/* Each client call, and under it the provider calls it made, in order. */
static void show_calls(const struct record *r)
{
    const struct exit_view *v = &r->view;
    const struct exit_provider_call *slowest = exit_slowest_call(v);
    uint64_t longest = slowest ? slowest->duration_us : 0;
    char ms[24];

    out("calls (each bar scaled to the slowest provider call, %s ms):\n", ms_text(longest, ms));
    for (uint32_t i = 0; i < v->client_call_count; i++) {
        const struct exit_client_call *c = &v->client_calls[i];

        if (c->state == EXIT_ENTRY_EMPTY)
            continue;
        if (c->state == EXIT_ENTRY_DONE)
            out("  %s: 0x%08X, %s ms, thread %u\n", exit_client_call_name(c->call), (unsigned)c->result,
                ms_text(c->duration_us, ms), (unsigned)c->thread);
        else
            out("  %s: %s, thread %u\n", exit_client_call_name(c->call), r->alive ? "running" : "unfinished",
                (unsigned)c->thread);
        for (uint32_t k = 0; k < v->call_count; k++) {
            const struct exit_provider_call *pc = &v->calls[k];
            char label[400];

            if (pc->state == EXIT_ENTRY_EMPTY || pc->client_call != i)
                continue;
            provider_label(v, pc->provider, label, sizeof(label));
            out("    %-22s %-48s ", call_name(pc->call), label);
            if (pc->state == EXIT_ENTRY_DONE)
                out("0x%08X  %-10s %8s ms  ", (unsigned)pc->result, outcome_of(r, pc), ms_text(pc->duration_us, ms));
            else
                out("%-10s  %-10s %11s  ", "", outcome_of(r, pc), "");
            print_bar(pc->state == EXIT_ENTRY_DONE ? pc->duration_us : 0, longest);
            if (pc->flags & EXIT_CALL_UNGUARDED)
                out("  (no worker: called on the client's thread)");
            if (pc->flags & EXIT_CALL_HOOK_FAILED)
                out("  (the host's WorkerStarted failed)");
            if (pc->flags & EXIT_CALL_EXCEPTION_SEEN || pc->outcome == OUTCOME_CRASHED)
                out("  (exception 0x%08X)", (unsigned)pc->exception);
            out("\n");
        }
    }
    if (v->client_calls_left_out || v->calls_left_out)
        out("  and %u client calls and %u provider calls the record had no room for\n",
            (unsigned)v->client_calls_left_out, (unsigned)v->calls_left_out);
}

static void show_text(const struct record *r)
{
    const struct exit_view *v = &r->view;
    enum exit_verdict verdict = verdict_of(r);
    char started[64], image[EXIT_IMAGE_MAX * 3], reason[4096];

    out("exit ");
    out_wide(r->id);
    exit_text(v->header->image, EXIT_IMAGE_MAX, image, sizeof(image));
    exit_time_text(v->header->process_start, started, sizeof(started));
    exit_reason(v, verdict, reason, sizeof(reason));
    out("\nprocess: %s, PID %u, %u-bit, started %s\nverdict: %s\nwhy: %s\n", image, (unsigned)v->header->pid,
        (unsigned)v->header->pointer_bits, started, exit_verdict_name(verdict), reason);
    for (uint32_t i = 0; i < v->profile_count; i++) {
        const struct exit_profile *p = &v->profiles[i];
        char name[EXIT_PROFILE_NAME_MAX * 3];

        if (p->state != EXIT_ENTRY_DONE)
            continue;
        exit_text(p->name, EXIT_PROFILE_NAME_MAX, name, sizeof(name));
        out("profile: %s, %u provider sections, %u problems\n", name[0] ? name : "(the default profile)",
            (unsigned)p->providers, (unsigned)p->problems);
    }
    show_policy(v);
    show_providers(v);
    show_calls(r);
    if (v->header->diagnostics_lost)
        out("%u events did not fit a phase's diagnostics\n", (unsigned)v->header->diagnostics_lost);
}

/* --- JSON -------------------------------------------------------------------------------------- */

static void json_text(const uint16_t *units, size_t max)
{
    char text[1024];

    exit_text(units, max, text, sizeof(text));
    out_json(text);
}

/* Milliseconds with microseconds as decimals: 0.042, 1520.310. */
static const char *json_ms(uint64_t us, char text[24])
{
    snprintf(text, 24, "%llu.%03u", (unsigned long long)(us / 1000), (unsigned)(us % 1000));
    return text;
}

/* The calls of the provider in slot; with EXIT_NO_PROVIDER, those of a
 * provider the record names no entry for (it ran out of room, or the
 * process died while the entry was being written). */
static void json_calls(const struct record *r, uint32_t slot)
{
    const struct exit_view *v = &r->view;
    char ms[24];

    for (uint32_t k = 0, first_call = 1; k < v->call_count; k++) {
        const struct exit_provider_call *c = &v->calls[k];

        if (c->state == EXIT_ENTRY_EMPTY ||
            (slot == EXIT_NO_PROVIDER ? exit_view_provider(v, c->provider) != NULL : c->provider != slot))
            continue;
        out("%s{\"call\":", first_call ? "" : ",");
        first_call = 0;
        out_json(call_name(c->call));
        if (c->state == EXIT_ENTRY_DONE)
            out(",\"result\":\"0x%08X\",\"ms\":%s", (unsigned)c->result, json_ms(c->duration_us, ms));
        else
            out(",\"result\":null,\"ms\":null");
        out(",\"outcome\":");
        out_json(outcome_of(r, c));
        out(",\"unguarded\":%s,\"hook_failed\":%s,\"exception\":",
            c->flags & EXIT_CALL_UNGUARDED ? "true" : "false", c->flags & EXIT_CALL_HOOK_FAILED ? "true" : "false");
        if (c->flags & EXIT_CALL_EXCEPTION_SEEN || (c->state == EXIT_ENTRY_DONE && c->outcome == OUTCOME_CRASHED))
            out("\"0x%08X\"", (unsigned)c->exception);
        else
            out("null");
        out("}");
    }
}

static void show_json(const struct record *r)
{
    const struct exit_view *v = &r->view;
    enum exit_verdict verdict = verdict_of(r);
    char text[4096], ms[24];

    out("{\"id\":");
    out_json_wide(r->id);
    out(",\"status\":\"ok\",\"process\":");
    json_text(v->header->image, EXIT_IMAGE_MAX);
    exit_time_text(v->header->process_start, text, sizeof(text));
    out(",\"pid\":%u,\"bits\":%u,\"started\":", (unsigned)v->header->pid, (unsigned)v->header->pointer_bits);
    out_json(text);
    exit_reason(v, verdict, text, sizeof(text));
    out(",\"verdict\":");
    out_json(exit_verdict_name(verdict));
    out(",\"reason\":");
    out_json(text);
    out(",\"providers_registered\":%u,\"providers\":[", (unsigned)v->header->providers_registered);
    for (uint32_t i = 0, first = 1; i < v->provider_count; i++) {
        const struct exit_provider *p = exit_view_provider(v, i);

        if (!p)
            continue;
        exit_provider_name(p, text, sizeof(text));
        out("%s{\"name\":", first ? "" : ",");
        first = 0;
        out_json(text);
        exit_provider_dll(p, text, sizeof(text));
        out(",\"dll\":");
        out_json(text);
        out(",\"module\":");
        json_text(p->who.module, PROVIDER_MODULE_MAX);
        out(",\"type\":");
        out_json(provider_type_name(p->resource_type));
        out(",\"section\":");
        if (p->flags & EXIT_PROVIDER_HAS_SECTION) {
            WCHAR uid[33];

            uid_to_text(p->section_uid, uid);
            out_json_wide(uid);
        } else {
            out("null");
        }
        out(",\"has_interface\":%s,\"unregistered\":%s,\"abandoned\":%s,\"behavior\":%u,\"calls\":[",
            p->flags & EXIT_PROVIDER_HAS_INTERFACE ? "true" : "false",
            p->flags & EXIT_PROVIDER_UNREGISTERED ? "true" : "false",
            p->flags & EXIT_PROVIDER_ABANDONED ? "true" : "false", (unsigned)p->behavior);
        json_calls(r, i);
        out("]}");
    }
    out("],\"providers_left_out\":%u,\"unnamed_provider_calls\":[", (unsigned)v->providers_left_out);
    json_calls(r, EXIT_NO_PROVIDER);
    out("],\"client_calls\":[");
    for (uint32_t i = 0, first = 1; i < v->client_call_count; i++) {
        const struct exit_client_call *c = &v->client_calls[i];

        if (c->state == EXIT_ENTRY_EMPTY)
            continue;
        out("%s{\"call\":", first ? "" : ",");
        first = 0;
        out_json(exit_client_call_name(c->call));
        if (c->state == EXIT_ENTRY_DONE)
            out(",\"result\":\"0x%08X\",\"ms\":%s,\"thread\":%u}", (unsigned)c->result,
                json_ms(c->duration_us, ms), (unsigned)c->thread);
        else
            out(",\"result\":null,\"ms\":null,\"thread\":%u}", (unsigned)c->thread);
    }
    out("],\"calls_left_out\":%u,\"client_calls_left_out\":%u,\"events_left_out\":%u}",
        (unsigned)v->calls_left_out, (unsigned)v->client_calls_left_out, (unsigned)v->events_left_out);
}

static void show_json_damaged(const struct record *r)
{
    out("{\"id\":");
    out_json_wide(r->id);
    out(",\"status\":");
    out_json(status_name(r->view.status));
    out(",\"problem\":");
    out_json(r->view.problem);
    out("}");
}

/* --- the commands ----------------------------------------------------------------------------------- */

int command_exits_list(const WCHAR *dir, BOOL json)
{
    WCHAR folder[MAX_PATH];
    struct record *records;
    size_t count;

    if (!folder_of(dir, folder, ARRAYSIZE(folder)))
        return EXIT_FAILED;
    records = load_records(folder, &count);
    if (json) {
        unsigned shown = 0;

        out("{\"dir\":");
        out_json_wide(folder);
        out(",\"exits\":[");
        for (size_t i = 0; i < count; i++)
            if (records[i].view.status == EXIT_FILE_OK) {
                out(shown++ ? "," : "");
                show_json(&records[i]);
            }
        out("],\"unreadable\":[");
        shown = 0;
        for (size_t i = 0; i < count; i++)
            if (records[i].view.status != EXIT_FILE_OK) {
                out(shown++ ? "," : "");
                show_json_damaged(&records[i]);
            }
        out("]}\n");
    } else {
        list_text(folder, records, count);
    }
    free_records(records, count);
    return EXIT_OK;
}

int command_exits_show(const WCHAR *dir, const WCHAR *id, BOOL json)
{
    const struct record *found = NULL;
    WCHAR folder[MAX_PATH];
    struct record *records;
    size_t count;
    int code = EXIT_OK;

    if (!folder_of(dir, folder, ARRAYSIZE(folder)))
        return EXIT_FAILED;
    records = load_records(folder, &count);
    for (size_t i = 0; i < count && !found; i++)
        if (!_wcsicmp(id, L"last") ? records[i].view.status == EXIT_FILE_OK : !_wcsicmp(records[i].id, id))
            found = &records[i];
    if (!found) {
        err("mapishut: no exit record ");
        err_wide(id);
        err("\n");
        code = EXIT_FAILED;
    } else if (found->view.status != EXIT_FILE_OK) {
        err("mapishut: ");
        err_wide(found->id);
        err(" is %s: %s\n", status_name(found->view.status), found->view.problem);
        if (json) {
            show_json_damaged(found);
            out("\n");
        }
        code = EXIT_FAILED;
    } else if (json) {
        out("{\"exits\":[");
        show_json(found);
        out("]}\n");
    } else {
        show_text(found);
    }
    free_records(records, count);
    return code;
}

int command_exits_report(const WCHAR *dir)
{
    WCHAR folder[MAX_PATH];
    unsigned records, events;

    if (!folder_of(dir, folder, ARRAYSIZE(folder)))
        return EXIT_FAILED;
    records = exit_report_folder(folder, &events);
    out("%u exit record%s reported to the Application event log (%u event%s), source mapishut\n", records,
        records == 1 ? "" : "s", events, events == 1 ? "" : "s");
    return EXIT_OK;
}
