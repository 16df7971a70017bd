/* Reading exit records: for the tool, the Event Log and the fuzzer. A record
 * file is untrusted input: truncated, garbage, another version, written by a
 * process killed mid-update. Opening one checks everything the rest relies
 * on (sizes, offsets, counts), so nothing reads past the bytes given; the
 * entries' own fields are checked where they are used. */
#ifndef MAPISHUT_CORE_EXIT_READER_H
#define MAPISHUT_CORE_EXIT_READER_H

#include "exit_record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum exit_file_status {
    EXIT_FILE_OK,
    EXIT_FILE_INCOMPLETE,     /* its creation was cut short: no header yet */
    EXIT_FILE_OTHER_VERSION,  /* a record of a format this reader does not know */
    EXIT_FILE_DAMAGED,        /* not a record, or one whose layout does not hold */
};

enum exit_verdict {
    VERDICT_RUNNING,            /* its process is alive */
    VERDICT_FAST,               /* DoFastShutdown returned */
    VERDICT_REFUSED,            /* the last QueryFastShutdown said no */
    VERDICT_NORMAL,             /* every provider was unregistered before the end */
    VERDICT_ENDED_WITHOUT_SHUTDOWN, /* ended with providers registered: their data is at risk */
};

struct exit_view {
    enum exit_file_status status;
    const char *problem;        /* what is wrong, unless EXIT_FILE_OK */
    const struct exit_header *header;
    const struct exit_profile *profiles;
    const struct exit_provider *providers;
    const struct exit_client_call *client_calls;
    const struct exit_provider_call *calls;
    const struct exit_event *events;
    /* Entries written (some may be half-written: see their state), and how
     * many did not fit. */
    uint32_t profile_count, provider_count, client_call_count, call_count, event_count;
    uint32_t profiles_left_out, providers_left_out, client_calls_left_out, calls_left_out, events_left_out;
};

/* bytes must stay as they are while the view is used, and be aligned to 8. */
void exit_view_open(struct exit_view *view, const void *bytes, size_t size);
/* The header of a record whose header alone was read (its process, its
 * times): NULL where exit_view_open would find the header damaged,
 * incomplete or of another version. */
const struct exit_header *exit_header_of(const void *bytes, size_t size);

/* Why the exit ended as it did, given whether its process is alive. */
enum exit_verdict exit_verdict(const struct exit_view *view, bool process_alive);
const char *exit_verdict_name(enum exit_verdict verdict);

/* The provider of a call or an event, or NULL (no slot, out of range, not
 * written yet). */
const struct exit_provider *exit_view_provider(const struct exit_view *view, uint32_t slot);

/* Milliseconds, rounded up so that a slow call never reads as 0. */
uint32_t exit_ms(uint64_t us);

/* Text for administrators, UTF-8, NUL-terminated, cut to size: control
 * characters from profiles and providers are shown as '?'. */
void exit_provider_name(const struct exit_provider *p, char *text, size_t size);
void exit_provider_dll(const struct exit_provider *p, char *text, size_t size);
/* Why the verdict: who or what refused, what was running when the process
 * ended, and which providers were still registered. */
void exit_reason(const struct exit_view *view, enum exit_verdict verdict, char *text, size_t size);

/* A UTF-16 string of at most max units (NUL or not) as safe UTF-8. */
void exit_text(const uint16_t *units, size_t max, char *text, size_t size);

/* A FILETIME (100 ns since 1601, UTC) as "2026-12-02 06:35:18 UTC". */
void exit_time_text(uint64_t filetime, char *text, size_t size);

/* --- what the Event Log is told of an exit -------------------------------------- */

enum exit_item_kind {
    ITEM_REFUSED,               /* image, PID, start, why */
    ITEM_SLOW,                  /* image, PID, type, name, DLL, call, ms taken, ProviderWarnMs */
    ITEM_ABANDONED,             /* image, PID, type, name, DLL, call, ProviderTimeoutMs */
    ITEM_CRASHED,               /* image, PID, type, name, DLL, call, exception code */
    ITEM_ENDED_WITHOUT_SHUTDOWN,/* image, PID, start, providers registered, their names */
};
#define EXIT_ITEM_STRINGS 8
#define EXIT_ITEM_TEXT    1024

struct exit_item {
    enum exit_item_kind kind;
    unsigned count;                                   /* strings used */
    char strings[EXIT_ITEM_STRINGS][EXIT_ITEM_TEXT];  /* UTF-8, safe to show */
};

/* Each event the record gives the Event Log, in order: the refusal, every
 * provider call slower than ProviderWarnMs, every one abandoned or crashed,
 * and an exit with providers at risk. item is the caller's scratch. */
void exit_items(const struct exit_view *view, enum exit_verdict verdict, struct exit_item *item,
                void (*report)(void *ctx, const struct exit_item *item), void *ctx);

#endif
