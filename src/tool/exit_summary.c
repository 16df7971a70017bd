/* What `mapishut exits` says of a record's calls, beside what the reader
 * decodes (src/core/exit_reader.c): the DLL writes records and never
 * names their calls, so this lives with the tool. Portable, as the core. */
#include "exit_summary.h"

const struct exit_provider_call *exit_slowest_call(const struct exit_view *v)
{
    const struct exit_provider_call *slowest = NULL;

    for (uint32_t i = 0; i < v->call_count; i++) {
        const struct exit_provider_call *c = &v->calls[i];

        if (c->state == EXIT_ENTRY_DONE && (!slowest || c->duration_us > slowest->duration_us))
            slowest = c;
    }
    return slowest;
}

const char *exit_client_call_name(uint32_t call)
{
    switch (call) {
    case CLIENT_QUERY:   return "QueryFastShutdown";
    case CLIENT_NOTIFY:  return "NotifyProcessShutdown";
    case CLIENT_DO_FAST: return "DoFastShutdown";
    }
    return "?";
}

const char *exit_outcome_name(uint32_t outcome)
{
    switch (outcome) {
    case OUTCOME_RETURNED:  return "returned";
    case OUTCOME_FAILED:    return "failed";
    case OUTCOME_ABANDONED: return "abandoned";
    case OUTCOME_CRASHED:   return "crashed";
    }
    return "?";
}
