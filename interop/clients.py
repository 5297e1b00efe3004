"""The client half: each client library's script against the reference server, once per draft it speaks;
its one JSON line becomes a ClientCell (OK, rejected, error)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from .model import ClientCell
from .spec import ClientSpec, Context

CLIENT_TIMEOUT = 120.0


def parse_result(stdout: str) -> dict[str, Any] | None:
    """The last JSON object line a client script printed, or None."""
    for raw in reversed(stdout.strip().splitlines()):
        line = raw.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                return data
    return None


def cell_from(draft: str, data: dict[str, Any] | None, wall: float, failure: str = "") -> ClientCell:
    """A matrix cell from a script's result (None: the script printed none; `failure` says why)."""
    if data is None:
        return ClientCell(draft, "error", failure or "the client printed no result", wall=wall)
    steps = tuple((str(s[0]), bool(s[1]), str(s[2])) for s in data.get("steps", []) if len(s) == 3)
    if data.get("ok"):
        return ClientCell(draft, "OK", "", steps, wall)
    outcome = "rejected" if data.get("rejected") else "error"
    return ClientCell(draft, outcome, str(data.get("error") or "failed"), steps, wall)


def run_client(ctx: Context, spec: ClientSpec, url: str, page: str, draft: str) -> tuple[ClientCell, dict[str, Any]]:
    """Run one client in one draft; the cell and the raw result (for the version the script reports)."""
    argv = spec.command(ctx, url, page, draft)
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv,
            check=False,
            cwd=ctx.root,
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return ClientCell(draft, "error", f"no result within {CLIENT_TIMEOUT:g} s", wall=CLIENT_TIMEOUT), {}
    except OSError as exc:
        return ClientCell(draft, "error", f"cannot run {Path(argv[0]).name}: {exc.strerror or exc}"), {}
    wall = time.monotonic() - started
    data = parse_result(done.stdout)
    lines = done.stderr.strip().splitlines()
    failure = f"exit {done.returncode}: {lines[-1] if lines else 'no output'}"
    return cell_from(draft, data, wall, failure), data or {}
