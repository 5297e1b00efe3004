"""`python -m harness ping`: the seed's Jetty TestClient done right, with output like ping(8).

Each client opens one WebSocket (any draft), sends --count messages paced by --delay and matches the
replies by the sender label and sequence number every message starts with (`<tag>-<client>:<seq>:`, the
tag random per run so that runs sharing a broadcast room keep their replies apart). A reply missing for
--timeout seconds is lost; Ctrl-C (or `stop`) ends the sending, the closing handshake collects the
replies still in flight, and the statistics follow. Exit status: 0 every message answered, 1 some lost
or corrupted, 2 a usage, connection or handshake error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import math
import os
import random
import signal
import string
import sys
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from .wire import (
    Accepted,
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Draft,
    DraftInfo,
    Event,
    Fragment,
    Frame,
    HandshakeError,
    HttpError,
    Ignored,
    Kind,
    Ping,
    Pong,
    ProtocolFailure,
    Side,
    State,
    TextMessage,
    find_head_end,
    parse_response,
)

DESCRIPTION = "Send numbered messages to a WebSocket echo endpoint and time the replies, like ping."
PROG = "wsinterop ping"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
NO_PROTOCOL = "none"
READ_SIZE = 1 << 16
PADDING = b"abcdefghijklmnopqrstuvwxyz0123456789"
MAX_EXPIRED = 4096  # lost messages remembered, to recognise a late reply


class UsageError(Exception):
    """Options that cannot work together (exit status 2)."""


class PingError(Exception):
    """The connection or the opening handshake failed (exit status 2)."""


# --- options -------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"ws://{self.authority}{self.path}"


def parse_url(text: str) -> Target:
    """A ws:// URL as a Target (an argparse type: errors are ArgumentTypeError)."""
    parts = urlsplit(text)
    if parts.scheme == "wss":
        raise argparse.ArgumentTypeError(f"{text}: wss:// (TLS) is not supported; use ws://")
    if parts.scheme != "ws":
        raise argparse.ArgumentTypeError(f"{text!r} is not a WebSocket URL: use ws://host[:port][/path]")
    if not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} has no host: use ws://host[:port][/path]")
    if parts.fragment:
        raise argparse.ArgumentTypeError(f"{text}: a WebSocket URL has no #fragment")
    try:
        port = parts.port or 80
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text}: {exc}") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.hostname, port, path)


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and <= {maximum}" if maximum is not None else ""
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= {minimum}{upper}")
        return value

    return convert


def _seconds(*, zero: bool) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds {'>=' if zero else '>'} 0")
        return value

    return convert


def _draft(text: str) -> Draft:
    try:
        return Draft.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _path(text: str) -> str:
    if not text.startswith("/"):
        raise argparse.ArgumentTypeError(f"{text!r} does not start with /")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("url", nargs="?", type=parse_url, help="ws://host:port/path (instead of --host/--port/--path)")
    a("--host", help=f"server host (default {DEFAULT_HOST})")
    a("--port", type=_whole(1, 65535), help=f"server port (default {DEFAULT_PORT})")
    a("--path", type=_path, help="request path (default /)")
    a("--protocol", default="echo", help="subprotocol to ask for; 'none' asks for none (default %(default)s)")
    a("--draft", type=_draft, default=Draft.RFC6455, metavar="|".join(d.value for d in Draft), help="(default rfc6455)")
    a("--count", "-c", type=_whole(0), default=10, help="messages per client, 0: until Ctrl-C (default %(default)s)")
    a("--size", "-s", type=_whole(0), default=64, help="message size in bytes, at least the header (default 64)")
    a("--fragment", "-f", type=_whole(1), help="send each message in frames of this many bytes")
    a("--binary", action="store_true", help="send binary messages (default text)")
    a("--clients", "-C", type=_whole(1), default=1, help="parallel connections (default %(default)s)")
    a("--delay", "-d", type=_seconds(zero=True), default=1.0, help="seconds between messages (default 1)")
    a("--timeout", "-W", type=_seconds(zero=False), default=5.0, help="seconds to wait for each reply (default 5)")
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("--verbose", "-v", action="store_true", help="print the handshake and every frame")
    talk.add_argument("--quiet", "-q", action="store_true", help="print only the summary")


