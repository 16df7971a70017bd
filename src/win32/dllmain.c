/* The module: DllMain and the COM entry points DllGetClassObject and
 * DllCanUnloadNow. Registration lives in registration.c. */
#include "module.h"

HINSTANCE mapishut_instance;
static LONG module_locks;

void module_lock(void)
{
    InterlockedIncrement(&module_locks);
}

void module_unlock(void)
{
    InterlockedDecrement(&module_locks);
}

static LONG module_lock_count(void)
{
    return InterlockedCompareExchange(&module_locks, 0, 0);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason) {
    case DLL_PROCESS_ATTACH:
        mapishut_instance = instance;
        DisableThreadLibraryCalls(instance);
        shutdown_objects_startup();
        return subsystem_startup();
    case DLL_PROCESS_DETACH:
        /* At process exit other threads are gone and providers may already
         * be unloaded: touch nothing. On FreeLibrary, clean up. */
        subsystem_shutdown(reserved != NULL);
        break;
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID rclsid, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!rclsid || !riid)
        return E_INVALIDARG;
    if (!IsEqualCLSID(rclsid, &CLSID_MAPIShutdown))
        return CLASS_E_CLASSNOTAVAILABLE;
    return class_factory_get(riid, out);
}

/* Unloading is safe only with no object (aggregates included), no lock, and
 * nothing the subsystem holds that unloading would lose: registered
 * providers, attached profiles, a deadline worker, a finished shutdown (a
 * later instance must keep refusing calls). */
HRESULT WINAPI DllCanUnloadNow(void)
{
    return module_lock_count() == 0 && subsystem_can_unload() ? S_OK : S_FALSE;
}
