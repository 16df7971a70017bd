/* The Event Log, as Outlook does it for add-ins: each exit record not
 * reported yet is reported once to the Application log, source "mapishut",
 * with the messages of mapishut.dll's message table. Runs off the exit path:
 * on the subsystem's tidying thread at its start in a process, and for
 * `mapishut exits --report`. */
#include "module.h"
#include "core/exit_reader.h"
#include "messages.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Larger than any record this reader knows: not one of ours. */
#define RECORD_FILE_MAX (16u << 20)

static const struct {
    DWORD id;
    WORD type;
} messages[] = {
    [ITEM_REFUSED]                = { MSG_FAST_SHUTDOWN_REFUSED, EVENTLOG_WARNING_TYPE },
    [ITEM_SLOW]                   = { MSG_PROVIDER_SLOW, EVENTLOG_WARNING_TYPE },
    [ITEM_ABANDONED]              = { MSG_PROVIDER_ABANDONED, EVENTLOG_ERROR_TYPE },
    [ITEM_CRASHED]                = { MSG_PROVIDER_CRASHED, EVENTLOG_ERROR_TYPE },
    [ITEM_ENDED_WITHOUT_SHUTDOWN] = { MSG_ENDED_WITHOUT_SHUTDOWN, EVENTLOG_ERROR_TYPE },
};

struct reporting {
    HANDLE source;
    unsigned events;
    struct exit_item item;
    WCHAR strings[EXIT_ITEM_STRINGS][EXIT_ITEM_TEXT];
};

static void report_item(void *ctx, const struct exit_item *item)
{
    struct reporting *r = ctx;
    const WCHAR *strings[EXIT_ITEM_STRINGS];

    for (unsigned i = 0; i < item->count; i++) {
        if (!MultiByteToWideChar(CP_UTF8, 0, item->strings[i], -1, r->strings[i], EXIT_ITEM_TEXT))
            r->strings[i][0] = 0;
        strings[i] = r->strings[i];
    }
    if (ReportEventW(r->source, messages[item->kind].type, 0, messages[item->kind].id, NULL, (WORD)item->count, 0,
                     strings, NULL))
        r->events++;
}

BOOL exit_process_is_alive(uint32_t pid, uint64_t start)
{
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
    BOOL alive;

    if (!process)
        return FALSE;
    /* A PID is reused (at once, under Wine): the start time tells. */
    alive = process_start_time(process) == start && WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    CloseHandle(process);
    return alive;
}

/* One record, held open alone so that no other reporter reports it too. */
static BOOL report_file(const WCHAR *path, struct reporting *r)
{
    static const DWORD reported = 1;
    HANDLE file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    LARGE_INTEGER size, at = { .QuadPart = offsetof(struct exit_header, reported) };
    struct exit_view view;
    void *bytes = NULL;
    DWORD done = 0;
    BOOL told = FALSE;

    if (file == INVALID_HANDLE_VALUE)
        return FALSE;
    if (GetFileSizeEx(file, &size) && size.QuadPart > 0 && size.QuadPart <= RECORD_FILE_MAX &&
        (bytes = HeapAlloc(GetProcessHeap(), 0, (SIZE_T)size.QuadPart)) &&
        ReadFile(file, bytes, (DWORD)size.QuadPart, &done, NULL) && done == size.QuadPart) {
        exit_view_open(&view, bytes, done);
        if (view.status == EXIT_FILE_OK && !view.header->reported &&
            !exit_process_is_alive(view.header->pid, view.header->process_start)) {
            exit_items(&view, exit_verdict(&view, false), &r->item, report_item, r);
            told = SetFilePointerEx(file, at, NULL, FILE_BEGIN) &&
                   WriteFile(file, &reported, sizeof(reported), &done, NULL) && done == sizeof(reported);
        }
    }
    HeapFree(GetProcessHeap(), 0, bytes);
    CloseHandle(file);
    return told;
}

unsigned exit_report_folder(const WCHAR *folder, unsigned *events)
{
    struct reporting *r = HeapAlloc(GetProcessHeap(), 0, sizeof(*r));
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW found;
    unsigned records = 0;
    HANDLE find;

    *events = 0;
    if (!r || _snwprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*.exit", folder) < 0) {
        HeapFree(GetProcessHeap(), 0, r);
        return 0;
    }
    pattern[ARRAYSIZE(pattern) - 1] = 0;
    r->source = RegisterEventSourceW(NULL, L"mapishut");
    r->events = 0;
    find = r->source ? FindFirstFileW(pattern, &found) : INVALID_HANDLE_VALUE;
    if (find != INVALID_HANDLE_VALUE) {
        do {
            if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY ||
                _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", folder, found.cFileName) < 0)
                continue;
            path[ARRAYSIZE(path) - 1] = 0;
            records += report_file(path, r);
        } while (FindNextFileW(find, &found));
        FindClose(find);
    }
    if (r->source)
        DeregisterEventSource(r->source);
    *events = r->events;
    HeapFree(GetProcessHeap(), 0, r);
    return records;
}
