"""wire.opening through Connection.client and Connection.server: the opening handshake a chunk at a time,
on both sides and in every draft, and what comes of a broken one."""

from __future__ import annotations

import pytest

from wire import (
    ClientHandshake,
    Close,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
    HandshakeRequest,
    Headers,
    LocalProtocolError,
    Rejection,
    Response,
    ServerAccept,
    State,
    TextMessage,
    parse_response,
)

from .support import ALL_DRAFTS, HYBI_DRAFTS, chunks, split_head

HOST = "example.com"


def request_of(draft: Draft, **build: object) -> ClientHandshake:
    return ClientHandshake.build(draft, HOST, "/chat", protocols=("chat",), **build)  # type: ignore[arg-type]


def served(data: bytes, size: int | None = None, **options: object) -> Connection:
    conn = Connection.server(**options)  # type: ignore[arg-type]
    for part in chunks(data, size or len(data) or 1):
        conn.receive_data(part)
    return conn


# --- server side -------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_request_at_every_chunk_size(draft: Draft) -> None:
    hs = request_of(draft)
    wire = hs.to_bytes()
    for size in range(1, len(wire) + 1):
        conn = served(wire, size)
        events = conn.events()
        assert len(events) == 1 and isinstance(events[0], HandshakeRequest), size
        event = events[0]
        assert event.request == hs.request and event.key3 == hs.key3 and event.head + event.key3 == wire
        assert (event.draft, event.protocols) == (draft, ("chat",))
        assert conn.state is State.CONNECTING and conn.data_to_send() == b""


def test_hixie76_waits_for_its_key3() -> None:
    hs = request_of(Draft.HIXIE_76)
    head = hs.request.serialize()
    conn = served(head + hs.key3[:7])
    assert conn.events() == []
    conn.receive_data(hs.key3[7:] + b"\x00early\xff")
    (event,) = conn.events()
    assert isinstance(event, HandshakeRequest) and event.key3 == hs.key3
    assert isinstance(conn.accept("chat"), ServerAccept)
    assert conn.events() == [TextMessage("early")]  # what came after key3 is framing


def test_a_plain_http_request_waits_for_no_key3() -> None:
    head = b"GET /index.html HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key1: 1 2\r\n\r\n"
    conn = served(head + b"next")
    (event,) = conn.events()
    assert isinstance(event, HandshakeRequest) and event.key3 == b"" and event.head == head
    assert conn.detach() == b"next"
    assert conn.state is State.CLOSED and conn.data_to_send() == b""


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_accept_opens_and_frames_follow(draft: Draft) -> None:
    hs = request_of(draft)
    client = Connection.client(hs)
    server = served(client.data_to_send())
    server.events()
    result = server.accept("chat")
    assert isinstance(result, ServerAccept) and result.accepted.protocol == "chat"
    assert server.state is State.OPEN and server.draft is draft
    server.send_text("first")
    client.receive_data(server.data_to_send())  # the answer and a frame, in one chunk
    accepted, message = client.events()
    assert isinstance(accepted, HandshakeAccepted) and accepted.accepted == result.accepted
    assert message == TextMessage("first")
    assert client.state is State.OPEN


def test_accept_rejects_an_invalid_request() -> None:
    hs = request_of(Draft.RFC6455, overrides={"Sec-WebSocket-Key": "short"})
    conn = served(hs.to_bytes())
    conn.events()
    result = conn.accept("chat")
    assert isinstance(result, Rejection) and result.status == 400
    assert conn.data_to_send() == result.to_bytes()
    assert conn.state is State.CLOSED


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_accept_can_send_a_broken_answer(draft: Draft) -> None:
    hs = request_of(draft)
    conn = served(hs.to_bytes())
    conn.events()
    bad = Response(101, "Switching Protocols", Headers([("Sec-WebSocket-Accept", "wrong")]))
    conn.accept(response=bad)
    assert conn.data_to_send() == bad.serialize()
    assert conn.state is State.OPEN
    client = Connection.client(hs)
    client.data_to_send()
    client.receive_data(bad.serialize())
    (event,) = client.events()
    assert isinstance(event, HandshakeInvalid) and "Upgrade" in event.reason and event.response == bad
    assert client.state is State.FAILED


