/* The session MAPILogonEx returns. It aggregates the fast-shutdown subsystem:
 * CoCreateInstance(CLSID_MAPIShutdown, session, ..., IID_IUnknown) gives it
 * the inner unknown, and the session's QueryInterface hands out the
 * subsystem's IMAPIClientShutdown, whose QueryInterface, AddRef and Release
 * come back to the session. A client thus sees one object, as with
 * Outlook's MAPI (MFCMAPI and Microsoft's LeakMAPI ask the session). */
#define USES_IID_IMAPISession
#include <windows.h>
#include <initguid.h>
#include <mapiguid.h>
#include "mapihost.h"

/* This example's session only logs on and off: its other methods are not
 * supported, and ignore their arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

struct session {
    IMAPISession IMAPISession_iface;
    LONG refs;
    IUnknown *subsystem;            /* the aggregate's inner unknown */
    IMAPIShutdownHost *host;        /* from it, with the reference given back: see session_create */
    struct provider_set providers;
    BOOL logged_off;
};

/* MinGW-w64's mapix.h has no call macros for IMAPISession. */
#define session_addref(s)  (s)->IMAPISession_iface.lpVtbl->AddRef(&(s)->IMAPISession_iface)
#define session_release(s) (s)->IMAPISession_iface.lpVtbl->Release(&(s)->IMAPISession_iface)

static struct session *impl_from_IMAPISession(IMAPISession *iface)
{
    return CONTAINING_RECORD(iface, struct session, IMAPISession_iface);
}

static HRESULT WINAPI Session_QueryInterface(IMAPISession *iface, REFIID riid, void **out)
{
    struct session *session = impl_from_IMAPISession(iface);

    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPISession)) {
        *out = &session->IMAPISession_iface;
        session_addref(session);
        return S_OK;
    }
    /* The subsystem's client interface; not its host interface, which is the
     * MAPI implementation's own business. */
    if (IsEqualIID(riid, &IID_IMAPIClientShutdown))
        return IUnknown_QueryInterface(session->subsystem, riid, out);
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI Session_AddRef(IMAPISession *iface)
{
    return InterlockedIncrement(&impl_from_IMAPISession(iface)->refs);
}

static void logoff(struct session *session)
{
    if (session->logged_off)
        return;
    session->logged_off = TRUE;
    providers_unload(session->host, &session->providers);
}

static ULONG WINAPI Session_Release(IMAPISession *iface)
{
    struct session *session = impl_from_IMAPISession(iface);
    LONG refs = InterlockedDecrement(&session->refs);

    if (refs)
        return refs;
    session->refs = 1; /* guard the object while it releases what it holds */
    logoff(session);
    /* COM's rule for an aggregated interface the outer keeps: give the outer
     * its reference back before releasing the pointer. */
    session_addref(session);
    IMAPIShutdownHost_Release(session->host);
    IUnknown_Release(session->subsystem);
    HeapFree(GetProcessHeap(), 0, session);
    return 0;
}

static HRESULT WINAPI Session_Logoff(IMAPISession *iface, ULONG_PTR ui, ULONG flags, ULONG reserved)
{
    logoff(impl_from_IMAPISession(iface));
    return S_OK;
}

