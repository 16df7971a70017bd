/* The COM objects that hand out the process's one subsystem (docs/design.md
 * section 2). Without an outer unknown, CoCreateInstance gets the static
 * singleton. With one (a MAPI session aggregating the subsystem, so that its
 * QueryInterface can hand out IMAPIClientShutdown), each outer gets a thin
 * object of its own: its IUnknown is the non-delegating inner one the outer
 * keeps, and its IMAPIClientShutdown and IMAPIShutdownHost delegate
 * QueryInterface, AddRef and Release to the outer. Every object works on the
 * same subsystem: providers, profiles and phases are the process's. */
#include "module.h"

struct shutdown_object {
    IUnknown IUnknown_inner;
    IMAPIClientShutdown IMAPIClientShutdown_iface;
    IMAPIShutdownHost2 IMAPIShutdownHost2_iface; /* IMAPIShutdownHost too: it begins the same */
    IUnknown *outer_unk;        /* the outer unknown, or IUnknown_inner */
    LONG refs;
    BOOL aggregate;             /* heap-allocated, freed with its last reference */
};

static struct shutdown_object singleton;

static struct shutdown_object *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct shutdown_object, IUnknown_inner);
}

static struct shutdown_object *impl_from_IMAPIClientShutdown(IMAPIClientShutdown *iface)
{
    return CONTAINING_RECORD(iface, struct shutdown_object, IMAPIClientShutdown_iface);
}

static struct shutdown_object *impl_from_IMAPIShutdownHost2(IMAPIShutdownHost2 *iface)
{
    return CONTAINING_RECORD(iface, struct shutdown_object, IMAPIShutdownHost2_iface);
}

/* --- the inner, non-delegating IUnknown -------------------------------------- */

