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
HRESULT subsystem_set_worker_hook(IMAPIShutdownWorkerHook *hook);

/* The COM objects (objects.c): the process's singleton without an outer
 * unknown, a thin aggregate per outer with one (IID_IUnknown only). */
HRESULT shutdown_object_create(IUnknown *outer, REFIID riid, void **out);
void shutdown_objects_startup(void);

/* IClassFactory for CLSID_MAPIShutdown (class_factory.c). */
HRESULT class_factory_get(REFIID riid, void **out);

/* Reads the named values from every policy place and Office version
 * (policy_registry.c), one reading per name, and the ProviderBehavior values
 * (behaviors may be NULL). No heap allocation. */
void policy_read_registry(const WCHAR *const *names, unsigned count, struct policy_reading *readings,
                          struct behavior_reading *behaviors);
/* The registry value name of each setting. */
extern const WCHAR *const policy_setting_names[SHUTDOWN_SETTINGS];
/* Every setting as it stands now, with every value ignored on the way, and
 * the ProviderBehavior values (behaviors may be NULL). */
void policy_read_settings(struct policy_decision decisions[SHUTDOWN_SETTINGS], struct behavior_reading *behaviors);

/* An ASCII string (the core's names and paths) as UTF-16, cut to size. */
void widen(const char *ascii, WCHAR *wide, size_t size);

/* 16 bytes as 32 lowercase hex digits, the way profile section names spell them. */
void uid_to_text(const BYTE uid[16], WCHAR text[33]);

/* Diagnostics through OutputDebugStringW with the "mapishut: " prefix. They
 * format text, which may need the heap: never on the protocol path. */
void diag(const WCHAR *format, ...);
/* A phase's events as text, naming each provider by display name and DLL. */
void diag_events(const struct reported_event *events, size_t count, size_t lost);
/* What a profile attached with had to skip. */
struct profile;
void diag_profile_problems(const WCHAR *path, const struct profile *profile);

/* The exit records (exit_file.c): %LOCALAPPDATA%\mapishut\exits, this
 * process's record mapped (NULL, with a diagnostic, when it cannot be), and
 * the tidying of the folder on a thread of its own: earlier records told to
 * the Event Log, and, if keep is not 0, the oldest beyond keep deleted. */
BOOL exit_folder(WCHAR *path, size_t size);
void *exit_file_create(uint64_t (*clock_us)(void));

/* clock.c: the exit record's clock in microseconds, cheap once
 * clock_calibrate (which takes 50 ms: off the exit path) has run. */
void clock_init(void);
uint64_t clock_us(void);
void clock_calibrate(void);
void exit_tidy_in_background(unsigned keep);
uint64_t process_start_time(HANDLE process);
/* exit_eventlog.c: each finished record of the folder not reported yet goes
 * to the Event Log, once; returns how many records, and *events how many
 * events. */
unsigned exit_report_folder(const WCHAR *folder, unsigned *events);
BOOL exit_process_is_alive(uint32_t pid, uint64_t start);

/* Waits for one of the handles (at most timeout_ms), pumping messages in a
 * single-threaded apartment (wait.c). FALSE on a timeout or a failure. */
BOOL wait_for_handles(DWORD count, HANDLE *handles, DWORD timeout_ms, DWORD *signalled);

#endif