static HRESULT WINAPI Session_GetLastError(IMAPISession *iface, HRESULT result, ULONG flags, LPMAPIERROR *error)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_GetMsgStoresTable(IMAPISession *iface, ULONG flags, LPMAPITABLE *table)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_OpenMsgStore(IMAPISession *iface, ULONG_PTR ui, ULONG size, LPENTRYID id,
                                           LPCIID riid, ULONG flags, LPMDB *store)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_OpenAddressBook(IMAPISession *iface, ULONG_PTR ui, LPCIID riid, ULONG flags,
                                              LPADRBOOK *book)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_OpenProfileSection(IMAPISession *iface, LPMAPIUID uid, LPCIID riid, ULONG flags,
                                                 LPPROFSECT *section)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_GetStatusTable(IMAPISession *iface, ULONG flags, LPMAPITABLE *table)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_OpenEntry(IMAPISession *iface, ULONG size, LPENTRYID id, LPCIID riid, ULONG flags,
                                        ULONG *type, LPUNKNOWN *object)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_CompareEntryIDs(IMAPISession *iface, ULONG size1, LPENTRYID id1, ULONG size2,
                                              LPENTRYID id2, ULONG flags, ULONG *result)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_Advise(IMAPISession *iface, ULONG size, LPENTRYID id, ULONG mask,
                                     LPMAPIADVISESINK sink, ULONG *connection)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_Unadvise(IMAPISession *iface, ULONG connection)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_MessageOptions(IMAPISession *iface, ULONG_PTR ui, ULONG flags, LPTSTR type,
                                             LPMESSAGE message)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_QueryDefaultMessageOpt(IMAPISession *iface, LPTSTR type, ULONG flags, ULONG *count,
                                                     LPSPropValue *options)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_EnumAdrTypes(IMAPISession *iface, ULONG flags, ULONG *count, LPTSTR **types)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_QueryIdentity(IMAPISession *iface, ULONG *size, LPENTRYID *id)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_SetDefaultStore(IMAPISession *iface, ULONG flags, ULONG size, LPENTRYID id)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_AdminServices(IMAPISession *iface, ULONG flags, LPSERVICEADMIN *admin)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_ShowForm(IMAPISession *iface, ULONG_PTR ui, LPMDB store, LPMAPIFOLDER folder,
                                       LPCIID riid, ULONG token, LPMESSAGE sent, ULONG flags, ULONG status,
                                       ULONG message_flags, ULONG access, LPSTR message_class)
{ return MAPI_E_NO_SUPPORT; }
static HRESULT WINAPI Session_PrepareForm(IMAPISession *iface, LPCIID riid, LPMESSAGE message, ULONG *token)
{ return MAPI_E_NO_SUPPORT; }

static const IMAPISessionVtbl session_vtbl = {
    Session_QueryInterface,
    Session_AddRef,
    Session_Release,
    Session_GetLastError,
    Session_GetMsgStoresTable,
    Session_OpenMsgStore,
    Session_OpenAddressBook,
    Session_OpenProfileSection,
    Session_GetStatusTable,
    Session_OpenEntry,
    Session_CompareEntryIDs,
    Session_Advise,
    Session_Unadvise,
    Session_MessageOptions,
    Session_QueryDefaultMessageOpt,
    Session_EnumAdrTypes,
    Session_QueryIdentity,
    Session_Logoff,
    Session_SetDefaultStore,
    Session_AdminServices,
    Session_ShowForm,
    Session_PrepareForm,
};

HRESULT session_create(const WCHAR *profile, IMAPISession **out)
{
    struct session *session = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*session));
    HRESULT hr;

    *out = NULL;
    if (!session)
        return E_OUTOFMEMORY;
    session->IMAPISession_iface.lpVtbl = &session_vtbl;
    session->refs = 1;
    hr = CoCreateInstance(&CLSID_MAPIShutdown, (IUnknown *)&session->IMAPISession_iface, CLSCTX_INPROC_SERVER,
                          &IID_IUnknown, (void **)&session->subsystem);
    host_say("aggregating the subsystem: CoCreateInstance(CLSID_MAPIShutdown, session) -> %#lx",
             (unsigned long)hr);
    if (FAILED(hr)) {
        HeapFree(GetProcessHeap(), 0, session);
        return hr;
    }
    /* The host interface is kept for the session's life: the reference that
     * QueryInterface gave the session itself is given back at once. */
    IUnknown_QueryInterface(session->subsystem, &IID_IMAPIShutdownHost, (void **)&session->host);
    session_release(session);
    worker_hook_install(session->subsystem, (IUnknown *)&session->IMAPISession_iface);

    hr = IMAPIShutdownHost_AttachProfile(session->host, profile);
    host_say("IMAPIShutdownHost::AttachProfile(%ls) -> %#lx", profile && profile[0] ? profile : L"default",
             (unsigned long)hr);
    hr = providers_load(profile, session->host, &session->providers);
    if (FAILED(hr)) {
        session_release(session);
        return hr;
    }
    *out = &session->IMAPISession_iface;
    return S_OK;
}
