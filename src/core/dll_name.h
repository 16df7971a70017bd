/* MAPI's provider DLL names. A profile stores a base name ("MSPST.DLL");
 * MAPI loads it with "32" appended to the base ("MSPST32.DLL"), on 64-bit
 * Office too. Names are UTF-16 code units, NUL-terminated, untrusted. */
#ifndef MAPISHUT_CORE_DLL_NAME_H
#define MAPISHUT_CORE_DLL_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file name and nothing else: no path separator, drive, "..", control
 * character or character invalid in a file name; not empty. */
bool dll_name_is_safe(const uint16_t *name);

/* MAPI's file name for a stored name: "MSPST.DLL" -> "MSPST32.DLL",
 * "MSPST" -> "MSPST32.dll". False when it does not fit out_size units with
 * the NUL. */
bool dll_file_name(const uint16_t *stored, uint16_t *out, size_t out_size);

/* The name a ProviderBehavior value gives a provider: lowercase ASCII, no
 * ".dll", no "32" at the end of the base, so that "EMSMDB", "emsmdb.dll",
 * "EMSMDB32.DLL" and "emsmdb32" are one name. False when it does not fit. */
bool dll_provider_name(const uint16_t *name, uint16_t *out, size_t out_size);

#endif
