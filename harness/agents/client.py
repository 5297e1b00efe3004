"""The client's opening handshake over asyncio streams, shared by the python driver and `ping`.

`open_handshake` writes the request of a ClientHandshake, reads the response head (and hixie-76's 16-byte
answer), and returns everything it read, judged: what the server agreed to, or why there is no WebSocket.
It records nothing itself; each caller turns the result into its own events, messages or exit status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from wire import Accepted, ClientHandshake, HandshakeError, HttpError, Response, find_head_end, parse_response

READ_SIZE = 1 << 16

OnWire = Callable[[str, bytes], None]  # ("out" | "in", bytes) for every write and read


@dataclass(frozen=True)
class HandshakeResult:
    """What the server answered. Exactly one case holds:

    - `head` is None: the server closed the connection before a whole response head (`closed`);
    - `error` is an HttpError: the head is not HTTP (`response` is None);
    - `response.status` is not 101: rejected (`rest` holds what came of the body);
    - `error` is a HandshakeError: a 101 that does not fit the request (`closed` when hixie-76's answer
      was cut short by the end of the connection);
    - `accepted`: a WebSocket is open, and `rest` holds the first bytes of its framing.
    """

    head: bytes | None
    response: Response | None = None
    answer: bytes = b""  # hixie-76's 16 bytes after the head; b"" in other drafts
    rest: bytes = b""  # the bytes read after the head and the answer
    accepted: Accepted | None = None
    error: HttpError | HandshakeError | None = None
    closed: bool = False  # the server closed the connection before the handshake was complete


async def open_handshake(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    hs: ClientHandshake,
    *,
    on_wire: OnWire | None = None,
) -> HandshakeResult:
    """Send the request of `hs`, read and check the answer. Transport errors (OSError) propagate; a caller
    wanting a ceiling wraps the call in a timeout."""
    request = hs.to_bytes()
    if on_wire is not None:
        on_wire("out", request)
    writer.write(request)
    await writer.drain()

    async def read() -> bytes:
        data = await reader.read(READ_SIZE)
        if data and on_wire is not None:
            on_wire("in", data)
        return data

    buffer = b""
    while (end := find_head_end(buffer)) is None:
        if not (data := await read()):
            return HandshakeResult(None, closed=True)
        buffer += data
    head, rest = buffer[:end], buffer[end:]
    try:
        response = parse_response(head)
    except HttpError as exc:
        return HandshakeResult(head, rest=rest, error=exc)
    if response.status != 101:
        return HandshakeResult(head, response, rest=rest)
    closed = False
    while len(rest) < hs.answer_size and not closed:
        data = await read()
        closed = not data
        rest += data
    answer, rest = rest[: hs.answer_size], rest[hs.answer_size :]
    try:
        accepted = hs.check(response, answer)
    except HandshakeError as exc:
        return HandshakeResult(head, response, answer, rest, error=exc, closed=closed)
    return HandshakeResult(head, response, answer, rest, accepted)
