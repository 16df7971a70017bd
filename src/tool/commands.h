/* The commands of mapishut.exe; each returns the process exit code. */
#ifndef MAPISHUT_TOOL_COMMANDS_H
#define MAPISHUT_TOOL_COMMANDS_H

#include <windows.h>

#define EXIT_OK        0
#define EXIT_FAILED    1   /* no such profile, registration failed */
#define EXIT_USAGE     2

int command_policy(BOOL json);
int command_profile(const WCHAR *name, BOOL json);
int command_register(BOOL install, BOOL per_user);
/* dir NULL: this user's records. */
int command_exits_list(const WCHAR *dir, BOOL json);
int command_exits_show(const WCHAR *dir, const WCHAR *id, BOOL json);
int command_exits_report(const WCHAR *dir);

#endif
