/* mapishut.exe: what the fast-shutdown subsystem sees, for administrators and
 * provider authors; and registration, like regsvr32.
 *
 *   mapishut policy [--json]
 *   mapishut profile [NAME] [--json]
 *   mapishut exits [show ID|last] [--json] [--dir DIR]
 *   mapishut exits --report [--dir DIR]
 *   mapishut register [/user]
 *   mapishut unregister [/user]
 *
 * Exit codes: 0 done, 1 failed (no such profile, registration failed),
 * 2 bad command line. */
#include "commands.h"
#include "output.h"
#include "cmdline.h"

#include <stdio.h>

static const char usage_text[] =
    "mapishut - the MAPI fast-shutdown subsystem\n"
    "\n"
    "  mapishut policy [--json]          the effective FastShutdownBehavior,\n"
    "                                    ProviderTimeoutMs and ConcurrentProviders, the\n"
    "                                    place that decided each, and every value ignored\n"
    "  mapishut profile [NAME] [--json]  the providers of a MAPI profile (default: the\n"
    "                                    default profile) in shutdown order, and the\n"
    "                                    sections that were skipped\n"
    "  mapishut exits [--json] [--dir DIR]\n"
    "                                    the exit records, newest first: when, which\n"
    "                                    process, the verdict, the slowest provider\n"
    "  mapishut exits show ID|last [--json] [--dir DIR]\n"
    "                                    one exit: its providers and their calls by\n"
    "                                    phase, and why the verdict\n"
    "  mapishut exits --report [--dir DIR]\n"
    "                                    tell the Application event log of each record\n"
    "                                    not reported yet\n"
    "                                    (DIR: records collected elsewhere; default\n"
    "                                    %LOCALAPPDATA%\\mapishut\\exits)\n"
    "  mapishut register [/user]         register mapishut.dll (beside this program) per\n"
    "                                    machine, or for the current user only\n"
    "  mapishut unregister [/user]       remove that registration\n"
    "  mapishut /?                       this help\n"
    "\n"
    "Options may be written /json, -json or --json, and so on.\n"
    "Exit codes: 0 done, 1 failed (no such profile, registration failed),\n"
    "2 bad command line.\n";

static BOOL is_option(const WCHAR *arg, const char *name)
{
    return cmdline_option_is((const uint16_t *)arg, name);
}

static BOOL is_help(const WCHAR *arg)
{
    return cmdline_is_help((const uint16_t *)arg);
}

static int usage_error(const char *what, const WCHAR *arg)
{
    err("mapishut: %s", what);
    if (arg)
        err_wide(arg);
    err("\n\n%s", usage_text);
    return EXIT_USAGE;
}

/* Output that could not be written is a failure: a script reading it would
 * otherwise take a truncated answer for the whole one. */
static int finish(int code)
{
    if (fflush(stdout) || ferror(stdout)) {
        err("mapishut: writing the output failed\n");
        return code == EXIT_OK ? EXIT_FAILED : code;
    }
    return code;
}

/* The words after the command that are not options: a profile's name;
 * "show" and a record's ID. */
static BOOL takes_word(const WCHAR *command, unsigned words)
{
    return (!_wcsicmp(command, L"profile") && words < 1) || (!_wcsicmp(command, L"exits") && words < 2);
}

int wmain(int argc, WCHAR **argv)
{
    const WCHAR *command, *word[2] = { NULL, NULL }, *dir = NULL;
    BOOL json = FALSE, per_user = FALSE, report = FALSE;
    unsigned words = 0;

    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (argc < 2)
        return usage_error("no command given", NULL);
    command = argv[1];
    if (is_help(command)) {
        fputs(usage_text, stdout);
        return finish(EXIT_OK);
    }
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_text, stdout);
            return finish(EXIT_OK);
        } else if (is_option(argv[i], "json")) {
            json = TRUE;
        } else if (is_option(argv[i], "user")) {
            per_user = TRUE;
        } else if (is_option(argv[i], "report")) {
            report = TRUE;
        } else if (is_option(argv[i], "dir") && !dir) {
            if (++i == argc)
                return usage_error("--dir needs a folder", NULL);
            dir = argv[i];
        } else if (takes_word(command, words) && !cmdline_is_option((const uint16_t *)argv[i])) {
            word[words++] = argv[i];
        } else {
            return usage_error("unexpected argument: ", argv[i]);
        }
    }

    if (!_wcsicmp(command, L"exits") && !per_user) {
        if (report && !words && !json)
            return finish(command_exits_report(dir));
        if (!report && !words)
            return finish(command_exits_list(dir, json));
        if (!report && words == 2 && !_wcsicmp(word[0], L"show"))
            return finish(command_exits_show(dir, word[1], json));
        return usage_error("exits takes \"show ID\", \"show last\" or --report", NULL);
    }
    if (dir || report)
        return usage_error("--dir and --report are for exits only", NULL);
    if (!_wcsicmp(command, L"policy") && !per_user && !words)
        return finish(command_policy(json));
    if (!_wcsicmp(command, L"profile") && !per_user)
        return finish(command_profile(word[0], json));
    if ((!_wcsicmp(command, L"register") || !_wcsicmp(command, L"unregister")) && !json)
        return finish(command_register(!_wcsicmp(command, L"register"), per_user));
    return usage_error("unknown command or option for it: ", command);
}
