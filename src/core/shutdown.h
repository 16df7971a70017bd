/* The fast-shutdown phases: QueryFastShutdown, NotifyProcessShutdown and
 * DoFastShutdown, forwarded to the registered providers under the rules that
 * keep their data safe.
 *
 * The core owns no thread or lock of its own: the caller gives it a
 * struct shutdown_env. Phases (and registrations) are serialised by a "gate":
 * one caller at a time runs with the gate held and the lock released, so that
 * providers are always called without the lock; others wait; a caller that is
 * already inside (a provider calling back from its notification) is refused. */
#ifndef MAPISHUT_CORE_SHUTDOWN_H
#define MAPISHUT_CORE_SHUTDOWN_H

#include "policy.h"
#include "profile.h"
#include "provider_table.h"

#include <stdbool.h>
#include <stdint.h>

enum provider_call {
    PROVIDER_QUERY,     /* IMAPIProviderShutdown::QueryFastShutdown */
    PROVIDER_NOTIFY,    /* IMAPIProviderShutdown::NotifyProcessShutdown */
    PROVIDER_DO_FAST,   /* IMAPIProviderShutdown::DoFastShutdown */
};

/* How a provider call ended. Without a deadline, always CALL_RETURNED. */
enum call_outcome {
    CALL_RETURNED,
    CALL_TIMED_OUT,     /* still running when the deadline passed */
    CALL_CRASHED,       /* an unhandled exception inside the call */
};

/* ProviderTimeoutMs: valid values, 0 meaning no deadline. */
#define SHUTDOWN_TIMEOUT_MAX 600000u

/* FastShutdownBehavior values. */
enum shutdown_option {
    SHUTDOWN_UNLESS_OPTED_OUT = 0,
    SHUTDOWN_ONLY_IF_ALL_OPT_IN = 1,
    SHUTDOWN_DISABLED = 2,
};

enum shutdown_event_kind {
    EVENT_POLICY_DISABLED,      /* option 2: nobody is asked */
    EVENT_PROVIDER_OPTED_OUT,   /* its QueryFastShutdown failed */
    EVENT_PROVIDER_UNREACHABLE, /* option 1 and it has no IMAPIProviderShutdown */
    EVENT_PROVIDER_FAILED,      /* a notification failed */
    EVENT_SECTION_UNREGISTERED, /* option 1 and a loaded provider of the profile never registered */
    EVENT_PROVIDER_TIMED_OUT,   /* abandoned: the call overran the deadline */
    EVENT_PROVIDER_CRASHED,     /* abandoned: the call crashed (hr is the exception code) */
    EVENT_SECTION_UNREADABLE,   /* option 1 and a section that could not be read has no registered provider */
    EVENT_POLICY_VALUE_IGNORED, /* a policy value was not valid: the search went on */
};
#define SHUTDOWN_EVENT_KINDS (EVENT_POLICY_VALUE_IGNORED + 1)

/* The policy values, each read from the same places with the same rules;
 * also which one an EVENT_POLICY_VALUE_IGNORED is about. */
enum shutdown_setting {
    SETTING_BEHAVIOR,       /* FastShutdownBehavior: enum shutdown_option */
    SETTING_TIMEOUT,        /* ProviderTimeoutMs: 0 (no deadline) .. SHUTDOWN_TIMEOUT_MAX */
    SETTING_CONCURRENT,     /* ConcurrentProviders: 0 (one after the other) or 1 */
    SHUTDOWN_SETTINGS
};

/* The largest valid value of a setting, and its value when none is valid. */
uint32_t shutdown_setting_max(enum shutdown_setting setting);
uint32_t shutdown_setting_default(enum shutdown_setting setting);

/* One provider call of a batch: the providers of one type, called at once. */
struct shutdown_batch_call {
    void *shutdown;             /* in: its IMAPIProviderShutdown */
    size_t provider;            /* the core's: its index in the table */
    void *running;              /* the environment's, while the batch runs */
    int32_t hr;                 /* out */
    enum call_outcome outcome;  /* out */
};

struct shutdown_event {
    enum shutdown_event_kind kind;
    const struct provider *provider; /* for the EVENT_PROVIDER_* kinds */
    const struct profile_provider *section; /* for EVENT_SECTION_UNREGISTERED */
    const uint8_t *section_uid;             /* for EVENT_SECTION_UNREADABLE */
    const struct policy_rejected *rejected; /* for EVENT_POLICY_VALUE_IGNORED */
    enum shutdown_setting setting;
    enum provider_call call;
    int32_t hr;
};

