"""The Connection state machine: conversations of every draft in memory, strict receive, failures."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import (
    BinaryMessage,
    Close,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Family,
    Fragment,
    Frame,
    FrameParser,
    Ignored,
    Kind,
    LocalProtocolError,
    Ping,
    Pong,
    ProtocolFailure,
    Side,
    State,
    TextMessage,
    close_payload,
    encode,
    parse_close,
)

from .support import ALL_DRAFTS, HIXIE_DRAFTS, HYBI07_DRAFTS, HYBI_DRAFTS, chunks, fixed_mask, link, split_at

KEY = bytes.fromhex("37fa213d")
TEXTS = ["Hello", "", "κόσμε", "x" * 70000]


def state(conn: Connection) -> State:
    """The state, read through a call (mypy would otherwise keep it narrowed across method calls)."""
    return conn.state


def op(draft: Draft, kind: Kind) -> int:
    return draft.info.opcode(kind)


def from_client(draft: Draft, frame: Frame) -> bytes:
    """A frame as a client puts it on the wire (masked in the hybi drafts)."""
    if draft.info.family is not Family.HIXIE and frame.mask is None:
        frame = Frame(frame.opcode, frame.payload, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3, KEY)
    return encode(frame, draft.info.family)


def server(draft: Draft, **options: object) -> Connection:
    return Connection(draft, Side.SERVER, **options)  # type: ignore[arg-type]


def sent_close(conn: Connection) -> tuple[int | None, str] | None:
    """The close frame `conn` queued (parsed as its peer would), or None when it queued nothing."""
    data = conn.data_to_send()
    if not data:
        return None
    peer_masked = conn.side is Side.CLIENT
    frames = FrameParser(conn.draft, masked=peer_masked).feed(data)
    assert len(frames) == 1
    (frame,) = frames
    if conn.info.family is Family.HIXIE:
        assert frame == Frame(0xFF, b"")
        return None, ""
    assert frame.opcode == op(conn.draft, Kind.CLOSE)
    code = int.from_bytes(frame.payload[:2], "big") if frame.payload else None
    return code, frame.payload[2:].decode("utf-8", "replace")


# --- conversations -----------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_texts_both_ways(draft: Draft) -> None:
    ln = link(draft)
    for text in TEXTS:
        ln.client.send_text(text)
        ln.server.send_text(text[::-1])
    client_events, server_events = ln.take()
    assert server_events == [TextMessage(t) for t in TEXTS]
    assert client_events == [TextMessage(t[::-1]) for t in TEXTS]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_binaries_both_ways(draft: Draft) -> None:
    ln = link(draft)
    payloads = [b"", b"\x00\xff" * 10, bytes(range(256)) * 300]
    for data in payloads:
        ln.client.send_binary(data)
        ln.server.send_binary(data[::-1])
    client_events, server_events = ln.take()
    assert server_events == [BinaryMessage(d) for d in payloads]
    assert client_events == [BinaryMessage(d[::-1]) for d in payloads]


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_has_no_binary_or_ping(draft: Draft) -> None:
    ln = link(draft)
    with pytest.raises(LocalProtocolError, match="binary"):
        ln.client.send_binary(b"x")
    with pytest.raises(LocalProtocolError, match="ping"):
        ln.client.send_ping()
    with pytest.raises(LocalProtocolError, match="pong"):
        ln.server.send_pong()
    assert ln.client.data_to_send() == b""


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fragmented_messages(draft: Draft) -> None:
    ln = link(draft, frames=True)
    ln.client.send_text("κόσμε", fragment_size=3)  # splits inside characters
    ln.server.send_binary(b"abcdefg", fragment_size=2)
    client_events, server_events = ln.take()
    fragments = [e for e in server_events if isinstance(e, Fragment)]
    assert [(f.kind, f.first, f.fin) for f in fragments] == [(Kind.TEXT, True, False)] + [
        (Kind.TEXT, False, False)
    ] * 2 + [(Kind.TEXT, False, True)]
    assert [f.frame.opcode for f in fragments] == [op(draft, Kind.TEXT)] + [0] * 3
    assert b"".join(f.frame.payload for f in fragments) == "κόσμε".encode()
    assert server_events[-1] == TextMessage("κόσμε", frames=4)
    assert client_events[-1] == BinaryMessage(b"abcdefg", frames=4)
    assert sum(isinstance(e, Fragment) for e in client_events) == 4


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_control_frames_between_fragments(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(
        from_client(draft, Frame(op(draft, Kind.TEXT), b"He", fin=False))
        + from_client(draft, Frame(op(draft, Kind.PING), b"p"))
        + from_client(draft, Frame(0, b"llo"))
    )
    assert conn.events() == [Ping(b"p"), TextMessage("Hello", frames=2)]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_frames_only_without_assembly(draft: Draft) -> None:
    ln = link(draft, assemble=False, frames=True)
    ln.client.send_text("abc", fragment_size=2)
    _, server_events = ln.take()
    assert [type(e) for e in server_events] == [Fragment, Fragment]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_ping_pong(draft: Draft) -> None:
    ln = link(draft)
    ln.client.send_ping(b"from client")
    ln.server.send_ping(b"")
    client_events, server_events = ln.take()
    assert server_events == [Ping(b"from client"), Pong(b"")]
    assert client_events == [Ping(b""), Pong(b"from client")]
    ln.server.send_pong(b"unsolicited")
    client_events, server_events = ln.take()
    assert client_events == [Pong(b"unsolicited")]
    assert server_events == []


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_no_auto_pong(draft: Draft) -> None:
    ln = link(draft, auto_pong=False)
    ln.client.send_ping(b"x")
    client_events, server_events = ln.take()
    assert server_events == [Ping(b"x")]
    assert client_events == []


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("initiator", ["client", "server"])
def test_closing_handshake(draft: Draft, initiator: str) -> None:
    ln = link(draft)
    first, second = (ln.client, ln.server) if initiator == "client" else (ln.server, ln.client)
    first.send_close(1000, "bye")
    assert state(first) is State.LOCAL_CLOSING and first.close_sent == Close(1000, "bye")
    client_events, server_events = ln.take()
    first_events, second_events = (
        (client_events, server_events) if initiator == "client" else (server_events, client_events)
    )
    assert second_events == [CloseReceived(Close(1000, "bye"), close_payload(1000, "bye"))]
    assert first_events == [CloseReceived(Close(1000, ""), close_payload(1000))]
    for conn in (first, second):
        assert state(conn) is State.CLOSED
        assert conn.close_sent is not None and conn.close_received is not None
        assert conn.close_received.code == 1000 and conn.close_sent.code == 1000
        conn.receive_data(b"")
        assert conn.events() == [ConnectionClosed(clean=True)]


@pytest.mark.parametrize("draft", [d for d in ALL_DRAFTS if d is not Draft.HIXIE_75])
def test_close_reply_follows_the_callers_replies(draft: Draft) -> None:
    """auto_close answers in the next data_to_send(), after what the caller sent for earlier events."""
    conn = server(draft)
    close = Frame(0xFF, b"") if draft in HIXIE_DRAFTS else Frame(op(draft, Kind.CLOSE), close_payload(1000))
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"echo me")) + from_client(draft, close))
    events = conn.events()
    assert events[0] == TextMessage("echo me") and isinstance(events[1], CloseReceived)
    assert state(conn) is State.REMOTE_CLOSING and conn.close_sent is None
    conn.send_text("echo me")
    peer = FrameParser(draft, masked=False)
    frames = peer.feed(conn.data_to_send())
    assert [f.payload for f in frames] == [b"echo me", close.payload]
    assert state(conn) is State.CLOSED and conn.close_sent == conn.close_received
    assert conn.data_to_send() == b""


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_close_without_code(draft: Draft) -> None:
    ln = link(draft)
    ln.client.send_close()
    client_events, server_events = ln.take()
    assert server_events == [CloseReceived(Close(None, ""), b"")]
    assert client_events == [CloseReceived(Close(None, ""), b"")]


def test_hixie76_closing_handshake() -> None:
    ln = link(Draft.HIXIE_76)
    ln.client.send_text("last")
    ln.client.send_close()
    assert state(ln.client) is State.LOCAL_CLOSING
    client_events, server_events = ln.take()
    assert server_events == [TextMessage("last"), CloseReceived(Close(None, ""), b"")]
    assert client_events == [CloseReceived(Close(None, ""), b"")]
    assert state(ln.client) is State.CLOSED and state(ln.server) is State.CLOSED


def test_hixie76_close_bytes() -> None:
    client = Connection(Draft.HIXIE_76, Side.CLIENT)
    client.send_close(1000, "ignored")
    assert client.data_to_send() == b"\xff\x00"


def test_hixie75_ends_by_transport_close() -> None:
    ln = link(Draft.HIXIE_75)
    ln.client.send_text("bye")
    ln.client.send_close()
    assert state(ln.client) is State.CLOSED  # nothing to wait for
    assert ln.client.data_to_send() == b"\x00bye\xff"
    ln.server.receive_data(b"\x00bye\xff")
    ln.server.receive_data(b"")
    assert ln.server.events() == [TextMessage("bye"), ConnectionClosed(clean=True)]
    assert state(ln.server) is State.CLOSED
    ln.client.receive_data(b"")
    assert ln.client.events() == [ConnectionClosed(clean=True)]


def test_hixie75_ignores_ff00() -> None:
    conn = server(Draft.HIXIE_75)
    conn.receive_data(b"\xff\x00\x00a\xff")
    assert conn.events() == [Ignored(Frame(0xFF, b"")), TextMessage("a")]
    assert state(conn) is State.OPEN


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_ignores_other_frame_types_and_replaces_bad_utf8(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(b"\x01abc\xff\x80\x02xy\x00a\xfe\xff")
    assert conn.events() == [Ignored(Frame(0x01, b"abc")), Ignored(Frame(0x80, b"xy")), TextMessage("a\ufffd")]


@pytest.mark.parametrize("draft", [d for d in ALL_DRAFTS if d is not Draft.HIXIE_75])
def test_transport_lost_before_closing_is_unclean(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(b"")
    assert conn.events() == [ConnectionClosed(clean=False)]
    assert state(conn) is State.CLOSED
    closing = server(draft)
    closing.send_close(1000)
    closing.receive_data(b"")
    assert closing.events() == [ConnectionClosed(clean=False)]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_no_auto_close(draft: Draft) -> None:
    ln = link(draft, auto_close=False)
    ln.client.send_close(1001)
    _, server_events = ln.take()
    assert server_events == [CloseReceived(Close(1001, ""), close_payload(1001))]
    assert state(ln.server) is State.REMOTE_CLOSING and ln.server.close_sent is None
    ln.server.send_close(1000)
    assert state(ln.server) is State.CLOSED


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_nothing_after_close(draft: Draft) -> None:
    conn = Connection(draft, Side.CLIENT)
    conn.send_close(1000)
    with pytest.raises(LocalProtocolError):
        conn.send_text("late")
    with pytest.raises(LocalProtocolError, match="close already sent"):
        conn.send_close(1000)
    if draft.info.has_ping:
        with pytest.raises(LocalProtocolError):
            conn.send_ping()


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_data_after_close_received_is_ignored(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.CLOSE), close_payload(1000))))
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"late")))
    assert conn.events() == [CloseReceived(Close(1000, ""), close_payload(1000))]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_frames_after_close_in_the_same_chunk_are_ignored(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(
        from_client(draft, Frame(op(draft, Kind.CLOSE), b"")) + from_client(draft, Frame(op(draft, Kind.TEXT), b"late"))
    )
    assert conn.events() == [CloseReceived(Close(None, ""), b"")]


# --- exact bytes on the wire -------------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_client_masks_and_server_does_not(draft: Draft) -> None:
    client = Connection(draft, Side.CLIENT, mask_source=fixed_mask(KEY))
    client.send_text("Hello")
    assert client.data_to_send() == bytes.fromhex("818537fa213d7f9f4d5158")
    srv = server(draft)
    srv.send_text("Hello")
    srv.send_ping(b"Hello")
    assert srv.data_to_send() == bytes.fromhex("810548656c6c6f890548656c6c6f")
    client.send_text("Hello", fragment_size=3)
    assert client.data_to_send() == bytes.fromhex("018337fa213d7f9f4d") + bytes.fromhex("808237fa213d5b95")


def test_hybi06_client_masks_whole_frame() -> None:
    client = Connection(Draft.HYBI_06, Side.CLIENT, mask_source=fixed_mask(bytes.fromhex("00000100")))
    client.send_text("Hello")
    assert client.data_to_send() == bytes.fromhex("00000100840549656c6c6e")


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_text_bytes(draft: Draft) -> None:
    client = Connection(draft, Side.CLIENT)
    client.send_text("Hello")
    assert client.data_to_send() == bytes.fromhex("0048656c6c6fff")


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_send_frame_raw_tools(draft: Draft) -> None:
    client = Connection(draft, Side.CLIENT, mask_source=fixed_mask(KEY))
    client.send_frame_unmasked(Frame(0x1, b"Hello"))
    client.send_frame(Frame(0xB, b"", rsv2=True), declared_length=3)
    client.send_raw(b"\x00\x01")
    assert client.data_to_send() == bytes.fromhex("810548656c6c6f") + bytes.fromhex("ab8337fa213d") + b"\x00\x01"
    assert client.data_to_send() == b""


# --- strict receive: each rule, with the close code it fails with ------------------------------------


def assert_fails(
    conn: Connection,
    data: bytes,
    code: int | None,
    text: str,
    *,
    before: list[Event] = (),  # type: ignore[assignment]
    peer_close_code: int | None = None,
) -> None:
    conn.receive_data(data)
    events = conn.events()
    assert events[:-1] == list(before)
    failure = events[-1]
    assert isinstance(failure, ProtocolFailure), events
    assert failure.code == code
    assert failure.peer_close_code == peer_close_code
    assert text in failure.reason
    assert state(conn) is State.FAILED
    expected_close = None if conn.info.closing.value == "tcp" else (code, "")
    assert sent_close(conn) == expected_close
    conn.receive_data(from_client(conn.draft, Frame(0x00, b"more")))  # ignored once failed
    assert conn.events() == []
    conn.receive_data(b"")
    assert conn.events() == [ConnectionClosed(clean=False)]
    assert state(conn) is State.FAILED


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("bit", ["rsv1", "rsv2", "rsv3"])
def test_fail_reserved_bits(draft: Draft, bit: str) -> None:
    frame = Frame(op(draft, Kind.TEXT), b"x", **{bit: True})  # type: ignore[arg-type]
    assert_fails(server(draft), from_client(draft, frame), 1002, "reserved bits")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_reserved_opcodes(draft: Draft) -> None:
    for opcode in draft.info.reserved_opcodes():
        assert_fails(server(draft), from_client(draft, Frame(opcode, b"")), 1002, "reserved opcode")


def test_opcode_3_is_pong_in_hybi06_only() -> None:
    conn = server(Draft.HYBI_06)
    conn.receive_data(from_client(Draft.HYBI_06, Frame(0x3, b"p")))
    assert conn.events() == [Pong(b"p")]
    assert_fails(server(Draft.RFC6455), from_client(Draft.RFC6455, Frame(0x3, b"p")), 1002, "reserved opcode")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("kind", [Kind.PING, Kind.PONG, Kind.CLOSE])
def test_fail_fragmented_control(draft: Draft, kind: Kind) -> None:
    frame = Frame(op(draft, kind), b"", fin=False)
    assert_fails(server(draft), from_client(draft, frame), 1002, "fragmented")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("kind", [Kind.PING, Kind.PONG, Kind.CLOSE])
def test_fail_control_payload_over_125(draft: Draft, kind: Kind) -> None:
    payload = close_payload(1000, "a" * 123) if kind is Kind.CLOSE else b"a" * 125
    ok = server(draft)
    ok.receive_data(from_client(draft, Frame(op(draft, kind), payload)))
    assert not any(isinstance(e, ProtocolFailure) for e in ok.events())
    frame = Frame(op(draft, kind), payload + b"a")
    assert_fails(server(draft), from_client(draft, frame), 1002, "at most 125")


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_fail_unmasked_client_frame(draft: Draft) -> None:
    data = encode(Frame(0x1, b"Hello"), Family.HYBI07)
    assert_fails(server(draft), data, 1002, "unmasked")


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_fail_masked_server_frame(draft: Draft) -> None:
    data = encode(Frame(0x1, b"Hello", mask=KEY), Family.HYBI07)
    assert_fails(Connection(draft, Side.CLIENT), data, 1002, "masked frame from a server")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_continuation_without_start(draft: Draft) -> None:
    assert_fails(server(draft), from_client(draft, Frame(0x0, b"x")), 1002, "continuation")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.BINARY])
def test_fail_new_message_during_fragmented_message(draft: Draft, kind: Kind) -> None:
    data = from_client(draft, Frame(op(draft, Kind.BINARY), b"a", fin=False)) + from_client(
        draft, Frame(op(draft, kind), b"b")
    )
    assert_fails(server(draft), data, 1002, "in progress")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_invalid_utf8_single_frame(draft: Draft) -> None:
    data = from_client(draft, Frame(op(draft, Kind.TEXT), b"ok\xff"))
    assert_fails(server(draft), data, draft.info.invalid_data_code, "UTF-8")
    assert draft.info.invalid_data_code == (1007 if draft in (Draft.HYBI_08, Draft.RFC6455) else 1002)


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_invalid_utf8_fast_across_fragments_autobahn_6_4_1(draft: Draft) -> None:
    conn = server(draft, frames=True)
    first = Frame(op(draft, Kind.TEXT), b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", fin=False)
    conn.receive_data(from_client(draft, first))
    events = conn.events()
    assert len(events) == 1 and isinstance(events[0], Fragment)
    # the frame with F4 90 80 80 fails at once, although it is not the last one
    bad = from_client(draft, Frame(0x0, b"\xf4\x90\x80\x80", fin=False))
    assert_fails(conn, bad, draft.info.invalid_data_code, "UTF-8")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_invalid_utf8_fast_split_sequence_autobahn_6_4_2(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"\xce\xba\xe1\xbd\xb9\xcf\x83\xf4", fin=False)))
    assert conn.events() == []
    assert_fails(conn, from_client(draft, Frame(0x0, b"\x90", fin=False)), draft.info.invalid_data_code, "UTF-8")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_surrogate_at_its_second_byte(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"a\xed", fin=False)))
    assert conn.events() == []
    assert_fails(conn, from_client(draft, Frame(0x0, b"\xa0", fin=False)), draft.info.invalid_data_code, "surrogate")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_truncated_utf8_at_message_end(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"a\xce", fin=False)))
    assert conn.events() == []
    assert_fails(conn, from_client(draft, Frame(0x0, b"")), draft.info.invalid_data_code, "UTF-8")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_utf8_valid_across_fragments(draft: Draft) -> None:
    conn = server(draft)
    text = "κόσμε𝄞".encode()
    conn.receive_data(
        b"".join(
            from_client(draft, Frame(0x0 if i else op(draft, Kind.TEXT), bytes([b]), fin=i == len(text) - 1))
            for i, b in enumerate(text)
        )
    )
    assert conn.events() == [TextMessage("κόσμε𝄞", frames=len(text))]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_binary_is_not_utf8_checked(draft: Draft) -> None:
    conn = server(draft)
    conn.receive_data(from_client(draft, Frame(op(draft, Kind.BINARY), b"\xff\xed\xa0")))
    assert conn.events() == [BinaryMessage(b"\xff\xed\xa0")]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_close_payload_of_one_byte(draft: Draft) -> None:
    assert_fails(server(draft), from_client(draft, Frame(op(draft, Kind.CLOSE), b"\x03")), 1002, "1-byte")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000])
def test_fail_invalid_close_codes(draft: Draft, code: int) -> None:
    data = from_client(draft, Frame(op(draft, Kind.CLOSE), close_payload(code)))
    if code == 1004 and draft is not Draft.RFC6455:  # valid in hybi-06..08, reserved in RFC 6455
        conn = server(draft)
        conn.receive_data(data)
        assert conn.events() == [CloseReceived(Close(1004, ""), close_payload(1004))]
        assert sent_close(conn) == (1004, "")
        return
    assert_fails(server(draft), data, 1002, f"invalid close code {code}", peer_close_code=code)


@pytest.mark.parametrize(
    ("draft", "code"), [(Draft.RFC6455, 1007), (Draft.HYBI_08, 1007), (Draft.HYBI_07, 1002), (Draft.HYBI_06, 1002)]
)
def test_fail_close_reason_invalid_utf8(draft: Draft, code: int) -> None:
    data = from_client(draft, Frame(op(draft, Kind.CLOSE), close_payload(1000, b"\xce")))
    assert_fails(server(draft), data, code, "close reason", peer_close_code=1000)


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_fail_frame_too_big(draft: Draft) -> None:
    ok = server(draft, max_frame_size=100)
    ok.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"a" * 100)))
    assert ok.events() == [TextMessage("a" * 100)]
    data = from_client(draft, Frame(op(draft, Kind.TEXT), b"a" * 101))
    expected = {Draft.RFC6455: 1009, Draft.HYBI_08: 1004, Draft.HYBI_07: 1004, Draft.HYBI_06: 1004}.get(draft)
    assert_fails(server(draft, max_frame_size=100), data, expected, "exceeds")


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_fail_message_too_big(draft: Draft) -> None:
    ok = server(draft, max_message_size=10)
    ok.receive_data(from_client(draft, Frame(op(draft, Kind.TEXT), b"a" * 10)))
    assert ok.events() == [TextMessage("a" * 10)]
    expected = {Draft.RFC6455: 1009, Draft.HYBI_08: 1004, Draft.HYBI_07: 1004, Draft.HYBI_06: 1004}.get(draft)
    if draft.info.has_fragmentation:
        conn = server(draft, max_message_size=10)
        conn.receive_data(from_client(draft, Frame(op(draft, Kind.BINARY), b"a" * 6, fin=False)))
        assert conn.events() == []
        assert_fails(conn, from_client(draft, Frame(0x0, b"a" * 5)), expected, "message of more than 10")
    else:
        data = from_client(draft, Frame(op(draft, Kind.TEXT), b"a" * 11))
        assert_fails(server(draft, max_message_size=10), data, expected, "message of more than 10")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fail_64bit_length_with_msb(draft: Draft) -> None:
    header = b"\x82\xff" + (1 << 63 | 5).to_bytes(8, "big") + KEY
    if draft.info.family is Family.HYBI06:
        header = KEY + bytes(
            a ^ b for a, b in zip(b"\x82\x7f" + (1 << 63 | 5).to_bytes(8, "big"), KEY * 3, strict=False)
        )
    assert_fails(server(draft), header, 1002, "most significant bit")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_messages_before_a_broken_frame_are_delivered(draft: Draft) -> None:
    good = from_client(draft, Frame(op(draft, Kind.TEXT), b"Hello"))
    bad = from_client(draft, Frame(op(draft, Kind.BINARY), b"a" * 101))
    conn = server(draft, max_frame_size=100)
    assert_fails(conn, good + bad, draft.info.too_big_code, "exceeds", before=[TextMessage("Hello")])


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_failure_codes(draft: Draft) -> None:
    conn = server(draft, max_frame_size=3)
    assert_fails(conn, b"\x00abcd", None, "exceeds")


def test_lenient_receive_accepts_what_strict_rejects() -> None:
    draft = Draft.RFC6455
    conn = server(draft, strict=False)
    conn.receive_data(
        encode(Frame(0x1, b"\xff", rsv1=True), Family.HYBI07)  # unmasked, reserved bit, invalid UTF-8
        + from_client(draft, Frame(0x3, b"x"))
        + from_client(draft, Frame(0x9, b"p" * 200, fin=False))
        + from_client(draft, Frame(0x8, close_payload(5000, b"\xff")))
    )
    assert conn.events() == [
        TextMessage("\ufffd"),
        Ignored(Frame(0x3, b"x", mask=KEY)),
        Ping(b"p" * 200),
        CloseReceived(Close(5000, "\ufffd"), close_payload(5000, b"\xff")),
    ]
    out = FrameParser(draft, masked=False).feed(conn.data_to_send())
    assert [f.opcode for f in out] == [0xA, 0x8]  # the 200-byte pong, then the echoed close
    assert out[1].payload == close_payload(5000, b"\xff")[:2]
    assert state(conn) is State.CLOSED


def test_fail_is_idempotent_and_hixie75_sends_nothing() -> None:
    conn = server(Draft.HIXIE_75)
    conn.fail(None, "first")
    conn.fail(None, "second")
    assert conn.events() == [ProtocolFailure(None, "first")]
    assert conn.data_to_send() == b""


# --- chunking never changes what happens -------------------------------------------------------------


def _client_stream(draft: Draft) -> bytes:
    if draft.info.family is Family.HIXIE:
        return b"\x00Hello\xff\x80\x02ab\x00\xce\xba\xff\x00" + b"x" * 130 + b"\xff\xff\x00\x00late\xff"
    t, b, p = op(draft, Kind.TEXT), op(draft, Kind.BINARY), op(draft, Kind.PING)
    frames = [
        Frame(t, "κό".encode(), fin=False),
        Frame(p, b"ping"),
        Frame(0, "σμε".encode()),
        Frame(b, bytes(200)),
        Frame(t, b"\xce\xba\xe1\xbd\xb9", fin=False),
        Frame(0, b"\xcf\x83\xf4\x90\x80\x80", fin=False),
        Frame(0, b"never"),
    ]
    return b"".join(from_client(draft, f) for f in frames)


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_events_do_not_depend_on_chunking(draft: Draft) -> None:
    wire = _client_stream(draft)
    whole = server(draft, frames=True)
    whole.receive_data(wire)
    expected = whole.events()
    expected_out = whole.data_to_send()
    assert expected
    for size in range(1, len(wire) + 1):
        conn = server(draft, frames=True)
        for part in chunks(wire, size):
            conn.receive_data(part)
        assert conn.events() == expected, size
        assert conn.data_to_send() == expected_out, size


# --- random input never raises -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(st.sampled_from(ALL_DRAFTS), st.sampled_from(list(Side)), st.booleans()),
    st.binary(max_size=300),
    st.lists(st.integers(min_value=0, max_value=400), max_size=6),
    st.integers(min_value=0, max_value=200),
)
def test_random_bytes_never_raise(setup: tuple[Draft, Side, bool], data: bytes, cuts: list[int], limit: int) -> None:
    draft, side, strict = setup
    conn = Connection(draft, side, strict=strict, max_frame_size=limit, max_message_size=limit, frames=True)
    for part in split_at(data, cuts):
        if part:
            conn.receive_data(part)
    conn.data_to_send()
    conn.receive_data(b"")
    events = conn.events()
    assert isinstance(events[-1], ConnectionClosed)
    failures = [e for e in events if isinstance(e, ProtocolFailure)]
    assert len(failures) <= 1
    if failures:
        assert state(conn) is State.FAILED


_FRAME_BITS = st.tuples(
    st.integers(0, 15), st.binary(max_size=140), st.booleans(), st.booleans(), st.booleans(), st.booleans()
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(HYBI_DRAFTS), st.booleans(), st.lists(_FRAME_BITS, max_size=6))
def test_random_frames_never_raise(
    draft: Draft, strict: bool, frames: list[tuple[int, bytes, bool, bool, bool, bool]]
) -> None:
    """Well-formed frames with random opcodes, bits and payloads reach deeper states than random bytes."""
    conn = server(draft, strict=strict)
    for opcode, payload, fin, rsv1, rsv2, rsv3 in frames:
        conn.receive_data(from_client(draft, Frame(opcode, payload, fin, rsv1, rsv2, rsv3)))
    conn.data_to_send()
    for event in conn.events():
        if isinstance(event, ProtocolFailure):
            assert event.code in draft.info.close_codes
        if isinstance(event, CloseReceived) and strict:
            assert parse_close(event.payload, draft) == (event.code, event.reason)


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_answers_to_events_before_a_failure_go_out_before_its_close(draft: Draft) -> None:
    conn = server(draft)
    text = draft.info.opcode(Kind.TEXT)
    data = from_client(draft, Frame(text, b"first")) + from_client(draft, Frame(0x0, b"stray continuation"))
    conn.receive_data(data)
    events = conn.events()
    assert events[0] == TextMessage("first")
    assert isinstance(events[1], ProtocolFailure)
    conn.send_text("first")  # the echo of what came before the failure
    out = conn.data_to_send()
    echo = encode(Frame(text, b"first"), draft.info.family)
    assert out.startswith(echo)
    assert sent_close(conn) is None  # the close went out with that same write
    assert out[len(echo) :] == encode(Frame(draft.info.opcode(Kind.CLOSE), close_payload(1002)), draft.info.family)
