"""The raw Python agent: wire on an asyncio transport, able to send anything a case asks for.

A `RawSession` performs a case's steps on one wire Connection and records what happens. Its side is
the Connection's: the opening handshake differs (today the agent is a client: `PythonDriver` opens the
connection and sends a ClientHandshake built from the case), while sending steps, recording and the
closing phase are the same for either side.
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import AsyncIterator

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Frame,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
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
from .link import Link, connect

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


def client_handshake(case: Case, draft: Draft, target: Target) -> ClientHandshake:
    """The request a case asks for (any header overridden or removed, hixie-76's key3 replaced)."""
    h = case.handshake
    return ClientHandshake.build(
        draft,
        target.authority,
        h.path or target.path,
        origin=h.origin,
        protocols=h.protocols,
        extensions=h.extensions,
        overrides=dict(h.headers),
        extra_headers=h.extra_headers,
        key3=h.key3.to_bytes() if h.key3 is not None else None,
        method=h.method,
        version=h.http_version,
    )


class PythonDriver:
    name = "python"

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
    ) -> AsyncIterator[RawSession | None]:
        hs = client_handshake(case, draft, target)
        session = RawSession(case, Connection.client(hs), recorder)
        try:
            session.link = await connect(target.host, target.port, session.make_link)
        except (OSError, TimeoutError) as exc:
            recorder.observation.error = f"cannot connect to {target.authority}: {str(exc) or type(exc).__name__}"
            yield None
            return
        recorder.observation.handshake_request = hs.to_bytes().decode("latin-1")
        try:
            yield session
        finally:
            await session.stop()


