/* Reads a shutdown setting from the four policy places and three Office
 * versions with plain Win32 registry calls; the core decides which one wins. */
#include "module.h"
#include "core/policy.h"
#include "core/shutdown.h"

#include <stdio.h>
#include <string.h>

static const struct {
    HKEY root;
    const WCHAR *prefix;
} places[POLICY_PLACES] = {
    [POLICY_HKLM_POLICY]     = { HKEY_LOCAL_MACHINE, L"Software\\Policies\\Microsoft\\Office\\" },
    [POLICY_HKCU_POLICY]     = { HKEY_CURRENT_USER,  L"Software\\Policies\\Microsoft\\Office\\" },
    [POLICY_HKCU_PREFERENCE] = { HKEY_CURRENT_USER,  L"Software\\Microsoft\\Office\\" },
    [POLICY_HKLM_PREFERENCE] = { HKEY_LOCAL_MACHINE, L"Software\\Microsoft\\Office\\" },
};

static const WCHAR *const versions[POLICY_VERSIONS] = { L"16.0", L"15.0", L"14.0" };

static void key_path(unsigned place, unsigned version, WCHAR *path)
{
    wcscpy(path, places[place].prefix);
    wcscat(path, versions[version]);
    wcscat(path, L"\\Outlook\\Options\\Shutdown");
}

void policy_key_name(unsigned place, unsigned version, WCHAR *name, size_t size)
{
    WCHAR path[128];

    key_path(place, version, path);
    _snwprintf(name, size, L"%ls\\%ls", places[place].root == HKEY_LOCAL_MACHINE ? L"HKLM" : L"HKCU", path);
    name[size - 1] = 0;
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

/* Each key is opened once for all the names, and a place whose Office key
 * does not exist costs a single call: this runs at every QueryFastShutdown. */
void policy_read_registry(const WCHAR *const *names, unsigned count, struct policy_reading *readings)
{
    memset(readings, 0, count * sizeof(*readings)); /* all POLICY_VALUE_ABSENT */
    for (unsigned place = 0; place < POLICY_PLACES; place++) {
        WCHAR office_path[64];
        LSTATUS status;
        HKEY office;

        wcscpy(office_path, places[place].prefix);
        office_path[wcslen(office_path) - 1] = 0; /* no trailing backslash */
        status = RegOpenKeyExW(places[place].root, office_path, 0, KEY_QUERY_VALUE, &office);
        if (status == ERROR_FILE_NOT_FOUND || status == ERROR_PATH_NOT_FOUND)
            continue;
        for (unsigned version = 0; version < POLICY_VERSIONS; version++) {
            WCHAR path[64];
            LSTATUS key_status = status;
            HKEY key = NULL;

            wcscpy(path, versions[version]);
            wcscat(path, L"\\Outlook\\Options\\Shutdown");
            if (status == ERROR_SUCCESS)
                key_status = RegOpenKeyExW(office, path, 0, KEY_QUERY_VALUE, &key);
            for (unsigned n = 0; n < count; n++) {
                struct policy_value *value = &readings[n].value[place][version];
                DWORD type = 0, size = sizeof(value->data);

                LSTATUS value_status = key_status;

                if (key_status == ERROR_SUCCESS)
                    value_status = RegQueryValueExW(key, names[n], NULL, &type, value->data, &size);
                record(value_status, type, size, value);
            }
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
};

/* What was ignored on the way is in each decision; the subsystem reports it
 * (after the providers, on the protocol path), the tool prints it. */
void policy_read_settings(struct policy_decision decisions[SHUTDOWN_SETTINGS])
{
    struct policy_reading readings[SHUTDOWN_SETTINGS];

    policy_read_registry(policy_setting_names, SHUTDOWN_SETTINGS, readings);
    for (unsigned setting = 0; setting < SHUTDOWN_SETTINGS; setting++)
        policy_decide(&readings[setting], shutdown_setting_max(setting), shutdown_setting_default(setting),
                      &decisions[setting]);
}