@dataclasses.dataclass(frozen=True)
class Options:
    target: Target
    draft: Draft
    protocol: str | None  # None: ask for no subprotocol
    count: int  # 0: until stopped
    size: int
    fragment: int | None
    binary: bool
    clients: int
    delay: float
    timeout: float
    tag: str  # random per run: tells this run's messages from anyone else's

    @property
    def kind(self) -> Kind:
        return Kind.BINARY if self.binary else Kind.TEXT

    def label(self, client: int) -> str:
        return f"{self.tag}-{client}"


def resolve_target(args: argparse.Namespace) -> Target:
    url: Target | None = args.url
    if url is None:
        return Target(args.host or DEFAULT_HOST, args.port or DEFAULT_PORT, args.path or "/")
    if args.host is not None or args.port is not None or args.path is not None:
        raise UsageError("give either a URL or --host/--port/--path, not both")
    return url


def options_from_args(args: argparse.Namespace) -> tuple[Options, list[str]]:
    """The options, and notes to print (a --size raised to fit the header)."""
    draft: Draft = args.draft
    if args.binary and not draft.info.has_binary:
        raise UsageError(f"--binary: {draft.value} has no binary messages (text only)")
    if args.fragment is not None and not draft.info.has_fragmentation:
        raise UsageError(f"--fragment: {draft.value} has no fragmentation (one frame per message)")
    protocol = None if args.protocol in (NO_PROTOCOL, "") else args.protocol
    tag = "".join(random.choices(string.ascii_lowercase, k=4))
    opts = Options(
        target=resolve_target(args),
        draft=draft,
        protocol=protocol,
        count=args.count,
        size=args.size,
        fragment=args.fragment,
        binary=args.binary,
        clients=args.clients,
        delay=args.delay,
        timeout=args.timeout,
        tag=tag,
    )
    widest = header(opts.label(opts.clients), opts.count or 1)
    if opts.size >= len(widest):
        return opts, []
    note = (
        f"--size {opts.size} is smaller than the {len(widest)}-byte header {widest.decode()!r}: sending {len(widest)}"
    )
    return dataclasses.replace(opts, size=len(widest)), [note]


# --- messages ------------------------------------------------------------------------------------------


def header(label: str, seq: int) -> bytes:
    return f"{label}:{seq}:".encode("ascii")


def make_payload(label: str, seq: int, size: int) -> bytes:
    """`<label>:<seq>:` padded to `size` bytes (never cut: an outgrown header makes a longer message)."""
    head = header(label, seq)
    pad = max(size - len(head), 0)
    return head + (PADDING * (pad // len(PADDING) + 1))[:pad]


def parse_header(data: bytes) -> tuple[str, int] | None:
    """(label, seq) of a message that starts like ours, else None."""
    parts = data.split(b":", 2)
    if len(parts) < 3 or not parts[1].isdigit() or len(parts[1]) > 18:
        return None
    return parts[0].decode("ascii", "replace"), int(parts[1])


def message_frames(info: DraftInfo, kind: Kind, data: bytes, fragment: int | None) -> list[Frame]:
    size = fragment or len(data) or 1
    chunks = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
    last = len(chunks) - 1
    return [Frame(info.opcode(Kind.CONTINUATION if i else kind), c, fin=i == last) for i, c in enumerate(chunks)]


def describe(what: str, frame: Frame) -> str:
    preview = repr(frame.payload[:40]) + ("..." if len(frame.payload) > 40 else "")
    return f"{what} fin={int(frame.fin)} len={len(frame.payload)} {preview}"


def close_text(code: int | None) -> str:
    return "close" if code is None else f"close code={code}"


# --- statistics and output -----------------------------------------------------------------------------


@dataclasses.dataclass
class Rtt:
    """Round-trip times as running sums (a run until Ctrl-C keeps no list), in seconds."""

    count: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = math.inf
    high: float = 0.0

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.squares += seconds * seconds
        self.low = min(self.low, seconds)
        self.high = max(self.high, seconds)

    def __add__(self, other: Rtt) -> Rtt:
        return Rtt(
            self.count + other.count,
            self.total + other.total,
            self.squares + other.squares,
            min(self.low, other.low),
            max(self.high, other.high),
        )

    def line(self) -> str:
        """ping's line: min/avg/max/mdev in ms (mdev: the standard deviation)."""
        mean = self.total / self.count
        mdev = math.sqrt(max(self.squares / self.count - mean * mean, 0.0))
        low, avg, high, dev = (x * 1000 for x in (self.low, mean, self.high, mdev))
        return f"rtt min/avg/max/mdev = {low:.3f}/{avg:.3f}/{high:.3f}/{dev:.3f} ms"


@dataclasses.dataclass
class Stats:
    sent: int = 0
    received: int = 0  # replies to our own messages
    frames_sent: int = 0
    frames_received: int = 0  # every data frame, others' included
    bytes_received: int = 0
    corrupted: int = 0  # a reply to our seq whose bytes differ from what was sent (counted received)
    late: int = 0  # a reply after its --timeout (counted lost)
    duplicates: int = 0
    from_others: int = 0  # broadcast messages of other senders
    rtt: Rtt = dataclasses.field(default_factory=Rtt)

    @classmethod
    def total(cls, parts: Sequence[Stats]) -> Stats:
        total = cls()
        for part in parts:
            for f in dataclasses.fields(cls):
                setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))
        return total


