/* The file behind this process's exit record, in
 * %LOCALAPPDATA%\mapishut\exits\<image>-<pid>-<start>.exit, and the tidying
 * of that folder: each record not reported yet goes to the Event Log, and
 * the oldest beyond ExitRecords are deleted. Nothing here runs on the
 * protocol path: the file is made at the first attach or registration, and
 * tidying runs on a thread of its own. */
#include "module.h"
#include "core/exit_reader.h"
#include "core/exit_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

BOOL exit_folder(WCHAR *path, size_t size)
{
    WCHAR base[MAX_PATH];
    DWORD length = GetEnvironmentVariableW(L"LOCALAPPDATA", base, ARRAYSIZE(base));
    int written;

    if (!length || length >= ARRAYSIZE(base))
        return FALSE;
    written = _snwprintf(path, size, L"%ls\\mapishut\\exits", base);
    return written > 0 && (size_t)written < size;
}

/* This process's record file, open for as long as the process lives. */
static HANDLE own_record_file = INVALID_HANDLE_VALUE;

static uint64_t as_number(FILETIME time)
{
    return (uint64_t)time.dwHighDateTime << 32 | time.dwLowDateTime;
}

uint64_t process_start_time(HANDLE process)
{
    FILETIME created, exited, kernel, user;

    if (!GetProcessTimes(process, &created, &exited, &kernel, &user))
        return 0;
    return as_number(created);
}

/* The image's file name, made safe for a file name of our own. */
static void image_file(const WCHAR *image, WCHAR *name, size_t size)
{
    const WCHAR *file = wcsrchr(image, L'\\');
    size_t n = 0;

    for (file = file ? file + 1 : image; *file && n + 1 < size && n < 64; file++)
        name[n++] = wcschr(L"<>:\"/\\|?*", *file) || *file < 0x20 ? L'_' : *file;
    name[n] = 0;
}

/* Each page of the view written once now, so that the exit path's first
 * write to it takes no page fault. */
static void touch_pages(void *view, size_t size)
{
    SYSTEM_INFO system;
    volatile BYTE *bytes = view;

    GetSystemInfo(&system);
    for (size_t at = 0; at < size; at += system.dwPageSize)
        bytes[at] = 0;
}

/* The whole file written once with zeroes, so that its blocks exist before
 * it is mapped: a full disk shows now, not as a fault on the exit path. */
static BOOL fill_with_zeroes(HANDLE file, size_t size)
{
    static const BYTE zeroes[4096];

    for (size_t done = 0; done < size;) {
        DWORD chunk = (DWORD)(size - done < sizeof(zeroes) ? size - done : sizeof(zeroes)), written = 0;

        if (!WriteFile(file, zeroes, chunk, &written, NULL) || written != chunk)
            return FALSE;
        done += chunk;
    }
    return TRUE;
}

void *exit_file_create(uint64_t (*clock_us)(void))
{
    WCHAR folder[MAX_PATH], path[MAX_PATH], image[EXIT_IMAGE_MAX], file_name[65];
    uint64_t start = process_start_time(GetCurrentProcess());
    size_t size = exit_record_size();
    FILETIME now;
    SYSTEMTIME at;
    HANDLE file, mapping;
    void *view;
    int written;

    if (!exit_folder(folder, ARRAYSIZE(folder))) {
        diag(L"no exit record: %%LOCALAPPDATA%% is not set, or too long");
        return NULL;
    }
    if (!GetModuleFileNameW(NULL, image, ARRAYSIZE(image)))
        image[0] = 0;
    image[ARRAYSIZE(image) - 1] = 0;
    image_file(image, file_name, ARRAYSIZE(file_name));
    FileTimeToSystemTime(&(FILETIME){ (DWORD)start, (DWORD)(start >> 32) }, &at);
    written = _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls-%lu-%04u%02u%02uT%02u%02u%02u.%03u.exit", folder,
                         file_name, (unsigned long)GetCurrentProcessId(), at.wYear, at.wMonth, at.wDay, at.wHour,
                         at.wMinute, at.wSecond, at.wMilliseconds);
    if (written < 0 || (size_t)written >= ARRAYSIZE(path)) {
        diag(L"no exit record: the path under %ls is too long", folder);
        return NULL;
    }
    /* The folder and its parent; whatever else went wrong shows below. */
    *wcsrchr(folder, L'\\') = 0;
    CreateDirectoryW(folder, NULL);
    folder[wcslen(folder)] = L'\\';
    CreateDirectoryW(folder, NULL);
    file = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_NEW,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        diag(L"no exit record: %ls cannot be created (error %lu)", path, GetLastError());
        return NULL;
    }
    if (!fill_with_zeroes(file, size)) {
        diag(L"no exit record: %ls cannot be written (error %lu)", path, GetLastError());
        CloseHandle(file);
        DeleteFileW(path);
        return NULL;
    }
    mapping = CreateFileMappingW(file, NULL, PAGE_READWRITE, 0, (DWORD)size, NULL);
    view = mapping ? MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, size) : NULL;
    if (!view)
        diag(L"no exit record: %ls cannot be mapped (error %lu)", path, GetLastError());
    if (mapping)
        CloseHandle(mapping);
    if (!view) {
        CloseHandle(file);
        DeleteFileW(path);
        return NULL;
    }
    /* The view keeps the file; its handle is kept too, for the process's
     * life, so that nobody can open the file alone while it lives: that is
     * how pruning tells a live record whose header it cannot read (Windows,
     * unlike Wine, lets a mapped file whose handles are closed be opened
     * exclusively). */
    own_record_file = file;
    touch_pages(view, size);
    GetSystemTimeAsFileTime(&now);
    exit_record_format(view, GetCurrentProcessId(), sizeof(void *) * 8, start, as_number(now), clock_us(),
                       (const uint16_t *)image);
    return view;
}

