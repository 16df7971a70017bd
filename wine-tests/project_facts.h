/* The few facts of the subsystem these tests spell themselves: in Wine's
 * tree a test may include the DLL's public header, not its sources. Each is
 * checked against the original: the Office versions, the policy places,
 * MAPI's DLL naming rule and the exit record's room by test/test_wine_copies.c
 * (natively, against src/core/policy.c, src/core/dll_name.c and
 * src/core/exit_record.h), the profile places by
 * scripts/check-copies.sh (against src/win32/profile_registry.c). Plain C,
 * no Windows header: the native test compiles it too. */
#ifndef MAPISHUT_WINE_TESTS_PROJECT_FACTS_H
#define MAPISHUT_WINE_TESTS_PROJECT_FACTS_H

#include <stddef.h>

/* A narrow literal as a wide one, where the tests need UTF-16. */
#define FACT_WIDE_(text) L##text
#define FACT_WIDE(text)  FACT_WIDE_(text)

/* The Office versions the subsystem reads, newest first. */
#define FACT_OFFICE_VERSIONS(X) X("16.0") X("15.0") X("14.0")

/* The policy places, in precedence order: the name the tests give it,
 * whether it is under HKLM (else HKCU), and its Office key. */
#define FACT_POLICY_PLACES(X)                                          \
    X(MACHINE_POLICY, 1, "Software\\Policies\\Microsoft\\Office")      \
    X(USER_POLICY, 0, "Software\\Policies\\Microsoft\\Office")         \
    X(USER_PREFERENCE, 0, "Software\\Microsoft\\Office")               \
    X(MACHINE_PREFERENCE, 1, "Software\\Microsoft\\Office")

/* The Shutdown key under "<Office key>\<version>". */
#define FACT_SHUTDOWN_SUBKEY "Outlook\\Options\\Shutdown"

/* Where profiles are read, in order (under HKCU). */
#define FACT_PROFILES_16     "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles"
#define FACT_PROFILES_15     "Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles"
#define FACT_PROFILES_LEGACY "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

/* How many providers an exit record has room to name. */
#define FACT_EXIT_ROOM_PROVIDERS 64

/* UTF-16 code units: WCHAR in the tests, uint16_t natively. */
#ifdef _WIN32
typedef WCHAR fact_unit;
#else
#include <stdint.h>
typedef uint16_t fact_unit;
#endif

/* MAPI's file name for a profile's PR_PROVIDER_DLL_NAME: "32" before the
 * extension (the last dot), ".dll" when there is none: "MSPST.DLL" ->
 * "MSPST32.DLL". Zero when it does not fit size units with the NUL. */
static inline int fact_dll_file_name(const fact_unit *dll, fact_unit *file, size_t size)
{
    static const fact_unit dll_extension[] = { '.', 'd', 'l', 'l', 0 };
    size_t length = 0, dot, n = 0;
    const fact_unit *extension;

    while (dll[length])
        length++;
    for (dot = length; dot > 0 && dll[dot - 1] != '.'; dot--)
        ;
    dot = dot ? dot - 1 : length;
    extension = dot < length ? dll + dot : dll_extension;
    for (size_t i = 0; extension[i]; i++)
        n++;
    if (dot + 2 + n + 1 > size)
        return 0;
    for (size_t i = 0; i < dot; i++)
        file[i] = dll[i];
    file[dot] = '3';
    file[dot + 1] = '2';
    for (size_t i = 0; i <= n; i++)
        file[dot + 2 + i] = extension[i];
    return 1;
}

#endif