class RawSession:
    """One connection through a case: its steps on `conn`, and what happens recorded in `recorder`."""

    def __init__(self, case: Case, conn: Connection, recorder: Recorder) -> None:
        self.case = case
        self.conn = conn
        self.rec = recorder
        self.obs = recorder.observation
        self.me, self.peer = ("client", "server") if conn.side is Side.CLIENT else ("server", "client")
        self.link: Link | None = None

    def make_link(self) -> Link:
        return Link(self.conn, self.record, on_wire=self.rec.wire, on_error=self.on_error)

    def on_error(self, reason: str) -> None:
        self.rec.event("error", reason=reason)

    # --- recording -----------------------------------------------------------------------------------

    def record(self, events: list[Event]) -> None:
        obs, rec = self.obs, self.rec
        for event in events:
            if isinstance(event, TextMessage):
                text = event.data.encode()
                rec.event("message", kind="text", fragments=event.frames, **payload_summary(text, "text"))
            elif isinstance(event, BinaryMessage):
                rec.event("message", kind="binary", fragments=event.frames, **payload_summary(event.data))
            elif isinstance(event, Ping | Pong):
                rec.event("ping" if isinstance(event, Ping) else "pong", **payload_summary(event.payload))
            elif isinstance(event, CloseReceived):
                obs.close_frame_received = True
                obs.remote_close_code = event.code
                obs.closed_by = obs.closed_by or self.peer
                rec.event("close", code=event.code, reason=event.reason)
            elif isinstance(event, ProtocolFailure):
                obs.client_failure = event.reason
                obs.local_close_code = event.code
                obs.closed_by = obs.closed_by or self.me
                rec.event("failure", code=event.code, reason=event.reason)
            elif isinstance(event, Ignored):
                rec.event("ignored", frame_type=event.frame.opcode, **payload_summary(event.frame.payload))
            elif isinstance(event, ConnectionClosed):
                obs.closed_by = obs.closed_by or self.peer
                if self.conn.accepted is None:
                    rec.event("tcp_closed", during="handshake")
                else:
                    rec.event("tcp_closed", clean=event.clean)
            else:
                self.record_handshake(event)

    def record_handshake(self, event: Event) -> None:
        """The client's view of the opening handshake: the answer, and whether it opened a WebSocket."""
        obs, rec = self.obs, self.rec
        if isinstance(event, HandshakeAccepted | HandshakeRejected):
            obs.handshake_response = event.head.decode("latin-1")
            obs.status = event.response.status
            obs.response_headers = list(event.response.headers)
        if isinstance(event, HandshakeAccepted):
            obs.protocol = event.accepted.protocol
            rec.event("open", protocol=event.accepted.protocol)
        elif isinstance(event, HandshakeRejected):
            rec.event("rejected", status=event.response.status, reason=event.response.reason)
        elif isinstance(event, HandshakeInvalid):
            if event.response is not None:  # a 101 that does not fit the request
                assert event.head is not None
                obs.handshake_response = event.head.decode("latin-1")
                obs.status = event.response.status
                obs.response_headers = list(event.response.headers)
            obs.handshake_error = event.reason
            rec.event("handshake_invalid", reason=event.reason)

    # --- the connection --------------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """Nothing more is worth doing: TCP ended, this side failed the connection, or the peer closed it
        (what is left to send is moot; the answer to its close went out by itself)."""
        return self.link is None or self.link.over

    async def open(self) -> bool:
        """The opening handshake: send the request, wait for the answer (the case's timeout at most)."""
        link = self.link
        assert link is not None
        await link.send()
        opened = await self.rec.wait_until(lambda: self.conn.state is not State.CONNECTING, self.case.timeout)
        if not opened:
            self.obs.timed_out = True
            self.rec.event("timeout", waiting_for="the handshake answer", seconds=self.case.timeout)
        return self.conn.accepted is not None

    async def perform(self, step: Step) -> None:
        if isinstance(step, Repeat):
            for _ in range(step.count):
                for inner in step.steps:
                    if self.ended:
                        return
                    await self.perform(inner)
            return
        if isinstance(step, Wait):
            await self.wait(step)
            return
        link = self.link
        assert link is not None
        await link.send(self.queue(step))
        if self.conn.close_sent is not None:
            self.note_close_sent()

    def queue(self, step: Step) -> int | None:
        """Queue the frames (or bytes) of a sending step on the Connection; the step's chop size."""
        conn = self.conn
        info = conn.info
        if isinstance(step, SendFrame):
            opcode = resolve_opcode(step.opcode, conn.draft)
            assert opcode is not None
            mask = None if step.masked is False else step.mask_key
            frame = Frame(opcode, step.payload.to_bytes(), step.fin, step.rsv1, step.rsv2, step.rsv3, mask)
            if step.masked is False:
                conn.send_frame_unmasked(frame, declared_length=step.declared_length)
            else:
                conn.send_frame(frame, declared_length=step.declared_length)
            return step.chop
        if isinstance(step, SendMessage):
            kind = Kind.TEXT if step.kind == "text" else Kind.BINARY
            # frames, not send_message: a message step must work even after a close (data after close)
            for frame in message_frames(info, kind, step.payload.to_bytes(), step.fragment_size):
                conn.send_frame(frame)
            return step.chop
        if isinstance(step, SendPing | SendPong):
            kind = Kind.PING if isinstance(step, SendPing) else Kind.PONG
            conn.send_frame(Frame(info.opcode(kind), step.payload.to_bytes()))
        elif isinstance(step, SendClose):
            if step.raw is not None:
                conn.send_frame(Frame(info.opcode(Kind.CLOSE), step.raw.to_bytes()))
            elif conn.close_sent is None:
                conn.send_close(step.code, step.reason.to_bytes())
        elif isinstance(step, SendRaw):
            conn.send_raw(step.payload.to_bytes())
            return step.chop
        return None

    def note_close_sent(self) -> None:
        """This side sent its close first (hixie-75: decided to drop TCP) unless the peer did."""
        close = self.conn.close_sent
        self.obs.closed_by = self.obs.closed_by or self.me
        if self.obs.local_close_code is None and close is not None:
            self.obs.local_close_code = close.code

    @property
    def tcp_ended(self) -> bool:
        return self.link is None or self.link.ended

    async def wait(self, step: Wait) -> None:
        if step.for_ is None:
            await self.rec.wait_until(lambda: self.ended, step.timeout)  # a quiet period, cut short by the end
        elif step.for_ == "close":
            if not await self.rec.wait_until(lambda: self.obs.close_frame_received or self.tcp_ended, step.timeout):
                self.rec.event("timeout", waiting_for="close", seconds=step.timeout)
        elif step.for_ == "tcp_closed":
            if not await self.rec.wait_until(lambda: self.tcp_ended, step.timeout):
                self.rec.event("timeout", waiting_for="tcp_closed", seconds=step.timeout)
        else:
            await self.rec.wait_for(step.for_, step.count, step.timeout, lambda: self.ended)

    async def finish(self) -> None:
        """The closing phase: close if the case expects this side to, then wait for the peer."""
        conn, link = self.conn, self.link
        assert link is not None
        if self.case.close.by != self.peer and conn.close_sent is None and conn.state is State.OPEN:
            conn.send_close(1000 if conn.info.close_codes else None)
            self.note_close_sent()
            if conn.info.closing is Closing.TCP:
                return  # hixie-75: closing is dropping the connection, which stop() does
            await link.send()
        timeout = CLOSE_TIMEOUT if conn.close_sent is not None else self.case.timeout
        if not await self.rec.wait_until(lambda: self.tcp_ended, timeout):
            if conn.close_sent is None and conn.close_received is None:
                self.rec.event("timeout", waiting_for="the peer to close", seconds=timeout)
                self.obs.timed_out = True
            else:
                self.rec.event("timeout", waiting_for="the peer to close TCP", seconds=timeout)

    async def stop(self) -> None:
        self.obs.clean = self.closed_cleanly()
        if self.link is not None:
            await self.link.aclose()

    def closed_cleanly(self) -> bool:
        conn = self.conn
        if conn.accepted is None or self.obs.client_failure:
            return False
        if conn.info.closing is Closing.TCP:
            return self.tcp_ended or self.obs.closed_by == self.me
        return conn.close_sent is not None and conn.close_received is not None and self.tcp_ended