def summary_lines(url: str, st: Stats, elapsed: float, silence: str) -> list[str]:
    loss = 100 * (st.sent - st.received) / st.sent if st.sent else 0.0
    seconds = max(elapsed, 1e-9)
    lines = [
        f"--- {url} ping statistics ---",
        f"{st.sent} messages sent, {st.received} received, {round(loss, 1):g}% loss, {st.frames_sent} frames sent, "
        f"{st.frames_received} frames received, time {elapsed * 1000:.0f} ms",
    ]
    extras = (st.corrupted, "corrupted"), (st.late, "late"), (st.duplicates, "duplicates")
    others = [f"{n} {what}" for n, what in (*extras, (st.from_others, "broadcast from others")) if n]
    if others:
        lines.append(", ".join(others))
    lines.append(f"rate {st.received / seconds:.1f} msg/s, {st.bytes_received / seconds:.1f} B/s")
    if st.rtt.count:
        lines.append(st.rtt.line())
    elif st.sent:
        lines.append(f"no reply to any message{silence}")
    return lines


class Output:
    def __init__(self, *, verbose: bool, quiet: bool) -> None:
        self.verbose = verbose
        self.quiet = quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            print(text, flush=True)

    def head(self, prefix: str, head: bytes) -> None:
        for line in filter(None, head.decode("latin-1").splitlines()):
            self.detail(f"{prefix} {line}")

    @staticmethod
    def always(text: str) -> None:
        print(text, flush=True)

    @staticmethod
    def error(text: str) -> None:
        print(f"{PROG}: {text}", file=sys.stderr, flush=True)


async def wait_any(events: Sequence[asyncio.Event], timeout: float | None) -> bool:
    """Wait until one of `events` is set, `timeout` seconds at most; whether one is set."""
    if not any(e.is_set() for e in events):
        if timeout == 0:
            await asyncio.sleep(0)
        else:
            waiters = [asyncio.ensure_future(e.wait()) for e in events]
            try:
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
    return any(e.is_set() for e in events)


# --- opening handshake ---------------------------------------------------------------------------------


def _os_reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__


def _rejection(status: int, reason: str, body: bytes) -> str:
    first = body.decode("utf-8", "replace").strip().splitlines()[:1]
    detail = f": {first[0][:200]}" if first and not first[0].startswith("<") else ""
    return f"handshake rejected: the server answered {status} {reason}{detail}"


async def _read_some(reader: asyncio.StreamReader) -> bytes:
    data = await reader.read(READ_SIZE)
    if not data:
        raise PingError("the server closed the connection during the handshake")
    return data


async def handshake(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, opts: Options, out: Output, client: int
) -> tuple[Accepted, bytes]:
    """Send the request, read and check the answer; what was agreed and the bytes after the answer."""
    protocols = (opts.protocol,) if opts.protocol else ()
    hs = ClientHandshake.build(opts.draft, opts.target.authority, opts.target.path, protocols=protocols)
    out.head(f"client={client} >", hs.request.serialize())
    if hs.key3:
        out.detail(f"client={client} > [key3 {hs.key3.hex()}]")
    writer.write(hs.to_bytes())
    await writer.drain()
    buffer = b""
    while (end := find_head_end(buffer)) is None:
        buffer += await _read_some(reader)
    out.head(f"client={client} <", buffer[:end])
    response = parse_response(buffer[:end])
    if response.status != 101:
        raise PingError(_rejection(response.status, response.reason, buffer[end:]))
    while len(buffer) < end + hs.answer_size:
        buffer += await _read_some(reader)
    answer, rest = buffer[end : end + hs.answer_size], buffer[end + hs.answer_size :]
    if answer:
        out.detail(f"client={client} < [answer {answer.hex()}]")
    return hs.check(response, answer), rest