/* --- tidying the folder ---------------------------------------------------------- */

struct record_file {
    WCHAR path[MAX_PATH];
    uint64_t started;           /* its process's start, as `mapishut exits` orders them; 0 unreadable */
    BOOL live;                  /* its process runs, or holds it: never deleted */
};

static int newest_first(const void *a, const void *b)
{
    const struct record_file *x = a, *y = b;

    return x->started < y->started ? 1 : x->started > y->started ? -1 : 0;
}

/* A file some process holds cannot be opened alone: a record its process
 * maps (whatever its header says yet: it may be being written, or of
 * another version), or one a reader has open. */
static BOOL held(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);

    if (file == INVALID_HANDLE_VALUE)
        return GetLastError() == ERROR_SHARING_VIOLATION;
    CloseHandle(file);
    return FALSE;
}

/* Reads what pruning needs from the record's header. Its file times will
 * not do: under Wine a record's creation time moves with every write, as
 * when the Event Log is told. A file that is no record this version reads
 * counts as the oldest. */
static void read_record_file(const WCHAR *path, struct record_file *r)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    union {
        struct exit_header header;
        uint8_t bytes[sizeof(struct exit_header)];
    } buffer;
    const struct exit_header *h = NULL;
    DWORD done = 0;

    if (file == INVALID_HANDLE_VALUE) {
        /* Held alone by another (a reporter, a pruner's probe): kept. */
        r->started = 0;
        r->live = GetLastError() == ERROR_SHARING_VIOLATION;
        return;
    }
    if (ReadFile(file, buffer.bytes, sizeof(buffer), &done, NULL))
        h = exit_header_of(buffer.bytes, done);
    CloseHandle(file);
    r->started = h ? h->process_start : 0;
    r->live = (h && exit_process_is_alive(h->pid, h->process_start)) || held(path);
}

/* Deleted in one step with the check that nobody holds it: Wine lets a
 * mapped file be deleted (it goes when its process ends), Windows not. */
static void delete_unless_held(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, DELETE, 0, NULL, OPEN_EXISTING, FILE_FLAG_DELETE_ON_CLOSE, NULL);

    if (file != INVALID_HANDLE_VALUE)
        CloseHandle(file);
}

/* Keeps keep records: every live one, then the newest of the others; the
 * rest are deleted. */
static void prune(const WCHAR *folder, unsigned keep)
{
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    struct record_file *files = NULL;
    size_t count = 0, capacity = 0, live = 0, room;
    WIN32_FIND_DATAW found;
    HANDLE find;

    _snwprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*.exit", folder);
    pattern[ARRAYSIZE(pattern) - 1] = 0;
    find = FindFirstFileW(pattern, &found);
    if (find == INVALID_HANDLE_VALUE)
        return;
    do {
        /* A link is not ours to follow: opening it would delete its target. */
        if (found.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT) ||
            _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", folder, found.cFileName) < 0)
            continue;
        path[ARRAYSIZE(path) - 1] = 0;
        if (count == capacity) {
            size_t more = capacity ? capacity * 2 : 64;
            struct record_file *grown = files ? HeapReAlloc(GetProcessHeap(), 0, files, more * sizeof(*files))
                                              : HeapAlloc(GetProcessHeap(), 0, more * sizeof(*files));

            /* Part of the list would rank the rest wrongly: nothing goes. */
            if (!grown) {
                FindClose(find);
                HeapFree(GetProcessHeap(), 0, files);
                return;
            }
            files = grown;
            capacity = more;
        }
        lstrcpynW(files[count].path, path, MAX_PATH);
        read_record_file(path, &files[count]);
        live += files[count++].live;
    } while (FindNextFileW(find, &found));
    FindClose(find);
    qsort(files, count, sizeof(*files), newest_first);
    room = keep > live ? keep - live : 0;
    for (size_t i = 0; i < count; i++) {
        if (files[i].live)
            continue;
        if (room) {
            room--;
            continue;
        }
        delete_unless_held(files[i].path);
    }
    HeapFree(GetProcessHeap(), 0, files);
}

struct tidying {
    HMODULE module;             /* a reference that keeps the module while the thread runs */
    unsigned keep;              /* ExitRecords; 0: this process made no record, delete nothing */
};

static DWORD WINAPI tidy(void *arg)
{
    struct tidying job = *(struct tidying *)arg;
    WCHAR folder[MAX_PATH];
    unsigned events;

    HeapFree(GetProcessHeap(), 0, arg);
    clock_calibrate();
    if (exit_folder(folder, ARRAYSIZE(folder))) {
        exit_report_folder(folder, &events);
        if (job.keep)
            prune(folder, job.keep);
    }
    FreeLibraryAndExitThread(job.module, 0);
}

void exit_tidy_in_background(unsigned keep)
{
    struct tidying *job = HeapAlloc(GetProcessHeap(), 0, sizeof(*job));
    HANDLE thread;

    if (!job)
        return;
    job->keep = keep;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)tidy, &job->module)) {
        HeapFree(GetProcessHeap(), 0, job);
        return;
    }
    thread = CreateThread(NULL, 0, tidy, job, 0, NULL);
    if (thread) {
        CloseHandle(thread);
        return;
    }
    FreeLibrary(job->module);
    HeapFree(GetProcessHeap(), 0, job);
}
