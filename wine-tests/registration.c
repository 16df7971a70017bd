/* Registration through the real regsvr32, checked with the registry API:
 * per machine, per user, and /u removing exactly what was written. */
#define COBJMACROS
#include <windows.h>
#include <sddl.h>

#include "support.h"
#include "saved_registry.h"
#include "wine/test.h"

#include <stdio.h>

#define CLSID_KEY   MAPISHUT_CLSID_KEY
#define LIBID_KEY   L"Software\\Classes\\TypeLib\\" MAPISHUT_LIBID_W
#define PROGID_KEY  L"Software\\Classes\\" MAPISHUT_PROGID_W
#define VIPROGID_KEY L"Software\\Classes\\" MAPISHUT_PROGID_INDEPENDENT_W
#define EVENT_SOURCE_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\mapishut"
#ifdef _WIN64
#define TLB_PLATFORM L"win64"
#define OTHER_VIEW   KEY_WOW64_32KEY
#else
#define TLB_PLATFORM L"win32"
#define OTHER_VIEW   KEY_WOW64_64KEY
#endif

/* The full path of the DLL under test, as its registration writes it. */
static void module_path(WCHAR *path, DWORD size)
{
    WCHAR dll[MAX_PATH];
    HMODULE module;

    mapishut_dll_path(dll, ARRAY_SIZE(dll));
    module = LoadLibraryW(dll);
    path[0] = 0;
    if (module) {
        GetModuleFileNameW(module, path, size);
        FreeLibrary(module);
    }
}

/* --- what the test found, put back at the end ------------------------------ */

/* Registration is prefix-wide: the keys this test rewrites are copied aside
 * first and copied back afterwards, exactly as they were. */
#define BACKUP_KEY L"Software\\mapishut-tests\\registration-backup"

static const struct {
    HKEY root;
    const WCHAR *path, *backup;
    REGSAM view;                /* 0: this bitness's; OTHER_VIEW: the other one's CLSID */
} saved_keys[] = {
    { HKEY_LOCAL_MACHINE, CLSID_KEY, L"machine-clsid", 0 },
    { HKEY_LOCAL_MACHINE, CLSID_KEY, L"machine-clsid-other-view", OTHER_VIEW },
    { HKEY_LOCAL_MACHINE, LIBID_KEY, L"machine-typelib", 0 },
    { HKEY_LOCAL_MACHINE, PROGID_KEY, L"machine-progid", 0 },
    { HKEY_LOCAL_MACHINE, VIPROGID_KEY, L"machine-viprogid", 0 },
    { HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY, L"machine-event-source", 0 },
    { HKEY_CURRENT_USER, CLSID_KEY, L"user-clsid", 0 },
    { HKEY_CURRENT_USER, LIBID_KEY, L"user-typelib", 0 },
    { HKEY_CURRENT_USER, PROGID_KEY, L"user-progid", 0 },
    { HKEY_CURRENT_USER, VIPROGID_KEY, L"user-viprogid", 0 },
};

static void copy_tree(HKEY from_root, const WCHAR *from, REGSAM from_view, HKEY to_root, const WCHAR *to,
                      REGSAM to_view)
{
    HKEY source, target;
    LSTATUS status;

    if (RegOpenKeyExW(from_root, from, 0, KEY_READ | from_view, &source) != ERROR_SUCCESS)
        return;
    status = RegCreateKeyExW(to_root, to, 0, NULL, 0, KEY_ALL_ACCESS | to_view, NULL, &target, NULL);
    if (status == ERROR_SUCCESS) {
        status = RegCopyTreeW(source, NULL, target);
        RegCloseKey(target);
    }
    RegCloseKey(source);
    ok(status == ERROR_SUCCESS, "copying %ls to %ls: %ld\n", from, to, status);
}

