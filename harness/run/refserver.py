"""Start the reference server as a child process on a free loopback port, and stop it."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

READY = re.compile(r"ready on (?P<scheme>https?)://(?P<host>[^/:]+):(?P<port>\d+)/")
START_TIMEOUT = 20.0


class ServerStartError(RuntimeError):
    pass


# echo-broadcast-ping pings every second (not every 10 s), so that the case that waits for it stays short
HARNESS_OPTIONS = ("--ping-interval", "1")


def server_command(*args: str) -> list[str]:
    """The reference server on a free loopback port; it prints READY with the port it got."""
    return [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", "0", *HARNESS_OPTIONS, *args]


def ready_url(line: str) -> str:
    """The ws:// URL (wss:// with TLS) from the server's ready line; ServerStartError for anything else."""
    match = READY.search(line)
    if match is None:
        raise ServerStartError(f"the reference server did not start: it printed {line!r}")
    scheme = "wss" if match["scheme"] == "https" else "ws"
    return f"{scheme}://{match['host']}:{match['port']}/"


@contextlib.asynccontextmanager
async def reference_server(*args: str, log: Path | None = None) -> AsyncIterator[str]:
    """Run `python -m server --port 0 ARGS...`; yield its ws:// (or wss://) URL; SIGTERM it afterwards.
    Its log (one line per connection) goes to `log` when given."""
    with contextlib.ExitStack() as stack:
        log_file = stack.enter_context(open(log, "ab")) if log is not None else None
        proc = await asyncio.create_subprocess_exec(
            *server_command(*args),
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file or asyncio.subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
            yield ready_url(line.decode("utf-8", "replace"))
        except TimeoutError as exc:
            raise ServerStartError(f"the reference server printed no ready line in {START_TIMEOUT:g} s") from exc
        finally:
            if proc.returncode is None:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
