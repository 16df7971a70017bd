/* mapishut policy: each setting's effective value (FastShutdownBehavior,
 * ProviderTimeoutMs, ConcurrentProviders, ProviderWarnMs, ExitRecords), the
 * place that decided it, and every value passed over on the way, with the
 * reason; then each provider ProviderBehavior names, the same way. */
#include "commands.h"
#include "output.h"
#include "core/dll_name.h"
#include "core/policy.h"
#include "core/shutdown.h"
#include "win32/module.h"

#include <stdio.h>
#include <string.h>

/* "HKLM\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Options\\Shutdown" and the like. */
static void key_name(enum policy_place place, unsigned version, char name[POLICY_KEY_PATH_MAX + 8])
{
    char path[POLICY_KEY_PATH_MAX];

    policy_key_path(place, version, path);
    snprintf(name, POLICY_KEY_PATH_MAX + 8, "%s\\%s", policy_place_root(place), path);
}

static const char *behavior_meaning(uint32_t value, char *text, size_t size)
{
    (void)text;
    (void)size;
    switch (value) {
    case SHUTDOWN_UNLESS_OPTED_OUT:   return "fast shutdown unless a provider opts out";
    case SHUTDOWN_ONLY_IF_ALL_OPT_IN: return "fast shutdown only if every provider opts in";
    default:                          return "fast shutdown disabled";
    }
}

static const char *timeout_meaning(uint32_t value, char *text, size_t size)
{
    if (!value)
        return "no deadline: providers are called on the client's thread, as by Microsoft's subsystem";
    snprintf(text, size, "each provider call has %lu ms, then the provider is abandoned", (unsigned long)value);
    return text;
}

static const char *concurrent_meaning(uint32_t value, char *text, size_t size)
{
    (void)text;
    (void)size;
    return value ? "the providers of one type are called at once, each on its own thread"
                 : "one provider after the other, as by Microsoft's subsystem";
}

static const char *warn_meaning(uint32_t value, char *text, size_t size)
{
    if (!value)
        return "no provider call is reported to the Event Log for its time";
    snprintf(text, size, "a provider call slower than %lu ms is reported to the Event Log", (unsigned long)value);
    return text;
}

static const char *records_meaning(uint32_t value, char *text, size_t size)
{
    if (!value)
        return "no exit records are kept";
    snprintf(text, size, "the %lu newest exit records are kept", (unsigned long)value);
    return text;
}

struct setting {
    const char *name;
    const char *(*meaning)(uint32_t value, char *text, size_t size);
    struct policy_decision decision;
};
static void print_text(const struct setting *setting)
{
    const struct policy_decision *d = &setting->decision;
    char text[128];
    char key[POLICY_KEY_PATH_MAX + 8];

    out("%s = %u: %s\n", setting->name, (unsigned)d->value, setting->meaning(d->value, text, sizeof(text)));
    if (d->place == POLICY_DEFAULT) {
        out("decided by: the default (no valid value is set)\n");
    } else {
        key_name(d->place, d->version, key);
        out("decided by: the %s, %s\n", policy_place_name(d->place), key);
    }
    if (!d->rejected_count) {
        out("ignored: none\n");
        return;
    }
    out("ignored:\n");
    for (unsigned i = 0; i < d->rejected_count; i++) {
        const struct policy_rejected *r = &d->rejected[i];

        key_name(r->place, r->version, key);
        out("  %s: %s", key, policy_reject_reason(r->why));
        if (r->why == POLICY_REJECT_UNREADABLE)
            out(" (error %lu)\n", (unsigned long)r->error);
        else if (r->why == POLICY_REJECT_RANGE)
            out(" (%lu)\n", (unsigned long)r->number);
        else
            out(" (registry type %lu, %lu bytes)\n", (unsigned long)r->reg_type, (unsigned long)r->size);
    }
}

