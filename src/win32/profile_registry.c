#include "profile_registry.h"

#include <string.h>

#define PROFILE_NAME_MAX 255

/* Each place: where its profiles are, and which key holds its DefaultProfile. */
static const struct {
    const WCHAR *profiles;
    const WCHAR *default_holder;
} places[] = {
    { L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles",
      L"Software\\Microsoft\\Office\\16.0\\Outlook" },
    { L"Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles",
      L"Software\\Microsoft\\Office\\15.0\\Outlook" },
    { L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
      L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles" },
};

BOOL profile_name_is_valid(const WCHAR *name)
{
    size_t length = 0;

    for (; name[length]; length++)
        if (name[length] == L'\\' || length == PROFILE_NAME_MAX)
            return FALSE;
    return TRUE;
}

static BOOL open_in_place(unsigned place, const WCHAR *name, HKEY *key)
{
    WCHAR path[400];

    wcscpy(path, places[place].profiles);
    wcscat(path, L"\\");
    wcscat(path, name);
    return RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, KEY_READ, key) == ERROR_SUCCESS;
}

/* The place's DefaultProfile, if it is a REG_SZ holding a valid name. */
static BOOL default_name(unsigned place, WCHAR name[PROFILE_NAME_MAX + 1])
{
    DWORD size = (PROFILE_NAME_MAX + 1) * sizeof(WCHAR);

    if (RegGetValueW(HKEY_CURRENT_USER, places[place].default_holder, L"DefaultProfile",
                     RRF_RT_REG_SZ, NULL, name, &size) != ERROR_SUCCESS)
        return FALSE;
    return name[0] && profile_name_is_valid(name);
}

BOOL profile_open(const WCHAR *name, HKEY *key)
{
    BOOL want_default = !name || !name[0];

    if (!want_default && !profile_name_is_valid(name))
        return FALSE;
    for (unsigned place = 0; place < ARRAYSIZE(places); place++) {
        WCHAR default_profile[PROFILE_NAME_MAX + 1];

        if (want_default) {
            if (default_name(place, default_profile) &&
                open_in_place(place, default_profile, key))
                return TRUE;
        } else if (open_in_place(place, name, key)) {
            return TRUE;
        }
    }
    return FALSE;
}

BOOL profile_exists(const WCHAR *name)
{
    HKEY key;

    if (!profile_open(name, &key))
        return FALSE;
    RegCloseKey(key);
    return TRUE;
}
