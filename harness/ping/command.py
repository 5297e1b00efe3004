"""The `ping` command: connect every client (opening handshakes), ping, close, print the statistics."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time

from wire import Accepted, ClientHandshake

from ..agents.client import open_handshake
from .client import Client, os_reason
from .options import Options, UsageError, options_from_args
from .stats import Output, Stats, summary_lines

CLOSED_EARLY = "the server closed the connection during the handshake"


class PingError(Exception):
    """The connection or the opening handshake failed (exit status 2)."""


# --- opening handshakes --------------------------------------------------------------------------------


def _rejection(status: int, reason: str, body: bytes) -> str:
    first = body.decode("utf-8", "replace").strip().splitlines()[:1]
    detail = f": {first[0][:200]}" if first and not first[0].startswith("<") else ""
    return f"handshake rejected: the server answered {status} {reason}{detail}"


async def handshake(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, opts: Options, out: Output, client: int
) -> tuple[Accepted, bytes]:
    """Send the request, read and check the answer; what was agreed and the bytes after the answer."""
    protocols = (opts.protocol,) if opts.protocol else ()
    hs = ClientHandshake.build(opts.draft, opts.target.authority, opts.target.path, protocols=protocols)
    out.head(f"client={client} >", hs.request.serialize())
    if hs.key3:
        out.detail(f"client={client} > [key3 {hs.key3.hex()}]")
    result = await open_handshake(reader, writer, hs)
    if result.head is None:
        raise PingError(CLOSED_EARLY)
    out.head(f"client={client} <", result.head)
    response = result.response
    if response is not None and response.status != 101:
        raise PingError(_rejection(response.status, response.reason, result.rest))
    if result.closed:
        raise PingError(CLOSED_EARLY)
    if result.answer:
        out.detail(f"client={client} < [answer {result.answer.hex()}]")
    if result.accepted is None:
        assert result.error is not None
        raise PingError(f"invalid handshake answer from {opts.target.authority}: {result.error.reason}")
    return result.accepted, result.rest


async def open_client(opts: Options, out: Output, stop: asyncio.Event, index: int) -> Client:
    where = opts.target.authority
    try:
        async with asyncio.timeout(opts.timeout):
            reader, writer = await asyncio.open_connection(opts.target.host, opts.target.port)
    except TimeoutError:
        raise PingError(f"cannot connect to {where}: no answer within {opts.timeout:g} s") from None
    except OSError as exc:
        raise PingError(f"cannot connect to {where}: {os_reason(exc)}") from None
    try:
        async with asyncio.timeout(opts.timeout):
            accepted, rest = await handshake(reader, writer, opts, out, index)
    except BaseException as exc:
        writer.close()
        if isinstance(exc, TimeoutError):
            raise PingError(f"no handshake answer from {where} within {opts.timeout:g} s") from None
        if isinstance(exc, OSError):
            raise PingError(f"connection to {where} lost during the handshake: {os_reason(exc)}") from None
        raise
    return Client(opts, out, stop, index, accepted, reader, writer, rest)


async def connect_all(opts: Options, out: Output, stop: asyncio.Event) -> list[Client]:
    """Every client connected, or none (a PingError for the first failure)."""
    results = await asyncio.gather(
        *(open_client(opts, out, stop, i) for i in range(1, opts.clients + 1)), return_exceptions=True
    )
    clients = [r for r in results if isinstance(r, Client)]
    failures = [r for r in results if not isinstance(r, Client)]
    if failures:
        await asyncio.gather(*(c.close() for c in clients))
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
    selected = clients[0].accepted.protocol
    if opts.protocol and selected != opts.protocol:
        out.error(f"note: the server selected no subprotocol (asked for {opts.protocol!r})")
    started = time.perf_counter()
    try:
        await asyncio.gather(*(c.ping() for c in clients))
    finally:
        elapsed = time.perf_counter() - started
        await asyncio.gather(*(c.close() for c in clients))
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
