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

static void read_one(HKEY root, const WCHAR *path, const WCHAR *value_name,
                     struct policy_value *value)
{
    DWORD type = 0, size = sizeof(value->data);
    LSTATUS status;
    HKEY key;

    memset(value, 0, sizeof(*value));
    status = RegOpenKeyExW(root, path, 0, KEY_QUERY_VALUE, &key);
    if (status == ERROR_SUCCESS) {
        status = RegQueryValueExW(key, value_name, NULL, &type, value->data, &size);
        RegCloseKey(key);
    }
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

void policy_read_registry(const WCHAR *value_name, struct policy_reading *reading)
{
    for (unsigned place = 0; place < POLICY_PLACES; place++) {
        for (unsigned version = 0; version < POLICY_VERSIONS; version++) {
            WCHAR path[128];

            key_path(place, version, path);
            read_one(places[place].root, path, value_name, &reading->value[place][version]);
        }
    }
}

void policy_read_setting(const WCHAR *value_name, uint32_t max_valid, uint32_t default_value,
                         struct policy_decision *decision)
{
    struct policy_reading reading;

    policy_read_registry(value_name, &reading);
    policy_decide(&reading, max_valid, default_value, decision);
    for (unsigned i = 0; i < decision->rejected_count; i++) {
        const struct policy_rejected *r = &decision->rejected[i];

        diag(L"%ls in the %hs, Office %hs, %hs (type %lu, %lu bytes, "
             L"value %lu, error %lu): ignored", value_name,
             policy_place_name(r->place), policy_version_name(r->version),
             policy_reject_reason(r->why), (unsigned long)r->reg_type,
             (unsigned long)r->size, (unsigned long)r->number, (unsigned long)r->error);
    }
}