/* "value", "meaning", "decided_by" and "ignored", without the braces. */
static void print_json_fields(const struct setting *setting)
{
    const struct policy_decision *d = &setting->decision;
    char text[128];
    char key[POLICY_KEY_PATH_MAX + 8];

    out("\"value\":%u,\"meaning\":", (unsigned)d->value);
    out_json(setting->meaning(d->value, text, sizeof(text)));
    out(",\"decided_by\":{\"place\":");
    out_json(policy_place_name(d->place));
    if (d->place == POLICY_DEFAULT) {
        out(",\"key\":null,\"version\":null}");
    } else {
        key_name(d->place, d->version, key);
        out(",\"key\":");
        out_json(key);
        out(",\"version\":");
        out_json(policy_version_name(d->version));
        out("}");
    }
    out(",\"ignored\":[");
    for (unsigned i = 0; i < d->rejected_count; i++) {
        const struct policy_rejected *r = &d->rejected[i];

        key_name(r->place, r->version, key);
        out("%s{\"place\":", i ? "," : "");
        out_json(policy_place_name(r->place));
        out(",\"key\":");
        out_json(key);
        out(",\"version\":");
        out_json(policy_version_name(r->version));
        out(",\"reason\":");
        out_json(policy_reject_reason(r->why));
        out(",\"registry_type\":%lu,\"size\":%lu,\"error\":%lu}", (unsigned long)r->reg_type,
            (unsigned long)r->size, (unsigned long)r->error);
    }
    out("]");
}

/* --- ProviderBehavior ------------------------------------------------------------- */

/* "HKCU\\...\\Shutdown\\ProviderBehavior". */
#define BEHAVIOR_KEY_MAX (POLICY_KEY_PATH_MAX + 32)
static void behavior_key(enum policy_place place, unsigned version, char name[BEHAVIOR_KEY_MAX])
{
    char subkey[24];

    key_name(place, version, name);
    WideCharToMultiByte(CP_UTF8, 0, MAPISHUT_BEHAVIOR_SUBKEY, -1, subkey, sizeof(subkey), NULL, NULL);
    strncat(name, "\\", BEHAVIOR_KEY_MAX - strlen(name) - 1);
    strncat(name, subkey, BEHAVIOR_KEY_MAX - strlen(name) - 1);
}

static const char *behavior_value_meaning(uint32_t value)
{
    switch (value) {
    case BEHAVIOR_ASK:      return "ask the provider";
    case BEHAVIOR_REFUSE:   return "no fast shutdown while it is loaded";
    default:                return "its opt-out is overridden: it counts as opted in";
    }
}

/* The first value of each provider name, in precedence order: the one that
 * decides it, if it is valid (behavior_decide finds the same). */
static BOOL first_of_its_name(const struct behavior_reading *r, uint32_t index)
{
    uint16_t mine[BEHAVIOR_NAME_MAX], other[BEHAVIOR_NAME_MAX];

    if (r->values[index].name_too_long || !dll_provider_name(r->values[index].name, mine, BEHAVIOR_NAME_MAX))
        return FALSE;
    for (uint32_t i = 0; i < index; i++)
        if (!r->values[i].name_too_long && dll_provider_name(r->values[i].name, other, BEHAVIOR_NAME_MAX) &&
            !wcscmp((const WCHAR *)mine, (const WCHAR *)other))
            return FALSE;
    return TRUE;
}

static void print_behaviors_text(const struct behavior_reading *r)
{
    unsigned named = 0, ignored = 0;
    char key[BEHAVIOR_KEY_MAX];

    out("\nProviderBehavior (the values of the ");
    out_wide(MAPISHUT_BEHAVIOR_SUBKEY);
    out(" subkey of each key, named after provider DLLs):\n");
    for (uint32_t i = 0; i < r->count; i++) {
        struct behavior_decision d;

        if (!first_of_its_name(r, i))
            continue;
        behavior_decide(r, r->values[i].name, &d);
        if (d.place == POLICY_DEFAULT)
            continue; /* no valid value for that name: shown as ignored below */
        behavior_key(d.place, d.version, key);
        out("  ");
        out_wide((const WCHAR *)r->values[d.index].name);
        out(" = %u: %s\n    decided by: the %s, %s\n", (unsigned)d.value, behavior_value_meaning(d.value),
            policy_place_name(d.place), key);
        named++;
    }
    if (!named)
        out("  none: every provider is asked\n");
    for (uint32_t i = 0; i < r->count; i++) {
        struct policy_rejected why;
        uint32_t number;

        if (behavior_value_is_valid(&r->values[i], &number, &why))
            continue;
        if (!ignored++)
            out("ignored:\n");
        behavior_key(why.place, why.version, key);
        out("  %s: ", key);
        out_wide(r->values[i].name_too_long ? L"(a name too long)" : (const WCHAR *)r->values[i].name);
        out(" %s (registry type %lu, %lu bytes)\n", policy_reject_reason(why.why), (unsigned long)why.reg_type,
            (unsigned long)why.size);
    }
    if (r->left_out)
        out("  %lu more values were not read\n", (unsigned long)r->left_out);
}

