"""One `ping` connection after its opening handshake: sends numbered messages, matches the replies, closes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import time
from collections.abc import Sequence

from wire import (
    Accepted,
    BinaryMessage,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Event,
    Fragment,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    Side,
    State,
    TextMessage,
    message_frames,
)

from ..agents.client import READ_SIZE
from .options import Options, make_payload, parse_header
from .stats import Output, Stats, close_text, describe

MAX_EXPIRED = 4096  # lost messages remembered, to recognise a late reply


def os_reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__


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
                self._break(f"connection lost: {os_reason(exc)}")
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
