/* Replaces a module's import of a function (its import address table slot),
 * so that a test sees, or changes, what the real DLL calls. */
#ifndef MAPISHUT_WINE_TESTS_IAT_HOOK_H
#define MAPISHUT_WINE_TESTS_IAT_HOOK_H

#include <windows.h>
#include <string.h>

/* Points every import of `name` by the module at `replacement`; returns how
 * many slots were changed, and the function they held in *original. */
static inline int hook_import(HMODULE module, const char *name, void *replacement, void **original)
{
    BYTE *base = (BYTE *)module;
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
    IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    IMAGE_IMPORT_DESCRIPTOR *desc = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir->VirtualAddress);
    int hooked = 0;

    for (; desc->Name; desc++) {
        IMAGE_THUNK_DATA *names = (IMAGE_THUNK_DATA *)(base + desc->OriginalFirstThunk);
        IMAGE_THUNK_DATA *slots = (IMAGE_THUNK_DATA *)(base + desc->FirstThunk);

        for (; names->u1.AddressOfData; names++, slots++) {
            DWORD old;

            if (IMAGE_SNAP_BY_ORDINAL(names->u1.Ordinal) ||
                strcmp((const char *)((IMAGE_IMPORT_BY_NAME *)(base + names->u1.AddressOfData))->Name, name))
                continue;
            *original = (void *)slots->u1.Function;
            VirtualProtect(&slots->u1.Function, sizeof(slots->u1.Function), PAGE_READWRITE, &old);
            slots->u1.Function = (ULONG_PTR)replacement;
            VirtualProtect(&slots->u1.Function, sizeof(slots->u1.Function), old, &old);
            hooked++;
        }
    }
    return hooked;
}

#endif
