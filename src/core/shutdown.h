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

#include "exit_record.h"
#include "policy.h"
#include "profile.h"
#include "provider_table.h"
#include "shutdown_event.h"

#include <stdbool.h>
#include <stdint.h>

/* How a provider call ended. Without a deadline, always CALL_RETURNED. */
enum call_outcome {
    CALL_RETURNED,
    CALL_TIMED_OUT,     /* still running when the deadline passed */
    CALL_CRASHED,       /* an unhandled exception inside the call, or its thread ended there */
};

/* What the environment says about how it made a call (EXIT_CALL_* flags of
 * exit_record.h): on the client's thread for want of a worker, after a
 * failed host hook. */
#define CALL_UNGUARDED   0x1u
#define CALL_HOOK_FAILED 0x2u

/* ProviderTimeoutMs and ProviderWarnMs: valid values, 0 meaning none. */
#define SHUTDOWN_TIMEOUT_MAX 600000u
#define SHUTDOWN_RECORDS_MAX 1000u

/* FastShutdownBehavior values. */
enum shutdown_option {
    SHUTDOWN_UNLESS_OPTED_OUT = 0,
    SHUTDOWN_ONLY_IF_ALL_OPT_IN = 1,
    SHUTDOWN_DISABLED = 2,
};

/* The policy values, each read from the same places with the same rules. */
enum shutdown_setting {
    SETTING_BEHAVIOR,       /* FastShutdownBehavior: enum shutdown_option */
    SETTING_TIMEOUT,        /* ProviderTimeoutMs: 0 (no deadline) .. SHUTDOWN_TIMEOUT_MAX */
    SETTING_CONCURRENT,     /* ConcurrentProviders: 0 (one after the other) or 1 */
    SETTING_WARN,           /* ProviderWarnMs: 0 (none) .. SHUTDOWN_TIMEOUT_MAX, default 500 */
    SETTING_RECORDS,        /* ExitRecords: 0 (none) .. SHUTDOWN_RECORDS_MAX, default 32 */
    SHUTDOWN_SETTINGS
};

/* The largest valid value of a setting, and its value when none is valid. */
uint32_t shutdown_setting_max(enum shutdown_setting setting);
uint32_t shutdown_setting_default(enum shutdown_setting setting);

/* One provider call of a batch: the providers of one type, called at once. */
struct shutdown_batch_call {
    void *shutdown;             /* in: its IMAPIProviderShutdown */
    size_t provider;            /* the core's: its index in the table */
    uint32_t record_entry;      /* the core's: its entry in the exit record */
    void *running;              /* the environment's, while the batch runs */
    int32_t hr;                 /* out */
    enum call_outcome outcome;  /* out */
    uint32_t flags;             /* out: CALL_UNGUARDED, CALL_HOOK_FAILED */
};

/* An event of a phase with who its provider was: what the diagnostics
 * after the phase print, from a copy of their own. */
struct reported_event {
    struct shutdown_event event;
    struct provider_identity who;   /* for an event about a provider */
};

