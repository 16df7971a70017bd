/* Finding MAPI profiles in the registry (see ../shared/docs/PROFILES.md). */
#ifndef MAPISHUT_WIN32_PROFILE_REGISTRY_H
#define MAPISHUT_WIN32_PROFILE_REGISTRY_H

#include <windows.h>

/* A registry key name: up to 255 characters, none of them a backslash.
 * The empty name stands for the default profile. */
BOOL profile_name_is_valid(const WCHAR *name);

/* Opens the profile's key (NULL or empty: the default profile), searching
 * Office 16.0, 15.0, then the legacy Windows Messaging Subsystem place.
 * Returns FALSE when there is no such profile. */
BOOL profile_open(const WCHAR *name, HKEY *key);

BOOL profile_exists(const WCHAR *name);

#endif