static void save_registration(void)
{
    RegDeleteTreeW(HKEY_CURRENT_USER, BACKUP_KEY);
    for (unsigned i = 0; i < ARRAY_SIZE(saved_keys); i++) {
        WCHAR backup[256];

        _snwprintf(backup, ARRAY_SIZE(backup), L"%ls\\%ls", BACKUP_KEY, saved_keys[i].backup);
        copy_tree(saved_keys[i].root, saved_keys[i].path, saved_keys[i].view, HKEY_CURRENT_USER, backup, 0);
    }
}

/* Removes a key and everything under it, in the given view. */
static void delete_key_tree(HKEY root, const WCHAR *path, REGSAM view)
{
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_ALL_ACCESS | view, &key) == ERROR_SUCCESS) {
        RegDeleteTreeW(key, NULL);
        RegCloseKey(key);
    }
    RegDeleteKeyExW(root, path, view, 0);
}

static void restore_saved_registration(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(saved_keys); i++) {
        WCHAR backup[256];

        _snwprintf(backup, ARRAY_SIZE(backup), L"%ls\\%ls", BACKUP_KEY, saved_keys[i].backup);
        delete_key_tree(saved_keys[i].root, saved_keys[i].path, saved_keys[i].view);
        copy_tree(HKEY_CURRENT_USER, backup, 0, saved_keys[i].root, saved_keys[i].path, saved_keys[i].view);
    }
    RegDeleteTreeW(HKEY_CURRENT_USER, BACKUP_KEY);
    RegDeleteKeyW(HKEY_CURRENT_USER, BACKUP_KEY);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"Software\\mapishut-tests");
}

static BOOL read_string(HKEY root, const WCHAR *path, const WCHAR *name, WCHAR *value, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR);

    value[0] = 0;
    return RegGetValueW(root, path, name, RRF_RT_REG_SZ, NULL, value, &size) == ERROR_SUCCESS;
}

/* Subkeys of a key: what registration may add to and must give back. */
static DWORD subkey_count(HKEY root, const WCHAR *path)
{
    DWORD count = 0;
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key) != ERROR_SUCCESS)
        return (DWORD)-1;
    RegQueryInfoKeyW(key, NULL, NULL, NULL, &count, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    RegCloseKey(key);
    return count;
}

struct snapshot {
    DWORD classes, clsid, typelib;
};

static void take_snapshot(HKEY root, struct snapshot *s)
{
    s->classes = subkey_count(root, L"Software\\Classes");
    s->clsid = subkey_count(root, L"Software\\Classes\\CLSID");
    s->typelib = subkey_count(root, L"Software\\Classes\\TypeLib");
}

