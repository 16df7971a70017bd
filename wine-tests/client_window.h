/* The client's window, as Outlook's UI thread has one: a message-only
 * window that answers WM_APP, named to testprov through TESTPROV_HWND so
 * that a provider can send to it (TESTPROV_SEND_TO_CLIENT). */
#ifndef MAPISHUT_WINE_TESTS_CLIENT_WINDOW_H
#define MAPISHUT_WINE_TESTS_CLIENT_WINDOW_H

#include <windows.h>
#include <stdio.h>

static LRESULT CALLBACK client_window_proc(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    if (message == WM_APP)
        return 42;
    return DefWindowProcW(window, message, wparam, lparam);
}

/* NULL when no window can be made here. */
static inline HWND create_client_window(void)
{
    WNDCLASSW window_class = { .lpfnWndProc = client_window_proc, .lpszClassName = L"mapishut-test-client" };
    WCHAR handle[32];
    HWND window;

    RegisterClassW(&window_class);
    window = CreateWindowW(window_class.lpszClassName, NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL, NULL);
    if (!window)
        return NULL;
    _snwprintf(handle, ARRAYSIZE(handle), L"%Ix", (ULONG_PTR)window);
    SetEnvironmentVariableW(L"TESTPROV_HWND", handle);
    return window;
}

#endif
