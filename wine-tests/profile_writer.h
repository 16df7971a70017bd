/* Writes MAPI profiles into the test prefix's registry, the way Outlook and
 * the legacy Windows Messaging Subsystem lay them out. */
#ifndef MAPISHUT_WINE_TESTS_PROFILE_WRITER_H
#define MAPISHUT_WINE_TESTS_PROFILE_WRITER_H

#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "project_facts.h"
#include "wine/test.h"

#define PROFILES_16 FACT_WIDE(FACT_PROFILES_16)
#define PROFILES_15 FACT_WIDE(FACT_PROFILES_15)
#define PROFILES_LEGACY FACT_WIDE(FACT_PROFILES_LEGACY)
#define SERVICES_SECTION "9207f3e0a3b11019908b08002b2a56c2"

/* uid_bytes: 32 hex digits to 16 bytes. section_value writes one value of a
 * section (place is one of PROFILES_*, tag the value name); provider_section
 * writes PR_RESOURCE_TYPE, PR_PROVIDER_DLL_NAME and PR_PROVIDER_DISPLAY;
 * delete_all_profiles removes every profile of the three places and their
 * DefaultProfile values. */

static inline void uid_bytes(const char *hex, BYTE uid[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned byte = 0;

        sscanf(hex + 2 * i, "%2x", &byte);
        uid[i] = (BYTE)byte;
    }
}

static inline void section_value(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                   DWORD type, const void *data, DWORD size)
{
    WCHAR path[512], name[64];
    LSTATUS status;
    HKEY key;

    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\%ls\\%hs", place, profile, section);
    _snwprintf(name, ARRAY_SIZE(name), L"%hs", tag);
    status = RegCreateKeyExW(HKEY_CURRENT_USER, path, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    ok(status == ERROR_SUCCESS, "creating %ls: %ld\n", path, status);
    if (status != ERROR_SUCCESS)
        return;
    if (tag) {
        status = RegSetValueExW(key, name, 0, type, data, size);
        ok(status == ERROR_SUCCESS, "writing %ls\\%ls: %ld\n", path, name, status);
    }
    RegCloseKey(key);
}

static inline void section_long(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag, DWORD value)
{
    section_value(place, profile, section, tag, REG_BINARY, &value, sizeof(value));
}

static inline void section_unicode(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                     const WCHAR *text)
{
    section_value(place, profile, section, tag, REG_BINARY, text, (DWORD)((wcslen(text) + 1) * sizeof(WCHAR)));
}

static inline void section_string8(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                     const char *text)
{
    section_value(place, profile, section, tag, REG_BINARY, text, (DWORD)strlen(text) + 1);
}

static inline void section_uids(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                  const char *const *uids, unsigned count)
{
    BYTE data[16 * 64];

    for (unsigned i = 0; i < count && i < 64; i++)
        uid_bytes(uids[i], data + 16 * i);
    section_value(place, profile, section, tag, REG_BINARY, data, 16 * count);
}

static inline void provider_section(const WCHAR *place, const WCHAR *profile, const char *section, DWORD type,
                      const WCHAR *dll, const WCHAR *display)
{
    section_long(place, profile, section, "00033e03", type);
    if (dll)
        section_unicode(place, profile, section, "001f300a", dll);
    if (display)
        section_unicode(place, profile, section, "001f3006", display);
}

static inline void set_default_profile(const WCHAR *place, const WCHAR *profile)
{
    WCHAR holder[256];
    const WCHAR *cut = wcsstr(place, L"\\Profiles");

    lstrcpynW(holder, place, ARRAY_SIZE(holder));
    /* Office keeps DefaultProfile beside Profiles; the legacy place inside it. */
    if (wcscmp(place, PROFILES_LEGACY) && cut)
        holder[cut - place] = 0;
    RegSetKeyValueW(HKEY_CURRENT_USER, holder, L"DefaultProfile", REG_SZ, profile,
                    (DWORD)((wcslen(profile) + 1) * sizeof(WCHAR)));
}

static inline void delete_all_profiles(void)
{
    static const WCHAR *const places[] = { PROFILES_16, PROFILES_15, PROFILES_LEGACY };

    for (unsigned i = 0; i < ARRAY_SIZE(places); i++) {
        WCHAR holder[256];
        const WCHAR *cut = wcsstr(places[i], L"\\Profiles");

        RegDeleteTreeW(HKEY_CURRENT_USER, places[i]);
        RegDeleteKeyValueW(HKEY_CURRENT_USER, places[i], L"DefaultProfile");
        lstrcpynW(holder, places[i], ARRAY_SIZE(holder));
        if (cut)
            holder[cut - places[i]] = 0;
        RegDeleteKeyValueW(HKEY_CURRENT_USER, holder, L"DefaultProfile");
    }
}

#endif
