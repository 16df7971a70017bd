/* A struct shutdown_env made of pthreads and fake providers, for the native
 * unit tests of the core. Fake providers record every call in one log. */
#ifndef MAPISHUT_TEST_FAKE_ENV_H
#define MAPISHUT_TEST_FAKE_ENV_H

#include "core/shutdown.h"
#include "core/status.h"

#include <pthread.h>

struct fake;

struct fake_provider {
    const char *name;
    struct fake *fake;
    int32_t answer[3];          /* what each call returns, by enum provider_call */
    int calls[3];
    enum call_outcome outcome[3];  /* how each call ends under a deadline */
    int released;
    int no_interface;           /* it has no IMAPIProviderShutdown */
    enum call_outcome query_outcome; /* how its QueryInterface ends under the deadline */
    const char *module;         /* the module the fake says implements it (default: its name) */
    int queried;                /* times asked for IMAPIProviderShutdown */
    /* Runs inside the call, before it answers (reentrancy, blocking...). */
    void (*during)(struct fake_provider *p, enum provider_call call);
    /* Runs inside its QueryInterface (asked for IMAPIProviderShutdown). */
    void (*during_query)(struct fake_provider *p);
    void *during_arg;
    int batch[3];               /* the batch it was last called in, by call; 0: called alone */
};

struct fake {
    struct shutdown s;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_mutex_t log_lock;
    struct policy_reading reading;
    struct behavior_reading behaviors; /* what read_policy gives for ProviderBehavior */
    int policy_reads;
    char log[4096];
    void *record;               /* the exit record the core writes */
    int reported[SHUTDOWN_EVENT_KINDS]; /* events made text (report_phase), by kind */
    int report_writes;          /* calls of report_phase */
    size_t report_lost;
    uint32_t last_report_timeout_ms;
    uint32_t next_flags;        /* the flags the next provider call ends with (CALL_UNGUARDED...) */
    unsigned clock_reads;       /* calls of now_us */
    int env_errors;             /* a call for another fake, or a full log */
    const char *loaded[8];      /* DLL file names "loaded in the process" */
    int loaded_checks;          /* calls of section_is_loaded */
    uint32_t timeout_ms;        /* ProviderTimeoutMs the fake policy gives */
    uint32_t last_timeout_ms;   /* the deadline the last provider call got */
    uint32_t concurrent;        /* ConcurrentProviders the fake policy gives */
    int batches;                /* calls of call_providers */
    size_t largest_batch;
    pthread_cond_t met;         /* fake_meet's */
    int meeting;                /* calls of fake_meet so far */
};

/* A batch runs each call on a thread of its own, as the Win32 layer does. */
#define FAKE_BATCH_MAX 16

void fake_init(struct fake *f);
void fake_free(struct fake *f);

/* Events of this kind in the exit record: every phase's, on the protocol
 * path too. */
int fake_events(struct fake *f, enum shutdown_event_kind kind);
/* A ProviderBehavior value as the registry would give it. */
void fake_set_behavior(struct fake *f, enum policy_place place, const char *name, uint32_t reg_type,
                       const void *data, uint32_t size);

/* Sets a valid FastShutdownBehavior in one place; clear removes them all. */
void fake_set_policy(struct fake *f, enum policy_place place, unsigned version, uint32_t value);
void fake_clear_policy(struct fake *f);

void fake_provider_init(struct fake_provider *p, struct fake *f, const char *name);
/* Waits, inside a provider call, until count calls of fake_meet have been
 * made in this fake (or a second has passed): true if they were, so that
 * count calls waiting here at once prove they overlap. */
bool fake_meet(struct fake *f, int count);
/* The calling thread now stands for a provider call the deadline abandoned. */
void fake_abandon_this_thread(void);
/* DoFastShutdown has run: read as the core writes it, under its lock. */
bool fake_is_done(struct fake *f);
/* Registers p (with_interface false: it has no IMAPIProviderShutdown). */
uint32_t fake_register(struct fake *f, struct fake_provider *p, uint32_t type, int with_interface);

#endif
