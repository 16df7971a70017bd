#include "policy.h"
#include "dll_name.h"

#include <stddef.h>
#include <string.h>

static const char *const version_names[POLICY_VERSIONS] = { "16.0", "15.0", "14.0" };

static const struct {
    const char *name, *root, *office_key;
} places[POLICY_PLACES + 1] = {
    [POLICY_HKLM_POLICY]     = { "machine policy", "HKLM", "Software\\Policies\\Microsoft\\Office" },
    [POLICY_HKCU_POLICY]     = { "user policy", "HKCU", "Software\\Policies\\Microsoft\\Office" },
    [POLICY_HKCU_PREFERENCE] = { "user preference", "HKCU", "Software\\Microsoft\\Office" },
    [POLICY_HKLM_PREFERENCE] = { "machine preference", "HKLM", "Software\\Microsoft\\Office" },
    [POLICY_DEFAULT]         = { "default", "", "" },
};

const char *policy_version_name(unsigned version)
{
    return version < POLICY_VERSIONS ? version_names[version] : "?";
}

const char *policy_place_name(enum policy_place place)
{
    return place <= POLICY_DEFAULT ? places[place].name : "?";
}

const char *policy_place_root(enum policy_place place)
{
    return place <= POLICY_DEFAULT ? places[place].root : "";
}

const char *policy_place_office_key(enum policy_place place)
{
    return place <= POLICY_DEFAULT ? places[place].office_key : "";
}

/* No printf: these run at every QueryFastShutdown, where nothing may need
 * the heap a crashed provider may hold. Every piece is short and known. */
static void append(char path[POLICY_KEY_PATH_MAX], const char *piece)
{
    size_t length = strlen(path);

    strncat(path, piece, POLICY_KEY_PATH_MAX - 1 - length);
}

void policy_shutdown_subkey(unsigned version, char path[POLICY_KEY_PATH_MAX])
{
    path[0] = 0;
    append(path, policy_version_name(version));
    append(path, "\\Outlook\\Options\\Shutdown");
}

void policy_key_path(enum policy_place place, unsigned version, char path[POLICY_KEY_PATH_MAX])
{
    char subkey[POLICY_KEY_PATH_MAX];

    policy_shutdown_subkey(version, subkey);
    path[0] = 0;
    append(path, policy_place_office_key(place));
    append(path, "\\");
    append(path, subkey);
}

const char *policy_reject_reason(enum policy_reject why)
{
    switch (why) {
    case POLICY_REJECT_UNREADABLE: return "could not be read";
    case POLICY_REJECT_TYPE:       return "is not a REG_DWORD";
    case POLICY_REJECT_SIZE:       return "is not 4 bytes long";
    case POLICY_REJECT_RANGE:      return "is out of range";
    case POLICY_REJECT_NAME:       return "has a name too long for a DLL";
    case POLICY_REJECT_BEHAVIOR_TYPE: return "is neither a REG_SZ nor a REG_DWORD";
    case POLICY_REJECT_NOT_DIGIT:  return "is not one digit";
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

bool behavior_value_is_valid(const struct behavior_value *v, uint32_t *number, struct policy_rejected *why)
{
    const struct policy_value *value = &v->value;
    uint16_t digit = (uint16_t)(value->data[0] | value->data[1] << 8);

    *why = (struct policy_rejected){ .place = v->place, .version = v->version, .reg_type = value->reg_type,
                                     .size = value->size, .error = value->error };
    if (v->name_too_long) {
        why->why = POLICY_REJECT_NAME;
        return false;
    }
    if (value->state == POLICY_VALUE_UNREADABLE) {
        why->why = POLICY_REJECT_UNREADABLE;
        return false;
    }
    if (value->reg_type == POLICY_REG_DWORD) {
        if (value->size != 4) {
            why->why = POLICY_REJECT_SIZE;
            return false;
        }
        *number = (uint32_t)value->data[0] | (uint32_t)value->data[1] << 8 |
                  (uint32_t)value->data[2] << 16 | (uint32_t)value->data[3] << 24;
    } else if (value->reg_type == POLICY_REG_SZ) {
        /* One UTF-16 digit, and its NUL if it has one. */
        if ((value->size != 2 && !(value->size == 4 && !value->data[2] && !value->data[3])) ||
            digit < '0' || digit > '9') {
            why->why = POLICY_REJECT_NOT_DIGIT;
            return false;
        }
        *number = (uint32_t)(digit - '0');
    } else {
        why->why = POLICY_REJECT_BEHAVIOR_TYPE;
        return false;
    }
    if (*number > BEHAVIOR_MAX) {
        why->number = *number;
        why->why = POLICY_REJECT_RANGE;
        return false;
    }
    return true;
}

void behavior_decide(const struct behavior_reading *reading, const uint16_t *dll, struct behavior_decision *d)
{
    uint16_t wanted[BEHAVIOR_NAME_MAX], name[BEHAVIOR_NAME_MAX];

    *d = (struct behavior_decision){ .value = BEHAVIOR_ASK, .place = POLICY_DEFAULT };
    if (!dll || !dll[0] || !dll_provider_name(dll, wanted, BEHAVIOR_NAME_MAX))
        return;
    for (uint32_t i = 0; i < reading->count && i < BEHAVIOR_VALUES_MAX; i++) {
        const struct behavior_value *v = &reading->values[i];
        struct policy_rejected why;
        uint32_t number;
        size_t k = 0;

        if (v->name_too_long || !dll_provider_name(v->name, name, BEHAVIOR_NAME_MAX))
            continue;
        while (name[k] && name[k] == wanted[k])
            k++;
        if (name[k] != wanted[k] || !behavior_value_is_valid(v, &number, &why))
            continue;
        d->value = number;
        d->place = v->place;
        d->version = v->version;
        d->index = i;
        return;
    }
}
