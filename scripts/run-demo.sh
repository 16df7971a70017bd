#!/bin/sh
# `make demo`: registers mapishut.dll with the real regsvr32 in a throwaway
# Wine prefix and runs the example client twice: once with the default policy
# (fast shutdown), once with the administrator's FastShutdownBehavior = 2. The
# client knows only its MAPI session: the example MAPI implementation
# (examples/mapihost) aggregates the subsystem into the session and loads the
# profile's providers through their entry points.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-env.sh"
. "$build/mapishut_ids.sh"

bin=$build/x86_64/bin
mkdir -p "$build/demo"
if ! wine_setup x86_64 "$build/demo"; then
    echo "demo: $WINE_MISSING" >&2
    exit 1
fi

policy_key='HKCU\Software\Policies\Microsoft\Office\16.0\Outlook\Options\Shutdown'
data=$bin/demo-data

show_saved() {
    "$WINESERVER" -w
    echo "  after the client process is gone, on disk:"
    for f in outbox.dat contacts.dat store.dat; do
        if [ -f "$data/$f" ]; then
            printf '      %-13s %6d bytes\n' "$f" "$(wc -c <"$data/$f")"
        else
            printf '      %-13s MISSING: data lost\n' "$f"
        fi
    done
}

echo "== registering mapishut.dll: regsvr32 mapishut.dll (prefix $WINEPREFIX)"
(cd "$bin" && wine_retry "$WINE" regsvr32 /s mapishut.dll)
printf '  registered: %s\n' "HKLM\\Software\\Classes\\CLSID\\$MAPISHUT_CLSID"

"$WINE" reg delete "$policy_key" /f >/dev/null 2>&1 || true

echo
echo "== the MAPI profile (examples/demo-profile.reg), as the administrator's tool shows it:"
echo "   mapishut profile"
wine_retry "$WINE" regedit /S "$(cd "$here/../examples" && pwd)/demo-profile.reg"
"$WINESERVER" -w
(cd "$bin" && "$WINE" mapishut.exe profile) | tr -d '\r' | sed 's/^/   /'
echo "   mapishut policy"
(cd "$bin" && "$WINE" mapishut.exe policy) | tr -d '\r' | sed 's/^/   /'

echo
echo "== 1. default policy (FastShutdownBehavior not set: 0, fast unless a provider opts out)"
rm -rf "$data" && mkdir -p "$data"
(cd "$bin" && "$WINE" example_client.exe demo-data) | tr -d '\r'
show_saved

echo
echo "== 2. the administrator disables fast shutdown:"
printf '     reg add %s /v FastShutdownBehavior /t REG_DWORD /d 2\n' "$policy_key"
wine_retry "$WINE" reg add "$policy_key" /v FastShutdownBehavior /t REG_DWORD /d 2 /f >/dev/null
echo "   mapishut policy"
(cd "$bin" && "$WINE" mapishut.exe policy) | tr -d '\r' | sed 's/^/   /'
rm -rf "$data" && mkdir -p "$data"
(cd "$bin" && "$WINE" example_client.exe demo-data) | tr -d '\r'
show_saved
"$WINE" reg delete "$policy_key" /f >/dev/null 2>&1 || true
"$WINESERVER" -w

echo
echo "== what an administrator can read afterwards: the record each exit left"
echo "   mapishut exits"
(cd "$bin" && "$WINE" mapishut.exe exits) | tr -d '\r' | sed 's/^/   /'
echo "   mapishut exits show last"
(cd "$bin" && "$WINE" mapishut.exe exits show last) | tr -d '\r' | sed 's/^/   /'
