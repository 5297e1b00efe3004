"""The `ping` command: connect every client (opening handshakes), ping, close, print the statistics."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time

from .client import Client, PingError
from .options import Options, UsageError, options_from_args
from .stats import Output, Stats, summary_lines


async def open_client(opts: Options, out: Output, stop: asyncio.Event, index: int) -> Client:
    client = Client(opts, out, stop, index)
    await client.open()
    return client


async def connect_all(opts: Options, out: Output, stop: asyncio.Event) -> list[Client]:
    """Every client connected, or none (a PingError for the first failure)."""
    results = await asyncio.gather(
        *(open_client(opts, out, stop, i) for i in range(1, opts.clients + 1)), return_exceptions=True
    )
    clients = [r for r in results if isinstance(r, Client)]
    failures = [r for r in results if not isinstance(r, Client)]
    if failures:
        async with asyncio.TaskGroup() as closings:
            for client in clients:
                closings.create_task(client.close())
        raise failures[0]
    return clients


# --- the command ---------------------------------------------------------------------------------------


def banner(opts: Options) -> str:
    traits = [opts.draft.value, f"protocol {opts.protocol}" if opts.protocol else "no protocol"]
    if opts.binary:
        traits.append("binary")
    if opts.fragment:
        traits.append(f"fragments of {opts.fragment} bytes")
    clients = f"{opts.clients} client" + ("s" if opts.clients > 1 else "")
    return f"PING {opts.target.url} ({', '.join(traits)}): {opts.size} bytes, {clients}"


def silence_note(opts: Options, selected: str | None) -> str:
    if selected is None:
        return ": the server selected no subprotocol (the reference server is silent without one)"
    return f" within {opts.timeout:g} s"


async def run(args: argparse.Namespace, stop: asyncio.Event | None = None) -> int:
    """The whole command in a running loop; `stop` (Ctrl-C) ends the sending early."""
    out = Output(verbose=args.verbose, quiet=args.quiet)
    try:
        opts, notes = options_from_args(args)
    except UsageError as exc:
        out.error(f"error: {exc}")
        return 2
    for note in notes:
        out.error(note)
    stop = asyncio.Event() if stop is None else stop
    out.line(banner(opts))
    try:
        clients = await connect_all(opts, out, stop)
    except PingError as exc:
        out.error(str(exc))
        return 2
    accepted = clients[0].accepted
    assert accepted is not None
    selected = accepted.protocol
    if opts.protocol and selected != opts.protocol:
        out.error(f"note: the server selected no subprotocol (asked for {opts.protocol!r})")
    started = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as pings:
            for client in clients:
                pings.create_task(client.ping())
    finally:
        elapsed = time.perf_counter() - started
        async with asyncio.TaskGroup() as closings:
            for client in clients:
                closings.create_task(client.close())
    stats = Stats.total([c.stats for c in clients])
    for line in summary_lines(opts.target.url, stats, elapsed, silence_note(opts, selected)):
        out.always(line)
    if any(c.error for c in clients):
        return 2
    return 0 if stats.received == stats.sent and not stats.corrupted else 1


async def _run_interruptible(args: argparse.Namespace) -> int:
    """run() with Ctrl-C setting its stop event; a second Ctrl-C interrupts at once."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def interrupted() -> None:
        stop.set()
        loop.remove_signal_handler(signal.SIGINT)

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, interrupted)
    try:
        return await run(args, stop)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGINT)


def main(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run_interruptible(args))
    except KeyboardInterrupt:
        return 130
