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
    int queried;                /* times asked for IMAPIProviderShutdown */
    /* Runs inside the call, before it answers (reentrancy, blocking...). */
    void (*during)(struct fake_provider *p, enum provider_call call);
    void *during_arg;
};

struct fake {
    struct shutdown s;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_mutex_t log_lock;
    struct policy_reading reading;
    int policy_reads;
    char log[4096];
    int events[SHUTDOWN_EVENT_KINDS]; /* counts by enum shutdown_event_kind */
    int deferred_writes;        /* calls of report_deferred */
    size_t deferred_lost;
    uint32_t last_deferred_timeout_ms;
    int env_errors;             /* a call for another fake, or a full log */
    const char *loaded[8];      /* DLL file names "loaded in the process" */
    int loaded_checks;          /* calls of section_is_loaded */
    uint32_t timeout_ms;        /* ProviderTimeoutMs the fake policy gives */
    uint32_t last_timeout_ms;   /* the deadline the last provider call got */
};

void fake_init(struct fake *f);
void fake_free(struct fake *f);

/* Sets a valid FastShutdownBehavior in one place; clear removes them all. */
void fake_set_policy(struct fake *f, enum policy_place place, unsigned version, uint32_t value);
void fake_clear_policy(struct fake *f);

void fake_provider_init(struct fake_provider *p, struct fake *f, const char *name);
/* The calling thread now stands for a provider call the deadline abandoned. */
void fake_abandon_this_thread(void);
/* Registers p (with_interface false: it has no IMAPIProviderShutdown). */
uint32_t fake_register(struct fake *f, struct fake_provider *p, uint32_t type, int with_interface);

#endif
