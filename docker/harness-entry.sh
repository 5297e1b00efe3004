#!/bin/sh
# Entry point of the `harness` image: run the catalogue and write /reports/<run-id>/.
#
#   TARGET       ws:// URL to test; empty: the harness starts the reference server in this container
#   DRAFTS       comma-separated drafts or "all" (default: all)
#   AGENTS       comma-separated agents: python, chromium (default: python,chromium)
#   REPORTS_DIR  where the reports go (default /reports, the bind mount; another value is for tests)
#   extra arguments go to `python -m harness run` (e.g. --cases '5.*' --verbose)
#
# The exit status is the harness's: 0 nothing FAILED, 1 something FAILED, 2 bad options, 3 no start.
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

set -- --drafts "${DRAFTS:-all}" --agents "${AGENTS:-python,chromium}" --out "$REPORTS" "$@"
if [ -n "${TARGET:-}" ]; then
    set -- --target "$TARGET" "$@"
fi
echo "harness: python -m harness run $* (uid $(id -u))" >&2
exec python -m harness run "$@"
