/* Plays a debug monitor (DebugView, say): it creates the named objects every
 * OutputDebugString in the session looks for. Holding the mutex and never
 * saying the buffer is ready stalls each writer; releasing the mutex, then
 * setting buffer_ready and waiting for data_ready, reads what they write:
 * the writer's PID, then its text, in view. */
#ifndef MAPISHUT_WINE_TESTS_DEBUG_MONITOR_H
#define MAPISHUT_WINE_TESTS_DEBUG_MONITOR_H

#include <windows.h>

struct debug_monitor {
    HANDLE mutex, buffer, buffer_ready, data_ready;
    const char *view;
};

/* Creates the objects, holding the mutex: every writer stalls. */
static inline BOOL debug_monitor_stall(struct debug_monitor *m)
{
    m->mutex = CreateMutexW(NULL, TRUE, L"DBWinMutex");
    m->buffer = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, L"DBWIN_BUFFER");
    m->buffer_ready = CreateEventW(NULL, FALSE, FALSE, L"DBWIN_BUFFER_READY");
    m->data_ready = CreateEventW(NULL, FALSE, FALSE, L"DBWIN_DATA_READY");
    m->view = m->buffer ? MapViewOfFile(m->buffer, FILE_MAP_READ, 0, 0, 4096) : NULL;
    return m->mutex && m->view && m->buffer_ready && m->data_ready;
}

/* Lets the writers go (the mutex is released if still held) and closes. */
static inline void debug_monitor_close(struct debug_monitor *m)
{
    ReleaseMutex(m->mutex);
    if (m->view)
        UnmapViewOfFile(m->view);
    CloseHandle(m->mutex);
    CloseHandle(m->buffer);
    CloseHandle(m->buffer_ready);
    CloseHandle(m->data_ready);
}

#endif
