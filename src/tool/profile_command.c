/* mapishut profile [NAME]: the providers of a profile in shutdown order,
 * and every section that was skipped, with the reason. Reads only. */
#include "commands.h"
#include "output.h"
#include "core/profile.h"
#include "core/provider_table.h"
#include "win32/module.h"
#include "win32/profile_registry.h"

#include <stdio.h>
#include <stdlib.h>

/* The subsystem's shutdown order; the profile's own order is the array's. */
static void shutdown_order(const struct profile *p, size_t *order)
{
    for (size_t n = 0; n < p->provider_count; n++) {
        size_t at = n;

        for (; at > 0; at--) {
            const struct profile_provider *before = &p->providers[order[at - 1]];

            if (!shutdown_order_precedes(p->providers[n].resource_type, n, 0, before->resource_type, order[at - 1], 0))
                break;
            order[at] = order[at - 1];
        }
        order[at] = n;
    }
}

static const WCHAR *profile_name_of(const WCHAR *path)
{
    const WCHAR *slash = wcsrchr(path, L'\\');

    return slash ? slash + 1 : path;
}

static BOOL is_loaded(const struct profile_provider *p)
{
    return profile_section_is_loaded((const WCHAR *)p->dll_file, (const WCHAR *)p->dll_name);
}

static void problem_subject(const struct profile_problem *problem, WCHAR subject[40])
{
    if (problem->has_uid)
        uid_to_text(problem->uid, subject);
    else
        lstrcpynW(subject, (const WCHAR *)problem->name, 40);
}

static void print_text(const WCHAR *path, const struct profile *p, const size_t *order)
{
    out("profile ");
    out_wide(profile_name_of(path));
    out(": HKCU\\");
    out_wide(path);
    out("\n%u provider%s in shutdown order:\n", (unsigned)p->provider_count, p->provider_count == 1 ? "" : "s");
    for (size_t n = 0; n < p->provider_count; n++) {
        const struct profile_provider *provider = &p->providers[order[n]];
        WCHAR uid[33];

        uid_to_text(provider->section_uid, uid);
        out("  %2u. %-12s  ", (unsigned)(n + 1), provider_type_name(provider->resource_type));
        out_wide_padded((const WCHAR *)provider->dll_file, 16);
        out("  %-10s  ", is_loaded(provider) ? "loaded" : "not loaded");
        out_wide_padded(provider->display_name[0] ? (const WCHAR *)provider->display_name : L"(no display name)", 22);
        out("  section ");
        out_wide(uid);
        out("\n");
    }
    if (!p->problem_count)
        return;
    out("skipped:\n");
    for (size_t i = 0; i < p->problem_count; i++) {
        WCHAR subject[40];

        problem_subject(&p->problems[i], subject);
        out("  section ");
        out_wide(subject[0] ? subject : L"(empty name)");
        out(": %s", profile_problem_text(p->problems[i].kind));
        if (p->problems[i].error)
            out(" (error %lu)", (unsigned long)p->problems[i].error);
        out("\n");
    }
}

static void print_json(const WCHAR *path, const struct profile *p, const size_t *order)
{
    WCHAR key[420];

    _snwprintf(key, ARRAYSIZE(key), L"HKCU\\%ls", path);
    key[ARRAYSIZE(key) - 1] = 0;
    out("{\"profile\":");
    out_json_wide(profile_name_of(path));
    out(",\"key\":");
    out_json_wide(key);
    out(",\"providers\":[");
    for (size_t n = 0; n < p->provider_count; n++) {
        const struct profile_provider *provider = &p->providers[order[n]];
        WCHAR uid[33], service[33];

        uid_to_text(provider->section_uid, uid);
        out("%s{\"order\":%u,\"type\":", n ? "," : "", (unsigned)(n + 1));
        out_json(provider_type_name(provider->resource_type));
        out(",\"resource_type\":%lu,\"dll\":", (unsigned long)provider->resource_type);
        out_json_wide((const WCHAR *)provider->dll_file);
        out(",\"stored_dll_name\":");
        out_json_wide((const WCHAR *)provider->dll_name);
        out(",\"display_name\":");
        out_json_wide((const WCHAR *)provider->display_name);
        out(",\"section\":");
        out_json_wide(uid);
        out(",\"service\":");
        if (provider->has_service_uid)
            uid_to_text(provider->service_uid, service);
        out_json_wide(provider->has_service_uid ? service : NULL);
        out(",\"loaded\":%s,\"listed\":%s}", is_loaded(provider) ? "true" : "false",
            provider->listed ? "true" : "false");
    }
    out("],\"skipped\":[");
    for (size_t i = 0; i < p->problem_count; i++) {
        WCHAR subject[40];

        problem_subject(&p->problems[i], subject);
        out("%s{\"section\":", i ? "," : "");
        out_json_wide(subject);
        out(",\"problem\":");
        out_json(profile_problem_text(p->problems[i].kind));
        if (p->problems[i].error)
            out(",\"error\":%lu", (unsigned long)p->problems[i].error);
        out("}");
    }
    out("]}\n");
}

int command_profile(const WCHAR *name, BOOL json)
{
    struct profile profile;
    WCHAR path[400];
    size_t *order;
    HRESULT hr;

    if (name && !profile_name_is_valid(name)) {
        err("mapishut: \"");
        err_wide(name);
        err("\" is not a profile name\n");
        return EXIT_USAGE;
    }
    hr = profile_read(name, &profile, path, ARRAYSIZE(path));
    if (hr == MAPI_E_NOT_FOUND) {
        if (name && name[0]) {
            err("mapishut: no profile named \"");
            err_wide(name);
            err("\"\n");
        } else {
            err("mapishut: no default profile\n");
        }
        return EXIT_FAILED;
    }
    if (FAILED(hr)) {
        err("mapishut: reading the profile failed: %#lx\n", (unsigned long)hr);
        return EXIT_FAILED;
    }
    order = calloc(profile.provider_count + 1, sizeof(*order));
    if (!order) {
        profile_free(&profile);
        return EXIT_FAILED;
    }
    shutdown_order(&profile, order);
    if (json)
        print_json(path, &profile, order);
    else
        print_text(path, &profile, order);
    free(order);
    profile_free(&profile);
    return EXIT_OK;
}
