/* The registry keys the conformance tests write, saved into memory before a
 * test file runs and put back exactly afterwards: Wine's tests also run on
 * Windows machines, whose Office policies, profiles and registrations are
 * an administrator's. Each key is saved with everything under it; a key
 * that was missing is removed again, with the parents the test made for it.
 * A test file calls save_test_registry() first (it skips, saying why, where
 * it has not the rights to put things back) and restore_test_registry()
 * last. */
#ifndef MAPISHUT_WINE_TESTS_SAVED_REGISTRY_H
#define MAPISHUT_WINE_TESTS_SAVED_REGISTRY_H

#include "support.h"
#include "profile_writer.h"
#include "wine/test.h"

/* One key or one value, in the order they are made again: a key, its
 * values, then its subkeys. */
struct saved_entry {
    WCHAR *key;         /* the key's path under the saved one ("" for itself) */
    WCHAR *name;        /* NULL for a key; a value's name */
    DWORD type, size;
    BYTE *data;
};

struct saved_key {
    HKEY root;
    REGSAM view;        /* 0, KEY_WOW64_32KEY or KEY_WOW64_64KEY */
    WCHAR path[256];
    BOOL existed;
    WCHAR made_from[256]; /* the first missing key on the way to path: what the test may create */
    struct saved_entry *entries;
    unsigned count, capacity;
};

#define SAVED_KEYS_MAX 48

struct saved_registry {
    struct saved_key keys[SAVED_KEYS_MAX];
    unsigned count;
};

static inline WCHAR *saved_strdup(const WCHAR *text)
{
    WCHAR *copy = HeapAlloc(GetProcessHeap(), 0, (wcslen(text) + 1) * sizeof(WCHAR));

    if (copy)
        wcscpy(copy, text);
    return copy;
}

static inline BOOL saved_add(struct saved_key *k, const WCHAR *key, const WCHAR *name, DWORD type,
                             const BYTE *data, DWORD size)
{
    struct saved_entry *e;

    if (k->count == k->capacity) {
        unsigned capacity = k->capacity ? k->capacity * 2 : 16;
        void *grown = k->entries ? HeapReAlloc(GetProcessHeap(), 0, k->entries, capacity * sizeof(*e))
                                 : HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*e));

        if (!grown)
            return FALSE;
        k->entries = grown;
        k->capacity = capacity;
    }
    e = &k->entries[k->count];
    *e = (struct saved_entry){ .key = saved_strdup(key), .type = type, .size = size };
    if (name)
        e->name = saved_strdup(name);
    if (size && (e->data = HeapAlloc(GetProcessHeap(), 0, size)))
        memcpy(e->data, data, size);
    k->count++;
    return e->key && (!name || e->name) && (!size || e->data);
}

/* Saves the open key at relative (under k->path) and everything under it. */
static inline LSTATUS saved_key_read(struct saved_key *k, HKEY key, const WCHAR *relative)
{
    DWORD subkeys, name_max, value_name_max, data_max;
    WCHAR *name = NULL, *child = NULL;
    BYTE *data = NULL;
    LSTATUS status;

    status = RegQueryInfoKeyW(key, NULL, NULL, NULL, &subkeys, &name_max, NULL, NULL, &value_name_max, &data_max,
                              NULL, NULL);
    if (status)
        return status;
    name_max = max(name_max, value_name_max) + 1;
    name = HeapAlloc(GetProcessHeap(), 0, name_max * sizeof(WCHAR));
    child = HeapAlloc(GetProcessHeap(), 0, (wcslen(relative) + name_max + 2) * sizeof(WCHAR));
    data = HeapAlloc(GetProcessHeap(), 0, data_max + 1);
    if (!name || !child || !data || !saved_add(k, relative, NULL, 0, NULL, 0))
        status = ERROR_OUTOFMEMORY;
    for (DWORD i = 0; !status; i++) {
        DWORD name_length = name_max, size = data_max + 1, type;

        status = RegEnumValueW(key, i, name, &name_length, NULL, &type, data, &size);
        if (status == ERROR_NO_MORE_ITEMS) {
            status = ERROR_SUCCESS;
            break;
        }
        if (!status && !saved_add(k, relative, name, type, data, size))
            status = ERROR_OUTOFMEMORY;
    }
    for (DWORD i = 0; !status; i++) {
        DWORD name_length = name_max;
        HKEY sub;

        status = RegEnumKeyExW(key, i, name, &name_length, NULL, NULL, NULL, NULL);
        if (status == ERROR_NO_MORE_ITEMS) {
            status = ERROR_SUCCESS;
            break;
        }
        if (status)
            break;
        wsprintfW(child, relative[0] ? L"%s\\%s" : L"%s%s", relative, name);
        status = RegOpenKeyExW(key, name, 0, KEY_READ | k->view, &sub);
        if (!status) {
            status = saved_key_read(k, sub, child);
            RegCloseKey(sub);
        }
    }
    HeapFree(GetProcessHeap(), 0, name);
    HeapFree(GetProcessHeap(), 0, child);
    HeapFree(GetProcessHeap(), 0, data);
    return status;
}

