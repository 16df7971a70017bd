/* Decoding a MAPI profile's sections into the providers it names, in the
 * profile's order (see docs/profiles.md).
 *
 * Everything here is untrusted input: section and value names, registry
 * types, sizes and terminators. Nothing is read past a given length, and a
 * malformed section is skipped and reported without stopping the others. */
#ifndef MAPISHUT_CORE_PROFILE_H
#define MAPISHUT_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_UID_SIZE      16
#define PROFILE_DLL_NAME_MAX  255   /* a DLL name, in UTF-16 code units */
#define PROFILE_DISPLAY_MAX   127
#define PROFILE_SECTIONS_MAX  4096
/* UID list entries read per profile, all lists together: a crafted profile
 * costs bounded work. Real profiles list a few dozen. */
#define PROFILE_LIST_ENTRIES_MAX 65536

/* Registry value types (winnt.h numbers). */
#define PROFILE_REG_BINARY 3u
#define PROFILE_REG_DWORD  4u
/* What a reader passes for a value it did not get the bytes of. */
#define PROFILE_REG_TOO_LARGE  0xffffffffu  /* larger than a property can be: malformed */
#define PROFILE_REG_UNREADABLE 0xfffffffeu  /* the registry refused, or it changed while read */
#define PROFILE_REG_OVER_BUDGET 0xfffffffdu /* a list past PROFILE_LIST_ENTRIES_MAX: not read */

/* One registry value of a section key. Names are UTF-16 code units, not
 * terminated; data is the value's bytes. */
struct profile_value {
    const uint16_t *name;
    size_t name_length;
    uint32_t reg_type;          /* or one of the PROFILE_REG_* markers above */
    const uint8_t *data;
    size_t size;
    uint32_t read_error;        /* with PROFILE_REG_UNREADABLE: the Win32 error */
};

/* One subkey of the profile key. */
struct profile_section_input {
    const uint16_t *name;
    size_t name_length;
    const struct profile_value *values;
    size_t value_count;
    uint32_t read_error;        /* non-zero: the section could not be read (a Win32 error) */
};

enum profile_problem_kind {
    PROFILE_BAD_SECTION_NAME,     /* a subkey whose name is not 32 hex digits */
    PROFILE_DUPLICATE_SECTION,    /* the same UID twice */
    PROFILE_BAD_RESOURCE_TYPE,    /* PR_RESOURCE_TYPE of the wrong type or size */
    PROFILE_MISSING_DLL_NAME,     /* a provider section without PR_PROVIDER_DLL_NAME */
    PROFILE_BAD_DLL_NAME,         /* wrong type, odd length, empty, too long, not ASCII */
    PROFILE_UNSAFE_DLL_NAME,      /* a path, a drive, "..", characters invalid in a file name */
    PROFILE_BAD_UID_LIST,         /* a provider or service list that is not a multiple of 16 bytes */
    PROFILE_LISTED_BUT_MISSING,   /* a list names a section that is not a usable provider */
    PROFILE_TOO_MANY_SECTIONS,    /* more than PROFILE_SECTIONS_MAX: the rest was not read */
    PROFILE_SECTION_UNREADABLE,   /* the section could not be read: what it is is unknown */
    PROFILE_VALUE_UNREADABLE,     /* one of its properties could not be read */
    PROFILE_LISTS_TOO_LONG,       /* lists past PROFILE_LIST_ENTRIES_MAX: those providers unordered */
    PROFILE_MORE_MISSING,         /* list entries naming missing sections past those reported (count) */
};

struct profile_problem {
    enum profile_problem_kind kind;
    bool has_uid;
    uint8_t uid[PROFILE_UID_SIZE];
    uint16_t name[40];            /* for a bad section name: its start, NUL-terminated */
    uint32_t error;               /* for an unreadable section or value: the Win32 error */
    uint32_t count;               /* for PROFILE_MORE_MISSING: how many were left out */
};

struct profile_provider {
    uint8_t section_uid[PROFILE_UID_SIZE];
    uint32_t resource_type;                   /* 33, 35 or 36 */
    uint16_t dll_name[PROFILE_DLL_NAME_MAX + 1]; /* as stored, NUL-terminated */
    uint16_t dll_file[PROFILE_DLL_NAME_MAX + 8]; /* MAPI's file name: base + "32" + extension */
    uint16_t display_name[PROFILE_DISPLAY_MAX + 1];
    bool has_service_uid;
    uint8_t service_uid[PROFILE_UID_SIZE];
    bool listed;                              /* named by a provider list (else found by its section alone) */
};

/* The providers in profile order (the array index is the order): the
 * per-service lists in PR_SERVICES order, then the profile-wide lists, then
 * provider sections no list names, by section UID. */
struct profile {
    struct profile_provider *providers;
    size_t provider_count;
    /* Sections that could not be read: providers, maybe. Under option 1 they
     * cannot be counted as opting in. */
    uint8_t (*unreadable)[PROFILE_UID_SIZE];
    size_t unreadable_count;
    struct profile_problem *problems;
    size_t problem_count;
};

/* SHUT_S_OK, or SHUT_E_OUTOFMEMORY (then *profile is empty). Malformed input
 * is never an error of the whole: it is listed in profile->problems. */
int32_t profile_build(const struct profile_section_input *sections, size_t count,
                      struct profile *profile);
void profile_free(struct profile *profile);

/* The properties a reader needs to read, and no other: value names (8 hex
 * digits and a NUL) for index 0 .. profile_property_count() - 1. */
size_t profile_property_count(void);
void profile_property_name(size_t index, uint16_t name[9]);
/* A UID list: charged against PROFILE_LIST_ENTRIES_MAX. */
bool profile_property_is_list(size_t index);

/* 32 hexadecimal digits, either case, to 16 bytes in the order written. */
bool profile_parse_uid(const uint16_t *name, size_t length, uint8_t uid[PROFILE_UID_SIZE]);

const char *profile_problem_text(enum profile_problem_kind kind);

#endif
