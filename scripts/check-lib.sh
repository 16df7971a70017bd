# What the check scripts run-tests.sh runs share: each result counted and
# shown, a failure with the start of its output, and the last line
# run-tests.sh reads, "NAME: N passed, N failed, N skipped". Sourced by a
# script that sets check_name, and check_dir where check() keeps a command's
# output.
passed=0
failed=0
skipped=0

record() { # record STATUS WHAT [LOG]
    if [ "$1" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok: $2"
    else
        failed=$((failed + 1))
        echo "FAILED: $2"
        if [ -n "${3:-}" ]; then sed 's/^/    /' "$3" | head -n 20; fi
    fi
    return 0
}

# A check that cannot run here: counted as skipped, never as passed. The
# "NOT RUN: " line is what run-tests.sh shows as the reason.
not_run() { # not_run WHAT
    skipped=$((skipped + 1))
    echo "NOT RUN: $1"
}

check() { # check WHAT COMMAND...: passes when the command succeeds
    check_what=$1
    shift
    "$@" >"$check_dir/check.txt" 2>&1
    record $? "$check_what" "$check_dir/check.txt"
}

# The summary line; the script's exit status when it is its last command.
check_summary() {
    echo "$check_name: $passed passed, $failed failed, $skipped skipped"
    [ $failed -eq 0 ]
}