static void print_behaviors_json(const struct behavior_reading *r)
{
    unsigned named = 0, ignored = 0;
    char key[BEHAVIOR_KEY_MAX];

    out(",\"provider_behavior\":[");
    for (uint32_t i = 0; i < r->count; i++) {
        struct behavior_decision d;

        if (!first_of_its_name(r, i))
            continue;
        behavior_decide(r, r->values[i].name, &d);
        if (d.place == POLICY_DEFAULT)
            continue;
        behavior_key(d.place, d.version, key);
        out("%s{\"name\":", named++ ? "," : "");
        out_json_wide((const WCHAR *)r->values[d.index].name);
        out(",\"value\":%u,\"meaning\":", (unsigned)d.value);
        out_json(behavior_value_meaning(d.value));
        out(",\"decided_by\":{\"place\":");
        out_json(policy_place_name(d.place));
        out(",\"key\":");
        out_json(key);
        out(",\"version\":");
        out_json(policy_version_name(d.version));
        out("}}");
    }
    out("],\"provider_behavior_ignored\":[");
    for (uint32_t i = 0; i < r->count; i++) {
        struct policy_rejected why;
        uint32_t number;

        if (behavior_value_is_valid(&r->values[i], &number, &why))
            continue;
        behavior_key(why.place, why.version, key);
        out("%s{\"name\":", ignored++ ? "," : "");
        out_json_wide(r->values[i].name_too_long ? NULL : (const WCHAR *)r->values[i].name);
        out(",\"place\":");
        out_json(policy_place_name(why.place));
        out(",\"key\":");
        out_json(key);
        out(",\"reason\":");
        out_json(policy_reject_reason(why.why));
        out(",\"registry_type\":%lu,\"size\":%lu}", (unsigned long)why.reg_type, (unsigned long)why.size);
    }
    out("],\"provider_behavior_left_out\":%lu", (unsigned long)r->left_out);
}

int command_policy(BOOL json)
{
    struct policy_decision decisions[SHUTDOWN_SETTINGS];
    struct setting settings[SHUTDOWN_SETTINGS] = {
        [SETTING_BEHAVIOR]   = { "FastShutdownBehavior", behavior_meaning, { 0 } },
        [SETTING_TIMEOUT]    = { "ProviderTimeoutMs", timeout_meaning, { 0 } },
        [SETTING_CONCURRENT] = { "ConcurrentProviders", concurrent_meaning, { 0 } },
        [SETTING_WARN]       = { "ProviderWarnMs", warn_meaning, { 0 } },
        [SETTING_RECORDS]    = { "ExitRecords", records_meaning, { 0 } },
    };
    /* JSON: FastShutdownBehavior at the top level, the others beside it. */
    static const char *const json_names[SHUTDOWN_SETTINGS] = {
        [SETTING_TIMEOUT] = "provider_timeout_ms",
        [SETTING_CONCURRENT] = "concurrent_providers",
        [SETTING_WARN] = "provider_warn_ms",
        [SETTING_RECORDS] = "exit_records",
    };
    static struct behavior_reading behaviors;

    policy_read_settings(decisions, &behaviors);
    for (unsigned i = 0; i < SHUTDOWN_SETTINGS; i++)
        settings[i].decision = decisions[i];
    if (json) {
        out("{");
        print_json_fields(&settings[SETTING_BEHAVIOR]);
        for (unsigned i = SETTING_BEHAVIOR + 1; i < SHUTDOWN_SETTINGS; i++) {
            out(",\"%s\":{", json_names[i]);
            print_json_fields(&settings[i]);
            out("}");
        }
        print_behaviors_json(&behaviors);
        out("}\n");
    } else {
        for (unsigned i = 0; i < SHUTDOWN_SETTINGS; i++) {
            if (i)
                out("\n");
            print_text(&settings[i]);
        }
        print_behaviors_text(&behaviors);
    }
    return EXIT_OK;
}
