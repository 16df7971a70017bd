#!/bin/sh
# One source for our GUIDs: idl/mapishut.idl. Everything else takes them from
# what scripts/make-ids.sh generates (build/include/mapishut_ids.h,
# build/mapishut_ids.sh), so no file outside the IDL, the documentation
# (docs/, README.md) and the build folder may spell one, in the string form
# ({XXXXXXXX-XXXX-...}) or the C form (0xXXXXXXXX, ...). Microsoft's two IIDs
# (DEFINE_OLEGUID's family, ...-C000-000000000046) are not ours: the headers
# that stand in for Microsoft's spell them.
#   scripts/check-ids.sh BUILD
# Ends with "ids: N passed, N failed"; exits non-zero on a failure.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "$build" && pwd)
work=$build/ids-check
mkdir -p "$work"
check_name=ids check_dir=$work
. "$here/check-lib.sh"

ids=$build/mapishut_ids.sh
check "make generated $ids" test -f "$ids"
[ -f "$ids" ] || { check_summary; exit; }
. "$ids"
for name in CLSID LIBID IID_IMAPIShutdownHost; do
    eval "value=\${MAPISHUT_$name:-}"
    check "the generated fragment has $name ($value)" sh -c "echo '$value' | grep -qE '^\{[0-9A-F-]{36}\}$'"
    check "the generated header has $name" grep -q "MAPISHUT_${name}_W L\"$value\"" "$build/include/mapishut_ids.h"
done

# Every file of the source tree (git's list when it is a checkout, with new
# files not yet added), but the IDL, the documentation and the build folder.
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard
else
    find . -type f ! -path './.git/*' | sed 's|^\./||'
fi | grep -Ev '^(idl/|docs/|README\.md$)' | while read -r file; do
    case $(cd "$top" && realpath "$file") in "$build"/*) continue ;; esac
    [ -f "$file" ] && echo "$file"
done >"$work/files"
check "there are files to search ($(wc -l <"$work/files") of them)" test -s "$work/files"

sed -n "s/^MAPISHUT_\([A-Za-z0-9_]*\)='{\([0-9A-F-]*\)}'$/\1 \2/p" "$ids" | sort -u -k2,2 |
    grep -v -- '-C000-000000000046$' >"$work/ours"
while read -r name guid; do
    first=$(echo "$guid" | cut -d- -f1)
    # xargs: the file list may be long; grep -l names each file that spells it.
    tr '\n' '\0' <"$work/files" | xargs -0 grep -liE -e "$guid" -e "0x$first\b" >"$work/spelled" 2>/dev/null
    check "no file outside idl/, docs/ and README.md spells $name $guid$(
        [ -s "$work/spelled" ] && printf ' (%s)' "$(tr '\n' ' ' <"$work/spelled")")" test ! -s "$work/spelled"
done <"$work/ours"
check_summary