async def open_client(opts: Options, out: Output, stop: asyncio.Event, index: int) -> Client:
    where = opts.target.authority
    try:
        async with asyncio.timeout(opts.timeout):
            reader, writer = await asyncio.open_connection(opts.target.host, opts.target.port)
    except TimeoutError:
        raise PingError(f"cannot connect to {where}: no answer within {opts.timeout:g} s") from None
    except OSError as exc:
        raise PingError(f"cannot connect to {where}: {_os_reason(exc)}") from None
    try:
        async with asyncio.timeout(opts.timeout):
            accepted, rest = await handshake(reader, writer, opts, out, index)
    except BaseException as exc:
        writer.close()
        if isinstance(exc, TimeoutError):
            raise PingError(f"no handshake answer from {where} within {opts.timeout:g} s") from None
        if isinstance(exc, HandshakeError | HttpError):
            raise PingError(f"invalid handshake answer from {where}: {exc.reason}") from None
        if isinstance(exc, OSError):
            raise PingError(f"connection to {where} lost during the handshake: {_os_reason(exc)}") from None
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


# --- one client ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Pending:
    payload: bytes
    sent_at: float
    timer: asyncio.TimerHandle


class Client:
    """One connection: sends numbered messages, matches the replies, closes properly."""

    def __init__(
        self,
        opts: Options,
        out: Output,
        stop: asyncio.Event,
        index: int,
        accepted: Accepted,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        rest: bytes,
    ) -> None:
        self.opts, self.out, self.stop, self.index = opts, out, stop, index
        self.accepted = accepted
        self.reader, self.writer = reader, writer
        self.conn = Connection(opts.draft, Side.CLIENT, frames=True, assemble=True)
        self.label = opts.label(index)
        self.stats = Stats()
        self.pending: dict[int, Pending] = {}
        self.expired: dict[int, float] = {}  # seq -> sent_at of messages counted lost
        self.frames_in_message = 0
        self.error: str | None = None  # why the connection ended before we closed it
        self.settled = asyncio.Event()  # no reply outstanding
        self.settled.set()
        self.broken = asyncio.Event()  # the connection ended or failed before we closed it
        self.closed = asyncio.Event()  # the transport ended
        self._reading = asyncio.create_task(self._read_loop(rest))

    def _who(self, seq: int) -> str:
        return f"client={self.index} seq={seq}" if self.opts.clients > 1 else f"seq={seq}"

    # --- receiving ---------------------------------------------------------------------------------

    async def _read_loop(self, rest: bytes) -> None:
        if rest:
            await self._receive(rest)
        while not self.closed.is_set():
            try:
                data = await self.reader.read(READ_SIZE)
            except OSError as exc:
                self._break(f"connection lost: {_os_reason(exc)}")
                data = b""
            await self._receive(data)

    async def _receive(self, data: bytes) -> None:
        now = time.perf_counter()
        self.conn.receive_data(data)
        for event in self.conn.events():
            self._on_event(event, now)
        await self._flush()

    def _on_event(self, event: Event, now: float) -> None:
        me = f"client={self.index} <"
        if isinstance(event, Fragment):
            self.stats.frames_received += 1
            self.frames_in_message += 1
            self.out.detail(f"{me} {describe(event.kind.value if event.first else 'continuation', event.frame)}")
        elif isinstance(event, TextMessage | BinaryMessage):
            data = event.data.encode("utf-8") if isinstance(event, TextMessage) else event.data
            frames, self.frames_in_message = self.frames_in_message, 0
            self._on_message(data, frames, now)
        elif isinstance(event, CloseReceived):
            self.out.detail(f"{me} {close_text(event.code)}" + (f" reason={event.reason!r}" if event.reason else ""))
            if not self.conn.close_sent:
                reason = f": {event.reason}" if event.reason else ""
                self._break(f"the server closed the connection (code {event.code}{reason})")
        elif isinstance(event, ProtocolFailure):
            self._break(f"protocol error from the server: {event.reason}")
        elif isinstance(event, ConnectionClosed):
            if not self.conn.close_sent:
                self._break("the server closed the TCP connection")
            self.closed.set()
        elif isinstance(event, Ping | Pong):
            self.out.detail(f"{me} {type(event).__name__.lower()} {event.payload!r}")
        elif isinstance(event, Ignored):
            self.out.detail(f"{me} ignored {describe(f'frame type {event.frame.opcode:#x}', event.frame)}")

    def _on_message(self, data: bytes, frames: int, now: float) -> None:
        parsed = parse_header(data)
        if parsed is None or parsed[0] != self.label:
            self.stats.from_others += 1
            self.out.detail(f"client={self.index} < from another sender: {data[:40]!r}")
            return
        seq = parsed[1]
        pending = self.pending.pop(seq, None)
        if pending is None:
            self._unexpected(seq, now)
            return
        pending.timer.cancel()
        rtt = now - pending.sent_at
        self.stats.received += 1
        self.stats.bytes_received += len(data)
        self.stats.rtt.add(rtt)
        if data != pending.payload:
            self.stats.corrupted += 1
            self.out.line(f"{self._who(seq)}: the reply ({len(data)} bytes) differs from the message sent")
        else:
            self.out.line(
                f"{len(data)} bytes from {self.opts.target.url}: client={self.index} seq={seq} frames={frames} "
                f"time={rtt * 1000:.2f} ms"
            )
        if not self.pending:
            self.settled.set()

    def _unexpected(self, seq: int, now: float) -> None:
        sent_at = self.expired.pop(seq, None)
        if sent_at is not None:
            self.stats.late += 1
            self.out.line(f"late reply for {self._who(seq)} after {(now - sent_at) * 1000:.0f} ms (counted lost)")
        else:
            self.stats.duplicates += 1
            self.out.line(f"unexpected reply for {self._who(seq)} (duplicate or never sent)")

    def _expire(self, seq: int) -> None:
        pending = self.pending.pop(seq, None)
        if pending is None:
            return
        self.expired[seq] = pending.sent_at
        if len(self.expired) > MAX_EXPIRED:
            del self.expired[next(iter(self.expired))]
        self.out.line(f"no reply for {self._who(seq)} within {self.opts.timeout:g} s")
        if not self.pending:
            self.settled.set()

    def _complain(self, text: str) -> None:
        self.out.error(f"client {self.index}: {text}" if self.opts.clients > 1 else text)

    def _break(self, reason: str) -> None:
        """The connection ended on the server's side: stop sending and waiting."""
        if self.error is None:
            self.error = reason
            self._complain(reason)
        for pending in self.pending.values():
            pending.timer.cancel()
        self.pending.clear()
        self.settled.set()
        self.broken.set()

    # --- sending -----------------------------------------------------------------------------------

    async def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)
            with contextlib.suppress(OSError):
                await self.writer.drain()

    async def send(self, seq: int) -> None:
        payload = make_payload(self.label, seq, self.opts.size)
        frames = message_frames(self.conn.info, self.opts.kind, payload, self.opts.fragment)
        for frame in frames:
            self.conn.send_frame(frame)
            what = self.opts.kind.value if frame is frames[0] else "continuation"
            self.out.detail(f"client={self.index} > {describe(what, frame)}")
        timer = asyncio.get_running_loop().call_later(self.opts.timeout, self._expire, seq)
        self.pending[seq] = Pending(payload, time.perf_counter(), timer)
        self.settled.clear()
        self.stats.sent += 1
        self.stats.frames_sent += len(frames)
        await self._flush()

    async def ping(self) -> None:
        """Send the messages, --delay apart, then wait for the replies still due."""
        seqs = itertools.count(1) if self.opts.count == 0 else range(1, self.opts.count + 1)
        for seq in seqs:
            if seq > 1 and await wait_any([self.stop, self.broken], self.opts.delay):
                break
            if self.stop.is_set() or self.broken.is_set():
                break
            await self.send(seq)
        await wait_any([self.settled, self.stop, self.broken], None)

    async def close(self) -> None:
        """The closing handshake of the draft (replies still in flight are matched meanwhile), then TCP."""
        conn = self.conn
        if conn.state is State.OPEN:
            code = 1000 if conn.info.close_codes else None
            conn.send_close(code)
            if conn.info.closing is not Closing.TCP:
                self.out.detail(f"client={self.index} > {close_text(code)}")
            await self._flush()
        if conn.info.closing is not Closing.TCP and conn.state is not State.FAILED and self.error is None:
            if not await wait_any([self.closed], self.opts.timeout):
                self._complain(f"the server did not finish the closing handshake within {self.opts.timeout:g} s")
            elif not conn.close_received:
                self._complain("the server ended TCP without answering our close")
        for pending in self.pending.values():
            pending.timer.cancel()
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading


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
