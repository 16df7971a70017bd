/* What the Win32 files of mapishut.dll share. */
#ifndef MAPISHUT_WIN32_MODULE_H
#define MAPISHUT_WIN32_MODULE_H

#include "mapishut.h"

#include <stdint.h>

struct policy_reading;
struct policy_decision;

/* The module handle, set by DllMain. */
extern HINSTANCE mapishut_instance;

/* Outstanding objects and IClassFactory::LockServer locks. */
void module_lock(void);
void module_unlock(void);
LONG module_lock_count(void);

/* The process's one subsystem (subsystem.c). */
BOOL subsystem_startup(void);
void subsystem_shutdown(BOOL process_exiting);
HRESULT subsystem_query_interface(REFIID riid, void **out);
BOOL subsystem_is_idle(void);

/* IClassFactory for CLSID_MAPIShutdown (class_factory.c). */
HRESULT class_factory_get(REFIID riid, void **out);

/* Reads FastShutdownBehavior (policy_registry.c). No heap allocation. */
void policy_read_registry(const WCHAR *value_name, struct policy_reading *reading);
/* "HKLM\Software\Policies\Microsoft\Office\16.0\Outlook\Options\Shutdown" and the like. */
void policy_key_name(unsigned place, unsigned version, WCHAR *name, size_t size);
/* Reads one setting from the four places, valid 0..max_valid, reporting
 * every value it ignored. */
void policy_read_setting(const WCHAR *value_name, uint32_t max_valid, uint32_t default_value,
                         struct policy_decision *decision);

/* 16 bytes as 32 lowercase hex digits, the way profile section names spell them. */
void uid_to_text(const BYTE uid[16], WCHAR text[33]);

/* Diagnostics through OutputDebugStringW with the "mapishut: " prefix,
 * formatted on the stack (no heap): safe in the last moments of a process. */
void diag(const WCHAR *format, ...);

#endif
