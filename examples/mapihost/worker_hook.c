/* MAPI's threading rule on the subsystem's threads. MAPI wants every thread
 * that uses it to have called MAPIInitialize; under ProviderTimeoutMs or
 * ConcurrentProviders the subsystem calls providers on worker threads of its
 * own, which this host never saw start. A provider whose DoFastShutdown uses
 * its support object or MAPIAllocateBuffer would fail there, unsaved. The
 * hook prepares each worker before its first provider call and undoes it as
 * the worker ends. */
#include "mapihost.h"

static HRESULT WINAPI hook_QueryInterface(IMAPIShutdownWorkerHook *iface, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIShutdownWorkerHook)) {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

/* One static object for the DLL's life: nothing to count. */
static ULONG WINAPI hook_AddRef(IMAPIShutdownWorkerHook *iface)
{
    (void)iface;
    return 2;
}

static ULONG WINAPI hook_Release(IMAPIShutdownWorkerHook *iface)
{
    (void)iface;
    return 1;
}

static HRESULT WINAPI hook_WorkerStarted(IMAPIShutdownWorkerHook *iface)
{
    (void)iface;
    return MAPIInitialize(NULL);
}

static HRESULT WINAPI hook_WorkerEnding(IMAPIShutdownWorkerHook *iface)
{
    (void)iface;
    MAPIUninitialize();
    return S_OK;
}

static const IMAPIShutdownWorkerHookVtbl hook_vtbl = {
    hook_QueryInterface, hook_AddRef, hook_Release, hook_WorkerStarted, hook_WorkerEnding,
};

static IMAPIShutdownWorkerHook hook = { &hook_vtbl };

/* An older subsystem has no IMAPIShutdownHost2: the workers then stay as
 * they are, and a provider that needs MAPI on them is best left without a
 * deadline. */
void worker_hook_install(IUnknown *subsystem, IUnknown *outer)
{
    IMAPIShutdownHost2 *host2;
    HRESULT hr;

    if (FAILED(IUnknown_QueryInterface(subsystem, &IID_IMAPIShutdownHost2, (void **)&host2)))
        return;
    hr = IMAPIShutdownHost2_SetWorkerHook(host2, &hook);
    host_say("IMAPIShutdownHost2::SetWorkerHook(MAPIInitialize on each worker) -> %#lx", (unsigned long)hr);
    /* The aggregate's interfaces count on the outer object. */
    IUnknown_Release(outer);
}
