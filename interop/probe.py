"""Per-draft handshake probe: wire builds the draft's opening handshake, a plain socket sends it,
and the answer is recorded (status line, Sec-WebSocket-Version, selected subprotocol). After a 101, one
text message checks that the peer really speaks the draft (it must come back as an echo)."""

from __future__ import annotations

import contextlib
import re
import socket
import time
from dataclasses import replace

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    ConnectionClosed,
    Draft,
    Event,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
    ProtocolFailure,
    State,
    TextMessage,
    WireError,
)
from wire import Connection as WireConnection

from .model import Probe

TIMEOUT = 3.0
ORIGIN = "http://127.0.0.1"
PROBE_TEXT = "wsinterop probe"


def _read(sock: socket.socket, deadline: float) -> bytes:
    """Some bytes, b"" at EOF; TimeoutError past the deadline."""
    sock.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        return sock.recv(65536)
    except TimeoutError:
        raise
    except ConnectionResetError:
        return b""


def first_line(body: bytes) -> str:
    """The first line of a rejection's body; of an HTML page, its title or first text."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        text = title.group(1) if title else re.sub(r"<[^>]*>", " ", text)
        text = " ".join(text.split())
    return text.splitlines()[0][:120] if text else ""


def probe(
    host: str, port: int, path: str, draft: Draft, protocol: str, timeout: float = TIMEOUT, extensions: str = ""
) -> Probe:
    """Send `draft`'s handshake offering `protocol` (and the extension offer `extensions`, if any); classify
    the answer. With an offer, the test message goes compressed when the answer accepts permessage-deflate."""
    offers = (extensions,) if extensions else ()
    hs = ClientHandshake.build(draft, f"{host}:{port}", path, origin=ORIGIN, protocols=(protocol,), extensions=offers)
    conn = WireConnection.client(hs)
    name = draft.value
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return Probe(name, "refused", detail=f"cannot connect: {exc.strerror or exc}")
    with sock:
        deadline = time.monotonic() + timeout
        received = b""  # what came, for the first line of an answer cut short
        gave_up = False
        try:
            sock.sendall(conn.data_to_send())
            while conn.state is State.CONNECTING:
                data = _read(sock, deadline)
                received += data
                conn.receive_data(data)  # b"" (EOF) ends the handshake too
        except TimeoutError:
            gave_up = True
            conn.receive_data(b"")  # give up: judge what came, as if the connection had ended
        except OSError as exc:
            return Probe(name, "closed", detail=str(exc.strerror or exc))
        first, *after = conn.events()
        if isinstance(first, ConnectionClosed):
            if gave_up:
                return Probe(name, "timeout", detail=f"no answer within {timeout:g} s")
            return Probe(name, "closed", detail=first_line(received))
        if isinstance(first, HandshakeInvalid) and first.response is None:
            return Probe(name, "invalid", detail=f"not an HTTP answer: {first.reason}")
        assert isinstance(first, HandshakeAccepted | HandshakeRejected | HandshakeInvalid)
        response = first.response
        assert response is not None
        versions = response.headers.get("Sec-WebSocket-Version")
        selected = response.headers.get("Sec-WebSocket-Protocol") or response.headers.get("WebSocket-Protocol")
        base = Probe(name, "accepted", response.status, response.reason, versions, selected)
        if extensions:
            base = replace(base, extensions=response.headers.get("Sec-WebSocket-Extensions") or "")
        if isinstance(first, HandshakeRejected):
            body = first.body
            with contextlib.suppress(TimeoutError, OSError):  # a little more of the body, for the reason text
                body += _read(sock, min(deadline, time.monotonic() + 0.3))
            return replace(base, outcome="rejected", detail=first_line(body))
        if isinstance(first, HandshakeInvalid):
            detail = "the 16-byte hixie-76 answer did not arrive" if gave_up else first.reason
            return replace(base, outcome="invalid", detail=detail)
        return replace(base, echo=_echo(sock, conn, after, timeout))


def _outcome(events: list[Event]) -> str | None:
    for event in events:
        if isinstance(event, TextMessage):
            return "echoed" if event.data == PROBE_TEXT else f"answered {event.data[:30]!r}"
        if isinstance(event, BinaryMessage):
            return "answered with a binary message"
        if isinstance(event, CloseReceived):
            return f"no echo: closed with {event.code}"
        if isinstance(event, ProtocolFailure):
            return f"no echo: unreadable answer ({event.reason})"
        if isinstance(event, ConnectionClosed):
            return "no echo: TCP closed"
    return None


def _echo(sock: socket.socket, conn: WireConnection, events: list[Event], timeout: float) -> str:
    """Send one text message on `conn` (`events`: what came with the handshake) and say what came back."""
    deadline = time.monotonic() + timeout
    outcome: str | None = None
    try:
        conn.send_text(PROBE_TEXT)
        sock.sendall(conn.data_to_send())
        while (outcome := _outcome(events)) is None:
            conn.receive_data(_read(sock, deadline))  # b"" (EOF) becomes ConnectionClosed
            events = conn.events()
    except TimeoutError:
        outcome = f"no echo within {timeout:g} s"
    except OSError as exc:
        outcome = f"no echo: {exc.strerror or exc}"
    if conn.info.close_codes or conn.info.closing is Closing.SENTINEL:
        with contextlib.suppress(OSError, WireError):
            conn.send_close(1000 if conn.info.close_codes else None)
            sock.sendall(conn.data_to_send())
    return outcome
