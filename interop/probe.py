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
    HandshakeError,
    HttpError,
    ProtocolFailure,
    Side,
    TextMessage,
    WireError,
    find_head_end,
    parse_response,
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


def probe(host: str, port: int, path: str, draft: Draft, protocol: str, timeout: float = TIMEOUT) -> Probe:
    """Send `draft`'s handshake offering `protocol`; classify the answer."""
    hs = ClientHandshake.build(draft, f"{host}:{port}", path, origin=ORIGIN, protocols=(protocol,))
    name = draft.value
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return Probe(name, "refused", detail=f"cannot connect: {exc.strerror or exc}")
    with sock:
        deadline = time.monotonic() + timeout
        buffer = b""
        try:
            sock.sendall(hs.to_bytes())
            while (end := find_head_end(buffer)) is None:
                data = _read(sock, deadline)
                if not data:
                    return Probe(name, "closed", detail=first_line(buffer))
                buffer += data
            response = parse_response(buffer[:end])
        except TimeoutError:
            return Probe(name, "timeout", detail=f"no answer within {timeout:g} s")
        except HttpError as exc:
            return Probe(name, "invalid", detail=f"not an HTTP answer: {exc.reason}")
        except OSError as exc:
            return Probe(name, "closed", detail=str(exc.strerror or exc))
        versions = response.headers.get("Sec-WebSocket-Version")
        selected = response.headers.get("Sec-WebSocket-Protocol") or response.headers.get("WebSocket-Protocol")
        base = Probe(name, "accepted", response.status, response.reason, versions, selected)
        if response.status != 101:
            body = buffer[end:]
            with contextlib.suppress(TimeoutError, OSError):  # a little more of the body, for the reason text
                body += _read(sock, min(deadline, time.monotonic() + 0.3))
            return replace(base, outcome="rejected", detail=first_line(body))
        try:
            while len(buffer) < end + hs.answer_size:
                data = _read(sock, deadline)
                if not data:
                    break
                buffer += data
            answer = buffer[end : end + hs.answer_size]
            hs.check(response, answer)
        except HandshakeError as exc:
            return replace(base, outcome="invalid", detail=exc.reason)
        except (TimeoutError, OSError):
            return replace(base, outcome="invalid", detail="the 16-byte hixie-76 answer did not arrive")
        echo = _echo(sock, draft, buffer[end + hs.answer_size :], timeout)
        return replace(base, echo=echo)


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


def _echo(sock: socket.socket, draft: Draft, rest: bytes, timeout: float) -> str:
    """Send one text message in `draft` and say what came back."""
    conn = WireConnection(draft, Side.CLIENT)
    deadline = time.monotonic() + timeout
    outcome: str | None = None
    try:
        conn.send_text(PROBE_TEXT)
        sock.sendall(conn.data_to_send())
        if rest:
            conn.receive_data(rest)
        while (outcome := _outcome(conn.events())) is None:
            conn.receive_data(_read(sock, deadline))  # b"" (EOF) becomes ConnectionClosed
    except TimeoutError:
        outcome = f"no echo within {timeout:g} s"
    except OSError as exc:
        outcome = f"no echo: {exc.strerror or exc}"
    if conn.info.close_codes or conn.info.closing is Closing.SENTINEL:
        with contextlib.suppress(OSError, WireError):
            conn.send_close(1000 if conn.info.close_codes else None)
            sock.sendall(conn.data_to_send())
    return outcome
