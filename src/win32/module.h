/* What the Win32 files of mapishut.dll share. */
#ifndef MAPISHUT_WIN32_MODULE_H
#define MAPISHUT_WIN32_MODULE_H

#include "mapishut.h"
#include "core/shutdown.h"

#include <stdint.h>

/* The module handle, set by DllMain. */
extern HINSTANCE mapishut_instance;

/* Outstanding objects and IClassFactory::LockServer locks. */
void module_lock(void);
void module_unlock(void);

/* The process's one subsystem (subsystem.c): what every COM object calls. */
BOOL subsystem_startup(void);
void subsystem_shutdown(BOOL process_exiting);
/* Nothing would be lost by unloading: no provider, no profile, no worker, no
 * finished shutdown. */
BOOL subsystem_can_unload(void);
HRESULT subsystem_query(void);
HRESULT subsystem_notify(void);
HRESULT subsystem_do_fast(void);
HRESULT subsystem_attach_profile(const WCHAR *name);
HRESULT subsystem_register(const BYTE *section_uid, ULONG resource_type, IUnknown *provider, ULONG *cookie);
HRESULT subsystem_unregister(ULONG cookie);

/* The COM objects (objects.c): the process's singleton without an outer
 * unknown, a thin aggregate per outer with one (IID_IUnknown only). */
HRESULT shutdown_object_create(IUnknown *outer, REFIID riid, void **out);
void shutdown_objects_startup(void);

/* IClassFactory for CLSID_MAPIShutdown (class_factory.c). */
HRESULT class_factory_get(REFIID riid, void **out);

/* Reads the named values from every policy place and Office version
 * (policy_registry.c), one reading per name. No heap allocation. */
void policy_read_registry(const WCHAR *const *names, unsigned count, struct policy_reading *readings);
/* The registry value name of each setting. */
extern const WCHAR *const policy_setting_names[SHUTDOWN_SETTINGS];
/* Every setting as it stands now, with every value ignored on the way. */
void policy_read_settings(struct policy_decision decisions[SHUTDOWN_SETTINGS]);

/* An ASCII string (the core's names and paths) as UTF-16, cut to size. */
void widen(const char *ascii, WCHAR *wide, size_t size);

/* 16 bytes as 32 lowercase hex digits, the way profile section names spell them. */
void uid_to_text(const BYTE uid[16], WCHAR text[33]);

/* Diagnostics through OutputDebugStringW with the "mapishut: " prefix,
 * formatted on the stack (no heap): safe in the last moments of a process. */
void diag(const WCHAR *format, ...);

#endif
