#include "profile_registry.h"
#include "core/profile.h"
#include "core/status.h"

#include <stdlib.h>
#include <string.h>

/* A registry key name, and so a profile name: at most 255 characters. */
#define PROFILE_KEY_NAME_MAX 255

/* Each place: where its profiles are, and which key holds its DefaultProfile. */
static const struct {
    const WCHAR *profiles;
    const WCHAR *default_holder;
} places[] = {
    { L"Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles",
      L"Software\\Microsoft\\Office\\16.0\\Outlook" },
    { L"Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles",
      L"Software\\Microsoft\\Office\\15.0\\Outlook" },
    { L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
      L"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles" },
};

BOOL profile_name_is_valid(const WCHAR *name)
{
    size_t length = 0;

    for (; name[length]; length++)
        if (name[length] == L'\\' || length == PROFILE_KEY_NAME_MAX)
            return FALSE;
    return TRUE;
}

static BOOL open_in_place(unsigned place, const WCHAR *name, HKEY *key, WCHAR *found, DWORD found_size)
{
    WCHAR path[400];

    wcscpy(path, places[place].profiles);
    wcscat(path, L"\\");
    wcscat(path, name);
    if (RegOpenKeyExW(HKEY_CURRENT_USER, path, 0, KEY_READ, key) != ERROR_SUCCESS)
        return FALSE;
    if (found)
        lstrcpynW(found, path, (int)found_size);
    return TRUE;
}

/* The place's DefaultProfile, if it is a REG_SZ holding a valid name. */
static BOOL default_name(unsigned place, WCHAR name[PROFILE_KEY_NAME_MAX + 1])
{
    DWORD size = (PROFILE_KEY_NAME_MAX + 1) * sizeof(WCHAR);

    if (RegGetValueW(HKEY_CURRENT_USER, places[place].default_holder, L"DefaultProfile",
                     RRF_RT_REG_SZ, NULL, name, &size) != ERROR_SUCCESS)
        return FALSE;
    return name[0] && profile_name_is_valid(name);
}

BOOL profile_open(const WCHAR *name, HKEY *key, WCHAR *path, DWORD path_size)
{
    BOOL want_default = !name || !name[0];

    if (!want_default && !profile_name_is_valid(name))
        return FALSE;
    for (unsigned place = 0; place < ARRAYSIZE(places); place++) {
        WCHAR default_profile[PROFILE_KEY_NAME_MAX + 1];

        if (want_default) {
            if (default_name(place, default_profile) &&
                open_in_place(place, default_profile, key, path, path_size))
                return TRUE;
        } else if (open_in_place(place, name, key, path, path_size)) {
            return TRUE;
        }
    }
    return FALSE;
}

/* --- reading the sections ------------------------------------------------------ */

/* A value larger than this is passed on with no bytes as PROFILE_REG_TOO_LARGE,
 * so that the decoder reports the property as malformed. */
#define VALUE_SIZE_MAX   65536
/* Reads of a value that keeps growing meanwhile, the first one included. */
#define READ_ATTEMPTS    3

struct reader {
    struct profile_section_input *sections;
    WCHAR (*names)[256];
    struct profile_value *values;       /* profile_property_count() per section */
    uint16_t (*value_names)[9];         /* shared by every section */
    size_t count;
    size_t list_bytes;                  /* read so far, of PROFILE_LIST_ENTRIES_MAX UIDs */
};

static void reader_free(struct reader *r)
{
    size_t per_section = profile_property_count();

    if (r->values)
        for (size_t i = 0; i < r->count * per_section; i++)
            free((void *)r->values[i].data);
    free(r->sections);
    free(r->names);
    free(r->values);
    free(r->value_names);
    memset(r, 0, sizeof(*r));
}

/* A list past the budget is not read; the decoder reports it. */
static BOOL over_list_budget(const struct reader *r, size_t index, DWORD size)
{
    return profile_property_is_list(index) && r->list_bytes + size > PROFILE_LIST_ENTRIES_MAX * PROFILE_UID_SIZE;
}

static void mark(struct profile_value *v, uint32_t reg_type, LSTATUS status)
{
    v->reg_type = reg_type;
    v->read_error = (uint32_t)status;
}

/* One property by name: absent, its bytes, or a marker the decoder reports.
 * Most values fit the first buffer, so one call reads them; a larger one is
 * read again at the size it reported, a few times if it keeps growing. */