static void check_registered(HKEY root, const char *where)
{
    WCHAR dll[MAX_PATH], value[MAX_PATH];

    module_path(dll, ARRAY_SIZE(dll));
    ok(read_string(root, CLSID_KEY L"\\InprocServer32", NULL, value, ARRAY_SIZE(value)),
       "%s: no InprocServer32\n", where);
    ok(!lstrcmpiW(value, dll), "%s: InprocServer32 is %ls, expected %ls\n", where, value, dll);
    ok(read_string(root, CLSID_KEY L"\\InprocServer32", L"ThreadingModel", value, ARRAY_SIZE(value)) &&
       !lstrcmpW(value, L"Both"), "%s: ThreadingModel is \"%ls\", expected Both\n", where, value);
    ok(read_string(root, CLSID_KEY L"\\ProgID", NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpW(value, MAPISHUT_PROGID_W), "%s: ProgID is \"%ls\"\n", where, value);
    ok(read_string(root, CLSID_KEY L"\\VersionIndependentProgID", NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpW(value, MAPISHUT_PROGID_INDEPENDENT_W), "%s: VersionIndependentProgID is \"%ls\"\n", where, value);
    ok(read_string(root, PROGID_KEY L"\\CLSID", NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpW(value, MAPISHUT_CLSID_W), "%s: the ProgID's CLSID is \"%ls\"\n", where, value);
    ok(read_string(root, VIPROGID_KEY L"\\CurVer", NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpW(value, MAPISHUT_PROGID_W), "%s: CurVer is \"%ls\"\n", where, value);
    ok(read_string(root, LIBID_KEY L"\\1.0\\0\\" TLB_PLATFORM, NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpiW(value, dll), "%s: type library path is \"%ls\"\n", where, value);
    /* No help file: an empty HELPDIR, whichever DLL wrote it last. */
    ok(read_string(root, LIBID_KEY L"\\1.0\\HELPDIR", NULL, value, ARRAY_SIZE(value)) && !value[0],
       "%s: HELPDIR is \"%ls\", expected empty\n", where, value);
}

/* The Application log's source names dll, and the Event Viewer's way of
 * reading it (the message table of the DLL loaded as data) gives a text. */
static void check_event_source(const WCHAR *dll, const char *where)
{
    /* MSG_FAST_SHUTDOWN_REFUSED (100, a warning), MSG_ENDED_WITHOUT_SHUTDOWN (104, an error) */
    static const DWORD ids[] = { 0x80000064, 0xC0000068 };
    WCHAR value[MAX_PATH], text[1024];
    DWORD size = sizeof(value), type = 0, types = 0;
    HMODULE module;
    LSTATUS status;
    HKEY key;

    status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY, 0, KEY_READ, &key);
    ok(status == ERROR_SUCCESS, "%s: no event source key: %ld\n", where, status);
    if (status != ERROR_SUCCESS)
        return;
    value[0] = 0;
    status = RegQueryValueExW(key, L"EventMessageFile", NULL, &type, (BYTE *)value, &size);
    ok(status == ERROR_SUCCESS && (type == REG_SZ || type == REG_EXPAND_SZ) && !lstrcmpiW(value, dll),
       "%s: EventMessageFile is %ld, type %lu, \"%ls\", expected \"%ls\"\n", where, status, type, value, dll);
    size = sizeof(types);
    status = RegQueryValueExW(key, L"TypesSupported", NULL, &type, (BYTE *)&types, &size);
    ok(status == ERROR_SUCCESS && type == REG_DWORD && types == 7, "%s: TypesSupported is %ld, type %lu, %lu\n",
       where, status, type, types);
    RegCloseKey(key);

    module = LoadLibraryExW(value, NULL, LOAD_LIBRARY_AS_DATAFILE);
    ok(module != NULL, "%s: LoadLibraryEx(%ls) as data: %lu\n", where, value, GetLastError());
    if (!module)
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
        DWORD length = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS, module, ids[i],
                                      MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), text, ARRAY_SIZE(text), NULL);

        ok(length > 0, "%s: FormatMessage(%#lx): %lu\n", where, ids[i], GetLastError());
    }
    FreeLibrary(module);
}

static void check_unregistered(HKEY root, const char *where)
{
    ok(!key_exists(root, CLSID_KEY), "%s: the CLSID key is still there\n", where);
    ok(!key_exists(root, PROGID_KEY), "%s: the ProgID is still there\n", where);
    ok(!key_exists(root, VIPROGID_KEY),
       "%s: the version-independent ProgID is still there\n", where);
    ok(!key_exists(root, LIBID_KEY), "%s: the type library key is still there\n", where);
}

static void check_snapshot(HKEY root, const struct snapshot *before, const char *where)
{
    struct snapshot after;

    take_snapshot(root, &after);
    ok(after.classes == before->classes, "%s: Software\\Classes has %lu subkeys, had %lu\n",
       where, after.classes, before->classes);
    ok(after.clsid == before->clsid, "%s: CLSID has %lu subkeys, had %lu\n", where, after.clsid, before->clsid);
    ok(after.typelib == before->typelib, "%s: TypeLib has %lu subkeys, had %lu\n",
       where, after.typelib, before->typelib);
}

/* The registration works for COM itself, not only in the registry. */
static void check_com_finds_it(BOOL expected, const char *where)
{
    IUnknown *unknown = NULL;
    ITypeLib *typelib = NULL;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unknown);
    if (expected)
        ok(hr == S_OK, "%s: CoCreateInstance: %#lx\n", where, hr);
    else
        ok(hr == REGDB_E_CLASSNOTREG, "%s: CoCreateInstance: %#lx, expected REGDB_E_CLASSNOTREG\n", where, hr);
    if (unknown)
        IUnknown_Release(unknown);

    hr = LoadRegTypeLib(&LIBID_MAPIShutdownLib, 1, 0, LOCALE_NEUTRAL, &typelib);
    if (expected) {
        ITypeInfo *info = NULL;

        ok(hr == S_OK, "%s: LoadRegTypeLib: %#lx\n", where, hr);
        if (typelib) {
            hr = ITypeLib_GetTypeInfoOfGuid(typelib, &CLSID_MAPIShutdown, &info);
            ok(hr == S_OK, "%s: the type library has no MAPIShutdown coclass: %#lx\n", where, hr);
            if (info)
                ITypeInfo_Release(info);
            hr = ITypeLib_GetTypeInfoOfGuid(typelib, &IID_IMAPIClientShutdown, &info);
            ok(hr == S_OK, "%s: the type library has no IMAPIClientShutdown: %#lx\n", where, hr);
            if (info)
                ITypeInfo_Release(info);
            ITypeLib_Release(typelib);
        }
    } else {
        ok(hr != S_OK, "%s: LoadRegTypeLib still finds the library\n", where);
        if (typelib)
            ITypeLib_Release(typelib);
    }
}

