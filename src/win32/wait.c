/* Every wait of the subsystem goes through here: a thread in a
 * single-threaded apartment (Outlook's main thread, with its windows) keeps
 * pumping while it waits, so that a provider which needs that thread (a
 * SendMessage to one of its windows, a call into its apartment) can get it. */
#include "module.h"

static BOOL in_single_threaded_apartment(void)
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;

    return SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && (type == APTTYPE_STA || type == APTTYPE_MAINSTA);
}

BOOL wait_for_handles(DWORD count, HANDLE *handles, DWORD timeout_ms, DWORD *signalled)
{
    DWORD index = 0, result;

    if (in_single_threaded_apartment()) {
        if (CoWaitForMultipleHandles(0, timeout_ms, count, handles, &index) != S_OK)
            return FALSE;
        *signalled = index;
        return TRUE;
    }
    result = WaitForMultipleObjects(count, handles, FALSE, timeout_ms);
    if (result >= WAIT_OBJECT_0 + count)
        return FALSE;
    *signalled = result - WAIT_OBJECT_0;
    return TRUE;
}
