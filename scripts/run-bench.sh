#!/bin/sh
# `make bench`: registers mapishut.dll in its own Wine prefix and runs
# bench.exe, which prints its tables (also kept in BUILD/bench.txt).
# `make bench BENCH=loopback,record` prints only the tables named.
set -eu
build=${1:-build}
tables=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-env.sh"

mkdir -p "$build/bench"
wine_setup x86_64 "$build/bench" || { echo "bench: $WINE_MISSING" >&2; exit 1; }
bin=$(cd "$build/x86_64/bin" && pwd)
(cd "$bin" && wine_retry "$WINE" regsvr32 /s mapishut.dll)
"$WINE" reg delete 'HKCU\Software\Policies\Microsoft\Office\16.0\Outlook\Options\Shutdown' /f >/dev/null 2>&1 || true
"$WINE" reg delete 'HKCU\Software\Microsoft\Office\16.0\Outlook\Options\Shutdown' /f >/dev/null 2>&1 || true
mkdir -p "$build/bench/data"
(cd "$build/bench/data" && "$WINE" "$bin/bench.exe" ${tables:+only "$tables"}) | tr -d '\r' | tee "$build/bench.txt"
"$WINESERVER" -w
