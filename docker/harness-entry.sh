#!/bin/sh
# Entry point of the `harness` image: run the catalogue and write /reports/<run-id>/.
#
#   TARGET       ws:// or wss:// URL to test; empty: the harness starts the reference server in this container
#   DRAFTS       comma-separated drafts or "all" (default: all)
#   AGENTS       comma-separated agents: python, chromium, firefox, webkit (default: python,chromium,firefox)
#   TLS_TARGET   a wss:// URL for a second pass, the TLS pass, into $REPORTS_DIR/tls (empty: none)
#   TLS_CA       the CA the TLS pass trusts (--ca), e.g. the server's /certs/ca.pem (empty: the system's)
#   TLS_DRAFTS   the TLS pass's drafts (default: rfc6455, the only one browsers speak)
#   EXCLUDE      space-separated case patterns both passes leave out (default, as `make report`: the long
#                compression cases, 12.*/13.* from 4 KiB up; EXCLUDE= runs them all, as `make report-full`)
#   REPORTS_DIR  where the reports go (default /reports, the bind mount; another value is for tests)
#   extra arguments go to every `python -m harness run` (e.g. --cases '5.*' --verbose)
#
# The exit status is the harness's: 0 nothing FAILED, 1 something FAILED, 2 bad options, 3 no start; with
# a TLS pass, the first pass's unless it is 0, then the TLS pass's.
#
# Who writes /reports: started as root (docker-compose.yml says `user: "0:0"`), this script drops to
# the owner of /reports (the bind-mounted ./reports) with setpriv before anything else runs, so the
# files on the host belong to whoever owns ./reports there. When /reports belongs to root (rootful
# podman, or a directory the Docker daemon created), root is the only user that can write it, and the
# run stays root. Started as any other user (the image's default `wsinterop`, or `--user UID:GID`),
# it runs as that user and says so clearly when /reports is not writable.
set -eu

REPORTS=${REPORTS_DIR:-/reports}

if [ "$(id -u)" = 0 ] && [ -d "$REPORTS" ]; then
    owner=$(stat -c %u "$REPORTS")
    group=$(stat -c %g "$REPORTS")
    if [ "$owner" != 0 ]; then
        exec setpriv --reuid="$owner" --regid="$group" --clear-groups -- "$0" "$@"
    fi
fi

# Chromium and Playwright want a writable HOME; a --user UID without a passwd entry has none.
if [ ! -w "${HOME:-/nonexistent}" ]; then
    HOME=$(mktemp -d /tmp/home.XXXXXX)
    export HOME
fi

mkdir -p "$REPORTS" 2>/dev/null || true
if [ ! -w "$REPORTS" ]; then
    echo "harness: $REPORTS is not writable by uid $(id -u) (it belongs to uid $(stat -c %u "$REPORTS" 2>/dev/null || echo '?'))." >&2
    echo "harness: mount a directory this user owns, or run the container with --user 0:0 (the entry then" >&2
    echo "harness: drops to the owner of $REPORTS), or with --user \"\$(id -u):\$(id -g)\"." >&2
    exit 2
fi

AGENTS=${AGENTS:-python,chromium,firefox}
EXCLUDE=${EXCLUDE-1[23].*.[5-9] 1[23].*.1?}
set -f  # $EXCLUDE is split into patterns for the harness, never expanded by the shell
if [ -z "${TLS_TARGET:-}" ]; then
    set -- --drafts "${DRAFTS:-all}" --agents "$AGENTS" --out "$REPORTS" ${EXCLUDE:+--exclude $EXCLUDE} "$@"
    if [ -n "${TARGET:-}" ]; then
        set -- --target "$TARGET" "$@"
    fi
    echo "harness: python -m harness run $* (uid $(id -u))" >&2
    exec python -m harness run "$@"
fi

# Two passes: this shell stays, so it hands SIGINT and SIGTERM on to the pass in progress (which then
# writes its partial report) and exits with the statuses of both.
child=
trap '[ -z "$child" ] || kill -INT "$child" 2>/dev/null' INT TERM
pass() {
    echo "harness: python -m harness run $* (uid $(id -u))" >&2
    python -m harness run "$@" &
    child=$!
    rc=
    while [ -z "$rc" ]; do
        wait "$child" && rc=0 || rc=$?
        if [ "$rc" -gt 128 ] && kill -0 "$child" 2>/dev/null; then
            rc=  # a signal interrupted the wait, not the pass: wait again
        fi
    done
    child=
    return "$rc"
}
status=0
pass ${TARGET:+--target "$TARGET"} --drafts "${DRAFTS:-all}" --agents "$AGENTS" --out "$REPORTS" \
    ${EXCLUDE:+--exclude $EXCLUDE} "$@" || status=$?
tls=0
pass --target "$TLS_TARGET" ${TLS_CA:+--ca "$TLS_CA"} --drafts "${TLS_DRAFTS:-rfc6455}" --agents "$AGENTS" \
    --out "$REPORTS/tls" ${EXCLUDE:+--exclude $EXCLUDE} "$@" || tls=$?
[ "$status" != 0 ] || status=$tls
exit "$status"
