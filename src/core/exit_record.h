/* The exit record: what one process's subsystem did, kept in a block of
 * memory that the Win32 layer maps from a file, so that it reaches the disk
 * however the process ends (docs/exit-records.md describes the format).
 *
 * Writing a record is only stores into that memory: no system call, no
 * allocation, no lock. Every array entry is reserved by an atomic increment
 * of its array's counter and becomes visible when its `state` is set last,
 * so a record cut at any moment (a process killed mid-call) reads as what
 * happened until then. A counter past the capacity counts what was left
 * out. Numbers are little-endian, as on every Windows architecture. */
#ifndef MAPISHUT_CORE_EXIT_RECORD_H
#define MAPISHUT_CORE_EXIT_RECORD_H

#include "shutdown_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_RECORD_MAGIC   "mapishut exit\r\n"   /* 16 bytes with its NUL */
#define EXIT_RECORD_VERSION 1

/* Capacities: a real process has a few providers and a handful of calls. */
#define EXIT_PROFILES_MAX        8
#define EXIT_PROVIDERS_MAX       64
#define EXIT_CLIENT_CALLS_MAX    64
#define EXIT_PROVIDER_CALLS_MAX  512
#define EXIT_EVENTS_MAX          128

#define EXIT_IMAGE_MAX        260
#define EXIT_PROFILE_NAME_MAX 128

/* No provider slot (a call of a provider registered after the slots ran
 * out, or an event about no provider). */
#define EXIT_NO_PROVIDER 0xffffffffu

/* What an entry's state says. */
#define EXIT_ENTRY_EMPTY   0u
#define EXIT_ENTRY_STARTED 1u   /* a call under way */
#define EXIT_ENTRY_DONE    2u   /* written whole */

/* The client's calls. */
enum client_call {
    CLIENT_QUERY,       /* IMAPIClientShutdown::QueryFastShutdown */
    CLIENT_NOTIFY,      /* ...::NotifyProcessShutdown */
    CLIENT_DO_FAST,     /* ...::DoFastShutdown */
};

/* How a provider call ended, as the record keeps it. */
enum exit_outcome {
    OUTCOME_RETURNED,      /* returned a success code */
    OUTCOME_FAILED,        /* returned a failure */
    OUTCOME_ABANDONED,     /* overran ProviderTimeoutMs */
    OUTCOME_CRASHED,       /* an exception, or its thread ended, inside the call */
};

/* Provider call flags. */
#define EXIT_CALL_UNGUARDED      0x1u  /* no worker could be had: called on the client's thread, no deadline */
#define EXIT_CALL_HOOK_FAILED    0x2u  /* the host's WorkerStarted failed on its worker */
#define EXIT_CALL_EXCEPTION_SEEN 0x4u  /* an exception was raised inside it (handled or not) */

/* Provider flags. */
#define EXIT_PROVIDER_HAS_SECTION    0x1u  /* registered with a section UID */
#define EXIT_PROVIDER_HAS_INTERFACE  0x2u  /* it has IMAPIProviderShutdown */
#define EXIT_PROVIDER_UNREGISTERED   0x4u
#define EXIT_PROVIDER_ABANDONED      0x8u  /* the deadline gave up on it */
#define EXIT_PROVIDER_NAMES_TRUNCATED 0x10u

/* How far the process got. */
enum exit_phase {
    EXIT_PHASE_IDLE,
    EXIT_PHASE_QUERY,
    EXIT_PHASE_NOTIFY,
    EXIT_PHASE_DO_FAST,
    EXIT_PHASE_DONE,    /* DoFastShutdown returned */
};

/* The settings in force at the last evaluation. */
enum exit_setting {
    EXIT_BEHAVIOR,          /* FastShutdownBehavior */
    EXIT_TIMEOUT,           /* ProviderTimeoutMs */
    EXIT_CONCURRENT,        /* ConcurrentProviders */
    EXIT_WARN,              /* ProviderWarnMs */
    EXIT_RECORDS,           /* ExitRecords */
    EXIT_SETTINGS
};

struct exit_array {
    uint32_t offset;        /* from the start of the record */
    uint32_t entry_size;
    uint32_t capacity;
    uint32_t reserved;      /* entries asked for; past capacity: left out */
};

struct exit_setting_value {
    uint32_t value;
    uint32_t place;         /* enum policy_place; POLICY_DEFAULT: nothing valid was set */
    uint32_t version;       /* index of policy_version_name() */
    uint32_t read;          /* 1 once an evaluation read it */
};

/* last_answer of an evaluation that has not answered yet (a success code:
 * a query that never said no refused nothing). */
#define EXIT_NO_ANSWER ((int32_t)1)

struct exit_header {
    uint8_t magic[16];
    uint32_t version;
    uint32_t header_size;
    uint32_t record_size;
    uint32_t ready;                 /* 1 once the creator wrote the header: the record is valid */
    struct exit_array profiles, providers, client_calls, provider_calls, events;
    /* The process. */
    uint32_t pid;
    uint32_t pointer_bits;          /* 32 or 64: the bitness of the process */
    uint64_t process_start;         /* FILETIME (UTC) of its creation */
    uint64_t created;               /* FILETIME (UTC) of the record's creation */
    uint64_t clock_base_us;         /* the monotonic clock then: every *_us is relative to it */
    uint16_t image[EXIT_IMAGE_MAX]; /* its image path */
    /* The policy and the answer of the last QueryFastShutdown evaluation. */
    struct exit_setting_value settings[EXIT_SETTINGS];
    uint32_t evaluations;           /* so far; events carry the number of theirs */
    int32_t last_answer;            /* SHUT_S_OK, SHUT_E_NO_SUPPORT, or EXIT_NO_ANSWER while one runs */
    /* Progress. */
    uint32_t phase;                 /* enum exit_phase */
    int32_t do_fast_result;         /* valid once phase is EXIT_PHASE_DONE */
    uint32_t providers_registered;  /* right now */
    uint32_t reported;              /* 1 once the Event Log was told about this record */
    uint32_t diagnostics_lost;      /* events of a phase that did not fit its buffer */
    uint32_t pad;
};

