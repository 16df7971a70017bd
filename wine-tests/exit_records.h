/* Exit records, as a test reads them: each test points %LOCALAPPDATA% at a
 * folder of its own (its children inherit it), so that its records are its
 * own, and reads them through the real mapishut.exe, as an administrator
 * would. */
#ifndef MAPISHUT_WINE_TESTS_EXIT_RECORDS_H
#define MAPISHUT_WINE_TESTS_EXIT_RECORDS_H

#include "support.h"
#include "wine/test.h"

#include <stdio.h>
#include <string.h>

/* <tests>\appdata-<name>: this process's %LOCALAPPDATA% from now on, empty. */
static inline void exit_records_use_folder(const char *name, WCHAR *records, DWORD size)
{
    WCHAR base[MAX_PATH], leaf[64];
    WCHAR pattern[MAX_PATH], file[MAX_PATH];
    WIN32_FIND_DATAW found;
    HANDLE find;

    _snwprintf(leaf, ARRAY_SIZE(leaf), L"appdata-%hs", name);
    test_file_path(leaf, base, ARRAY_SIZE(base));
    CreateDirectoryW(base, NULL);
    SetEnvironmentVariableW(L"LOCALAPPDATA", base);
    _snwprintf(records, size, L"%ls\\mapishut\\exits", base);
    _snwprintf(pattern, ARRAY_SIZE(pattern), L"%ls\\*.exit", records);
    find = FindFirstFileW(pattern, &found);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            _snwprintf(file, ARRAY_SIZE(file), L"%ls\\%ls", records, found.cFileName);
            DeleteFileW(file);
        } while (FindNextFileW(find, &found));
        FindClose(find);
    }
}

/* Runs mapishut.exe (beside the tests) with args, stdout and stderr into
 * output; returns its exit code. */
static inline DWORD run_mapishut(const WCHAR *args, char *output, int size)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    STARTUPINFOW startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process;
    WCHAR exe[MAX_PATH], out_path[MAX_PATH], command[MAX_PATH * 4];
    DWORD code = (DWORD)-1;
    HANDLE file;

    test_file_path(L"mapishut.exe", exe, ARRAY_SIZE(exe));
    _snwprintf(out_path, ARRAY_SIZE(out_path), L"%ls.%lu.txt", exe, GetCurrentProcessId());
    file = CreateFileW(out_path, GENERIC_WRITE, FILE_SHARE_READ, &inherit, CREATE_ALWAYS, 0, NULL);
    _snwprintf(command, ARRAY_SIZE(command), L"\"%ls\" %ls", exe, args);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdOutput = startup.hStdError = file;
    startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    if (CreateProcessW(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process)) {
        if (WaitForSingleObject(process.hProcess, 60000) == WAIT_OBJECT_0)
            GetExitCodeProcess(process.hProcess, &code);
        else
            TerminateProcess(process.hProcess, 1);
        CloseHandle(process.hProcess);
        CloseHandle(process.hThread);
    }
    CloseHandle(file);
    if (read_text_file(out_path, output, size) < 0)
        output[0] = 0;
    DeleteFileW(out_path);
    /* Text-mode output ends its lines with CR LF: compare without the CR. */
    for (char *from = output, *to = output;; from++) {
        if (*from != '\r')
            *to++ = *from;
        if (!*from)
            break;
    }
    return code;
}

/* `mapishut exits --json --dir <records>` into json; FALSE (reported) when
 * the tool failed. */
static inline BOOL exit_records_json(const WCHAR *records, char *json, int size)
{
    WCHAR args[MAX_PATH + 32];
    DWORD code;

    _snwprintf(args, ARRAY_SIZE(args), L"exits --json --dir \"%ls\"", records);
    code = run_mapishut(args, json, size);
    ok(code == 0, "mapishut exits --json: exit code %lu: %s\n", code, json);
    return code == 0;
}

/* The JSON object of one provider (by its name) in a record's JSON, cut at
 * its end, into object; FALSE if it is not there. */
static inline BOOL exit_provider_json(const char *json, const char *name, char *object, size_t size)
{
    char key[128];
    const char *at, *end;

    snprintf(key, sizeof(key), "{\"name\":\"%s\"", name);
    if (!(at = strstr(json, key)))
        return FALSE;
    end = strstr(at, "]}");
    if (!end || (size_t)(end - at) + 3 > size)
        return FALSE;
    memcpy(object, at, (size_t)(end - at) + 2);
    object[end - at + 2] = 0;
    return TRUE;
}

/* How many of the JSON's provider calls are this call with this outcome. */
static inline int exit_calls_with(const char *json, const char *call, const char *outcome)
{
    char head[64], tail[64];
    const char *at = json;
    int found = 0;

    snprintf(head, sizeof(head), "{\"call\":\"%s\",", call);
    snprintf(tail, sizeof(tail), "\"outcome\":\"%s\"", outcome);
    while ((at = strstr(at, head))) {
        const char *end = strchr(at, '}');
        const char *mark = strstr(at, tail);

        if (end && mark && mark < end)
            found++;
        at += strlen(head);
    }
    return found;
}

#endif
