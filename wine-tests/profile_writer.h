/* Writes MAPI profiles into the test prefix's registry, the way Outlook and
 * the legacy Windows Messaging Subsystem lay them out. */
#ifndef MAPISHUT_WINE_TESTS_PROFILE_WRITER_H
#define MAPISHUT_WINE_TESTS_PROFILE_WRITER_H

#include <windows.h>

#define PROFILES_16 L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"
#define PROFILES_15 L"Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles"
#define PROFILES_LEGACY L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define SERVICES_SECTION "9207f3e0a3b11019908b08002b2a56c2"

/* Writes one value of a section: place is one of PROFILES_*, tag the value name. */
void section_value(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                   DWORD type, const void *data, DWORD size);
void section_long(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag, DWORD value);
void section_unicode(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                     const WCHAR *text);
void section_string8(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                     const char *text);
void section_uids(const WCHAR *place, const WCHAR *profile, const char *section, const char *tag,
                  const char *const *uids, unsigned count);
/* A provider section: PR_RESOURCE_TYPE, PR_PROVIDER_DLL_NAME, PR_PROVIDER_DISPLAY (Unicode). */
void provider_section(const WCHAR *place, const WCHAR *profile, const char *section, DWORD type,
                      const WCHAR *dll, const WCHAR *display);
void set_default_profile(const WCHAR *place, const WCHAR *profile);
/* Removes every profile of the three places, and their DefaultProfile values. */
void delete_all_profiles(void);

void uid_bytes(const char *hex, BYTE uid[16]);

#endif
