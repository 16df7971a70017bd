#!/bin/sh
# Installs what `make check` and `make demo` need on Debian 12, once:
# it looks for each tool first and runs apt-get only when something is missing.
#   scripts/bootstrap.sh        the build, the tests, the demo, the benchmark
#   scripts/bootstrap.sh fuzz   and clang's libFuzzer, for `make fuzz`
set -eu

missing=""
need() { # need PACKAGE TEST...
    pkg=$1; shift
    if ! "$@" >/dev/null 2>&1; then missing="$missing $pkg"; fi
}

need make                  command -v make
need gcc                   command -v gcc
need gcc-mingw-w64-x86-64  command -v x86_64-w64-mingw32-gcc
need gcc-mingw-w64-i686    command -v i686-w64-mingw32-gcc
need g++-mingw-w64-x86-64  command -v x86_64-w64-mingw32-g++
need g++-mingw-w64-i686    command -v i686-w64-mingw32-g++
need binutils-mingw-w64-x86-64 command -v x86_64-w64-mingw32-windres
need mingw-w64-tools       command -v x86_64-w64-mingw32-widl
need libwine-dev           test -f /usr/include/wine/wine/windows/unknwn.idl
need wine64                sh -c 'command -v wine64 || test -x /usr/lib/wine/wine64'
need check                 sh -c 'pkg-config --exists check'
need pkg-config            command -v pkg-config
if [ "${1:-}" = fuzz ]; then
    need clang             command -v clang
    need libclang-rt-dev   sh -c 'ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
fi

if [ -z "$missing" ]; then
    exit 0
fi

echo "bootstrap: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# A mirror in the middle of a sync can fail some index files; what we need may
# still be there, so the install decides.
$SUDO apt-get update -qq || echo "bootstrap: apt-get update reported errors; installing anyway"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