static void test_per_machine(void)
{
    struct snapshot before;
    WCHAR dll[MAX_PATH];
    DWORD code;

    module_path(dll, ARRAY_SIZE(dll));
    take_snapshot(HKEY_LOCAL_MACHINE, &before);
    code = run_regsvr32(L"/s");
    ok(code == 0, "regsvr32: exit code %lu\n", code);
    check_registered(HKEY_LOCAL_MACHINE, "machine");
    check_event_source(dll, "machine");
    ok(!key_exists(HKEY_CURRENT_USER, CLSID_KEY), "machine: wrote to HKCU too\n");
    check_com_finds_it(TRUE, "machine");

    /* Registering twice is harmless. */
    code = run_regsvr32(L"/s");
    ok(code == 0, "regsvr32 again: exit code %lu\n", code);

    code = run_regsvr32(L"/s /u");
    ok(code == 0, "regsvr32 /u: exit code %lu\n", code);
    check_unregistered(HKEY_LOCAL_MACHINE, "machine");
    ok(!key_exists(HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY), "machine: the event source is still there\n");
    check_snapshot(HKEY_LOCAL_MACHINE, &before, "machine");
    check_com_finds_it(FALSE, "machine");

    /* Unregistering what is not there succeeds and removes nothing else. */
    code = run_regsvr32(L"/s /u");
    ok(code == 0, "regsvr32 /u again: exit code %lu\n", code);
    check_snapshot(HKEY_LOCAL_MACHINE, &before, "machine");
}

static void create_key(HKEY root, const WCHAR *path)
{
    HKEY key;

    if (RegCreateKeyExW(root, path, 0, NULL, 0, KEY_READ, NULL, &key, NULL) == ERROR_SUCCESS)
        RegCloseKey(key);
}

