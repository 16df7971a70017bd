#!/bin/sh
# The facts wine-tests/ spells itself that no native test can compare (the
# original is Win32 code): the places profiles are read from, in
# wine-tests/project_facts.h, against src/win32/profile_registry.c's table,
# and where each keeps DefaultProfile as profile_writer.h puts it (beside
# Profiles; inside it for the legacy place). The others are compared by
# test/test_wine_copies.c.
#   scripts/check-copies.sh BUILD
# Ends with "copies: N passed, N failed, N skipped".
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

out=$build/check-copies
mkdir -p "$out"
check_name=copies check_dir=$out
. "$here/check-lib.sh"

# The subsystem's table: "PROFILES HOLDER" a line, in its order.
sed -n '/^} places\[\] = {/,/^};/p' "$top/src/win32/profile_registry.c" | grep -o 'L"[^"]*"' |
    sed 's/^L"//; s/"$//' | paste -d' ' - - >"$out/subsystem.txt"
# The tests': the same pairs, the holder by profile_writer.h's rule.
grep -o '^#define FACT_PROFILES_[A-Z0-9]* *"[^"]*"' "$top/wine-tests/project_facts.h" | sed 's/^[^"]*"//; s/"$//' |
    while read -r place; do
        case $place in
            *'Windows Messaging Subsystem\\Profiles') printf '%s %s\n' "$place" "$place" ;;
            *) printf '%s %s\n' "$place" "${place%\\\\Profiles}" ;;
        esac
    done >"$out/tests.txt"
[ -s "$out/subsystem.txt" ]
record $? "src/win32/profile_registry.c has a table of profile places" "$out/subsystem.txt"
diff "$out/subsystem.txt" "$out/tests.txt" >"$out/profiles.diff"
record $? "wine-tests/project_facts.h names the same profile places, in order, with the same DefaultProfile keys" \
    "$out/profiles.diff"
check_summary
