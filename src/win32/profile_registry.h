/* Finding MAPI profiles in the registry (see docs/profiles.md). */
#ifndef MAPISHUT_WIN32_PROFILE_REGISTRY_H
#define MAPISHUT_WIN32_PROFILE_REGISTRY_H

#include "mapishut.h"

struct profile;

/* A registry key name: up to 255 characters, none of them a backslash.
 * The empty name stands for the default profile. */
BOOL profile_name_is_valid(const WCHAR *name);

/* Opens the profile's key (NULL or empty: the default profile), searching
 * Office 16.0, 15.0, then the legacy Windows Messaging Subsystem place.
 * Returns FALSE when there is no such profile. path (may be NULL) receives
 * the key's path under HKCU, path_size characters at most. */
BOOL profile_open(const WCHAR *name, HKEY *key, WCHAR *path, DWORD path_size);

/* Reads and decodes every section of the profile: S_OK, MAPI_E_NOT_FOUND,
 * E_OUTOFMEMORY, or the Win32 error of a profile that changed while it was
 * read (deleted: HRESULT_FROM_WIN32(ERROR_KEY_DELETED)). Malformed sections,
 * and sections or properties that could not be read, are in
 * profile->problems. */
HRESULT profile_read(const WCHAR *name, struct profile *profile, WCHAR *path, DWORD path_size);

/* Is the section's DLL (MAPI's "...32.DLL" form, then the name as stored)
 * loaded in this process? Takes no reference and loads nothing. */
BOOL profile_section_is_loaded(const WCHAR *dll_file, const WCHAR *dll_name);

#endif
