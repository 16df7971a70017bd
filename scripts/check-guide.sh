#!/bin/sh
# Every C and C++ block of docs/guide.md compiled, as a translation unit of
# its own, against the installed SDK (its pkg-config flags only), for x86_64
# and i686, warnings as errors.
#   scripts/check-guide.sh BUILD VERSION
# Ends with "guide: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
build=${1:-build}
version=${2:?version}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

build=$(cd "$build" && pwd)
work=$build/guide-check
rm -rf "$work"
mkdir -p "$work/snippets"
check_name=guide check_dir=$work
. "$here/check-lib.sh"

# Each fenced block in a file of its own: snippet-N.c or snippet-N.cpp.
awk -v out="$work/snippets" '
    /^```(c|cpp)$/ { n++; ext = substr($0, 4); file = sprintf("%s/snippet-%d.%s", out, n, ext); inside = 1; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }
' "$top/docs/guide.md"

(cd "$top" && sh scripts/install-sdk.sh "$build" "$work/dest" /sdk "$version") >"$work/install.txt" 2>&1 ||
    { record 1 "make install" "$work/install.txt"; check_summary; exit; }

count=$(ls "$work/snippets" | wc -l)
if [ "$count" -eq 0 ]; then
    record 1 "a C or C++ block in docs/guide.md"
    check_summary
    exit
fi
for arch in x86_64 i686; do
    triplet=$arch-w64-mingw32
    flags=$(PKG_CONFIG_SYSROOT_DIR=$work/dest PKG_CONFIG_PATH=$work/dest/sdk/$triplet/lib/pkgconfig \
            "$triplet-pkg-config" --cflags mapishut)
    for snippet in "$work"/snippets/*; do
        name=$(basename "$snippet")
        case $name in
            *.cpp) cc="$triplet-g++ -std=c++17" ;;
            *)     cc="$triplet-gcc -std=c11" ;;
        esac
        # shellcheck disable=SC2086
        $cc -Wall -Wextra -Werror $flags -c -o "$work/$arch-$name.o" "$snippet" >"$work/$arch-$name.txt" 2>&1
        record $? "$arch $name ($(head -n 1 "$snippet" | cut -c1-60))" "$work/$arch-$name.txt"
    done
done
check_summary
