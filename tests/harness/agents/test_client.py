"""harness.agents.client: the client's opening handshake over asyncio streams, against peers that answer anything."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from harness.agents.client import HandshakeResult, open_handshake
from wire import ClientHandshake, Draft, HandshakeError, HttpError, Request, ServerAccept, accept, key3_size

from .. import peers
from ..peers import Handler, Link, Peer

TIMEOUT = 10.0  # a ceiling, never a wait
FIRST = b"\x81\x02hi"  # bytes right after the handshake: the first frame
REJECTED = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\nno thanks\n"

Log = list[tuple[str, bytes]]


def accepting(request: Request, rest: bytes) -> bytes:
    """The reference server's answer (the first offered subprotocol), head and hixie-76 answer."""
    answer = accept(request, rest[: key3_size(request)], select_protocol=lambda offered: offered[0])
    assert isinstance(answer, ServerAccept)
    return answer.to_bytes()


def answering(reply: Callable[[Request, bytes], bytes]) -> Handler:
    """Read the request (and key3), send `reply(request, key3 and after)` in one write, then close."""

    async def handle(link: Link) -> None:
        link.send(reply(*await link.read_request()))

    return handle


async def shake(handler: Handler, draft: Draft = Draft.RFC6455) -> tuple[HandshakeResult, ClientHandshake, Log]:
    wire: Log = []
    async with Peer(handler) as peer:
        reader, writer = await asyncio.open_connection("127.0.0.1", peer.port)
        hs = ClientHandshake.build(draft, f"127.0.0.1:{peer.port}", "/", protocols=("echo",))
        try:
            result = await asyncio.wait_for(
                open_handshake(reader, writer, hs, on_wire=lambda way, data: wire.append((way, data))), TIMEOUT
            )
        finally:
            writer.close()
    return result, hs, wire


@pytest.mark.parametrize("draft", list(Draft))
async def test_accepted_in_every_draft_with_the_first_frame(draft: Draft) -> None:
    result, hs, wire = await shake(answering(lambda request, rest: accepting(request, rest) + FIRST), draft)
    assert result.accepted is not None
    assert (result.accepted.draft, result.accepted.protocol) == (draft, "echo")
    assert (result.error, result.closed, result.rest) == (None, False, FIRST)
    assert result.response is not None and result.response.status == 101
    assert result.head is not None and result.head.endswith(b"\r\n\r\n")
    assert len(result.answer) == hs.answer_size
    # on_wire saw the request, then every byte read: the head, the answer and what came with them
    assert wire[0] == ("out", hs.to_bytes())
    assert {way for way, _ in wire[1:]} == {"in"}
    assert b"".join(data for _, data in wire[1:]) == result.head + result.answer + FIRST


async def test_closed_before_a_whole_head() -> None:
    result, _, wire = await shake(answering(lambda *_: b"HTTP/1.1 101 Switch"))
    assert (result.head, result.response, result.accepted, result.error, result.closed) == (
        None,
        None,
        None,
        None,
        True,
    )
    assert wire[1:] == [("in", b"HTTP/1.1 101 Switch")]


async def test_an_answer_that_is_not_http() -> None:
    result, _, _ = await shake(peers.not_http)
    assert isinstance(result.error, HttpError)
    assert (result.head, result.response, result.accepted, result.closed) == (peers.NOT_HTTP, None, None, False)


async def test_a_rejection_keeps_its_body() -> None:
    result, _, _ = await shake(answering(lambda *_: REJECTED))
    assert result.response is not None
    assert (result.response.status, result.response.reason) == (403, "Forbidden")
    assert (result.rest, result.accepted, result.error) == (b"no thanks\n", None, None)


async def test_a_101_that_does_not_fit_the_request() -> None:
    result, _, _ = await shake(peers.wrong_accept)
    assert isinstance(result.error, HandshakeError)
    assert result.error.reason.startswith(f"Sec-WebSocket-Accept is '{peers.BAD_ACCEPT}'")
    assert (result.accepted, result.closed) == (None, False)


async def test_a_hixie_76_answer_cut_short_by_the_end_of_the_connection() -> None:
    result, _, _ = await shake(answering(lambda request, rest: accepting(request, rest)[:-10]), Draft.HIXIE_76)
    assert isinstance(result.error, HandshakeError)
    assert result.error.reason.startswith("challenge answer is ")
    assert (len(result.answer), result.accepted, result.closed) == (6, None, True)