static void test_per_user(void)
{
    struct snapshot before, machine_before;
    DWORD code;

    /* Every Windows profile has these; a new Wine prefix may not yet. */
    create_key(HKEY_CURRENT_USER, L"Software\\Classes\\CLSID");
    create_key(HKEY_CURRENT_USER, L"Software\\Classes\\TypeLib");
    take_snapshot(HKEY_CURRENT_USER, &before);
    take_snapshot(HKEY_LOCAL_MACHINE, &machine_before);
    code = run_regsvr32(L"/s /n /i:user");
    ok(code == 0, "regsvr32 /n /i:user: exit code %lu\n", code);
    check_registered(HKEY_CURRENT_USER, "user");
    check_snapshot(HKEY_LOCAL_MACHINE, &machine_before, "user registration, HKLM");
    ok(!key_exists(HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY), "user: registered the event source (per machine)\n");
    /* Wine 8 does not merge HKCU\\Software\\Classes into HKEY_CLASSES_ROOT. */
    todo_wine check_com_finds_it(TRUE, "user");

    code = run_regsvr32(L"/s /u /n /i:user");
    ok(code == 0, "regsvr32 /u /n /i:user: exit code %lu\n", code);
    check_unregistered(HKEY_CURRENT_USER, "user");
    check_snapshot(HKEY_CURRENT_USER, &before, "user");
    check_com_finds_it(FALSE, "user");
}

static void test_dll_install_arguments(void)
{
    HRESULT (WINAPI *install)(BOOL, const WCHAR *);
    WCHAR dll[MAX_PATH];
    HMODULE module;
    HRESULT hr;

    mapishut_dll_path(dll, ARRAY_SIZE(dll));
    module = LoadLibraryW(dll);
    ok(module != NULL, "LoadLibrary(mapishut.dll): %lu\n", GetLastError());
    if (!module)
        return;
    install = (void *)GetProcAddress(module, "DllInstall");
    ok(install != NULL, "DllInstall is not exported\n");
    ok(GetProcAddress(module, "DllRegisterServer") && GetProcAddress(module, "DllUnregisterServer") &&
       GetProcAddress(module, "DllGetClassObject") && GetProcAddress(module, "DllCanUnloadNow"),
       "an entry point is missing\n");
    if (install) {
        hr = install(TRUE, L"everyone");
        ok(hr == E_INVALIDARG, "DllInstall(TRUE, \"everyone\"): %#lx, expected E_INVALIDARG\n", hr);
        hr = install(FALSE, L"bogus");
        ok(hr == E_INVALIDARG, "DllInstall(FALSE, \"bogus\"): %#lx, expected E_INVALIDARG\n", hr);
        ok(!key_exists(HKEY_CURRENT_USER, CLSID_KEY) && !key_exists(HKEY_LOCAL_MACHINE, CLSID_KEY),
           "a refused DllInstall wrote keys\n");
        /* Case does not matter, as with regsvr32's own switches. */
        hr = install(TRUE, L"USER");
        ok(hr == S_OK, "DllInstall(TRUE, \"USER\"): %#lx\n", hr);
        ok(key_exists(HKEY_CURRENT_USER, CLSID_KEY), "DllInstall(TRUE, \"USER\") wrote nothing\n");
        hr = install(FALSE, L"user");
        ok(hr == S_OK, "DllInstall(FALSE, \"user\"): %#lx\n", hr);
        ok(!key_exists(HKEY_CURRENT_USER, CLSID_KEY), "DllInstall(FALSE, \"user\") left the CLSID\n");
    }
    FreeLibrary(module);
}

static void test_type_library_is_embedded(void)
{
    WCHAR dll[MAX_PATH];
    ITypeLib *typelib = NULL;
    TLIBATTR *attr;
    HRESULT hr;

    module_path(dll, ARRAY_SIZE(dll));
    hr = LoadTypeLibEx(dll, REGKIND_NONE, &typelib);
    ok(hr == S_OK, "LoadTypeLibEx(mapishut.dll): %#lx\n", hr);
    if (!typelib)
        return;
    hr = ITypeLib_GetLibAttr(typelib, &attr);
    ok(hr == S_OK, "GetLibAttr: %#lx\n", hr);
    if (SUCCEEDED(hr)) {
        ok(IsEqualGUID(&attr->guid, &LIBID_MAPIShutdownLib), "wrong LIBID\n");
        ok(attr->wMajorVerNum == 1 && attr->wMinorVerNum == 0, "version %u.%u, expected 1.0\n",
           attr->wMajorVerNum, attr->wMinorVerNum);
#ifdef _WIN64
        ok(attr->syskind == SYS_WIN64, "syskind %d, expected SYS_WIN64\n", attr->syskind);
#else
        ok(attr->syskind == SYS_WIN32, "syskind %d, expected SYS_WIN32\n", attr->syskind);
#endif
        ITypeLib_ReleaseTLibAttr(typelib, attr);
    }
    ITypeLib_Release(typelib);
}

