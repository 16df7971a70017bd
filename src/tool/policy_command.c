/* mapishut policy: each setting's effective value (FastShutdownBehavior,
 * ProviderTimeoutMs, ConcurrentProviders), the place that decided it, and
 * every value passed over on the way, with the reason. */
#include "commands.h"
#include "output.h"
#include "core/policy.h"
#include "core/shutdown.h"
#include "win32/module.h"

#include <stdio.h>

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

int command_policy(BOOL json)
{
    struct policy_decision decisions[SHUTDOWN_SETTINGS];
    struct setting settings[SHUTDOWN_SETTINGS] = {
        [SETTING_BEHAVIOR]   = { "FastShutdownBehavior", behavior_meaning, { 0 } },
        [SETTING_TIMEOUT]    = { "ProviderTimeoutMs", timeout_meaning, { 0 } },
        [SETTING_CONCURRENT] = { "ConcurrentProviders", concurrent_meaning, { 0 } },
    };
    /* JSON: FastShutdownBehavior at the top level, the others beside it. */
    static const char *const json_names[SHUTDOWN_SETTINGS] = {
        [SETTING_TIMEOUT] = "provider_timeout_ms",
        [SETTING_CONCURRENT] = "concurrent_providers",
    };

    policy_read_settings(decisions);
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
        out("}\n");
    } else {
        for (unsigned i = 0; i < SHUTDOWN_SETTINGS; i++) {
            if (i)
                out("\n");
            print_text(&settings[i]);
        }
    }
    return EXIT_OK;
}
