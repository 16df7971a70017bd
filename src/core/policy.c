#include "policy.h"

#include <stddef.h>

static const char *const version_names[POLICY_VERSIONS] = { "16.0", "15.0", "14.0" };

const char *policy_version_name(unsigned version)
{
    return version < POLICY_VERSIONS ? version_names[version] : "?";
}

const char *policy_place_name(enum policy_place place)
{
    switch (place) {
    case POLICY_HKLM_POLICY:     return "machine policy (HKLM\\Software\\Policies)";
    case POLICY_HKCU_POLICY:     return "user policy (HKCU\\Software\\Policies)";
    case POLICY_HKCU_PREFERENCE: return "user preference (HKCU\\Software\\Microsoft)";
    case POLICY_HKLM_PREFERENCE: return "machine preference (HKLM\\Software\\Microsoft)";
    case POLICY_DEFAULT:         return "default";
    }
    return "?";
}

const char *policy_reject_reason(enum policy_reject why)
{
    switch (why) {
    case POLICY_REJECT_UNREADABLE: return "could not be read";
    case POLICY_REJECT_TYPE:       return "is not a REG_DWORD";
    case POLICY_REJECT_SIZE:       return "is not 4 bytes long";
    case POLICY_REJECT_RANGE:      return "is out of range";
    }
    return "?";
}

/* Returns 1 and sets *number when the value is usable, else fills *rejected. */
static int value_is_valid(const struct policy_value *v, uint32_t max_valid,
                          uint32_t *number, struct policy_rejected *rejected)
{
    rejected->reg_type = v->reg_type;
    rejected->size = v->size;
    rejected->number = 0;
    rejected->error = v->error;

    if (v->state == POLICY_VALUE_UNREADABLE) {
        rejected->why = POLICY_REJECT_UNREADABLE;
        return 0;
    }
    if (v->reg_type != POLICY_REG_DWORD) {
        rejected->why = POLICY_REJECT_TYPE;
        return 0;
    }
    if (v->size != 4) {
        rejected->why = POLICY_REJECT_SIZE;
        return 0;
    }
    /* REG_DWORD is little-endian on every Windows architecture. */
    *number = (uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 |
              (uint32_t)v->data[2] << 16 | (uint32_t)v->data[3] << 24;
    if (*number > max_valid) {
        rejected->number = *number;
        rejected->why = POLICY_REJECT_RANGE;
        return 0;
    }
    return 1;
}

void policy_decide(const struct policy_reading *reading, uint32_t max_valid,
                   uint32_t default_value, struct policy_decision *decision)
{
    decision->value = default_value;
    decision->place = POLICY_DEFAULT;
    decision->version = 0;
    decision->rejected_count = 0;

    for (unsigned place = 0; place < POLICY_PLACES; place++) {
        for (unsigned version = 0; version < POLICY_VERSIONS; version++) {
            const struct policy_value *v = &reading->value[place][version];
            struct policy_rejected *rejected = &decision->rejected[decision->rejected_count];
            uint32_t number;

            if (v->state == POLICY_VALUE_ABSENT)
                continue;
            if (value_is_valid(v, max_valid, &number, rejected)) {
                decision->value = number;
                decision->place = (enum policy_place)place;
                decision->version = version;
                return;
            }
            rejected->place = (enum policy_place)place;
            rejected->version = version;
            decision->rejected_count++;
        }
    }
}
