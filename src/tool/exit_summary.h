/* The names and the slowest call `mapishut exits` shows: see exit_summary.c. */
#ifndef MAPISHUT_TOOL_EXIT_SUMMARY_H
#define MAPISHUT_TOOL_EXIT_SUMMARY_H

#include "core/exit_reader.h"

/* The slowest provider call that ended, or NULL. */
const struct exit_provider_call *exit_slowest_call(const struct exit_view *view);

/* "QueryFastShutdown", "NotifyProcessShutdown", "DoFastShutdown", or "?". */
const char *exit_client_call_name(uint32_t call);
/* "returned", "failed", "abandoned", "crashed", or "?". */
const char *exit_outcome_name(uint32_t outcome);

#endif
