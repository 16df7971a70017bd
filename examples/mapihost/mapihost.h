/* mapihost.dll: a small MAPI implementation, for `make demo` and for MAPI
 * implementers to read. MAPILogonEx gives a session that aggregates the
 * fast-shutdown subsystem (so that a client gets IMAPIClientShutdown by
 * QueryInterface on its session, as with Outlook's MAPI) and loads the
 * profile's providers through their entry points, telling the subsystem
 * about each one. The subsystem itself never loads a DLL. */
#ifndef MAPISHUT_EXAMPLE_MAPIHOST_H
#define MAPISHUT_EXAMPLE_MAPIHOST_H

#include <windows.h>
#include <mapix.h>
#include <mapispi.h>
#include "mapishut.h"

#define HOST_PROVIDERS_MAX 32

struct loaded_provider {
    HMODULE module;
    IUnknown *object;           /* what the entry point returned */
    ULONG type;
    ULONG cookie;               /* IMAPIShutdownHost::RegisterProvider's */
    WCHAR display_name[128];
};

struct provider_set {
    struct loaded_provider items[HOST_PROVIDERS_MAX];
    unsigned count;
};

/* loader.c: the profile's provider sections, each DLL loaded by MAPI's naming
 * rule and initialised by its entry point, then registered with its section
 * UID. A provider that cannot be loaded is reported and left out. */
HRESULT providers_load(const WCHAR *profile, IMAPIShutdownHost *host, struct provider_set *set);
/* Unregisters and shuts down each provider, as a logoff does. After the
 * client's DoFastShutdown the subsystem refuses: the process is exiting, and
 * the providers are left as they are. */
void providers_unload(IMAPIShutdownHost *host, struct provider_set *set);

/* worker_hook.c: MAPIInitialize on each of the subsystem's worker threads,
 * set through IMAPIShutdownHost2 of the aggregate whose inner unknown is
 * subsystem and outer unknown outer. */
void worker_hook_install(IUnknown *subsystem, IUnknown *outer);

/* session.c */
HRESULT session_create(const WCHAR *profile, IMAPISession **out);

void host_say(const char *format, ...);

#endif