/* Saves one key; FALSE, with the reason in why, when it cannot be put back. */
static inline BOOL saved_key_save(struct saved_key *k, char *why, size_t why_size)
{
    WCHAR ancestor[256];
    LSTATUS status;
    HKEY key;

    /* Where it is missing, the nearest key that is there must be writable:
     * that is where the test will create it. */
    wcscpy(ancestor, k->path);
    k->made_from[0] = 0;
    for (;;) {
        WCHAR *slash;

        status = RegOpenKeyExW(k->root, ancestor, 0, KEY_ALL_ACCESS | k->view, &key);
        if (status != ERROR_FILE_NOT_FOUND)
            break;
        wcscpy(k->made_from, ancestor);
        if (!(slash = wcsrchr(ancestor, L'\\'))) {
            status = RegOpenKeyExW(k->root, NULL, 0, KEY_ALL_ACCESS | k->view, &key);
            break;
        }
        *slash = 0;
    }
    if (status) {
        snprintf(why, why_size, "%ls (%s): %ld", ancestor, k->root == HKEY_LOCAL_MACHINE ? "HKLM" : "HKCU",
                 status);
        return FALSE;
    }
    k->existed = !k->made_from[0];
    if (k->existed) {
        status = saved_key_read(k, key, L"");
        if (status)
            snprintf(why, why_size, "reading %ls: %ld", k->path, status);
    }
    RegCloseKey(key);
    return !status;
}

static inline void saved_delete_tree(HKEY root, const WCHAR *path, REGSAM view)
{
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_ALL_ACCESS | view, &key) == ERROR_SUCCESS) {
        RegDeleteTreeW(key, NULL);
        RegCloseKey(key);
    }
    RegDeleteKeyExW(root, path, view, 0);
}

static inline void saved_key_free(struct saved_key *k)
{
    for (unsigned i = 0; i < k->count; i++) {
        HeapFree(GetProcessHeap(), 0, k->entries[i].key);
        HeapFree(GetProcessHeap(), 0, k->entries[i].name);
        HeapFree(GetProcessHeap(), 0, k->entries[i].data);
    }
    HeapFree(GetProcessHeap(), 0, k->entries);
    k->entries = NULL;
    k->count = k->capacity = 0;
}

/* Puts one key back as it was saved: the key and what the test made
 * around it removed, then what was there made again. */
static inline void saved_key_restore(struct saved_key *k)
{
    HKEY key = NULL;

    saved_delete_tree(k->root, k->path, k->view);
    if (k->made_from[0])
        saved_delete_tree(k->root, k->made_from, k->view);
    for (unsigned i = 0; i < k->count; i++) {
        const struct saved_entry *e = &k->entries[i];
        LSTATUS status;

        if (!e->name) {
            WCHAR path[512];

            if (key)
                RegCloseKey(key);
            key = NULL;
            wsprintfW(path, e->key[0] ? L"%s\\%s" : L"%s%s", k->path, e->key);
            status = RegCreateKeyExW(k->root, path, 0, NULL, 0, KEY_ALL_ACCESS | k->view, NULL, &key, NULL);
            if (status)
                ok(0, "restoring %ls: %ld\n", path, status);
        } else if (key) {
            status = RegSetValueExW(key, e->name, 0, e->type, e->data, e->size);
            if (status)
                ok(0, "restoring %ls\\%ls %ls: %ld\n", k->path, e->key, e->name, status);
        }
    }
    if (key)
        RegCloseKey(key);
    saved_key_free(k);
}