def test_reject_before_any_request() -> None:
    conn = served(b"GET / HT")
    conn.reject(Rejection(408, "too slow"))
    assert conn.data_to_send().startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert conn.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        conn.reject(Rejection(408, "again"))
    conn.receive_data(b"")  # the client goes: a refused handshake has no framing to end
    assert [type(e) for e in conn.events()] == [ConnectionClosed] and conn.state is State.CLOSED


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        (b"\x16\x03\x01 not http\r\n\r\n", 400, "request line"),
        (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400, "colon"),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 20000, 431, "longer than"),
    ],
)
def test_a_broken_head_is_answered(data: bytes, status: int, text: str) -> None:
    conn = served(data)
    (event,) = conn.events()
    assert isinstance(event, HandshakeInvalid) and event.status == status and text in event.reason
    answer = conn.data_to_send()
    head, body = split_head(answer)
    assert parse_response(head).status == status and text in body.decode()
    assert conn.state is State.FAILED
    conn.receive_data(b"more")
    assert conn.events() == [] and conn.data_to_send() == b""


def test_max_head_is_the_servers() -> None:
    hs = request_of(Draft.RFC6455)
    wire = hs.to_bytes()
    (event,) = served(wire, max_head=len(wire)).events()
    assert isinstance(event, HandshakeRequest)
    (event,) = served(wire, max_head=len(wire) - 1).events()
    assert isinstance(event, HandshakeInvalid) and event.status == 431


def test_nothing_before_the_handshake_is_answered() -> None:
    conn = Connection.server()
    with pytest.raises(LocalProtocolError):
        conn.draft  # noqa: B018
    with pytest.raises(LocalProtocolError):
        conn.send_text("x")
    with pytest.raises(LocalProtocolError):
        conn.accept()
    with pytest.raises(LocalProtocolError):
        conn.detach()
    conn.receive_data(b"")
    assert conn.events() == [ConnectionClosed(False)] and conn.state is State.CLOSED


# --- client side -------------------------------------------------------------------------------------


def answered(hs: ClientHandshake, data: bytes, size: int | None = None) -> Connection:
    conn = Connection.client(hs)
    assert conn.data_to_send() == hs.to_bytes()
    for part in chunks(data, size or len(data) or 1):
        conn.receive_data(part)
    return conn


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_answer_at_every_chunk_size(draft: Draft) -> None:
    hs = request_of(draft)
    server = served(hs.to_bytes())
    server.events()
    server.accept("chat")
    answer = server.data_to_send()
    for size in range(1, len(answer) + 1):
        conn = answered(hs, answer, size)
        (event,) = conn.events()
        assert isinstance(event, HandshakeAccepted) and event.head + event.answer == answer
        assert conn.state is State.OPEN and conn.accepted == event.accepted


def test_a_rejection_carries_what_came_of_its_body() -> None:
    answer = Rejection(403, "go away").to_bytes()
    conn = answered(request_of(Draft.RFC6455), answer)
    (event,) = conn.events()
    assert isinstance(event, HandshakeRejected) and event.response.status == 403
    assert event.body == b"go away\n" and event.head + event.body == answer
    assert conn.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        conn.send_close(1000)


def test_not_http() -> None:
    conn = answered(request_of(Draft.RFC6455), b"SSH-2.0-x\r\n\r\n")
    (event,) = conn.events()
    assert isinstance(event, HandshakeInvalid) and event.response is None and event.head == b"SSH-2.0-x\r\n\r\n"
    assert "status line" in event.reason and conn.state is State.FAILED
    assert conn.data_to_send() == b""  # a client has nothing to answer: it drops TCP


def test_hixie76_answer_cut_short_by_the_end_of_tcp() -> None:
    hs = request_of(Draft.HIXIE_76)
    server = served(hs.to_bytes())
    server.events()
    server.accept("chat")
    answer = server.data_to_send()
    conn = answered(hs, answer[:-4])
    assert conn.events() == []
    conn.receive_data(b"")
    invalid, closed = conn.events()
    assert isinstance(invalid, HandshakeInvalid) and "challenge answer" in invalid.reason
    assert closed == ConnectionClosed(False) and conn.state is State.FAILED


def test_end_of_tcp_before_a_head() -> None:
    conn = answered(request_of(Draft.RFC6455), b"HTTP/1.1 101 Swi")
    conn.receive_data(b"")
    assert conn.events() == [ConnectionClosed(False)] and conn.state is State.CLOSED


def test_a_close_in_the_same_chunk_as_the_answer() -> None:
    hs = request_of(Draft.RFC6455)
    server = served(hs.to_bytes())
    server.events()
    server.accept()
    server.send_close(1001)
    conn = answered(hs, server.data_to_send())
    accepted, close = conn.events()
    assert isinstance(accepted, HandshakeAccepted)
    assert close == CloseReceived(Close(1001), b"\x03\xe9") and conn.state is State.REMOTE_CLOSING
