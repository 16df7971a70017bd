/* Which registry value decides a shutdown setting, and why.
 *
 * The Win32 layer reads the same value name from every place and Office
 * version into a struct policy_reading; policy_decide() picks the first valid
 * one in the documented precedence and lists what it passed over. */
#ifndef MAPISHUT_CORE_POLICY_H
#define MAPISHUT_CORE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* In precedence order: a machine policy can never be overridden by a user. */
enum policy_place {
    POLICY_HKLM_POLICY,     /* HKLM\Software\Policies\Microsoft\Office\<ver>\... */
    POLICY_HKCU_POLICY,     /* HKCU\Software\Policies\Microsoft\Office\<ver>\... */
    POLICY_HKCU_PREFERENCE, /* HKCU\Software\Microsoft\Office\<ver>\... */
    POLICY_HKLM_PREFERENCE, /* HKLM\Software\Microsoft\Office\<ver>\... */
    POLICY_PLACES,
    POLICY_DEFAULT = POLICY_PLACES /* nothing valid was set */
};

/* Office versions, newest first: 16.0, 15.0, 14.0. */
#define POLICY_VERSIONS 3

/* Where a place's settings live: under its root (HKLM or HKCU), the Office
 * key, then "<version>\Outlook\Options\Shutdown". This table is the only
 * spelling of these paths; callers that need UTF-16 widen it. */
#define POLICY_KEY_PATH_MAX 96
const char *policy_place_root(enum policy_place place);       /* "HKLM" or "HKCU" */
const char *policy_place_office_key(enum policy_place place); /* "Software\Policies\Microsoft\Office" */
/* "16.0\Outlook\Options\Shutdown": the Shutdown key under the Office key. */
void policy_shutdown_subkey(unsigned version, char path[POLICY_KEY_PATH_MAX]);
/* The whole path under the root. */
void policy_key_path(enum policy_place place, unsigned version, char path[POLICY_KEY_PATH_MAX]);

/* Registry value types the decision needs to tell apart (winnt.h numbers). */
#define POLICY_REG_DWORD 4u

enum policy_value_state {
    POLICY_VALUE_ABSENT,     /* no key or no value: not a diagnostic */
    POLICY_VALUE_PRESENT,
    POLICY_VALUE_UNREADABLE, /* the registry refused (access denied, ...) */
};

struct policy_value {
    enum policy_value_state state;
    uint32_t reg_type;
    uint32_t size;       /* bytes the registry holds */
    uint8_t data[4];     /* the first min(size, 4) of them */
    uint32_t error;      /* Win32 error code when UNREADABLE */
};

struct policy_reading {
    struct policy_value value[POLICY_PLACES][POLICY_VERSIONS];
};

enum policy_reject {
    POLICY_REJECT_UNREADABLE,
    POLICY_REJECT_TYPE,
    POLICY_REJECT_SIZE,
    POLICY_REJECT_RANGE,
    POLICY_REJECT_NAME,     /* a ProviderBehavior value whose name cannot be a DLL's */
    POLICY_REJECT_BEHAVIOR_TYPE, /* a ProviderBehavior value neither REG_SZ nor REG_DWORD */
    POLICY_REJECT_NOT_DIGIT,     /* a ProviderBehavior REG_SZ that is not one digit */
};

struct policy_rejected {
    enum policy_place place;
    unsigned version;          /* index into policy_version_name() */
    enum policy_reject why;
    uint32_t reg_type, size, number, error;
};

struct policy_decision {
    uint32_t value;
    enum policy_place place;   /* POLICY_DEFAULT when nothing valid was found */
    unsigned version;          /* meaningful unless place == POLICY_DEFAULT */
    unsigned rejected_count;
    struct policy_rejected rejected[POLICY_PLACES * POLICY_VERSIONS];
};

/* Valid values are REG_DWORD, 4 bytes, 0..max_valid; default_value otherwise. */
void policy_decide(const struct policy_reading *reading, uint32_t max_valid,
                   uint32_t default_value, struct policy_decision *decision);

/* --- ProviderBehavior: one value per provider DLL -------------------------- */

/* They are the values of a subkey of each Shutdown key (mapishut.h names
 * it: MAPISHUT_BEHAVIOR_SUBKEY). */
/* What a value of ProviderBehavior says about the provider it names. */
enum provider_behavior {
    BEHAVIOR_ASK = 0,           /* ask the provider (the default) */
    BEHAVIOR_REFUSE = 1,        /* no fast shutdown while it is loaded */
    BEHAVIOR_OPTED_IN = 2,      /* its opt-out is overridden: it counts as opted in */
};
#define BEHAVIOR_MAX BEHAVIOR_OPTED_IN

/* Value types ProviderBehavior takes (winnt.h numbers): what a Group Policy
 * list writes, and a DWORD. */
#define POLICY_REG_SZ 1u

#define BEHAVIOR_VALUES_MAX 128
#define BEHAVIOR_NAME_MAX   64     /* units with the NUL */

struct behavior_value {
    enum policy_place place;
    unsigned version;
    bool name_too_long;             /* the name was cut: it names no provider */
    uint16_t name[BEHAVIOR_NAME_MAX];
    struct policy_value value;      /* a REG_SZ "1" is 4 bytes with its NUL: data holds it all */
};

/* Every ProviderBehavior value of every place and version, in precedence
 * order, as the Win32 layer read them. */
struct behavior_reading {
    struct behavior_value values[BEHAVIOR_VALUES_MAX];
    uint32_t count;
    uint32_t left_out;              /* values past BEHAVIOR_VALUES_MAX: not read */
};

struct behavior_decision {
    uint32_t value;                 /* enum provider_behavior */
    enum policy_place place;        /* POLICY_DEFAULT when no valid value names the provider */
    unsigned version;
    uint32_t index;                 /* the deciding value's, in the reading */
};

/* A valid value is a REG_DWORD of 4 bytes or a REG_SZ of one digit (with or
 * without its NUL), 0 to 2; otherwise *why says what is wrong. */
bool behavior_value_is_valid(const struct behavior_value *v, uint32_t *number, struct policy_rejected *why);
/* The first valid value naming this provider (a DLL name in any of the forms
 * dll_provider_name() accepts). */
void behavior_decide(const struct behavior_reading *reading, const uint16_t *dll, struct behavior_decision *d);

const char *policy_version_name(unsigned version);
/* "machine policy", "user policy", "user preference", "machine preference", "default". */
const char *policy_place_name(enum policy_place place);
const char *policy_reject_reason(enum policy_reject why);

#endif