static inline void saved_registry_add(struct saved_registry *r, HKEY root, REGSAM view, const WCHAR *path)
{
    struct saved_key *k = &r->keys[r->count++];

    *k = (struct saved_key){ .root = root, .view = view };
    lstrcpynW(k->path, path, ARRAY_SIZE(k->path));
}

/* What the tests write: the Shutdown key in every place the subsystem reads,
 * for its Office versions and the two beside them the tests show ignored;
 * the Office keys that hold profiles (com.c removes them whole) and the
 * legacy profiles; the registration of the class, its type library and its
 * ProgIDs, per machine (in both views) and per user. Restored last to
 * first: a key saved inside an earlier one is put back by both, alike. */
static inline void saved_registry_list(struct saved_registry *r)
{
#define SAVED_VERSION(version) FACT_WIDE(version),
    static const WCHAR *const versions[] = { FACT_OFFICE_VERSIONS(SAVED_VERSION) L"17.0", L"13.0" };
    static const REGSAM other_view = sizeof(void *) == 8 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
    WCHAR path[256], libid[40];

    r->count = 0;
    for (int where = MACHINE_POLICY; where <= MACHINE_PREFERENCE; where++) {
        for (unsigned v = 0; v < ARRAY_SIZE(versions); v++) {
            shutdown_key_path(where, versions[v], path, ARRAY_SIZE(path));
            saved_registry_add(r, policy_root(where), 0, path);
        }
    }
    saved_registry_add(r, HKEY_CURRENT_USER, 0, L"Software\\Microsoft\\Office\\16.0");
    saved_registry_add(r, HKEY_CURRENT_USER, 0, L"Software\\Microsoft\\Office\\15.0");
    saved_registry_add(r, HKEY_CURRENT_USER, 0, PROFILES_LEGACY);

    StringFromGUID2(&LIBID_MAPIShutdownLib, libid, ARRAY_SIZE(libid));
    for (int machine = 0; machine <= 1; machine++) {
        HKEY root = machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;

        saved_registry_add(r, root, 0, MAPISHUT_CLSID_KEY);
        _snwprintf(path, ARRAY_SIZE(path), L"Software\\Classes\\TypeLib\\%ls", libid);
        saved_registry_add(r, root, 0, path);
        saved_registry_add(r, root, 0, L"Software\\Classes\\" MAPISHUT_PROGID);
        saved_registry_add(r, root, 0, L"Software\\Classes\\" MAPISHUT_PROGID_INDEPENDENT);
        if (machine) {
            saved_registry_add(r, root, other_view, MAPISHUT_CLSID_KEY);
            saved_registry_add(r, root, other_view, path);
        }
    }
}

/* Saves every key of the list; FALSE (having said why with skip()) when one
 * could not be put back, and then nothing is to be restored. */
static inline BOOL save_keys(struct saved_registry *r)
{
    char why[600];

    for (unsigned i = 0; i < r->count; i++) {
        if (!saved_key_save(&r->keys[i], why, sizeof(why))) {
            skip("no rights to save and restore the registry the tests write (%s): not run\n", why);
            for (unsigned j = 0; j <= i; j++)
                saved_key_free(&r->keys[j]);
            r->count = 0;
            return FALSE;
        }
    }
    return TRUE;
}

static inline void restore_keys(struct saved_registry *r)
{
    while (r->count)
        saved_key_restore(&r->keys[--r->count]);
}

static inline BOOL save_test_registry(struct saved_registry *r)
{
    saved_registry_list(r);
    return save_keys(r);
}

static inline void restore_test_registry(struct saved_registry *r)
{
    restore_keys(r);
}

/* What a test file's START_TEST does first and last (not in its children):
 * the registry saved, then the DLL registered for the tests; unregistered,
 * then the registry put back. */
static struct saved_registry test_registry;

static inline BOOL save_registry_and_register(void)
{
    if (!save_test_registry(&test_registry))
        return FALSE;
    if (register_for_tests())
        return TRUE;
    restore_test_registry(&test_registry);
    return FALSE;
}

static inline void unregister_and_restore_registry(void)
{
    restore_registration();
    restore_test_registry(&test_registry);
}

#endif