/* --- a registration that fails restores what was there ------------------------ */

/* The key's DACL: Everyone may read it, nobody may write it. */
static BOOL set_key_writable(HKEY root, const WCHAR *path, BOOL writable)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    LSTATUS status;
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, WRITE_DAC, &key) != ERROR_SUCCESS)
        return FALSE;
    ConvertStringSecurityDescriptorToSecurityDescriptorW(writable ? L"D:(A;;KA;;;WD)" : L"D:(D;;KW;;;WD)(A;;KA;;;WD)",
                                                         SDDL_REVISION_1, &sd, NULL);
    status = RegSetKeySecurity(key, DACL_SECURITY_INFORMATION, sd);
    LocalFree(sd);
    RegCloseKey(key);
    return status == ERROR_SUCCESS;
}

/* A working registration; then another copy of the DLL fails to register
 * (the type library's HELPDIR cannot be written): the working one is left
 * exactly as it was. */
static void test_failed_registration_restores_the_earlier_one(void)
{
    WCHAR dll[MAX_PATH], copy_folder[MAX_PATH], copy[MAX_PATH], command[MAX_PATH * 2], value[MAX_PATH];
    DWORD code;

    module_path(dll, ARRAY_SIZE(dll));
    test_file_path(L"registration-copy", copy_folder, ARRAY_SIZE(copy_folder));
    CreateDirectoryW(copy_folder, NULL);
    _snwprintf(copy, ARRAY_SIZE(copy), L"%ls\\mapishut.dll", copy_folder);
    ok(CopyFileW(dll, copy, FALSE), "copying mapishut.dll: %lu\n", GetLastError());
    code = run_regsvr32(L"/s");
    ok(code == 0, "regsvr32: exit code %lu\n", code);

    ok(set_key_writable(HKEY_LOCAL_MACHINE, LIBID_KEY L"\\1.0\\HELPDIR", FALSE), "locking HELPDIR failed\n");
    _snwprintf(command, ARRAY_SIZE(command), L"regsvr32.exe /s \"%ls\"", copy);
    code = run_command(command);
    ok(code != 0, "regsvr32 of the copy succeeded though HELPDIR is locked\n");
    set_key_writable(HKEY_LOCAL_MACHINE, LIBID_KEY L"\\1.0\\HELPDIR", TRUE);

    check_registered(HKEY_LOCAL_MACHINE, "after a failed registration");
    check_event_source(dll, "after a failed registration");
    ok(read_string(HKEY_LOCAL_MACHINE, CLSID_KEY L"\\InprocServer32", NULL, value, ARRAY_SIZE(value)) &&
       !lstrcmpiW(value, dll), "InprocServer32 is %ls, expected the earlier %ls\n", value, dll);
    check_com_finds_it(TRUE, "after a failed registration");

    code = run_regsvr32(L"/s /u");
    ok(code == 0, "regsvr32 /u: exit code %lu\n", code);
    check_unregistered(HKEY_LOCAL_MACHINE, "after the rollback test");
    DeleteFileW(copy);
    RemoveDirectoryW(copy_folder);
}

/* --- both bitnesses in one WoW64 prefix ----------------------------------------- */

#ifdef _WIN64

/* The 32-bit DLL and tests: given by the test runner, or the system's in a
 * WoW64 Wine or Windows. */