static HRESULT WINAPI Inner_QueryInterface(IUnknown *iface, REFIID riid, void **out)
{
    struct shutdown_object *object = impl_from_IUnknown(iface);

    if (!out)
        return E_POINTER;
    if (!riid) {
        *out = NULL;
        return E_INVALIDARG;
    }
    if (IsEqualIID(riid, &IID_IUnknown))
        *out = &object->IUnknown_inner;
    else if (IsEqualIID(riid, &IID_IMAPIClientShutdown))
        *out = &object->IMAPIClientShutdown_iface;
    else if (IsEqualIID(riid, &IID_IMAPIShutdownHost) || IsEqualIID(riid, &IID_IMAPIShutdownHost2))
        *out = &object->IMAPIShutdownHost2_iface;
    else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    /* For an aggregate this reaches the outer, which the pointer keeps alive. */
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

/* The singleton is static and never freed: its references only keep the
 * module loaded. An aggregate holds one module lock for its whole life. */
static ULONG WINAPI Inner_AddRef(IUnknown *iface)
{
    struct shutdown_object *object = impl_from_IUnknown(iface);

    if (!object->aggregate)
        module_lock();
    return (ULONG)InterlockedIncrement(&object->refs);
}

static ULONG WINAPI Inner_Release(IUnknown *iface)
{
    struct shutdown_object *object = impl_from_IUnknown(iface);
    LONG refs = InterlockedDecrement(&object->refs);

    if (!object->aggregate) {
        module_unlock();
    } else if (!refs) {
        HeapFree(GetProcessHeap(), 0, object);
        module_unlock();
    }
    return (ULONG)refs;
}

static const IUnknownVtbl inner_vtbl = {
    Inner_QueryInterface,
    Inner_AddRef,
    Inner_Release,
};

/* --- IMAPIClientShutdown ----------------------------------------------------- */

static HRESULT WINAPI ClientShutdown_QueryInterface(IMAPIClientShutdown *iface, REFIID riid, void **out)
{
    return IUnknown_QueryInterface(impl_from_IMAPIClientShutdown(iface)->outer_unk, riid, out);
}

static ULONG WINAPI ClientShutdown_AddRef(IMAPIClientShutdown *iface)
{
    return IUnknown_AddRef(impl_from_IMAPIClientShutdown(iface)->outer_unk);
}

static ULONG WINAPI ClientShutdown_Release(IMAPIClientShutdown *iface)
{
    return IUnknown_Release(impl_from_IMAPIClientShutdown(iface)->outer_unk);
}

static HRESULT WINAPI ClientShutdown_QueryFastShutdown(IMAPIClientShutdown *iface)
{
    (void)iface;
    return subsystem_query();
}

static HRESULT WINAPI ClientShutdown_NotifyProcessShutdown(IMAPIClientShutdown *iface)
{
    (void)iface;
    return subsystem_notify();
}

static HRESULT WINAPI ClientShutdown_DoFastShutdown(IMAPIClientShutdown *iface)
{
    (void)iface;
    return subsystem_do_fast();
}

static const IMAPIClientShutdownVtbl client_shutdown_vtbl = {
    ClientShutdown_QueryInterface,
    ClientShutdown_AddRef,
    ClientShutdown_Release,
    ClientShutdown_QueryFastShutdown,
    ClientShutdown_NotifyProcessShutdown,
    ClientShutdown_DoFastShutdown,
};

/* --- IMAPIShutdownHost2 (and IMAPIShutdownHost) ----------------------------- */

static HRESULT WINAPI ShutdownHost_QueryInterface(IMAPIShutdownHost2 *iface, REFIID riid, void **out)
{
    return IUnknown_QueryInterface(impl_from_IMAPIShutdownHost2(iface)->outer_unk, riid, out);
}

static ULONG WINAPI ShutdownHost_AddRef(IMAPIShutdownHost2 *iface)
{
    return IUnknown_AddRef(impl_from_IMAPIShutdownHost2(iface)->outer_unk);
}

static ULONG WINAPI ShutdownHost_Release(IMAPIShutdownHost2 *iface)
{
    return IUnknown_Release(impl_from_IMAPIShutdownHost2(iface)->outer_unk);
}

static HRESULT WINAPI ShutdownHost_AttachProfile(IMAPIShutdownHost2 *iface, LPCWSTR name)
{
    (void)iface;
    return subsystem_attach_profile(name);
}

static HRESULT WINAPI ShutdownHost_RegisterProvider(IMAPIShutdownHost2 *iface, const BYTE *section_uid,
                                                    ULONG resource_type, IUnknown *provider, ULONG *cookie)
{
    (void)iface;
    return subsystem_register(section_uid, resource_type, provider, cookie);
}

static HRESULT WINAPI ShutdownHost_UnregisterProvider(IMAPIShutdownHost2 *iface, ULONG cookie)
{
    (void)iface;
    return subsystem_unregister(cookie);
}

static HRESULT WINAPI ShutdownHost_SetWorkerHook(IMAPIShutdownHost2 *iface, IMAPIShutdownWorkerHook *hook)
{
    (void)iface;
    return subsystem_set_worker_hook(hook);
}

static const IMAPIShutdownHost2Vtbl shutdown_host_vtbl = {
    ShutdownHost_QueryInterface,
    ShutdownHost_AddRef,
    ShutdownHost_Release,
    ShutdownHost_AttachProfile,
    ShutdownHost_RegisterProvider,
    ShutdownHost_UnregisterProvider,
    ShutdownHost_SetWorkerHook,
};

/* --- creation ---------------------------------------------------------------- */

static void init_object(struct shutdown_object *object, IUnknown *outer)
{
    object->IUnknown_inner.lpVtbl = &inner_vtbl;
    object->IMAPIClientShutdown_iface.lpVtbl = &client_shutdown_vtbl;
    object->IMAPIShutdownHost2_iface.lpVtbl = &shutdown_host_vtbl;
    object->outer_unk = outer ? outer : &object->IUnknown_inner;
}

HRESULT shutdown_object_create(IUnknown *outer, REFIID riid, void **out)
{
    struct shutdown_object *object;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!outer)
        return Inner_QueryInterface(&singleton.IUnknown_inner, riid, out);
    /* COM's rule: an outer may only ask for the inner, non-delegating IUnknown. */
    if (!riid || !IsEqualIID(riid, &IID_IUnknown))
        return CLASS_E_NOAGGREGATION;
    object = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*object));
    if (!object)
        return E_OUTOFMEMORY;
    init_object(object, outer);
    object->aggregate = TRUE;
    object->refs = 1;
    module_lock();
    *out = &object->IUnknown_inner;
    return S_OK;
}

/* From DllMain, before any thread can ask for the singleton. */
void shutdown_objects_startup(void)
{
    init_object(&singleton, NULL);
}
