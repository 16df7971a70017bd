/* Reads a shutdown setting from the four policy places and three Office
 * versions with plain Win32 registry calls; the core decides which one wins. */
#include "module.h"
#include "core/policy.h"
#include "core/shutdown.h"

#include <string.h>

static HKEY place_root(unsigned place)
{
    return !strcmp(policy_place_root(place), "HKLM") ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
}

/* What one value's query said. */
static void record(LSTATUS status, DWORD type, DWORD size, struct policy_value *value)
{
    switch (status) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        value->state = POLICY_VALUE_ABSENT;
        break;
    case ERROR_SUCCESS:
    case ERROR_MORE_DATA: /* too long for a DWORD: size tells how long */
        value->state = POLICY_VALUE_PRESENT;
        value->reg_type = type;
        value->size = size;
        break;
    default:
        value->state = POLICY_VALUE_UNREADABLE;
        value->error = (uint32_t)status;
        break;
    }
}

/* The values of a Shutdown key's ProviderBehavior subkey, appended in the
 * order the registry gives them. Two calls per value: the name, type and
 * size first, then the data of one small enough to be valid. Any error but
 * a name too long ends the walk (the key went away meanwhile). */
static void read_behaviors(HKEY shutdown, unsigned place, unsigned version, struct behavior_reading *behaviors)
{
    DWORD values = 0;
    HKEY key;

    if (RegOpenKeyExW(shutdown, MAPISHUT_BEHAVIOR_SUBKEY, 0, KEY_QUERY_VALUE, &key) != ERROR_SUCCESS)
        return;
    if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &values, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
        values = 0;
    for (DWORD index = 0; index < values; index++) {
        struct behavior_value *v;
        WCHAR name[BEHAVIOR_NAME_MAX];
        DWORD length = ARRAYSIZE(name), type = 0, size = 0;
        LSTATUS status;

        if (behaviors->count == BEHAVIOR_VALUES_MAX) {
            behaviors->left_out += values - index;
            break;
        }
        status = RegEnumValueW(key, index, name, &length, NULL, &type, NULL, &size);
        if (status != ERROR_SUCCESS && status != ERROR_MORE_DATA)
            break;
        v = &behaviors->values[behaviors->count++];
        memset(v, 0, sizeof(*v));
        v->place = (enum policy_place)place;
        v->version = version;
        if (status == ERROR_MORE_DATA) {
            /* The name did not fit: it is longer than any DLL's. */
            v->name_too_long = TRUE;
            continue;
        }
        memcpy(v->name, name, (length + 1) * sizeof(WCHAR));
        v->value.size = sizeof(v->value.data);
        status = size <= sizeof(v->value.data) ? RegQueryValueExW(key, name, NULL, &type, v->value.data,
                                                                   (DWORD *)&v->value.size)
                                               : ERROR_MORE_DATA;
        record(status, type, status == ERROR_MORE_DATA ? size : v->value.size, &v->value);
        if (v->value.state == POLICY_VALUE_ABSENT)
            behaviors->count--; /* deleted meanwhile */
    }
    RegCloseKey(key);
}

/* Each key is opened once for all the names, and a place whose Office key
 * does not exist costs a single call: this runs at every QueryFastShutdown.
 * behaviors may be NULL. */
void policy_read_registry(const WCHAR *const *names, unsigned count, struct policy_reading *readings,
                          struct behavior_reading *behaviors)
{
    memset(readings, 0, count * sizeof(*readings)); /* all POLICY_VALUE_ABSENT */
    if (behaviors)
        behaviors->count = behaviors->left_out = 0;
    for (unsigned place = 0; place < POLICY_PLACES; place++) {
        WCHAR office_path[POLICY_KEY_PATH_MAX];
        LSTATUS status;
        HKEY office;

        widen(policy_place_office_key(place), office_path, ARRAYSIZE(office_path));
        status = RegOpenKeyExW(place_root(place), office_path, 0, KEY_QUERY_VALUE, &office);
        if (status == ERROR_FILE_NOT_FOUND || status == ERROR_PATH_NOT_FOUND)
            continue;
        for (unsigned version = 0; version < POLICY_VERSIONS; version++) {
            char subkey[POLICY_KEY_PATH_MAX];
            WCHAR path[POLICY_KEY_PATH_MAX];
            LSTATUS key_status = status;
            HKEY key = NULL;

            policy_shutdown_subkey(version, subkey);
            widen(subkey, path, ARRAYSIZE(path));
            DWORD subkeys = 1, values = 1;

            if (status == ERROR_SUCCESS)
                key_status = RegOpenKeyExW(office, path, 0, KEY_QUERY_VALUE, &key);
            /* A Shutdown key often exists with nothing in it (a value deleted,
             * a template applied then undone): one call says so. */
            if (key_status == ERROR_SUCCESS &&
                RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, NULL, NULL, &values, NULL, NULL, NULL, NULL) !=
                    ERROR_SUCCESS)
                subkeys = values = 1;
            for (unsigned n = 0; n < count; n++) {
                struct policy_value *value = &readings[n].value[place][version];
                DWORD type = 0, size = sizeof(value->data);

                LSTATUS value_status = key_status;

                if (key_status == ERROR_SUCCESS)
                    value_status = values ? RegQueryValueExW(key, names[n], NULL, &type, value->data, &size)
                                          : ERROR_FILE_NOT_FOUND;
                record(value_status, type, size, value);
            }
            if (key && behaviors && subkeys)
                read_behaviors(key, place, version, behaviors);
            if (key)
                RegCloseKey(key);
        }
        if (status == ERROR_SUCCESS)
            RegCloseKey(office);
    }
}

const WCHAR *const policy_setting_names[SHUTDOWN_SETTINGS] = {
    [SETTING_BEHAVIOR]   = MAPISHUT_POLICY_VALUE,
    [SETTING_TIMEOUT]    = MAPISHUT_TIMEOUT_VALUE,
    [SETTING_CONCURRENT] = MAPISHUT_CONCURRENT_VALUE,
    [SETTING_WARN]       = MAPISHUT_WARN_VALUE,
    [SETTING_RECORDS]    = MAPISHUT_RECORDS_VALUE,
};

/* What was ignored on the way is in each decision; the subsystem reports it,
 * the tool prints it. behaviors may be NULL. */
void policy_read_settings(struct policy_decision decisions[SHUTDOWN_SETTINGS], struct behavior_reading *behaviors)
{
    struct policy_reading readings[SHUTDOWN_SETTINGS];

    policy_read_registry(policy_setting_names, SHUTDOWN_SETTINGS, readings, behaviors);
    for (unsigned setting = 0; setting < SHUTDOWN_SETTINGS; setting++)
        policy_decide(&readings[setting], shutdown_setting_max(setting), shutdown_setting_default(setting),
                      &decisions[setting]);
}
