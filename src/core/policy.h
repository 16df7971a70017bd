/* Which registry value decides a shutdown setting, and why.
 *
 * The Win32 layer reads the same value name from every place and Office
 * version into a struct policy_reading; policy_decide() picks the first valid
 * one in the documented precedence and lists what it passed over. */
#ifndef MAPISHUT_CORE_POLICY_H
#define MAPISHUT_CORE_POLICY_H

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

const char *policy_version_name(unsigned version);
/* "machine policy", "user policy", "user preference", "machine preference", "default". */
const char *policy_place_name(enum policy_place place);
const char *policy_reject_reason(enum policy_reject why);

#endif
