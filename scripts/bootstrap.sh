#!/bin/sh
# Installs what `make check` and `make demo` need on Debian 12, once:
# it looks for each tool first and runs apt-get only when something is missing.
#   scripts/bootstrap.sh        the build, the tests (both bitnesses), the demo, the benchmark
#   scripts/bootstrap.sh fuzz   and clang's libFuzzer, for `make fuzz`
set -eu

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive

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
need wine64                test -x /usr/lib/wine/wine64
need check                 sh -c 'pkg-config --exists check'
need pkg-config            command -v pkg-config
need libxml2-utils         command -v xmllint
need wixl                  command -v wixl
need msitools              command -v msiinfo
if [ "${1:-}" = fuzz ]; then
    need clang             command -v clang
    need libclang-rt-dev   sh -c 'ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
fi

if [ -n "$missing" ]; then
    echo "bootstrap: installing$missing"
    # A mirror in the middle of a sync can fail some index files; what we need may
    # still be there, so the install decides.
    $SUDO apt-get update -qq || echo "bootstrap: apt-get update reported errors; installing anyway"
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# --- 32-bit Wine, for the i686 suites ------------------------------------------
# 32-bit Outlook is the most common install, so the i686 DLL is tested too.
# Two routes, in this order:
#  1. the ordinary one: the machine's own sources, once i386 is added;
#  2. the main archive alone, for a machine whose security archive serves an
#     i386 index that fails its checksum. It cannot work where the amd64
#     packages came partly from the security archive (their i386 twins must
#     have the same versions), which is why it comes second.
# Either transaction may remove and reinstall the 64-bit Wine packages (their
# multi-arch dependencies must match), so they are part of it, and both
# loaders are checked afterwards.
have_wine32() {
    [ -x /usr/lib/wine/wine ] && [ -d /usr/lib/i386-linux-gnu/wine/i386-windows ]
}

wine_packages="wine32:i386 wine64 libwine-dev"

install_wine32_ordinary() {
    echo "bootstrap: installing 32-bit Wine (wine32:i386) from the machine's own sources"
    $SUDO dpkg --add-architecture i386 || return 1
    $SUDO apt-get update -qq || echo "bootstrap: apt-get update reported errors; installing anyway"
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $wine_packages
}

main_archive_uri() {
    # The machine's own Debian mirror, else Debian's.
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | \
          grep -v security | head -n 1)
    [ -n "$uri" ] || uri=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    echo "${uri:-http://deb.debian.org/debian}"
}

install_wine32_main_archive() {
    lists=$(mktemp -d)
    uri=$(main_archive_uri)
    mkdir -p "$lists/parts"
    cat >"$lists/sources.list" <<EOF
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-updates main
EOF
    apt_main="-o Dir::Etc::SourceList=$lists/sources.list -o Dir::Etc::SourceParts=$lists/parts"
    echo "bootstrap: installing 32-bit Wine (wine32:i386) from $uri alone (bookworm, bookworm-updates)"
    # shellcheck disable=SC2086
    $SUDO dpkg --add-architecture i386 &&
        $SUDO apt-get $apt_main update -qq &&
        $SUDO apt-get $apt_main install -y -qq --no-install-recommends $wine_packages
    status=$?
    rm -rf "$lists"
    # apt's lists go back to what the machine's own sources describe.
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    return $status
}

if ! have_wine32; then
    if install_wine32_ordinary && have_wine32; then
        echo "bootstrap: 32-bit Wine came by the ordinary route (the machine's own sources)"
    elif install_wine32_main_archive && have_wine32; then
        echo "bootstrap: 32-bit Wine came by the main-archive-only route"
    else
        echo "bootstrap: 32-bit Wine could not be installed by either route: the i686 suites will not run"
    fi
    # The 64-bit side must have survived whatever those transactions did.
    if [ ! -x /usr/lib/wine/wine64 ] || [ ! -f /usr/include/wine/wine/windows/unknwn.idl ]; then
        echo "bootstrap: the 64-bit Wine packages went missing: reinstalling wine64 and libwine-dev"
        $SUDO apt-get install -y -qq --no-install-recommends wine64 libwine-dev
    fi
fi
if have_wine32; then
    echo "bootstrap: Wine loaders: 64-bit /usr/lib/wine/wine64, 32-bit /usr/lib/wine/wine"
else
    echo "bootstrap: Wine loaders: 64-bit /usr/lib/wine/wine64 only: no 32-bit loader"
fi
