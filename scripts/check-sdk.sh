#!/bin/sh
# The installed SDK, used as its users use it: `make install` into a scratch
# DESTDIR, then a client and a provider built with only what
# <triplet>-pkg-config says (no path into the source tree), as C89, C99,
# C11, C++98 and C++17, for x86_64 and i686, and run under Wine beside the
# installed mapishut.dll.
#   scripts/check-sdk.sh BUILD VERSION
# Ends with "sdk: N passed, N failed, N skipped"; exits non-zero on a failure.
set -u
build=${1:-build}
version=${2:?version}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/wine-env.sh"

build=$(cd "$build" && pwd)
work=$build/sdk-check
dest=$work/dest
prefix=/opt/mapishut
rm -rf "$work"
mkdir -p "$work"
check_name=sdk check_dir=$work
. "$here/check-lib.sh"

# Installed from a clean copy of what `make install` takes, into DESTDIR.
(cd "$top" && sh scripts/install-sdk.sh "$build" "$dest" "$prefix" "$version") >"$work/install.txt" 2>&1
record $? "make install DESTDIR=... PREFIX=$prefix" "$work/install.txt"

for arch in x86_64 i686; do
    triplet=$arch-w64-mingw32
    pc_path=$dest$prefix/$triplet/lib/pkgconfig
    flags=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$pc_path "$triplet-pkg-config" --cflags --libs mapishut 2>"$work/pc-$arch.txt")
    record $? "$triplet-pkg-config --cflags --libs mapishut" "$work/pc-$arch.txt"
    pc_version=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$pc_path "$triplet-pkg-config" --modversion mapishut 2>/dev/null)
    [ "$pc_version" = "$version" ]
    echo "pkg-config said '$pc_version'" >"$work/pcv-$arch.txt"
    record $? "$triplet mapishut.pc version $version" "$work/pcv-$arch.txt"
    # The sources are copied out: nothing may come from the source tree.
    mkdir -p "$work/src"
    cp "$top"/test/sdk/client.c "$top"/test/sdk/provider.c "$top"/test/sdk/client.cpp "$top"/test/sdk/provider.cpp "$work/src/"

    if wine_setup "$arch" "$build"; then can_run=1; else can_run=0; fi
    for std in c89 c99 c11 c++98 c++17; do
        # C++ programs carry their runtime, as they would be shipped.
        case $std in
            c*+*) cc=$triplet-g++ ext=cpp runtime="-static-libgcc -static-libstdc++" ;;
            *)    cc=$triplet-gcc ext=c runtime= ;;
        esac
        run=$work/run-$arch-$std
        mkdir -p "$run"
        log=$run/build.txt
        # shellcheck disable=SC2086
        $cc -std=$std -Wall -Wextra -Werror -shared -o "$run/sdkprov.dll" "$work/src/provider.$ext" $flags $runtime >"$log" 2>&1 &&
            $cc -std=$std -Wall -Wextra -Werror -o "$run/sdk_client.exe" "$work/src/client.$ext" $flags $runtime >>"$log" 2>&1
        record $? "$arch $std: a client and a provider built against the installed SDK" "$log"
        [ -f "$run/sdk_client.exe" ] || continue
        if [ $can_run -eq 0 ]; then
            not_run "$arch $std: run under Wine: $WINE_MISSING"
            continue
        fi
        cp "$dest$prefix/$triplet/bin/mapishut.dll" "$run/"
        (cd "$run" && wine_retry "$WINE" ./sdk_client.exe) >"$run/run.txt" 2>&1
        record $? "$arch $std: run under Wine: $(tr -d '\r' <"$run/run.txt" | tail -n 1)" "$run/run.txt"
    done
done
check_summary
