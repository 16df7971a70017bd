#!/bin/sh
# Runs every test suite `make check` builds and ends with one plain line,
# "N passed, N failed, N skipped", over everything; the line before it says
# what the skips were (a suite or bitness that did not run, and why; Wine's
# skip() counts), so that a run that left something out shows it at the end;
# the lines before that, which Wine programs had to be run again (wine_retry).
# A skip is never counted as passed. Exits non-zero on a failure.
#   scripts/run-tests.sh BUILD
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/wine-env.sh"

passed=0
failed=0
skipped=0
skip_notes=
status=0

note_skips() { # note_skips COUNT WHAT: K skipped, and what they were
    [ "$1" -gt 0 ] || return 0
    skipped=$((skipped + $1))
    skip_notes="${skip_notes:+$skip_notes; }$2"
}
log=$build/test-logs
mkdir -p "$log"
# What wine_retry ran again, shown at the end.
WINE_RETRY_LOG=$(cd "$log" && pwd)/wine-retries.txt
: >"$WINE_RETRY_LOG"
export WINE_RETRY_LOG

# --- native unit tests of the core (Check) -----------------------------------
# Twice: with the address and undefined-behaviour sanitizers, and with the
# thread sanitizer (a data race ends the test that ran into it).
run_check() { # run_check BINARY LOG TITLE
    echo "== native unit tests of the core (Check, $3)"
    TSAN_OPTIONS=halt_on_error=1 "$1" >"$2" 2>&1
    core_rc=$?
    cat "$2"
    line=$(grep -E '^[0-9]+%: Checks: ' "$2" | tail -n 1)
    if [ -n "$line" ]; then
        checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
        bad=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/' | awk '{print $1 + $2}')
        passed=$((passed + checks - bad))
        failed=$((failed + bad))
    else
        echo "$(basename "$1") printed no summary: counted as one failure"
        failed=$((failed + 1))
    fi
    [ $core_rc -eq 0 ] || status=1
}
run_check "$build/native/check_core" "$log/check_core.txt" "address and undefined-behaviour sanitizers"
run_check "$build/native/check_core_tsan" "$log/check_core_tsan.txt" "thread sanitizer"

# --- checks run by a script that ends with "NAME: N passed, N failed, N skipped" ---
run_summary() { # run_summary NAME TITLE COMMAND...
    name=$1 title=$2
    summary_log=$log/$(echo "$name" | tr ' ' -).txt
    shift 2
    echo "== $title"
    "$@" >"$summary_log" 2>&1
    summary_rc=$?
    cat "$summary_log"
    line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$summary_log" | tail -n 1)
    if [ -n "$line" ]; then
        set -- $(echo "$line" | sed -E "s/$name: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/")
        passed=$((passed + $1))
        failed=$((failed + $2))
        note_skips "$3" "$name $3 ($(sed -n 's/^NOT RUN: //p' "$summary_log" | paste -sd, - | sed 's/,/, /g'))"
    else
        echo "$name printed no summary: counted as one failure"
        failed=$((failed + 1))
    fi
    [ $summary_rc -eq 0 ] || status=1
}

run_summary "header matrix" "the header matrix (mapishut.h with Microsoft's, MinGW-w64's and no MAPI headers)" \
    sh "$here/check-headers.sh" "$build"
run_summary ids "one source for our GUIDs (idl/mapishut.idl): no other file spells them" \
    sh "$here/check-ids.sh" "$build"
run_summary templates "the Group Policy templates (policy/), applied as Group Policy writes them" \
    sh "$here/check-templates.sh" "$build"
run_summary guide "the authors' guide's code (docs/guide.md), compiled against the installed SDK" \
    sh "$here/check-guide.sh" "$build" "$(cat "$here/../VERSION")"
run_summary dll "what mapishut.dll exports and holds (both architectures)" \
    sh "$here/check-dll.sh" "$build"
run_summary copies "the facts wine-tests/ spells itself, against the subsystem's (the rest: check_core)" \
    sh "$here/check-copies.sh" "$build"
run_summary msi "the Windows Installer packages (make msi), installed, upgraded and removed under Wine" \
    sh "$here/check-msi.sh" "$build" "$(cat "$here/../VERSION")"
run_summary sdk "the installed SDK (make install, pkg-config, C89 to C++17, both architectures)" \
    sh "$here/check-sdk.sh" "$build" "$(cat "$here/../VERSION")"