struct exit_profile {
    uint32_t state;
    uint32_t providers;             /* provider sections it named */
    uint32_t problems;              /* what had to be skipped */
    uint32_t pad;
    uint64_t attached_us;
    uint16_t name[EXIT_PROFILE_NAME_MAX]; /* empty: the default profile */
};

struct exit_provider {
    uint32_t state;
    uint32_t cookie;
    uint32_t resource_type;
    uint32_t flags;                 /* EXIT_PROVIDER_* */
    uint8_t section_uid[16];
    uint64_t registered_us;
    uint64_t unregistered_us;
    uint32_t behavior;              /* ProviderBehavior at the last evaluation: 0, 1, 2 */
    uint32_t behavior_place;        /* enum policy_place it came from */
    struct provider_identity who;
};

struct exit_client_call {
    uint32_t state;
    uint32_t call;                  /* enum client_call */
    uint32_t thread;
    int32_t result;
    uint64_t start_us;
    uint64_t duration_us;
};

struct exit_provider_call {
    uint32_t state;
    uint32_t provider;              /* its slot, or EXIT_NO_PROVIDER */
    uint32_t call;                  /* enum provider_call */
    uint32_t outcome;               /* enum exit_outcome, once done */
    int32_t result;
    uint32_t flags;                 /* EXIT_CALL_* */
    uint32_t exception;             /* the code, with EXIT_CALL_EXCEPTION_SEEN or OUTCOME_CRASHED */
    uint32_t client_call;           /* the client call it served */
    uint64_t start_us;
    uint64_t duration_us;
};

struct exit_event {
    uint32_t state;
    uint32_t evaluation;            /* the evaluation it belongs to (0: none) */
    struct shutdown_event event;
};

/* The record's size, for the Win32 layer to map. */
size_t exit_record_size(void);

/* Lays out an empty record in memory (exit_record_size() bytes, zeroed by
 * the caller: a new file or a fresh mapping is). */
void exit_record_format(void *memory, uint32_t pid, uint32_t pointer_bits, uint64_t process_start,
                        uint64_t created, uint64_t clock_base_us, const uint16_t *image);

/* --- writing (the subsystem's; every function accepts a NULL record) ------- */

struct exit_record {
    struct exit_header *header;
};

/* Returns the slot (EXIT_NO_PROVIDER when the slots ran out). */
uint32_t exit_record_provider(struct exit_record *r, uint32_t cookie, uint32_t resource_type,
                              const uint8_t *section_uid, bool has_interface, uint64_t now_us,
                              const struct provider_identity *who);
/* The profile named it later, or the policy gave it a behaviour. */
void exit_record_provider_named(struct exit_record *r, uint32_t slot, const struct provider_identity *who);
void exit_record_provider_behavior(struct exit_record *r, uint32_t slot, uint32_t behavior, uint32_t place);
void exit_record_provider_flag(struct exit_record *r, uint32_t slot, uint32_t flag);
void exit_record_provider_gone(struct exit_record *r, uint32_t slot, uint64_t now_us);
void exit_record_registered(struct exit_record *r, uint32_t registered_now);

void exit_record_profile(struct exit_record *r, const uint16_t *name, uint32_t providers, uint32_t problems,
                         uint64_t now_us);

/* Returns the entry's index, for exit_record_client_done. */
uint32_t exit_record_client_start(struct exit_record *r, enum client_call call, uint32_t thread,
                                  uint64_t now_us);
void exit_record_client_done(struct exit_record *r, uint32_t entry, int32_t result, uint64_t now_us);

/* Is there room for another provider call? Past that, calls are only
 * counted, and need no clock. */
bool exit_record_has_call_room(const struct exit_record *r);
uint32_t exit_record_call_start(struct exit_record *r, uint32_t slot, uint32_t call, uint32_t client_entry,
                                uint64_t now_us);
void exit_record_call_done(struct exit_record *r, uint32_t entry, int32_t result, enum exit_outcome outcome,
                           uint32_t flags, uint32_t exception, uint64_t now_us);
/* From an exception handler, inside the call. */
void exit_record_call_exception(struct exit_record *r, uint32_t entry, uint32_t code);

void exit_record_setting(struct exit_record *r, enum exit_setting setting, uint32_t value, uint32_t place,
                         uint32_t version);
/* An evaluation begins: returns its number, which its events carry. */
uint32_t exit_record_evaluation(struct exit_record *r);
void exit_record_answer(struct exit_record *r, int32_t answer);
void exit_record_event(struct exit_record *r, uint32_t evaluation, const struct shutdown_event *event);
void exit_record_phase(struct exit_record *r, enum exit_phase phase);
void exit_record_done(struct exit_record *r, int32_t result);
void exit_record_lost(struct exit_record *r, uint32_t count);

#endif
