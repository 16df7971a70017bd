#include "profile_registry.h"
#include "core/profile.h"
#include "core/status.h"

#include <stdlib.h>
#include <string.h>

#define PROFILE_NAME_MAX 255

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
        if (name[length] == L'\\' || length == PROFILE_NAME_MAX)
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
static BOOL default_name(unsigned place, WCHAR name[PROFILE_NAME_MAX + 1])
{
    DWORD size = (PROFILE_NAME_MAX + 1) * sizeof(WCHAR);

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
        WCHAR default_profile[PROFILE_NAME_MAX + 1];

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

/* A value larger than this is passed on with no bytes and an impossible type,
 * so that the decoder reports the property as malformed. */
#define VALUE_SIZE_MAX         65536
#define VALUES_PER_SECTION_MAX 1024
#define REG_TYPE_TOO_LARGE     0xffffffffu

struct section_buffer {
    WCHAR name[256];
    struct profile_value *values;
    WCHAR (*value_names)[9];
};

/* Reads one section's values. Only names of 8 characters can be property
 * tags, so only those are kept; data is copied into blocks of its exact size. */
static void read_values(HKEY key, struct section_buffer *buffer, struct profile_section_input *section,
                        BYTE *scratch)
{
    DWORD value_count = 0;

    if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &value_count, NULL, NULL, NULL,
                         NULL) != ERROR_SUCCESS || !value_count)
        return;
    if (value_count > VALUES_PER_SECTION_MAX)
        value_count = VALUES_PER_SECTION_MAX;
    buffer->values = calloc(value_count, sizeof(*buffer->values));
    buffer->value_names = calloc(value_count, sizeof(*buffer->value_names));
    if (!buffer->values || !buffer->value_names)
        return;
    section->values = buffer->values;
    for (DWORD index = 0; index < value_count; index++) {
        struct profile_value *value = &buffer->values[section->value_count];
        WCHAR name[16384];
        DWORD name_length = ARRAYSIZE(name), type = 0, size = VALUE_SIZE_MAX;
        LSTATUS status = RegEnumValueW(key, index, name, &name_length, NULL, &type, scratch, &size);

        if (status == ERROR_NO_MORE_ITEMS)
            break;
        if ((status != ERROR_SUCCESS && status != ERROR_MORE_DATA) || name_length != 8)
            continue;
        memcpy(buffer->value_names[section->value_count], name, 9 * sizeof(WCHAR));
        value->name = (const uint16_t *)buffer->value_names[section->value_count];
        value->name_length = 8;
        value->reg_type = status == ERROR_SUCCESS ? type : REG_TYPE_TOO_LARGE;
        value->size = status == ERROR_SUCCESS ? size : 0;
        if (value->size) {
            BYTE *copy = malloc(value->size);

            if (!copy)
                continue;
            memcpy(copy, scratch, value->size);
            value->data = copy;
        }
        section->value_count++;
    }
}

static void free_buffer(struct section_buffer *buffer, struct profile_section_input *section)
{
    for (size_t v = 0; v < section->value_count; v++)
        free((void *)section->values[v].data);
    free(buffer->values);
    free(buffer->value_names);
}

HRESULT profile_read(const WCHAR *name, struct profile *profile, WCHAR *path, DWORD path_size)
{
    /* One more section than the decoder takes, so that it can say the rest was cut. */
    const size_t max = PROFILE_SECTIONS_MAX + 1;
    struct profile_section_input *sections = calloc(max, sizeof(*sections));
    struct section_buffer *buffers = calloc(max, sizeof(*buffers));
    BYTE *scratch = malloc(VALUE_SIZE_MAX);
    size_t count = 0;
    HRESULT hr = E_OUTOFMEMORY;
    HKEY key;

    memset(profile, 0, sizeof(*profile));
    if (!profile_open(name, &key, path, path_size)) {
        hr = MAPI_E_NOT_FOUND;
        goto done;
    }
    if (sections && buffers && scratch) {
        for (DWORD index = 0; count < max; index++) {
            struct section_buffer *buffer = &buffers[count];
            DWORD length = ARRAYSIZE(buffer->name);
            LSTATUS status = RegEnumKeyExW(key, index, buffer->name, &length, NULL, NULL, NULL, NULL);
            HKEY section_key;

            if (status == ERROR_NO_MORE_ITEMS)
                break;
            if (status != ERROR_SUCCESS)
                continue;
            sections[count].name = (const uint16_t *)buffer->name;
            sections[count].name_length = length;
            if (RegOpenKeyExW(key, buffer->name, 0, KEY_QUERY_VALUE, &section_key) == ERROR_SUCCESS) {
                read_values(section_key, buffer, &sections[count], scratch);
                RegCloseKey(section_key);
            }
            count++;
        }
        hr = profile_build(sections, count, profile) == SHUT_S_OK ? S_OK : E_OUTOFMEMORY;
    }
    RegCloseKey(key);

done:
    for (size_t i = 0; i < count; i++)
        free_buffer(&buffers[i], &sections[i]);
    free(sections);
    free(buffers);
    free(scratch);
    return hr;
}

BOOL profile_section_is_loaded(const WCHAR *dll_file, const WCHAR *dll_name)
{
    HMODULE module;

    return GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, dll_file, &module) ||
           GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, dll_name, &module);
}
