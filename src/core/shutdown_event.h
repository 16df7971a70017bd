/* What the subsystem has to report, as fixed-size values that point at
 * nothing: a phase records them without allocating, the exit record keeps
 * them as they are, and whoever makes text of them later (the diagnostics
 * after a phase, the tool, the Event Log) works from its own copy. */
#ifndef MAPISHUT_CORE_SHUTDOWN_EVENT_H
#define MAPISHUT_CORE_SHUTDOWN_EVENT_H

#include <stdint.h>

enum provider_call {
    PROVIDER_QUERY,     /* IMAPIProviderShutdown::QueryFastShutdown */
    PROVIDER_NOTIFY,    /* IMAPIProviderShutdown::NotifyProcessShutdown */
    PROVIDER_DO_FAST,   /* IMAPIProviderShutdown::DoFastShutdown */
};

const char *provider_call_name(enum provider_call call);

/* Who a provider is, as an administrator knows it. Strings are UTF-16,
 * NUL-terminated, cut to fit. */
#define PROVIDER_DISPLAY_NAME_MAX 128
#define PROVIDER_DLL_MAX          64
#define PROVIDER_MODULE_MAX       260
struct provider_identity {
    uint16_t display_name[PROVIDER_DISPLAY_NAME_MAX]; /* from its profile section; empty without one */
    uint16_t dll_name[PROVIDER_DLL_MAX];              /* the DLL its section names, as stored */
    uint16_t module[PROVIDER_MODULE_MAX];             /* the module implementing the object, its path */
};

enum shutdown_event_kind {
    EVENT_POLICY_DISABLED,      /* FastShutdownBehavior 2: nobody is asked */
    EVENT_PROVIDER_OPTED_OUT,   /* its QueryFastShutdown failed */
    EVENT_PROVIDER_UNREACHABLE, /* option 1 and it has no IMAPIProviderShutdown */
    EVENT_PROVIDER_FAILED,      /* a notification failed */
    EVENT_SECTION_UNREGISTERED, /* option 1 and a loaded provider of the profile never registered */
    EVENT_PROVIDER_TIMED_OUT,   /* abandoned: the call overran the deadline */
    EVENT_PROVIDER_CRASHED,     /* abandoned: the call crashed (hr is the exception code) */
    EVENT_SECTION_UNREADABLE,   /* option 1 and a section that could not be read has no registered provider */
    EVENT_POLICY_VALUE_IGNORED, /* a policy value was not valid: the search went on */
    EVENT_PROVIDER_GONE_EARLIER,/* abandoned before, it cannot answer: not opted in */
    EVENT_BEHAVIOR_REFUSES,     /* ProviderBehavior 1 for a loaded provider (or section) */
    EVENT_BEHAVIOR_OVERRIDES,   /* ProviderBehavior 2 made an opt-out (or no interface) count as opted in */
    EVENT_BEHAVIOR_IGNORED,     /* a ProviderBehavior value was not valid: the search went on */
    EVENT_BEHAVIOR_LEFT_OUT,    /* more ProviderBehavior values than were read (number: how many) */
    EVENT_UNGUARDED_CALL,       /* no worker could be had: called on the client's thread, no deadline */
    EVENT_HOOK_FAILED,          /* the host's WorkerStarted failed (hr): the provider was called anyway */
};
#define SHUTDOWN_EVENT_KINDS (EVENT_HOOK_FAILED + 1)

/* One event. Which fields mean something depends on the kind. */
struct shutdown_event {
    uint16_t kind;              /* enum shutdown_event_kind */
    uint16_t call;              /* enum provider_call */
    uint32_t provider;          /* the provider's slot in the exit record (EXIT_NO_PROVIDER: none) */
    uint32_t cookie;            /* the provider's registration cookie (0: no provider) */
    uint32_t resource_type;     /* the provider's or the section's */
    int32_t hr;
    /* A policy value: which setting (enum shutdown_setting), where it was
     * (enum policy_place, version index), why it was ignored (enum
     * policy_reject) and what it held. */
    uint8_t setting, place, version, why;
    uint32_t reg_type, size, number, error;
    uint8_t section_uid[16];    /* a section's, or the provider's */
    uint16_t name[64];          /* a ProviderBehavior value's name, or an unregistered section's DLL file */
};

#endif
