"""One `ping` connection: opening handshake, numbered messages, replies matched, closing handshake."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import Sequence

from wire import (
    Accepted,
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Event,
    Fragment,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    State,
    TextMessage,
    message_frames,
)

from ..agents.link import Link, connect
from .options import Options, make_payload, parse_header
from .stats import Output, Stats, close_text, describe

MAX_EXPIRED = 4096  # lost messages remembered, to recognise a late reply


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
                await asyncio.gather(*waiters, return_exceptions=True)  # no waiter outlives the call
    return any(e.is_set() for e in events)


@dataclasses.dataclass
class Pending:
    payload: bytes
    sent_at: float
    timer: asyncio.TimerHandle


class PingError(Exception):
    """The connection or the opening handshake failed (exit status 2)."""


CLOSED_EARLY = "the server closed the connection during the handshake"


def _rejection(status: int, reason: str, body: bytes) -> str:
    first = body.decode("utf-8", "replace").strip().splitlines()[:1]
    detail = f": {first[0][:200]}" if first and not first[0].startswith("<") else ""
    return f"handshake rejected: the server answered {status} {reason}{detail}"


class Client:
    """One connection: opens, sends numbered messages, matches the replies, closes properly. Everything
    it receives is handled in the transport's callback (harness.agents.link): it owns no task."""

    def __init__(self, opts: Options, out: Output, stop: asyncio.Event, index: int) -> None:
        self.opts, self.out, self.stop, self.index = opts, out, stop, index
        protocols = (opts.protocol,) if opts.protocol else ()
        self.hs = ClientHandshake.build(opts.draft, opts.target.authority, opts.target.path, protocols=protocols)
        self.conn = Connection.client(self.hs, frames=True)
        self.link: Link | None = None
        self.accepted: Accepted | None = None
        self.label = opts.label(index)
        self.stats = Stats()
        self.pending: dict[int, Pending] = {}
        self.expired: dict[int, float] = {}  # seq -> sent_at of messages counted lost
        self.error: str | None = None  # why the connection ended before we closed it
        self.reset: str | None = None  # a transport error, in one line
        self.answered = asyncio.Event()  # the handshake ended, either way (or TCP did)
        self.settled = asyncio.Event()  # no reply outstanding
        self.settled.set()
        self.broken = asyncio.Event()  # the connection ended or failed before we closed it
        self.closed = asyncio.Event()  # the transport ended

    # --- the opening handshake ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and do the opening handshake (each within --timeout); PingError saying why not."""
        opts, where = self.opts, self.opts.target.authority
        try:
            self.link = await connect(
                opts.target.host, opts.target.port, self._make_link, opts.timeout, opts.target.tls_context()
            )
        except TimeoutError:
            raise PingError(f"cannot connect to {where}: no answer within {opts.timeout:g} s") from None
        except OSError as exc:
            raise PingError(opts.target.connect_error(exc)) from None
        me = f"client={self.index}"
        self.out.head(f"{me} >", self.hs.request.serialize())
        if self.hs.key3:
            self.out.detail(f"{me} > [key3 {self.hs.key3.hex()}]")
        try:
            await self.link.send()
            async with asyncio.timeout(opts.timeout):
                await self.answered.wait()
        except BaseException as exc:
            await self.link.aclose()
            if isinstance(exc, TimeoutError):
                raise PingError(f"no handshake answer from {where} within {opts.timeout:g} s") from None
            raise
        if self.accepted is None:
            await self.link.aclose()
            raise PingError(self.error or CLOSED_EARLY)

    def _make_link(self) -> Link:
        return Link(self.conn, self._on_events, on_error=self._on_reset)

    def _on_reset(self, reason: str) -> None:
        self.reset = reason

    def _on_handshake(self, event: Event) -> None:
        me = f"client={self.index} <"
        self.answered.set()
        if isinstance(event, HandshakeAccepted):
            self.out.head(me, event.head)
            if event.answer:
                self.out.detail(f"{me} [answer {event.answer.hex()}]")
            self.accepted = event.accepted
        elif isinstance(event, HandshakeRejected):
            self.out.head(me, event.head)
            self.error = _rejection(event.response.status, event.response.reason, event.body)
        elif isinstance(event, HandshakeInvalid):
            if event.head is not None:
                self.out.head(me, event.head)
            self.error = f"invalid handshake answer from {self.opts.target.authority}: {event.reason}"

    def _who(self, seq: int) -> str:
        return f"client={self.index} seq={seq}" if self.opts.clients > 1 else f"seq={seq}"

    # --- receiving ---------------------------------------------------------------------------------

    def _on_events(self, events: list[Event]) -> None:
        now = time.perf_counter()
        for event in events:
            self._on_event(event, now)

    def _on_event(self, event: Event, now: float) -> None:
        me = f"client={self.index} <"
        if isinstance(event, Fragment):
            self.stats.frames_received += 1
            self.out.detail(f"{me} {describe(event.kind.value if event.first else 'continuation', event.frame)}")
        elif isinstance(event, TextMessage | BinaryMessage):
            data = event.data.encode("utf-8") if isinstance(event, TextMessage) else event.data
            self._on_message(data, event.frames, now)
        elif isinstance(event, CloseReceived):
            self.out.detail(f"{me} {close_text(event.code)}" + (f" reason={event.reason!r}" if event.reason else ""))
            if self.conn.close_sent is None:
                reason = f": {event.reason}" if event.reason else ""
                self._break(f"the server closed the connection (code {event.code}{reason})")
        elif isinstance(event, ProtocolFailure):
            self._break(f"protocol error from the server: {event.reason}")
        elif isinstance(event, ConnectionClosed):
            self.answered.set()
            if self.accepted is not None and self.conn.close_sent is None:
                self._break(f"connection lost: {self.reset}" if self.reset else "the server closed the TCP connection")
            self.closed.set()
        elif isinstance(event, Ping | Pong):
            self.out.detail(f"{me} {type(event).__name__.lower()} {event.payload!r}")
        elif isinstance(event, Ignored):
            self.out.detail(f"{me} ignored {describe(f'frame type {event.frame.opcode:#x}', event.frame)}")
        else:
            self._on_handshake(event)

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
        assert self.link is not None
        await self.link.send()

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
        conn, link = self.conn, self.link
        assert link is not None
        if conn.state is State.OPEN:
            code = 1000 if conn.info.close_codes else None
            conn.send_close(code)
            if conn.info.closing is not Closing.TCP:
                self.out.detail(f"client={self.index} > {close_text(code)}")
            await link.send()
        if conn.info.closing is not Closing.TCP and conn.state is not State.FAILED and self.error is None:
            if not await wait_any([self.closed], self.opts.timeout):
                self._complain(f"the server did not finish the closing handshake within {self.opts.timeout:g} s")
            elif conn.close_received is None:
                self._complain("the server ended TCP without answering our close")
        for pending in self.pending.values():
            pending.timer.cancel()
        await link.aclose()
