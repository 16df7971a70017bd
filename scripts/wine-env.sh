# Sourced by the scripts that run Windows programs: finds Wine and prepares a
# throwaway WINEPREFIX under the build folder. Headless; no display needed.
#   wine_setup ARCH BUILD   sets WINE (the loader to use) and WINEPREFIX, or
#                           returns 1 with WINE_MISSING saying why
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY

find_wine64() {
    for candidate in wine64 /usr/lib/wine/wine64; do
        if command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# 32-bit Windows programs need Debian's wine32:i386 (its loader and i386-windows DLLs).
find_wine32() {
    [ -x /usr/lib/wine/wine ] && [ -d /usr/lib/i386-linux-gnu/wine/i386-windows ] || return 1
    echo /usr/lib/wine/wine
}

find_wineserver() {
    for candidate in wineserver /usr/lib/wine/wineserver; do
        if command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

wine_setup() {
    # sh has no local variables: these names are this function's own.
    wine_arch=$1
    wine_parent=$2
    WINE_MISSING=
    case $wine_arch in
        x86_64) WINE=$(find_wine64) || { WINE_MISSING="64-bit Wine (package wine64) is not installed"; return 1; } ;;
        i686)   WINE=$(find_wine32) || { WINE_MISSING="32-bit Wine (package wine32:i386, after dpkg --add-architecture i386) is not installed"; return 1; } ;;
    esac
    WINESERVER=$(find_wineserver)
    WINEPREFIX=$(cd "$wine_parent" && pwd)/wineprefix-$wine_arch
    export WINE WINESERVER WINEPREFIX
    # A 64-bit prefix made before 32-bit Wine was installed has no syswow64:
    # made again, it is a WoW64 prefix that runs both bitnesses.
    if [ "$wine_arch" = x86_64 ] && find_wine32 >/dev/null && [ -f "$WINEPREFIX/system.reg" ] &&
       [ ! -f "$WINEPREFIX/drive_c/windows/syswow64/regsvr32.exe" ]; then
        "$WINESERVER" -k 2>/dev/null || true
        rm -rf "$WINEPREFIX"
    fi
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        echo "wine: creating $WINEPREFIX"
        "$WINE" wineboot -i >/dev/null 2>&1 || true
        "$WINESERVER" -w
    fi
    [ -f "$WINEPREFIX/system.reg" ] || { WINE_MISSING="wineboot could not create $WINEPREFIX"; return 1; }
}

# wine_retry COMMAND...: runs a Windows program that may safely run twice. Wine 8
# on a loaded machine now and then fails to start a process (the tests' own
# children retry the CreateProcess that fails so): a run that failed and
# printed nothing is run again, at most three times in all. Each retry is said
# on stderr and added to $WINE_RETRY_LOG when set, which run-tests.sh shows at
# the end, so that a run that needed one never passes for a clean one.
# Anything that printed, or succeeded, stands as it came.
wine_retry() {
    wine_try=1
    while :; do
        if wine_out=$("$@"); then wine_rc=0; else wine_rc=$?; fi
        if [ $wine_rc -eq 0 ] || [ -n "$wine_out" ] || [ $wine_try -eq 3 ]; then
            [ -z "$wine_out" ] || printf '%s\n' "$wine_out"
            return $wine_rc
        fi
        echo "wine_retry: exit code $wine_rc and no output, run again: $*" >&2
        [ -z "${WINE_RETRY_LOG:-}" ] || echo "exit code $wine_rc and no output, run again: $*" >>"$WINE_RETRY_LOG"
        wine_try=$((wine_try + 1))
    done
}