struct shutdown_env {
    void *ctx;
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* Called locked: sleep until wake_all (or spuriously), and return
     * locked. In a single-threaded apartment it must pump meanwhile. */
    void (*wait)(void *ctx);
    void (*wake_all)(void *ctx);
    uint32_t (*current_thread)(void *ctx);
    /* A monotonic clock, for the exit record: reads memory, no system call. */
    uint64_t (*now_us)(void *ctx);
    /* Is the caller running inside a provider call the deadline abandoned?
     * Such a caller is a stranger: refused at once, never let in the gate. */
    bool (*caller_is_abandoned)(void *ctx);
    /* The rest is called unlocked. */
    /* Every setting, each with what was ignored, and the ProviderBehavior
     * values of every place. */
    void (*read_policy)(void *ctx, struct policy_decision decisions[SHUTDOWN_SETTINGS],
                        struct behavior_reading *behaviors);
    /* With timeout_ms 0, on the caller's thread with no deadline. Otherwise
     * under that deadline; *outcome says whether the call returned, *flags
     * how it was made. record_entry is the call's entry in the exit record,
     * for an environment that notes an exception there. */
    int32_t (*call_provider)(void *ctx, void *shutdown, enum provider_call call, uint32_t timeout_ms,
                             uint32_t record_entry, enum call_outcome *outcome, uint32_t *flags);
    /* ConcurrentProviders: the same call to count (one or more) providers at
     * once, each on a thread of its own and under its own deadline if
     * timeout_ms is not 0; returns when each one returned or was abandoned.
     * Must not allocate once threads enough have run a batch as large. */
    void (*call_providers)(void *ctx, struct shutdown_batch_call *calls, size_t count, enum provider_call call,
                           uint32_t timeout_ms);
    /* The provider object's IMAPIProviderShutdown (a reference the core then
     * owns), or NULL when it has none; under timeout_ms if it is not 0.
     * Called without the gate: it runs the provider's code. */
    void *(*query_shutdown)(void *ctx, void *provider, uint32_t timeout_ms, enum call_outcome *outcome);
    /* The module implementing the provider object, into who->module. */
    void (*identify)(void *ctx, void *provider, struct provider_identity *who);
    /* Is the section's DLL loaded in the process now? Must load nothing. */
    bool (*section_is_loaded)(void *ctx, const struct profile_provider *section);
    void (*release_provider)(void *ctx, void *shutdown);
    /* What a phase off the protocol path had to report, made text after its
     * last provider returned, within timeout_ms if it is not 0 (a stalled
     * debug monitor must not hold the client). lost: events that did not
     * fit the buffer. The events are the core's: a writer that may outlive
     * the call copies them first. Called with the gate held. */
    void (*report_phase)(void *ctx, const struct reported_event *events, size_t count, size_t lost,
                         uint32_t timeout_ms);
};

/* Events a phase keeps for its diagnostics, in a buffer of the core's own:
 * recording them neither allocates nor waits. */
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
    struct exit_record record; /* its header is read and written atomically: phases start without the gate */
    /* Guarded by env.lock: */
    bool busy;
    uint32_t busy_thread;
    bool busy_do_fast;
    bool done;            /* DoFastShutdown has run: everything fails from now on */
    int32_t done_result;
    unsigned profiles_attached;
    uint32_t query_timeout_ms; /* ProviderTimeoutMs as the last evaluation read it, for registrations */
    /* Only touched with the gate held: */
    bool reporting;       /* the phase makes text of its events afterwards (it is off the protocol path) */
    uint32_t evaluation;  /* the exit record's number of the current evaluation */
    uint32_t client_entry;/* the exit record's entry of the client call being served */
    uint64_t clock_us;    /* the clock as the last provider call of the phase ended (0: read it anew) */
    struct reported_event deferred[SHUTDOWN_DEFERRED_MAX];
    size_t deferred_count, deferred_lost;
    bool query_ok;        /* the last evaluation said yes and nobody registered since */
    bool errors;          /* a provider failed a notification */
    uint32_t timeout_ms;  /* ProviderTimeoutMs as the last evaluation read it */
    bool concurrent;      /* ConcurrentProviders as the last evaluation read it */
    struct shutdown_batch_call *batch; /* as many as providers: grown at registration */
    size_t batch_capacity;
    struct behavior_reading behaviors; /* the last evaluation's */
};

void shutdown_init(struct shutdown *s, const struct shutdown_env *env);
/* Frees the core's memory. The providers still registered are not
 * released: at DLL_PROCESS_DETACH their DLLs may already be gone. */
void shutdown_free(struct shutdown *s);

/* The exit record (exit_record_size() bytes laid out by
 * exit_record_format) from now on; any thread, once. */
void shutdown_set_record(struct shutdown *s, void *memory);

int32_t shutdown_query(struct shutdown *s);
int32_t shutdown_notify(struct shutdown *s);
int32_t shutdown_do_fast(struct shutdown *s);

/* provider is the provider object; before the gate is taken, the core asks
 * it for its IMAPIProviderShutdown (env.query_shutdown), under the deadline
 * the last evaluation read; a registration that finds DoFastShutdown done
 * fails and releases what it got. A provider without the interface is kept
 * too: under FastShutdownBehavior 1 it must block a fast shutdown. */
int32_t shutdown_register(struct shutdown *s, const uint8_t *section_uid,
                          uint32_t resource_type, void *provider, uint32_t *cookie);
int32_t shutdown_unregister(struct shutdown *s, uint32_t cookie);

/* Adds a profile's provider sections (a section attached before stays as it
 * was) and places the registered providers in the profile's order. name is
 * the profile's, for the exit record (NULL or empty: the default one). */
int32_t shutdown_attach(struct shutdown *s, const struct profile *profile, const uint16_t *name);

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

#endif
