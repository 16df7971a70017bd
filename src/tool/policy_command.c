/* mapishut policy: the effective FastShutdownBehavior, the place that
 * decided it, and every value passed over on the way, with the reason. */
#include "commands.h"
#include "output.h"
#include "core/policy.h"
#include "core/shutdown.h"
#include "win32/module.h"

static const char *const place_names[] = {
    [POLICY_HKLM_POLICY] = "machine policy",
    [POLICY_HKCU_POLICY] = "user policy",
    [POLICY_HKCU_PREFERENCE] = "user preference",
    [POLICY_HKLM_PREFERENCE] = "machine preference",
    [POLICY_DEFAULT] = "default",
};

static const char *meaning(uint32_t value)
{
    switch (value) {
    case SHUTDOWN_UNLESS_OPTED_OUT:   return "fast shutdown unless a provider opts out";
    case SHUTDOWN_ONLY_IF_ALL_OPT_IN: return "fast shutdown only if every provider opts in";
    default:                          return "fast shutdown disabled";
    }
}

static void print_text(const struct policy_decision *d)
{
    WCHAR key[160];

    out("FastShutdownBehavior = %u: %s\n", (unsigned)d->value, meaning(d->value));
    if (d->place == POLICY_DEFAULT) {
        out("decided by: the default (no valid value is set)\n");
    } else {
        policy_key_name(d->place, d->version, key, ARRAYSIZE(key));
        out("decided by: the %s, ", place_names[d->place]);
        out_wide(key);
        out("\n");
    }
    if (!d->rejected_count) {
        out("ignored: none\n");
        return;
    }
    out("ignored:\n");
    for (unsigned i = 0; i < d->rejected_count; i++) {
        const struct policy_rejected *r = &d->rejected[i];

        policy_key_name(r->place, r->version, key, ARRAYSIZE(key));
        out("  ");
        out_wide(key);
        out(": %s", policy_reject_reason(r->why));
        if (r->why == POLICY_REJECT_UNREADABLE)
            out(" (error %lu)\n", (unsigned long)r->error);
        else if (r->why == POLICY_REJECT_RANGE)
            out(" (%lu)\n", (unsigned long)r->number);
        else
            out(" (registry type %lu, %lu bytes)\n", (unsigned long)r->reg_type, (unsigned long)r->size);
    }
}

static void print_json(const struct policy_decision *d)
{
    WCHAR key[160];

    out("{\"value\":%u,\"meaning\":", (unsigned)d->value);
    out_json(meaning(d->value));
    out(",\"decided_by\":{\"place\":");
    out_json(place_names[d->place]);
    if (d->place == POLICY_DEFAULT) {
        out(",\"key\":null,\"version\":null}");
    } else {
        policy_key_name(d->place, d->version, key, ARRAYSIZE(key));
        out(",\"key\":");
        out_json_wide(key);
        out(",\"version\":");
        out_json(policy_version_name(d->version));
        out("}");
    }
    out(",\"ignored\":[");
    for (unsigned i = 0; i < d->rejected_count; i++) {
        const struct policy_rejected *r = &d->rejected[i];

        policy_key_name(r->place, r->version, key, ARRAYSIZE(key));
        out("%s{\"place\":", i ? "," : "");
        out_json(place_names[r->place]);
        out(",\"key\":");
        out_json_wide(key);
        out(",\"version\":");
        out_json(policy_version_name(r->version));
        out(",\"reason\":");
        out_json(policy_reject_reason(r->why));
        out(",\"registry_type\":%lu,\"size\":%lu,\"error\":%lu}", (unsigned long)r->reg_type,
            (unsigned long)r->size, (unsigned long)r->error);
    }
    out("]}\n");
}

int command_policy(BOOL json)
{
    struct policy_reading reading;
    struct policy_decision decision;

    policy_read_registry(MAPISHUT_POLICY_VALUE, &reading);
    policy_decide(&reading, SHUTDOWN_DISABLED, SHUTDOWN_UNLESS_OPTED_OUT, &decision);
    if (json)
        print_json(&decision);
    else
        print_text(&decision);
    return EXIT_OK;
}
