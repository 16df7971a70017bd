/* What the conformance tests share: paths, regsvr32, test providers, the
 * policy keys of the test prefix. */
#ifndef MAPISHUT_WINE_TESTS_SUPPORT_H
#define MAPISHUT_WINE_TESTS_SUPPORT_H

#include "mapishut.h"
#include "testprov.h"

/* <folder of the test executable>\<file> */
void test_file_path(const WCHAR *file, WCHAR *path, DWORD size);

/* Runs the real regsvr32 with args and the mapishut.dll beside the tests;
 * returns its exit code. */
DWORD run_regsvr32(const WCHAR *args);

/* Registration for the tests that need COM: per machine, since Wine 8 does
 * not look up classes registered per user (see the registration test). */
BOOL register_for_tests(void);
void unregister_after_tests(void);

/* A testprov.dll provider object (the DLL stays loaded). */
IUnknown *make_provider(const WCHAR *name, DWORD flags, const WCHAR *log_path,
                        const WCHAR *data_path);
LONG provider_refs(IUnknown *provider);
LONG provider_queries(IUnknown *provider);
LONG provider_saved(IUnknown *provider);

IMAPIClientShutdown *create_client_shutdown(void);
IMAPIShutdownHost *create_shutdown_host(void);

/* FastShutdownBehavior (or another value) in one place of the policy. */
enum policy_where { MACHINE_POLICY, USER_POLICY, USER_PREFERENCE, MACHINE_PREFERENCE };
void set_policy_value(enum policy_where where, const WCHAR *version, const WCHAR *name,
                      DWORD type, const void *data, DWORD size);
void set_behavior(enum policy_where where, const WCHAR *version, DWORD value);
/* Removes every Shutdown key the tests may have written. */
void clear_policies(void);

/* Reads a whole small text file; returns its length, or -1. */
int read_text_file(const WCHAR *path, char *text, int size);
LONGLONG file_size(const WCHAR *path);

#endif
