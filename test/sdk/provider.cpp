// A provider built against the installed SDK only, in C++: a class deriving
// from IMAPIProviderShutdown, as a provider author writes one.
#include <mapishut.h>

static LONG told; // 1: QueryFastShutdown, 2: NotifyProcessShutdown, 4: DoFastShutdown

class Provider : public IMAPIProviderShutdown {
public:
    Provider() : refs(1) {}

    STDMETHODIMP QueryInterface(REFIID riid, void **out)
    {
        if (IsEqualIID(riid, IID_IUnknown) || IsEqualIID(riid, IID_IMAPIProviderShutdown)) {
            *out = static_cast<IMAPIProviderShutdown *>(this);
            AddRef();
            return S_OK;
        }
        *out = NULL;
        return E_NOINTERFACE;
    }
    STDMETHODIMP_(ULONG) AddRef() { return InterlockedIncrement(&refs); }
    STDMETHODIMP_(ULONG) Release()
    {
        LONG left = InterlockedDecrement(&refs);

        if (!left)
            delete this;
        return left;
    }
    STDMETHODIMP QueryFastShutdown() { InterlockedOr(&told, 1); return S_OK; }
    STDMETHODIMP NotifyProcessShutdown() { InterlockedOr(&told, 2); return S_OK; }
    STDMETHODIMP DoFastShutdown() { InterlockedOr(&told, 4); return S_OK; }

private:
    virtual ~Provider() {}
    LONG refs;
};

extern "C" __declspec(dllexport) HRESULT sdk_provider_create(IUnknown **out)
{
    *out = new Provider();
    return S_OK;
}

extern "C" __declspec(dllexport) LONG sdk_provider_told(void)
{
    return told;
}
