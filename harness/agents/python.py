"""The raw Python client: asyncio + wire, able to send anything a case asks for."""

from __future__ import annotations

import asyncio
import contextlib
import platform
from collections.abc import AsyncIterator, Sequence

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Fragment,
    Frame,
    Ignored,
    Kind,
    Ping,
    Pong,
    ProtocolFailure,
    Side,
    State,
    TextMessage,
    message_frames,
)

from ..cases.model import (
    Case,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Step,
    Wait,
    resolve_opcode,
    walk,
)
from ..run.recorder import Recorder, payload_summary
from ..run.target import Target
from .client import READ_SIZE, open_handshake

CONNECT_TIMEOUT = 5.0
CLOSE_TIMEOUT = 3.0  # how long to wait for the peer's part of a closing handshake


def unsupported_in_draft(case: Case, draft: Draft) -> str | None:
    """Why `draft` cannot express a step of `case` at all (no such frame in that draft), or None."""
    info = draft.info
    for step in walk(case.steps):
        if isinstance(step, SendPing | SendPong) and not info.has_ping:
            return f"{draft.value} has no ping or pong frames"
        if isinstance(step, SendMessage):
            if step.kind == "binary" and not info.has_binary:
                return f"{draft.value} has no binary messages"
            if step.fragment_size is not None and not info.has_fragmentation:
                return f"{draft.value} has no fragmentation"
        if isinstance(step, SendClose) and (step.code is not None or step.raw is not None) and not info.close_codes:
            return f"{draft.value} close frames carry no code"
        if isinstance(step, SendClose) and info.closing is Closing.TCP:
            return f"{draft.value} has no close frame"
        if isinstance(step, SendFrame) and resolve_opcode(step.opcode, draft) is None:
            return f"{draft.value} has no opcode {step.opcode}"
    return None


def unsupported(case: Case, draft: Draft, page: str = "agent") -> str | None:
    """Why the raw client cannot express `case` in `draft`: it has no web pages, and a draft may lack a frame."""
    if page != "agent":
        return "the python agent has no web pages"
    return unsupported_in_draft(case, draft)


class PythonDriver:
    name = "python"
    overhead = 5.0  # seconds past a case's timeout before the engine gives up (its waits run in this process)

    @property
    def version(self) -> str:
        return f"wsinterop raw client (Python {platform.python_version()})"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported(case, draft, page)

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[_Session | None]:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, target.port), CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            recorder.observation.error = f"cannot connect to {target.authority}: {str(exc) or type(exc).__name__}"
            yield None
            return
        session = _Session(case, draft, target, recorder, reader, writer)
        try:
            yield session
        finally:
            await session.stop()
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


