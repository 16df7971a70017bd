/* When the client follows the protocol (a successful QueryFastShutdown
 * first), NotifyProcessShutdown and DoFastShutdown allocate no heap memory and
 * read no registry: memory and the registry may be gone in a process's last
 * moments. The proof hooks the real mapishut.dll's imports (its import
 * address table) and counts every call to an allocator or a registry
 * function, in a child process per case. */
#define COBJMACROS
#include "iat_hook.h"
#include "support.h"
#include "wine/test.h"

#include <string.h>

static LONG allocations, registry_calls, threads_created;

#define COUNTING(name, counter, ret, params, args)            \
    static ret (WINAPI *real_##name) params;                  \
    static ret WINAPI counting_##name params                  \
    {                                                         \
        InterlockedIncrement(&counter);                       \
        return real_##name args;                              \
    }
#define COUNTING_CDECL(name, counter, ret, params, args)      \
    static ret (__cdecl *real_##name) params;                 \
    static ret __cdecl counting_##name params                 \
    {                                                         \
        InterlockedIncrement(&counter);                       \
        return real_##name args;                              \
    }

COUNTING_CDECL(malloc, allocations, void *, (size_t size), (size))
COUNTING_CDECL(calloc, allocations, void *, (size_t count, size_t size), (count, size))
COUNTING_CDECL(realloc, allocations, void *, (void *old, size_t size), (old, size))
COUNTING(HeapAlloc, allocations, void *, (HANDLE heap, DWORD flags, SIZE_T size), (heap, flags, size))
COUNTING(HeapReAlloc, allocations, void *, (HANDLE heap, DWORD flags, void *old, SIZE_T size), (heap, flags, old, size))
COUNTING(RegOpenKeyExW, registry_calls, LSTATUS, (HKEY k, const WCHAR *s, DWORD o, REGSAM a, HKEY *r), (k, s, o, a, r))
COUNTING(RegQueryValueExW, registry_calls, LSTATUS, (HKEY k, const WCHAR *n, DWORD *r, DWORD *t, BYTE *d, DWORD *c),
         (k, n, r, t, d, c))
COUNTING(RegGetValueW, registry_calls, LSTATUS,
         (HKEY k, const WCHAR *s, const WCHAR *v, DWORD f, DWORD *t, void *d, DWORD *c), (k, s, v, f, t, d, c))
COUNTING(RegEnumKeyExW, registry_calls, LSTATUS,
         (HKEY k, DWORD i, WCHAR *n, DWORD *l, DWORD *r, WCHAR *c, DWORD *cl, FILETIME *f), (k, i, n, l, r, c, cl, f))
COUNTING(RegEnumValueW, registry_calls, LSTATUS,
         (HKEY k, DWORD i, WCHAR *n, DWORD *l, DWORD *r, DWORD *t, BYTE *d, DWORD *c), (k, i, n, l, r, t, d, c))
COUNTING(CreateThread, threads_created, HANDLE,
         (SECURITY_ATTRIBUTES *a, SIZE_T s, LPTHREAD_START_ROUTINE f, void *p, DWORD c, DWORD *i), (a, s, f, p, c, i))

static const struct hook {
    const char *name;
    void *counting;
    void **real;
} hooks[] = {
#define HOOK(name) { #name, (void *)counting_##name, (void **)&real_##name }
    HOOK(malloc), HOOK(calloc), HOOK(realloc), HOOK(HeapAlloc), HOOK(HeapReAlloc),
    HOOK(RegOpenKeyExW), HOOK(RegQueryValueExW), HOOK(RegGetValueW), HOOK(RegEnumKeyExW), HOOK(RegEnumValueW),
    HOOK(CreateThread),
#undef HOOK
};

/* Points every matching import of the module at its counting twin; returns
 * how many import slots were hooked. */
static int hook_imports(HMODULE module)
{
    int hooked = 0;

    for (unsigned h = 0; h < ARRAY_SIZE(hooks); h++)
        hooked += hook_import(module, hooks[h].name, hooks[h].counting, hooks[h].real);
    return hooked;
}

static void child(const char *which)
{
    WCHAR path[MAX_PATH];
    IMAPIClientShutdown *client;
    IMAPIShutdownHost *host;
    HMODULE module;
    LONG alloc_before, registry_before, threads_before;
    HRESULT notify, do_fast;
    int hooked;

    mapishut_dll_path(path, ARRAY_SIZE(path));
    module = LoadLibraryW(path);
    hooked = hook_imports(module);
    ok(hooked >= 5, "only %d imports hooked\n", hooked);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    client = create_client_shutdown();
    host = create_shutdown_host();
    if (!client || !host)
        return;
    /* Two of each type: with ConcurrentProviders, each type is a batch. */
    for (int i = 0; i < 6; i++) {
        static const ULONG types[] = { MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, MAPI_TRANSPORT_PROVIDER,
                                       MAPI_STORE_PROVIDER, MAPI_AB_PROVIDER, MAPI_TRANSPORT_PROVIDER };
        IUnknown *provider = make_provider(L"p", 0, NULL, NULL);
        ULONG cookie;

        IMAPIShutdownHost_RegisterProvider(host, NULL, types[i], provider, &cookie);
        IUnknown_Release(provider);
    }
    ok(allocations > 0, "the hooks saw no allocation while providers registered\n");

    if (!strcmp(which, "protocol")) {
        registry_before = registry_calls;
        ok(IMAPIClientShutdown_QueryFastShutdown(client) == S_OK, "QueryFastShutdown failed\n");
        ok(registry_calls > registry_before, "the hooks saw no registry read in QueryFastShutdown\n");
    }
    alloc_before = allocations;
    registry_before = registry_calls;
    threads_before = threads_created;
    notify = IMAPIClientShutdown_NotifyProcessShutdown(client);
    do_fast = IMAPIClientShutdown_DoFastShutdown(client);
    ok(notify == S_OK && do_fast == S_OK, "NotifyProcessShutdown %#lx, DoFastShutdown %#lx\n", notify, do_fast);
    if (!strcmp(which, "protocol")) {
        ok(allocations == alloc_before, "%ld heap allocations in NotifyProcessShutdown and DoFastShutdown\n",
           allocations - alloc_before);
        ok(registry_calls == registry_before, "%ld registry calls in NotifyProcessShutdown and DoFastShutdown\n",
           registry_calls - registry_before);
        /* Threads the deadline or a batch needs were made at the query. */
        ok(threads_created == threads_before, "%ld threads created in NotifyProcessShutdown and DoFastShutdown\n",
           threads_created - threads_before);
    } else {
        /* Out of protocol the policy must be read there: the hooks see it. */
        ok(registry_calls > registry_before, "no registry read without a query first\n");
    }
}

START_TEST(quiet)
{
    static const struct { const char *name; DWORD timeout_ms, concurrent; } cases[] = {
        { "protocol", 0, 0 }, { "protocol", 250, 0 }, { "no_query", 0, 0 },
        { "protocol", 0, 1 }, { "protocol", 250, 1 }, { "no_query", 0, 1 },
    };
    int argc;
    char **args = child_args(&argc);

    if (args) {
        child(args[0]);
        return;
    }
    if (!register_for_tests())
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        clear_policies();
        if (cases[i].timeout_ms)
            set_policy_value(USER_POLICY, L"16.0", MAPISHUT_TIMEOUT_VALUE, REG_DWORD, &cases[i].timeout_ms, 4);
        if (cases[i].concurrent)
            set_policy_value(USER_POLICY, L"16.0", MAPISHUT_CONCURRENT_VALUE, REG_DWORD, &cases[i].concurrent, 4);
        run_child(cases[i].name);
    }
    clear_policies();
    restore_registration();
}
