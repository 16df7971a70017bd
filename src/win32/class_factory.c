/* The class factory of CLSID_MAPIShutdown. It is static: its references are
 * module locks, so DllCanUnloadNow says no while someone holds it. */
#include "module.h"

static HRESULT WINAPI ClassFactory_QueryInterface(IClassFactory *iface, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
        *out = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI ClassFactory_AddRef(IClassFactory *iface)
{
    (void)iface;
    module_lock();
    return 2;
}

static ULONG WINAPI ClassFactory_Release(IClassFactory *iface)
{
    (void)iface;
    module_unlock();
    return 1;
}

static HRESULT WINAPI ClassFactory_CreateInstance(IClassFactory *iface, IUnknown *outer,
                                                  REFIID riid, void **out)
{
    (void)iface;
    return shutdown_object_create(outer, riid, out);
}

static HRESULT WINAPI ClassFactory_LockServer(IClassFactory *iface, BOOL lock)
{
    (void)iface;
    if (lock)
        module_lock();
    else
        module_unlock();
    return S_OK;
}

static const IClassFactoryVtbl class_factory_vtbl = {
    ClassFactory_QueryInterface,
    ClassFactory_AddRef,
    ClassFactory_Release,
    ClassFactory_CreateInstance,
    ClassFactory_LockServer,
};

static IClassFactory class_factory = { &class_factory_vtbl };

HRESULT class_factory_get(REFIID riid, void **out)
{
    return IClassFactory_QueryInterface(&class_factory, riid, out);
}