class _Session:
    def __init__(
        self,
        case: Case,
        draft: Draft,
        target: Target,
        recorder: Recorder,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.case = case
        self.draft = draft
        self.target = target
        self.rec = recorder
        self.obs = recorder.observation
        self.reader = reader
        self.writer = writer
        self.conn: Connection | None = None
        self.eof = False
        self.fragments = 0
        self.reading: asyncio.Task[None] | None = None

    async def write(self, data: bytes, chop: int | None = None) -> None:
        step = chop or len(data) or 1
        for i in range(0, len(data), step):
            piece = data[i : i + step]
            self.rec.wire("out", piece)
            self.writer.write(piece)
            await self.writer.drain()

    async def flush(self) -> None:
        if self.conn is not None and not self.writer.is_closing():
            data = self.conn.data_to_send()
            if data:
                with contextlib.suppress(ConnectionError):
                    await self.write(data)

    # --- opening handshake ---------------------------------------------------------------------------

    async def handshake(self) -> bytes | None:
        """Send the request, read the answer; the bytes after it, or None when there is no WebSocket."""
        h = self.case.handshake
        hs = ClientHandshake.build(
            self.draft,
            self.target.authority,
            h.path or self.target.path,
            origin=h.origin,
            protocols=h.protocols,
            extensions=h.extensions,
            overrides=dict(h.headers),
            extra_headers=h.extra_headers,
            key3=h.key3.to_bytes() if h.key3 is not None else None,
            method=h.method,
            version=h.http_version,
        )
        self.obs.handshake_request = hs.to_bytes().decode("latin-1")
        result = await open_handshake(self.reader, self.writer, hs, on_wire=self.rec.wire)
        if result.head is None:
            self.rec.event("tcp_closed", during="handshake")
            self.obs.closed_by = "server"
            self.eof = True
            return None
        response = result.response
        if response is not None:
            self.obs.handshake_response = result.head.decode("latin-1")
            self.obs.status = response.status
            self.obs.response_headers = list(response.headers)
            if response.status != 101:
                self.rec.event("rejected", status=response.status, reason=response.reason)
                return None
        accepted = result.accepted
        if accepted is None:
            assert result.error is not None
            self.obs.handshake_error = result.error.reason
            self.rec.event("handshake_invalid", reason=result.error.reason)
            return None
        self.obs.protocol = accepted.protocol
        self.rec.event("open", protocol=accepted.protocol)
        return result.rest

    # --- receiving -----------------------------------------------------------------------------------

    async def read_loop(self) -> None:
        assert self.conn is not None
        while not self.eof:
            try:
                data = await self.reader.read(READ_SIZE)
            except ConnectionError as exc:
                self.rec.event("error", reason=f"connection reset: {exc}")
                data = b""
            if data:
                self.rec.wire("in", data)
            self.receive(data)
            await self.flush()

    def receive(self, data: bytes) -> None:
        assert self.conn is not None
        self.conn.receive_data(data)
        for event in self.conn.events():
            self.record(event)

    def record(self, event: Event) -> None:
        obs, rec = self.obs, self.rec
        if isinstance(event, Fragment):
            self.fragments += 1
        elif isinstance(event, TextMessage):
            rec.event("message", kind="text", fragments=self.fragments, **payload_summary(event.data.encode(), "text"))
            self.fragments = 0
        elif isinstance(event, BinaryMessage):
            rec.event("message", kind="binary", fragments=self.fragments, **payload_summary(event.data))
            self.fragments = 0
        elif isinstance(event, Ping | Pong):
            rec.event("ping" if isinstance(event, Ping) else "pong", **payload_summary(event.payload))
        elif isinstance(event, CloseReceived):
            obs.close_frame_received = True
            obs.remote_close_code = event.code
            if obs.closed_by is None:
                obs.closed_by = "server"
            rec.event("close", code=event.code, reason=event.reason)
        elif isinstance(event, ProtocolFailure):
            obs.client_failure = event.reason
            obs.local_close_code = event.code
            if obs.closed_by is None:
                obs.closed_by = "client"
            rec.event("failure", code=event.code, reason=event.reason)
        elif isinstance(event, Ignored):
            rec.event("ignored", frame_type=event.frame.opcode, **payload_summary(event.frame.payload))
        elif isinstance(event, ConnectionClosed):
            self.eof = True
            if obs.closed_by is None:
                obs.closed_by = "server"
            rec.event("tcp_closed", clean=event.clean)

    # --- steps ---------------------------------------------------------------------------------------

    async def perform(self, steps: Sequence[Step]) -> None:
        """The steps in order, until the connection ends."""
        for step in steps:
            if self.ended:
                return
            await self.perform_step(step)

    async def perform_step(self, step: Step) -> None:
        conn = self.conn
        assert conn is not None
        info = self.draft.info
        if isinstance(step, Repeat):
            for _ in range(step.count):
                for inner in step.steps:
                    await self.perform_step(inner)
            return
        if isinstance(step, Wait):
            await self.wait(step)
            return
        if self.writer.is_closing():
            return
        chop: int | None = None
        if isinstance(step, SendFrame):
            opcode = resolve_opcode(step.opcode, self.draft)
            assert opcode is not None
            mask = step.mask_key
            if step.masked is not None and not step.masked:
                mask = None
            frame = Frame(opcode, step.payload.to_bytes(), step.fin, step.rsv1, step.rsv2, step.rsv3, mask)
            if step.masked is False:
                conn.send_frame_unmasked(frame, declared_length=step.declared_length)
            else:
                conn.send_frame(frame, declared_length=step.declared_length)
            chop = step.chop
        elif isinstance(step, SendMessage):
            kind = Kind.TEXT if step.kind == "text" else Kind.BINARY
            data = step.payload.to_bytes()
            # a message step writes frames directly: it must work even after a close (data after close)
            for frame in message_frames(info, kind, data, step.fragment_size):
                conn.send_frame(frame)
            chop = step.chop
        elif isinstance(step, SendPing | SendPong):
            kind = Kind.PING if isinstance(step, SendPing) else Kind.PONG
            conn.send_frame(Frame(info.opcode(kind), step.payload.to_bytes()))
        elif isinstance(step, SendClose):
            if step.raw is not None:
                conn.send_frame(Frame(info.opcode(Kind.CLOSE), step.raw.to_bytes()))
            elif not conn.close_sent:
                conn.send_close(step.code, step.reason.to_bytes())
        elif isinstance(step, SendRaw):
            conn.send_raw(step.payload.to_bytes())
            chop = step.chop
        if conn.close_sent:
            self.note_close_sent()
        data = conn.data_to_send()
        with contextlib.suppress(ConnectionError):
            await self.write(data, chop)

    def note_close_sent(self) -> None:
        """The client sent its close first (hixie-75: decided to drop TCP) unless the server did."""
        if self.obs.closed_by is None:
            self.obs.closed_by = "client"
        if self.obs.local_close_code is None and self.conn is not None:
            self.obs.local_close_code = self.conn.sent_code

    async def wait(self, step: Wait) -> None:
        if step.for_ is None:
            await self.rec.wait_until(lambda: self.eof, step.timeout)  # a quiet period, cut short by EOF
        elif step.for_ == "close":
            if not await self.rec.wait_until(lambda: self.obs.close_frame_received or self.eof, step.timeout):
                self.rec.event("timeout", waiting_for="close", seconds=step.timeout)
        elif step.for_ == "tcp_closed":
            if not await self.rec.wait_until(lambda: self.eof, step.timeout):
                self.rec.event("timeout", waiting_for="tcp_closed", seconds=step.timeout)
        else:
            await self.rec.wait_for(step.for_, step.count, step.timeout, lambda: self.ended)

    # --- the whole case ------------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """The peer closed TCP, or this client failed the connection: it sends and receives nothing more."""
        return self.eof or (self.conn is not None and self.conn.state is State.FAILED)

    async def open(self) -> bool:
        try:
            rest = await self.handshake()
        except ConnectionError as exc:
            self.rec.event("error", reason=f"connection reset during the handshake: {exc}")
            self.obs.closed_by = self.obs.closed_by or "server"
            return False
        if rest is None:
            return False
        self.conn = Connection(self.draft, Side.CLIENT, frames=True, assemble=True)
        if rest:
            self.receive(rest)
            await self.flush()  # answers to frames that came with the handshake (a pong, a failure's close)
        self.reading = asyncio.create_task(self.read_loop())
        return True

    async def stop(self) -> None:
        if self.reading is not None:
            self.reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reading
        self.obs.clean = self.closed_cleanly()

    async def finish(self) -> None:
        """The closing phase: close if the case expects the client to, then wait for the peer."""
        conn = self.conn
        assert conn is not None
        expect = self.case.close
        if expect.by != "server" and not conn.close_sent and not self.eof and conn.state is State.OPEN:
            conn.send_close(1000 if self.draft.info.close_codes else None)
            self.note_close_sent()
            if self.draft.info.closing is Closing.TCP:
                return  # hixie-75: closing is dropping the connection, which run() does
            await self.flush()
        if not await self.rec.wait_until(lambda: self.eof, CLOSE_TIMEOUT if conn.close_sent else self.case.timeout):
            if not conn.close_sent and not conn.close_received:
                self.rec.event("timeout", waiting_for="the peer to close", seconds=self.case.timeout)
                self.obs.timed_out = True
            else:
                self.rec.event("timeout", waiting_for="the peer to close TCP", seconds=CLOSE_TIMEOUT)

    def closed_cleanly(self) -> bool:
        conn = self.conn
        if conn is None or self.obs.client_failure:
            return False
        if self.draft.info.closing is Closing.TCP:
            return self.eof or self.obs.closed_by == "client"
        return conn.close_sent and conn.close_received and self.eof