static HRESULT read_property(HKEY key, size_t index, const WCHAR *name, struct reader *r, struct profile_value *v)
{
    BYTE first[512], *data = NULL;
    DWORD type = 0, size = sizeof(first);
    LSTATUS status = RegQueryValueExW(key, name, NULL, &type, first, &size);

    for (int attempt = 1; status == ERROR_MORE_DATA && attempt < READ_ATTEMPTS; attempt++) {
        free(data);
        if (size > VALUE_SIZE_MAX) {
            mark(v, PROFILE_REG_TOO_LARGE, ERROR_SUCCESS);
            return S_OK;
        }
        if (over_list_budget(r, index, size)) {
            mark(v, PROFILE_REG_OVER_BUDGET, ERROR_SUCCESS);
            return S_OK;
        }
        if (!(data = malloc(size)))
            return E_OUTOFMEMORY;
        status = RegQueryValueExW(key, name, NULL, &type, data, &size);
    }
    if (status == ERROR_FILE_NOT_FOUND) { /* absent, or deleted meanwhile */
        free(data);
        return S_FALSE;
    }
    if (status != ERROR_SUCCESS) {
        free(data);
        mark(v, PROFILE_REG_UNREADABLE, status);
        return S_OK;
    }
    if (!data && over_list_budget(r, index, size)) {
        mark(v, PROFILE_REG_OVER_BUDGET, ERROR_SUCCESS);
        return S_OK;
    }
    if (!data && size) {
        if (!(data = malloc(size)))
            return E_OUTOFMEMORY;
        memcpy(data, first, size);
    }
    v->reg_type = type;
    v->data = data;
    v->size = size;
    if (profile_property_is_list(index))
        r->list_bytes += size;
    return S_OK;
}

/* The properties the decoder uses, by name: junk values do not count, and
 * nothing else is copied. */
static HRESULT read_section(HKEY profile, struct reader *r, size_t n)
{
    struct profile_section_input *section = &r->sections[n];
    size_t per_section = profile_property_count();
    struct profile_value *values = &r->values[n * per_section];
    LSTATUS status;
    HKEY key;

    section->name = (const uint16_t *)r->names[n];
    section->name_length = wcslen(r->names[n]);
    section->values = values;
    status = RegOpenKeyExW(profile, r->names[n], 0, KEY_QUERY_VALUE, &key);
    if (status != ERROR_SUCCESS) {
        section->read_error = (uint32_t)status;
        return S_OK;
    }
    for (size_t i = 0; i < per_section; i++) {
        struct profile_value *v = &values[section->value_count];
        HRESULT hr;

        v->name = r->value_names[i];
        v->name_length = 8;
        hr = read_property(key, i, (const WCHAR *)r->value_names[i], r, v);
        if (FAILED(hr)) {
            RegCloseKey(key);
            return hr;
        }
        if (hr == S_OK)
            section->value_count++;
    }
    RegCloseKey(key);
    return S_OK;
}

/* Every loop here ends: a key deleted or changed while it is read ends the
 * read with an error (ERROR_KEY_DELETED for every index, otherwise). */
HRESULT profile_read(const WCHAR *name, struct profile *profile, WCHAR *path, DWORD path_size)
{
    /* One more section than the decoder takes, so that it can say the rest was cut. */
    const size_t max = PROFILE_SECTIONS_MAX + 1, per_section = profile_property_count();
    struct reader r = { 0 };
    HRESULT hr = S_OK;
    HKEY key;

    memset(profile, 0, sizeof(*profile));
    if (!profile_open(name, &key, path, path_size))
        return MAPI_E_NOT_FOUND;
    r.sections = calloc(max, sizeof(*r.sections));
    r.names = calloc(max, sizeof(*r.names));
    r.values = calloc(max * per_section, sizeof(*r.values));
    r.value_names = calloc(per_section, sizeof(*r.value_names));
    if (!r.sections || !r.names || !r.values || !r.value_names)
        hr = E_OUTOFMEMORY;
    for (size_t i = 0; SUCCEEDED(hr) && i < per_section; i++)
        profile_property_name(i, r.value_names[i]);

    while (SUCCEEDED(hr) && r.count < max) {
        DWORD length = ARRAYSIZE(r.names[0]);
        LSTATUS status = RegEnumKeyExW(key, (DWORD)r.count, r.names[r.count], &length, NULL, NULL, NULL, NULL);

        if (status == ERROR_NO_MORE_ITEMS)
            break;
        if (status != ERROR_SUCCESS) {
            hr = HRESULT_FROM_WIN32(status);
            break;
        }
        hr = read_section(key, &r, r.count);
        r.count++;
    }
    RegCloseKey(key);
    if (SUCCEEDED(hr) && profile_build(r.sections, r.count, profile) != SHUT_S_OK)
        hr = E_OUTOFMEMORY;
    reader_free(&r);
    return hr;
}

BOOL profile_section_is_loaded(const WCHAR *dll_file, const WCHAR *dll_name)
{
    HMODULE module;

    return GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, dll_file, &module) ||
           GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, dll_name, &module);
}