static BOOL find_32bit(WCHAR *dll, WCHAR *exe, WCHAR *regsvr32)
{
    WCHAR wow64[MAX_PATH];

    if (!GetSystemWow64DirectoryW(wow64, ARRAY_SIZE(wow64)))
        return FALSE;
    _snwprintf(regsvr32, MAX_PATH, L"%ls\\regsvr32.exe", wow64);
    if (!GetEnvironmentVariableW(L"MAPISHUT_TEST_DLL32", dll, MAX_PATH))
        _snwprintf(dll, MAX_PATH, L"%ls\\mapishut.dll", wow64);
    if (!GetEnvironmentVariableW(L"MAPISHUT_TEST_EXE32", exe, MAX_PATH))
        exe[0] = 0;
    return GetFileAttributesW(regsvr32) != INVALID_FILE_ATTRIBUTES &&
           GetFileAttributesW(dll) != INVALID_FILE_ATTRIBUTES;
}

static DWORD regsvr32_32(const WCHAR *regsvr32, const WCHAR *dll, const WCHAR *args)
{
    WCHAR command[MAX_PATH * 3];

    _snwprintf(command, ARRAY_SIZE(command), L"\"%ls\" %ls \"%ls\"", regsvr32, args, dll);
    return run_command(command);
}

/* COM, from a 32-bit process: this test's 32-bit build, as a child. */
static void check_com_32(const WCHAR *exe, BOOL expected)
{
    STARTUPINFOW startup = { .cb = sizeof(startup) };
    PROCESS_INFORMATION process = { 0 };
    WCHAR command[MAX_PATH * 2];

    if (!exe[0]) {
        skip("no 32-bit build of these tests: COM from a 32-bit process not checked\n");
        return;
    }
    _snwprintf(command, ARRAY_SIZE(command), L"\"%ls\" registration com32 %ls", exe,
               expected ? L"registered" : L"unregistered");
    ok(CreateProcessW(NULL, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process),
       "starting the 32-bit tests: %lu\n", GetLastError());
    wait_child_process(&process);
}

static void check_bitness(BOOL is_64, BOOL registered, const WCHAR *dll, const WCHAR *exe, const char *where)
{
    WCHAR value[MAX_PATH], path[256];
    DWORD size = sizeof(value);
    LSTATUS status;

    winetest_push_context("%s, %s", where, is_64 ? "64-bit" : "32-bit");
    status = RegGetValueW(HKEY_LOCAL_MACHINE, CLSID_KEY L"\\InprocServer32", NULL, RRF_RT_REG_SZ | (is_64 ?
                          RRF_SUBKEY_WOW6464KEY : RRF_SUBKEY_WOW6432KEY), NULL, value, &size);
    if (registered)
        ok(status == ERROR_SUCCESS && !lstrcmpiW(value, dll), "InprocServer32: %ld, %ls\n", status, value);
    else
        ok(status == ERROR_FILE_NOT_FOUND, "InprocServer32 is still there: %ld\n", status);
    _snwprintf(path, ARRAY_SIZE(path), L"%ls\\1.0\\0\\%ls", LIBID_KEY, is_64 ? L"win64" : L"win32");
    value[0] = 0;
    size = sizeof(value);
    status = RegGetValueW(HKEY_LOCAL_MACHINE, path, NULL, RRF_RT_REG_SZ, NULL, value, &size);
    if (registered)
        ok(status == ERROR_SUCCESS && !lstrcmpiW(value, dll), "type library %ls: %ld, %ls\n",
           is_64 ? L"win64" : L"win32", status, value);
    else
        ok(status == ERROR_FILE_NOT_FOUND, "the type library's %ls subkey is still there: %ld\n",
           is_64 ? L"win64" : L"win32", status);
    if (registered) {
        ok(key_exists(HKEY_LOCAL_MACHINE, PROGID_KEY) && key_exists(HKEY_LOCAL_MACHINE, VIPROGID_KEY),
           "a ProgID is missing\n");
        if (is_64)
            check_com_finds_it(TRUE, where);
        else
            check_com_32(exe, TRUE);
    } else if (is_64) {
        /* Only the class: LoadRegTypeLib may fall back to the other
         * platform's entry, which is still registered. */
        IUnknown *unknown = NULL;
        HRESULT hr = CoCreateInstance(&CLSID_MAPIShutdown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                      (void **)&unknown);

        ok(hr == REGDB_E_CLASSNOTREG, "CoCreateInstance: %#lx, expected REGDB_E_CLASSNOTREG\n", hr);
        if (unknown)
            IUnknown_Release(unknown);
    } else {
        check_com_32(exe, FALSE);
    }
    winetest_pop_context();
}