struct shutdown_env {
    void *ctx;
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* Called locked: sleep until wake_all, and return locked. */
    void (*wait)(void *ctx);
    void (*wake_all)(void *ctx);
    uint32_t (*current_thread)(void *ctx);
    /* Is the caller running inside a provider call the deadline abandoned?
     * Such a caller is a stranger: refused at once, never let in the gate. */
    bool (*caller_is_abandoned)(void *ctx);
    /* The rest is called unlocked. */
    /* Every setting, each with what was ignored. */
    void (*read_policy)(void *ctx, struct policy_decision decisions[SHUTDOWN_SETTINGS]);
    /* With timeout_ms 0, on the caller's thread with no deadline. Otherwise
     * under that deadline; *outcome says whether the call returned. */
    int32_t (*call_provider)(void *ctx, void *shutdown, enum provider_call call, uint32_t timeout_ms,
                             enum call_outcome *outcome);
    /* ConcurrentProviders: the same call to count (one or more) providers at
     * once, each on a thread of its own and under its own deadline if
     * timeout_ms is not 0; returns when each one returned or was abandoned.
     * Must not allocate once threads enough have run a batch as large. */
    void (*call_providers)(void *ctx, struct shutdown_batch_call *calls, size_t count, enum provider_call call,
                           uint32_t timeout_ms);
    /* The provider object's IMAPIProviderShutdown (a reference the core then
     * owns), or NULL when it has none. Called with the gate held. */
    void *(*query_shutdown)(void *ctx, void *provider);
    /* Is the section's DLL loaded in the process now? Must load nothing. */
    bool (*section_is_loaded)(void *ctx, const struct profile_provider *section);
    void (*release_provider)(void *ctx, void *shutdown);
    void (*report)(void *ctx, const struct shutdown_event *event);
    /* What a phase had to report, written once its last provider has
     * returned, within timeout_ms if it is not 0 (a stalled debug monitor
     * must not hold the exit). lost: events that did not fit the buffer.
     * Called with the gate held. */
    void (*report_deferred)(void *ctx, const struct shutdown_event *events, size_t count, size_t lost,
                            uint32_t timeout_ms);
};

/* Events a phase records for after its providers, in a buffer of the core's
 * own: recording them neither allocates nor waits. */
#define SHUTDOWN_DEFERRED_MAX 32

/* A provider section of an attached profile. */
struct attached_section {
    struct profile_provider section;
    uint64_t order;             /* attach order, then the profile's order */
};

struct shutdown {
    struct shutdown_env env;
    struct provider_table providers;
    struct attached_section *sections;
    size_t section_count;
    uint8_t (*unreadable)[PROFILE_UID_SIZE];  /* attached sections that could not be read */
    size_t unreadable_count;
    uint64_t next_order;  /* 64 bits: attach after attach never wraps */
    /* Guarded by env.lock: */
    bool busy;
    uint32_t busy_thread;
    bool busy_do_fast;
    bool done;            /* DoFastShutdown has run: everything fails from now on */
    int32_t done_result;
    unsigned profiles_attached;
    /* Only touched with the gate held: */
    bool deferring;       /* in a phase: events go to the buffer */
    struct shutdown_event deferred[SHUTDOWN_DEFERRED_MAX];
    struct provider deferred_providers[SHUTDOWN_DEFERRED_MAX]; /* as they were, for the events */
    struct policy_rejected deferred_rejected[SHUTDOWN_DEFERRED_MAX];
    size_t deferred_count, deferred_lost;
    bool query_ok;        /* the last evaluation said yes and nobody registered since */
    bool errors;          /* a provider failed a notification */
    uint32_t timeout_ms;  /* ProviderTimeoutMs as the last evaluation read it */
    bool concurrent;      /* ConcurrentProviders as the last evaluation read it */
    struct shutdown_batch_call *batch; /* as many as providers: grown at registration */
    size_t batch_capacity;
};

void shutdown_init(struct shutdown *s, const struct shutdown_env *env);
/* Releases every provider still registered. */
void shutdown_free(struct shutdown *s);

int32_t shutdown_query(struct shutdown *s);
int32_t shutdown_notify(struct shutdown *s);
int32_t shutdown_do_fast(struct shutdown *s);

/* provider is the provider object; with the gate held, the core asks it for
 * its IMAPIProviderShutdown (env.query_shutdown), so that nothing touches a
 * provider once DoFastShutdown has run. A provider without the interface is
 * kept too: under FastShutdownBehavior 1 it must block a fast shutdown. */
int32_t shutdown_register(struct shutdown *s, const uint8_t *section_uid,
                          uint32_t resource_type, void *provider, uint32_t *cookie);
int32_t shutdown_unregister(struct shutdown *s, uint32_t cookie);

/* Adds a profile's provider sections (a section attached before stays as it
 * was) and places the registered providers in the profile's order.
 * shutdown_add_profile is for a function already run by shutdown_run_gated. */
int32_t shutdown_attach(struct shutdown *s, const struct profile *profile);
int32_t shutdown_add_profile(struct shutdown *s, const struct profile *profile);

/* Runs fn with the gate held: serialised with the phases, refused with
 * MAPI_E_CALL_FAILED after DoFastShutdown and from inside a provider call. */
int32_t shutdown_run_gated(struct shutdown *s, int32_t (*fn)(struct shutdown *s, void *arg),
                           void *arg);

/* Would the gate refuse this caller now? A provider the deadline abandoned,
 * a provider calling back from inside its call, anyone after DoFastShutdown:
 * for work worth skipping before the gate (reading a profile). */
bool shutdown_refuses_caller(struct shutdown *s);

/* Nothing would be lost if the module went away: no phase running, no
 * provider registered, no profile attached, and DoFastShutdown never ran (a
 * later instance must keep refusing calls). */
bool shutdown_can_unload(struct shutdown *s);

const char *provider_call_name(enum provider_call call);

#endif
