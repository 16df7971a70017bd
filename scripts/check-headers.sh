#!/bin/sh
# The header matrix: include/mapishut.h compiled warning-free (-Werror) alone,
# beside MinGW-w64's MAPI headers and beside the stand-in for Microsoft's
# (test/outlook-mapi), in either include order, as C99, C11, gnu89, C++98,
# C++11 and C++17, for x86_64 and i686; then the GUIDs: a translation unit in
# the style of Microsoft's samples (INITGUID, USES_IID_..., MAPIGuid.h) linked
# with libmapishut.a, and run where Wine can run it.
#   scripts/check-headers.sh BUILD
# Ends with "header matrix: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/wine-env.sh"

out=$build/header-matrix
mkdir -p "$out"
check_name="header matrix" check_dir=$out
. "$here/check-lib.sh"

for arch in x86_64 i686; do
    cross=$arch-w64-mingw32-
    for place in alone mingw-first mingw-after outlook-first outlook-after; do
        case $place in
            alone)         flags= ;;
            mingw-first)   flags=-DMAPI_FIRST ;;
            mingw-after)   flags=-DMAPI_AFTER ;;
            outlook-first) flags="-DMAPI_FIRST -I$top/test/outlook-mapi" ;;
            outlook-after) flags="-DMAPI_AFTER -I$top/test/outlook-mapi" ;;
        esac
        for std in c99 c11 gnu89 c++98 c++11 c++17; do
            case $std in
                c++*) compiler=${cross}g++ source=header_cxx.cpp ;;
                *)    compiler=${cross}gcc source=header_c.c ;;
            esac
            log=$out/$arch-$place-$std.log
            # shellcheck disable=SC2086
            "$compiler" -std=$std -Wall -Wextra -Werror -fsyntax-only $flags \
                -I"$top/include" -I"$build/include" "$top/test/interop/$source" >"$log" 2>&1
            record $? "$arch $place $std" "$log"
        done
    done
done
echo "header matrix: $passed compilations passed"

# The GUIDs, linked and run.
for arch in x86_64 i686; do
    cross=$arch-w64-mingw32-
    lib=$build/$arch/bin/libmapishut.a
    wine_ok=0
    if wine_setup "$arch" "$build" >/dev/null 2>&1; then
        wine_ok=1
    else
        not_run "guids $arch: linked, not run under Wine: $WINE_MISSING"
    fi
    for variant in outlook-both outlook-client-only mingw; do
        case $variant in
            outlook-both)        flags="-I$top/test/outlook-mapi" ;;
            outlook-client-only) flags="-I$top/test/outlook-mapi -DUSES_CLIENT_ONLY" ;;
            mingw)               flags= ;;
        esac
        for lang in c c++; do
            case $lang in
                c)   compiler=${cross}gcc std=-std=c11 ;;
                c++) compiler=${cross}g++ std="-std=c++11 -x c++" ;;
            esac
            exe=$out/guids-$arch-$variant-$lang.exe
            log=$out/guids-$arch-$variant-$lang.log
            # shellcheck disable=SC2086
            "$compiler" $std -Wall -Wextra -Werror $flags -I"$top/include" -I"$build/include" \
                "$top/test/interop/guids.c" -x none -o "$exe" "$lib" -lole32 -luuid -static-libgcc -static-libstdc++ >"$log" 2>&1
            status=$?
            if [ $status -eq 0 ] && [ $wine_ok -eq 1 ]; then
                wine_retry "$WINE" "$exe" >>"$log" 2>&1
                status=$?
            fi
            record $status "guids $arch $variant $lang" "$log"
        done
    done
done
[ -n "${WINESERVER:-}" ] && "$WINESERVER" -w
check_summary