# --- conformance tests under Wine ---------------------------------------------
# Each named test runs in its own process, as Wine's `make test` does; every
# summary line (children's too) is added up.
run_wine_suite() {
    arch=$1
    bin=$build/$arch/bin
    if ! wine_setup "$arch" "$build"; then
        echo "== $arch conformance tests: NOT RUN: $WINE_MISSING"
        # Its checks cannot be counted: the whole suite is one skip.
        note_skips 1 "$arch conformance tests: the whole suite NOT RUN ($WINE_MISSING)"
        return 0
    fi
    wine_skips=0 wine_skip_notes=
    echo "== $arch conformance tests under $("$WINE" --version 2>/dev/null) ($WINEPREFIX)"
    # The 64-bit prefix is a WoW64 one when 32-bit Wine is there: the
    # registration test registers both bitnesses in it.
    if [ "$arch" = x86_64 ] && find_wine32 >/dev/null && [ -f "$build/i686/bin/mapishut_test.exe" ]; then
        MAPISHUT_TEST_DLL32="Z:$(cd "$build/i686/bin" && pwd | tr / '\\')\\mapishut.dll"
        MAPISHUT_TEST_EXE32="Z:$(cd "$build/i686/bin" && pwd | tr / '\\')\\mapishut_test.exe"
        export MAPISHUT_TEST_DLL32 MAPISHUT_TEST_EXE32
    else
        unset MAPISHUT_TEST_DLL32 MAPISHUT_TEST_EXE32
    fi
    tests=$(cd "$bin" && wine_retry "$WINE" ./mapishut_test.exe --list 2>/dev/null | tr -d '\r' | \
            sed -n '/^Valid test names:/,$s/^    //p')
    if [ -z "$tests" ]; then
        echo "mapishut_test.exe --list printed nothing: counted as one failure"
        failed=$((failed + 1))
        status=1
        return 0
    fi
    for t in $tests; do
        out=$log/$arch-$t.txt
        # One timeout for the test and any retry of it.
        (cd "$bin" && timeout 900 sh -c '. "$1"; shift; wine_retry "$@"' - "$here/wine-env.sh" \
            "$WINE" ./mapishut_test.exe "$t") >"$out" 2>&1
        rc=$?
        tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
        grep -v ' tests executed ' "$out"
        summary=$(grep -E '^[0-9a-f]+:[a-z_]+: [0-9]+ tests executed' "$out" | \
            sed -E 's/^[0-9a-f]+:[a-z_]+: ([0-9]+) tests executed \(([0-9]+) marked as todo, [0-9]+ as flaky, ([0-9]+) failures?\), ([0-9]+) skipped\./\1 \2 \3 \4/' | \
            awk '{ e += $1; t += $2; f += $3; s += $4 } END { printf "%d %d %d %d", e, t, f, s }')
        set -- $summary
        ok_count=$(($1 - $2 - $3))
        echo "$arch $t: $ok_count passed, $3 failed, $2 todo, $4 skipped (exit code $rc)"
        passed=$((passed + ok_count))
        failed=$((failed + $3))
        if [ "$4" -gt 0 ]; then
            wine_skips=$((wine_skips + $4))
            wine_skip_notes="${wine_skip_notes:+$wine_skip_notes, }$t $4"
        fi
        if [ $rc -ne 0 ] && [ $3 -eq 0 ]; then
            echo "$arch $t: exited with $rc without reporting a failure: counted as one failure"
            failed=$((failed + 1))
        fi
        # A test, or one of its children, that ran no check tested nothing.
        if [ "$1" -eq 0 ] || grep -qE '^[0-9a-f]+:[a-z_]+: 0 tests executed' "$out"; then
            echo "$arch $t: a process ran no check at all: counted as one failure"
            failed=$((failed + 1))
            rc=1
        fi
        [ $rc -eq 0 ] || status=1
    done
    note_skips "$wine_skips" "$arch Wine skip() $wine_skips ($wine_skip_notes)"
    "$WINESERVER" -w
}

run_wine_suite x86_64
run_wine_suite i686

echo "Wine programs run again after failing without output: $(wc -l <"$WINE_RETRY_LOG")"
sed 's/^/  /' "$WINE_RETRY_LOG"
echo "skipped: ${skip_notes:-nothing}"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] || status=1
exit $status