static void test_both_bitnesses(void)
{
    WCHAR dll64[MAX_PATH], dll32[MAX_PATH], exe32[MAX_PATH], regsvr32[MAX_PATH];
    DWORD code;

    if (!find_32bit(dll32, exe32, regsvr32)) {
        skip("no WoW64 here, or no 32-bit mapishut.dll: both bitnesses not tested\n");
        return;
    }
    module_path(dll64, ARRAY_SIZE(dll64));
    code = run_regsvr32(L"/s");
    ok(code == 0, "64-bit regsvr32: exit code %lu\n", code);
    code = regsvr32_32(regsvr32, dll32, L"/s");
    ok(code == 0, "32-bit regsvr32: exit code %lu\n", code);
    check_bitness(TRUE, TRUE, dll64, exe32, "both registered");
    check_bitness(FALSE, TRUE, dll32, exe32, "both registered");
    /* One source for both: the last registration names its DLL. */
    check_event_source(dll32, "both registered");

    code = regsvr32_32(regsvr32, dll32, L"/s /u");
    ok(code == 0, "32-bit regsvr32 /u: exit code %lu\n", code);
    check_bitness(TRUE, TRUE, dll64, exe32, "32-bit unregistered");
    check_bitness(FALSE, FALSE, dll32, exe32, "32-bit unregistered");
    check_event_source(dll64, "32-bit unregistered");

    code = regsvr32_32(regsvr32, dll32, L"/s");
    ok(code == 0, "32-bit regsvr32 again: exit code %lu\n", code);
    code = run_regsvr32(L"/s /u");
    ok(code == 0, "64-bit regsvr32 /u: exit code %lu\n", code);
    check_bitness(FALSE, TRUE, dll32, exe32, "64-bit unregistered");
    check_bitness(TRUE, FALSE, dll64, exe32, "64-bit unregistered");
    check_event_source(dll32, "64-bit unregistered");

    code = regsvr32_32(regsvr32, dll32, L"/s /u");
    ok(code == 0, "32-bit regsvr32 /u: exit code %lu\n", code);
    check_unregistered(HKEY_LOCAL_MACHINE, "neither registered");
    ok(!key_exists(HKEY_LOCAL_MACHINE, EVENT_SOURCE_KEY), "neither registered: the event source is still there\n");
}

#endif

START_TEST(registration)
{
    int argc;
    char **args = child_args(&argc);

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    /* A 32-bit build of this test, asked by the 64-bit one whether COM finds
     * the class from a 32-bit process. */
    if (args) {
        ok(argc == 2 && !strcmp(args[0], "com32"), "unknown child arguments\n");
        if (argc == 2)
            check_com_finds_it(!strcmp(args[1], "registered"), "from a 32-bit process");
        CoUninitialize();
        return;
    }
    /* Start clean, both bitnesses (in Wine's tree the builtins are
     * registered), and leave the prefix as it was found. */
    if (!save_test_registry(&test_registry)) {
        CoUninitialize();
        return;
    }
    save_registration();
    for (unsigned i = 0; i < ARRAY_SIZE(saved_keys); i++)
        delete_key_tree(saved_keys[i].root, saved_keys[i].path, saved_keys[i].view);

    test_type_library_is_embedded();
    test_per_machine();
    test_per_user();
    test_dll_install_arguments();
    test_failed_registration_restores_the_earlier_one();
#ifdef _WIN64
    test_both_bitnesses();
#endif

    restore_saved_registration();
    restore_test_registry(&test_registry);
    CoUninitialize();
}
