/* Loading a profile's providers the way MAPI does: each provider section
 * names a resource type and a DLL; MAPI loads "<base>32<ext>" and calls the
 * entry point of that type. What this example adds for fast shutdown is one
 * call per provider: IMAPIShutdownHost::RegisterProvider, with the section's
 * UID, and UnregisterProvider when the provider goes. */
#include "mapihost.h"
#include "core/dll_name.h"
#include "core/provider_table.h"

#include <stdio.h>

static const struct {
    const WCHAR *profiles;
    const WCHAR *default_holder;        /* the key whose DefaultProfile names one */
} places[] = {
    { L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles", L"Software\\Microsoft\\Office\\16.0\\Outlook" },
    { L"Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles", L"Software\\Microsoft\\Office\\15.0\\Outlook" },
    { L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
      L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles" },
};

static BOOL open_profile(const WCHAR *name, HKEY *key)
{
    for (unsigned i = 0; i < ARRAYSIZE(places); i++) {
        WCHAR profile[256], path[512];
        DWORD size = sizeof(profile);

        if (name && name[0])
            lstrcpynW(profile, name, ARRAYSIZE(profile));
        else if (RegGetValueW(HKEY_CURRENT_USER, places[i].default_holder, L"DefaultProfile", RRF_RT_REG_SZ,
                              NULL, profile, &size) != ERROR_SUCCESS)
            continue;
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", places[i].profiles, profile);
        path[ARRAYSIZE(path) - 1] = 0;
        if (RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, KEY_READ, key) == ERROR_SUCCESS)
            return TRUE;
    }
    return FALSE;
}

/* A property of a section, as MAPI stores it: REG_BINARY bytes. */
static DWORD read_property(HKEY section, const WCHAR *tag, void *data, DWORD size)
{
    DWORD type = 0;

    if (RegQueryValueExW(section, tag, NULL, &type, data, &size) != ERROR_SUCCESS || type != REG_BINARY)
        return 0;
    return size;
}

static BOOL parse_uid(const WCHAR *name, BYTE uid[16])
{
    if (wcslen(name) != 32)
        return FALSE;
    for (int i = 0; i < 16; i++) {
        unsigned byte;

        if (swscanf(name + 2 * i, L"%2x", &byte) != 1)
            return FALSE;
        uid[i] = (BYTE)byte;
    }
    return TRUE;
}

/* MAPI's rule: MSPST.DLL is loaded as MSPST32.DLL. A stored name with a path
 * in it is not a provider DLL name: refused. The rule is the subsystem's own
 * (src/core/dll_name.c), so that host and subsystem agree on every name. */
static BOOL mapi_file_name(const WCHAR *stored, WCHAR *file, size_t size)
{
    return dll_name_is_safe((const uint16_t *)stored) && dll_file_name((const uint16_t *)stored, (uint16_t *)file, size);
}

typedef HRESULT (__cdecl *provider_init_fn)(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER,
                                            ULONG, ULONG, ULONG *, IUnknown **);

static void load_section(HKEY profile, const WCHAR *name, IMAPIShutdownHost *host, struct provider_set *set)
{
    struct loaded_provider *p = &set->items[set->count];
    WCHAR dll[MAX_PATH] = L"", file[MAX_PATH];
    ULONG type = 0, version = 0;
    provider_init_fn init;
    BYTE uid[16];
    HRESULT hr;
    HKEY section;

    if (!parse_uid(name, uid) || RegOpenKeyExW(profile, name, 0, KEY_READ, &section) != ERROR_SUCCESS)
        return;
    if (read_property(section, L"00033e03", &type, sizeof(type)) != sizeof(type) ||
        (type != MAPI_TRANSPORT_PROVIDER && type != MAPI_AB_PROVIDER && type != MAPI_STORE_PROVIDER) ||
        !read_property(section, L"001f300a", dll, sizeof(dll) - sizeof(WCHAR))) {
        RegCloseKey(section);
        return; /* a service section, or a provider of another kind */
    }
    memset(p, 0, sizeof(*p));
    if (!read_property(section, L"001f3006", p->display_name, sizeof(p->display_name) - sizeof(WCHAR)))
        lstrcpyW(p->display_name, L"(no name)");
    RegCloseKey(section);

    if (set->count == HOST_PROVIDERS_MAX || !mapi_file_name(dll, file, ARRAYSIZE(file))) {
        host_say("%-16ls %-12s %ls: not a provider this host can load: skipped", p->display_name,
                 provider_type_name(type), dll);
        return;
    }
    p->module = LoadLibraryW(file);
    if (!p->module) {
        host_say("%-16ls %-12s %ls: not found (error %lu): skipped", p->display_name, provider_type_name(type), file,
                 GetLastError());
        return;
    }
    init = (provider_init_fn)(void *)GetProcAddress(p->module, type == MAPI_TRANSPORT_PROVIDER ? "XPProviderInit" :
                                                               type == MAPI_AB_PROVIDER ? "ABProviderInit" :
                                                                                          "MSProviderInit");
    hr = init ? init(p->module, NULL, NULL, NULL, NULL, 0, CURRENT_SPI_VERSION, &version, &p->object)
              : MAPI_E_NO_SUPPORT;
    if (FAILED(hr) || !p->object) {
        host_say("%-16ls %-12s %ls: its entry point failed (%#lx): skipped", p->display_name, provider_type_name(type),
                 file, (unsigned long)hr);
        FreeLibrary(p->module);
        return;
    }
    p->type = type;
    hr = IMAPIShutdownHost_RegisterProvider(host, uid, type, p->object, &p->cookie);
    host_say("%-16ls %-12s %ls: loaded; RegisterProvider(section %.8ls...) -> %#lx", p->display_name,
             provider_type_name(type), file, name, (unsigned long)hr);
    set->count++;
}

HRESULT providers_load(const WCHAR *profile_name, IMAPIShutdownHost *host, struct provider_set *set)
{
    WCHAR name[256];
    HKEY profile;

    set->count = 0;
    if (!open_profile(profile_name, &profile))
        return MAPI_E_NOT_FOUND;
    for (DWORD index = 0;; index++) {
        DWORD length = ARRAYSIZE(name);

        /* Any error ends the walk: a profile deleted meanwhile returns
         * ERROR_KEY_DELETED for every index. */
        if (RegEnumKeyExW(profile, index, name, &length, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        load_section(profile, name, host, set);
    }
    RegCloseKey(profile);
    return S_OK;
}

void providers_unload(IMAPIShutdownHost *host, struct provider_set *set)
{
    for (unsigned i = 0; i < set->count; i++) {
        struct loaded_provider *p = &set->items[i];
        ULONG flags = 0;

        if (IMAPIShutdownHost_UnregisterProvider(host, p->cookie) == MAPI_E_CALL_FAILED) {
            host_say("%-16ls: the client shut down fast: left as it is", p->display_name);
            continue;
        }
        /* Every provider interface begins with IUnknown, then Shutdown. */
        ((IXPProvider *)p->object)->lpVtbl->Shutdown((IXPProvider *)p->object, &flags);
        IUnknown_Release(p->object);
        FreeLibrary(p->module);
    }
    set->count = 0;
}
