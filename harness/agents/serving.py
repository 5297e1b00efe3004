"""wsinterop as the server: a case's steps on a connection a client under test opened.

The fuzzing server (harness/fuzzing/) reads the client's request on a wire `Connection.server()` carried by
a `Link`, picks the case the request's URL names, and hands both to an `AcceptedDriver`. Its session is the
python agent's `RawSession` (the same steps, writes, recording and closing phase), with the server's
opening: it answers the request (in the draft the request speaks, however broken the case wants the
answer) instead of sending one, and after the closing handshake it ends TCP itself, as RFC 6455 §7.1.1
says a server does.
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import AsyncIterator
from dataclasses import replace

from wire import Connection, Draft, HandshakeRequest, Response, ServerAccept
from wire import accept as accept_request
from wire.extensions import HEADER as EXTENSIONS_HEADER

from ..cases.model import Answer, Case
from ..run import events as ev
from ..run.engine import moot
from ..run.recorder import Recorder
from ..run.target import Target, Trust
from .link import Link
from .python import PythonDriver, RawSession
from .sending import Encoder


def answer(case: Case, conn: Connection, request: HandshakeRequest) -> tuple[ServerAccept | None, bytes]:
    """Queue the answer the case gives the request, and return it with its bytes: the right 101 of the
    request's draft, or one made wrong on purpose (`answer`: status, headers, hixie-76's MD5 answer, raw
    bytes instead of a head), on which the WebSocket opens on this side all the same, so that a client
    that takes it is seen to. None for a request that is no WebSocket handshake of a draft we speak (the
    rejection it calls for is queued). The right 101 accepts permessage-deflate as the case's `answer.deflate`
    says (a wrong one accepts no extension)."""
    wanted = case.answer
    built = accept_request(request.request, request.key3)
    if not isinstance(built, ServerAccept):
        conn.accept()
        return None, built.to_bytes()
    if replace(wanted, deflate=()) == Answer():
        opened = conn.accept(deflate=wanted.deflate or None)
        assert isinstance(opened, ServerAccept)
        return opened, opened.to_bytes()
    headers = built.response.headers.copy()
    for name, value in wanted.headers:
        headers.set(name, value)
    reason = wanted.reason if wanted.reason is not None else built.response.reason
    response = Response(wanted.status, reason, headers, built.response.version)
    key_answer = wanted.key_answer.to_bytes() if wanted.key_answer is not None else None
    opened = conn.accept(response=response, answer=key_answer)
    assert isinstance(opened, ServerAccept)
    if wanted.raw is None:
        return opened, opened.to_bytes()
    conn.data_to_send()  # only the answer is queued (a client sends no frame before it): raw bytes instead
    raw = wanted.raw.to_bytes()
    conn.send_raw(raw)
    return opened, raw


class ServerSession(RawSession):
    """One case on a connection the subject opened: `request` is its handshake, read already."""

    def __init__(self, case: Case, conn: Connection, recorder: Recorder, link: Link, request: HandshakeRequest):
        super().__init__(case, conn, recorder)
        self.request = request
        self.link = link
        self.obs.side = "server"
        conn.auto_close = case.answer_closes
        link.on_events, link.on_wire, link.on_error = self.record, recorder.wire, self.on_error

    async def open(self) -> bool:
        """Answer the request; the WebSocket is open on this side at once (the client may still refuse the
        answer: then it ends TCP, which the recording sees). The answer leaves in the first write of the
        steps, with the frames they send before any wait, as Autobahn's fuzzing server writes its 101 and
        what the case's onOpen sends (Twisted writes them together): a client then gets a wrong answer and
        what follows it in one read, whatever the machine's load (Firefox ends TCP after a refused answer
        only once more bytes arrive, so two writes made its verdict depend on their timing)."""
        link, obs, conn = self.link, self.obs, self.conn
        assert link is not None
        obs.handshake_request = (self.request.head + self.request.key3).decode("latin-1")
        accepted, sent = answer(self.case, conn, self.request)
        obs.handshake_response = sent.decode("latin-1")
        if accepted is None:
            link.flush()
            obs.handshake_error = f"the request is no WebSocket handshake wsinterop can answer: {sent[:80]!r}"
            return False
        self.pending.append(conn.data_to_send())
        response: Response = accepted.response
        obs.status = response.status
        obs.response_headers = list(response.headers)
        obs.protocol = accepted.accepted.protocol
        obs.extensions = ", ".join(response.headers.get_all(EXTENSIONS_HEADER)) or None
        if moot(self.case, obs):
            # Autobahn's 12.* and 13.*: the client made no offer the case's server accepts; it is closed at once
            offers = ", ".join(self.request.request.headers.get_all(EXTENSIONS_HEADER)) or "no extension"
            obs.unimplemented = f"no permessage-deflate agreed: the client offered {offers}, none this case accepts"
        self.rec.record(ev.Opened(self.t(), accepted.accepted.protocol))
        self.encoder = Encoder(conn, conn.draft)
        return True

    async def end_tcp(self) -> None:
        """The server ends TCP as soon as the closing handshake is over (RFC 6455 §7.1.1): not a drop. A
        peer's close left unanswered on purpose (`answer_closes: false`) is no closing handshake: ending TCP
        then is a drop, the peer's own close timeout having failed to."""
        if self.conn.close_sent is None:
            await self.drop("the peer's close went unanswered, and the peer did not end TCP")
            return
        self.rec.record(ev.Note(self.t(), "wsinterop (the server) ends TCP after the closing handshake"))
        assert self.link is not None
        await self.link.aclose()


class AcceptedDriver(PythonDriver):
    """The python agent's driver for one connection the subject opened (the engine's `run_item` runs a
    case on it), its results kept under the subject's agent name."""

    def __init__(self, agent: str, conn: Connection, link: Link, request: HandshakeRequest) -> None:
        self.name = agent
        self.conn = conn
        self.link = link
        self.request = request

    @property
    def version(self) -> str:
        return f"a client under test, against wsinterop's fuzzing server (Python {platform.python_version()})"

    def certificates(self, trust: Trust) -> str:
        return ""

    @contextlib.asynccontextmanager
    async def session(  # the subject's connection, not a new one to the target
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[ServerSession | None]:
        session = ServerSession(case, self.conn, recorder, self.link, self.request)
        try:
            yield session
        finally:
            await session.stop()
