"""Opening handshakes of every draft, both sides (drafts.md §2, vectors §5.1-5.2)."""

from __future__ import annotations

import base64
import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import (
    Accepted,
    ClientHandshake,
    Connection,
    Draft,
    HandshakeError,
    HandshakeRequest,
    Headers,
    Rejection,
    Request,
    Response,
    ServerAccept,
    accept,
    detect_draft,
    parse_request,
    parse_response,
)
from wire.handshake import accept_value, hixie76_answer, hixie_key_part, make_hixie_key

from .support import ALL_DRAFTS, HIXIE_DRAFTS, HYBI_DRAFTS, shake, split_head

# --- vectors -----------------------------------------------------------------------------------------

HIXIE76_VECTORS = [
    # (key1, key2, key3, part1, part2, answer): drafts.md §5.1 examples A, B and C
    ("4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00", b"^n:ds[4U", 829309203, 259970620, b"8jKS'y:G*Co,Wxa-"),
    (
        "18x 6]8vM;54 *(5:  {   U1]8  z [  8",
        "1_ tx7X d  <  nw  334J702) 7]o}` 0",
        b"Tm[K T2u",
        155712099,
        173347027,
        b"fQJ,fN/4F4!~K~MH",
    ),
    ("3e6b263  4 17 80", "17  9 G`ZD9   2 2b 7X 3 /r90", b"WjN}|M(6", 906585445, 179922739, b"n`9eBk9z$R8pOtVb"),
]


@pytest.mark.parametrize("vector", HIXIE76_VECTORS, ids=["A", "B", "C"])
def test_hixie76_vectors(vector: tuple[str, str, bytes, int, int, bytes]) -> None:
    key1, key2, key3, part1, part2, answer = vector
    assert hixie_key_part(key1) == part1
    assert hixie_key_part(key2) == part2
    assert hixie76_answer(key1, key2, key3) == answer


def test_hixie76_example_a_challenge_bytes() -> None:
    challenge = bytes.fromhex("316e41130f7ed63c5e6e3a64735b3455")
    key1, key2, key3 = HIXIE76_VECTORS[0][:3]
    assert hixie_key_part(key1).to_bytes(4, "big") + hixie_key_part(key2).to_bytes(4, "big") + key3 == challenge
    assert hashlib.md5(challenge).digest() == bytes.fromhex("386a4b5327793a472a436f2c5778612d")


def test_hixie76_example_a_full_exchange() -> None:
    key1, key2, key3, _, _, answer = HIXIE76_VECTORS[0]
    wire = (
        b"GET /demo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key2: " + key2.encode() + b"\r\nSec-WebSocket-Protocol: sample\r\nUpgrade: WebSocket\r\n"
        b"Sec-WebSocket-Key1: " + key1.encode() + b"\r\nOrigin: http://example.com\r\n\r\n" + key3
    )
    head, rest = split_head(wire)
    assert rest == key3
    request = parse_request(head)
    assert detect_draft(request) is Draft.HIXIE_76
    result = accept(request, rest, select_protocol=lambda offered: offered[0])
    assert isinstance(result, ServerAccept)
    server = Connection.server()
    server.receive_data(wire)
    assert server.events() == [HandshakeRequest(request, head, key3, Draft.HIXIE_76, ("sample",))]
    assert server.accept("sample") == result
    assert (
        server.data_to_send()
        == result.to_bytes()
        == (
            b"HTTP/1.1 101 WebSocket Protocol Handshake\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Origin: http://example.com\r\nSec-WebSocket-Location: ws://example.com/demo\r\n"
            b"Sec-WebSocket-Protocol: sample\r\n\r\n" + answer
        )
    )
    client = ClientHandshake(Draft.HIXIE_76, request, key3, ("sample",), "http://example.com", "ws://example.com/demo")
    assert client.check(result.response, answer) == Accepted(Draft.HIXIE_76, "sample")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        ("x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="),
        ("  dGhlIHNhbXBsZSBub25jZQ== ", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    ],
)
def test_accept_value_vectors(key: str, expected: str) -> None:
    assert accept_value(key) == expected


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_rfc6455_example_request(draft: Draft) -> None:
    assert draft.info.version is not None
    request = parse_request(
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n"
        b"Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: %d\r\n\r\n" % draft.info.version
    )
    result = accept(request, select_protocol=lambda offered: "chat" if "chat" in offered else None)
    assert isinstance(result, ServerAccept)
    assert result.accepted == Accepted(draft, "chat")
    assert result.to_bytes() == (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
    )


# --- hixie-76 keys -----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_made_hixie_keys_are_valid(seed: int) -> None:
    key = make_hixie_key(random.Random(seed))
    assert not key.startswith(" ") and not key.endswith(" ")
    spaces = key.count(" ")
    assert 1 <= spaces <= 12
    assert any(not c.isdigit() and c != " " for c in key)
    assert 0 <= hixie_key_part(key) <= 0xFFFFFFFF


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("12345", "no spaces"),
        ("abc def", "no digits"),
        ("1 0 1", "not a multiple"),  # 101 / 2
        ("3 5", "not a multiple"),  # 35 / 1 is fine; see below
        ("8589934592 ", "32 bits"),  # 2**33 / 1
        ("1 " + "1" * 5000, "key"),  # longer than int() converts
    ],
)
def test_bad_hixie_keys(key: str, message: str) -> None:
    if key == "3 5":
        assert hixie_key_part(key) == 35
        return
    with pytest.raises(HandshakeError, match=message):
        hixie_key_part(key)


def test_hixie_key3_must_be_8_bytes() -> None:
    key1, key2 = HIXIE76_VECTORS[0][:2]
    with pytest.raises(HandshakeError, match="8 bytes"):
        hixie76_answer(key1, key2, b"1234567")


# --- full handshakes in memory -----------------------------------------------------------------------


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_full_handshake_without_subprotocols(draft: Draft) -> None:
    client, result = shake(draft)
    assert result.accepted == Accepted(draft, None)
    assert "Sec-WebSocket-Protocol" not in result.response.headers
    assert "WebSocket-Protocol" not in result.response.headers
    assert len(result.answer) == (16 if draft is Draft.HIXIE_76 else 0)
    assert client.answer_size == len(result.answer)


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_full_handshake_with_subprotocols(draft: Draft) -> None:
    client, result = shake(draft, protocols=("chat", "superchat"), select=lambda offered: offered[-1])
    assert result.accepted.protocol == "superchat"
    header = "WebSocket-Protocol" if draft is Draft.HIXIE_75 else "Sec-WebSocket-Protocol"
    assert client.request.headers.get(header) == "chat, superchat"
    assert result.response.headers.get(header) == "superchat"


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_full_handshake_server_declines_subprotocols(draft: Draft) -> None:
    _, result = shake(draft, protocols=("chat",))
    assert result.accepted.protocol is None


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_full_handshake_with_origin_and_chunked_head(draft: Draft) -> None:
    client, result = shake(draft, origin="http://example.com", chunk=7)
    assert client.request.headers.get(draft.info.origin_header) == "http://example.com"
    if draft is Draft.HIXIE_75:
        assert result.response.headers.get("WebSocket-Origin") == "http://example.com"
        assert result.response.headers.get("WebSocket-Location") == "ws://example.com/chat"
        assert result.response.reason == "Web Socket Protocol Handshake"
    elif draft is Draft.HIXIE_76:
        assert result.response.headers.get("Sec-WebSocket-Origin") == "http://example.com"
        assert result.response.headers.get("Sec-WebSocket-Location") == "ws://example.com/chat"
        assert result.response.reason == "WebSocket Protocol Handshake"
    else:
        assert result.response.reason == "Switching Protocols"


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_client_request_shape(draft: Draft) -> None:
    client = ClientHandshake.build(draft, "h:8080", "/p?q", secure=True, rng=random.Random(1))
    h = client.request.headers
    assert (client.request.method, client.request.target, client.request.version) == ("GET", "/p?q", "HTTP/1.1")
    assert h.get("Host") == "h:8080"
    assert client.location == "wss://h:8080/p?q"
    if draft in HIXIE_DRAFTS:
        assert h.get("Upgrade") == "WebSocket"
        assert "Sec-WebSocket-Key" not in h and "Sec-WebSocket-Version" not in h
        assert ("Sec-WebSocket-Key1" in h) is (draft is Draft.HIXIE_76)
        assert len(client.key3) == (8 if draft is Draft.HIXIE_76 else 0)
        assert client.to_bytes().endswith(client.key3)
    else:
        assert h.get("Upgrade") == "websocket"
        assert h.get("Sec-WebSocket-Version") == str(draft.info.version)
        assert len(base64.b64decode(h.get("Sec-WebSocket-Key", ""), validate=True)) == 16
        assert client.to_bytes() == client.request.serialize()


def test_build_overrides_and_extras() -> None:
    client = ClientHandshake.build(
        Draft.RFC6455,
        "h",
        overrides={"Sec-WebSocket-Version": "99", "Host": None},
        extra_headers=[("X-A", "1"), ("X-A", "2")],
        method="POST",
        version="HTTP/1.0",
    )
    h = client.request.headers
    assert h.get("Sec-WebSocket-Version") == "99"
    assert "Host" not in h
    assert h.get_all("X-A") == ["1", "2"]
    assert client.to_bytes().startswith(b"POST / HTTP/1.0\r\n")
    hixie = ClientHandshake.build(Draft.HIXIE_76, "h", key3=b"ABCDEFGH")
    assert hixie.to_bytes().endswith(b"\r\n\r\nABCDEFGH")


def test_build_extensions_and_check_extensions() -> None:
    client = ClientHandshake.build(Draft.RFC6455, "h", extensions=["permessage-deflate; client_max_window_bits"])
    assert client.request.headers.get("Sec-WebSocket-Extensions") == "permessage-deflate; client_max_window_bits"
    response = _good_response(client)
    response.headers.add("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover")
    assert client.check(response).extensions == ("permessage-deflate",)
    response.headers.add("Sec-WebSocket-Extensions", "x-webkit-deflate-frame")
    with pytest.raises(HandshakeError, match="x-webkit-deflate-frame"):
        client.check(response)


@pytest.mark.parametrize("as_answered", [False, True])
def test_deflate_as_answered_takes_a_response_that_answers_no_offer(as_answered: bool) -> None:
    offer = "permessage-deflate; server_no_context_takeover"
    client = ClientHandshake.build(Draft.RFC6455, "h", extensions=[offer], deflate_as_answered=as_answered)
    response = _good_response(client)
    response.headers.add("Sec-WebSocket-Extensions", "permessage-deflate")  # the flag asked for is left out
    if not as_answered:
        with pytest.raises(HandshakeError, match="answers no offer"):
            client.check(response)
        return
    accepted = client.check(response)
    assert accepted.deflate is not None and not accepted.deflate.server_no_context_takeover


# --- detecting the draft and rejecting versions ------------------------------------------------------


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_detect_draft(draft: Draft) -> None:
    request = ClientHandshake.build(draft, "h").request
    assert detect_draft(request) is draft


def test_detect_draft_hixie76_by_either_key() -> None:
    assert detect_draft(Request("GET", "/", Headers([("Sec-WebSocket-Key2", "1 1")]))) is Draft.HIXIE_76
    assert detect_draft(Request("GET", "/", Headers([("Host", "h")]))) is Draft.HIXIE_75


def _assert_426(result: Draft | Rejection | ServerAccept) -> None:
    assert isinstance(result, Rejection)
    assert result.status == 426
    assert result.headers.get_all("Sec-WebSocket-Version") == ["13, 8, 7, 6"]
    wire = result.to_bytes()
    assert wire.startswith(b"HTTP/1.1 426 Upgrade Required\r\n")
    head, body = split_head(wire)
    response = parse_response(head)
    assert response.headers.get("Sec-WebSocket-Version") == "13, 8, 7, 6"
    assert int(response.headers.get("Content-Length", "")) == len(body)
    assert body.decode() == result.reason + "\n"


@pytest.mark.parametrize(
    "version", ["0", "4", "5", "9", "12", "14", "abc", "", " 13 x", "\xb2", "1" * 5000, "-13", "+13"]
)
def test_unsupported_version_rejected_with_426(version: str) -> None:
    client = ClientHandshake.build(Draft.RFC6455, "h", overrides={"Sec-WebSocket-Version": version})
    request = parse_request(client.request.serialize())
    _assert_426(detect_draft(request))
    _assert_426(accept(request))


def test_two_version_headers_rejected() -> None:
    client = ClientHandshake.build(Draft.RFC6455, "h", extra_headers=[("Sec-WebSocket-Version", "8")])
    _assert_426(accept(client.request))


def test_hybi_01_to_03_and_versionless_key_rejected() -> None:
    drafted = ClientHandshake.build(Draft.HIXIE_76, "h", extra_headers=[("Sec-WebSocket-Draft", "2")])
    _assert_426(detect_draft(drafted.request))
    versionless = ClientHandshake.build(Draft.RFC6455, "h", overrides={"Sec-WebSocket-Version": None})
    _assert_426(detect_draft(versionless.request))


# --- server-side validation --------------------------------------------------------------------------


def _server(draft: Draft, **build: object) -> ServerAccept | Rejection:
    client = ClientHandshake.build(draft, "example.com", **build)  # type: ignore[arg-type]
    head, rest = split_head(client.to_bytes())
    return accept(parse_request(head), rest)


def _rejected(result: ServerAccept | Rejection, status: int, text: str) -> None:
    assert isinstance(result, Rejection), result
    assert result.status == status
    assert text in result.reason
    assert result.to_bytes().startswith(b"HTTP/1.1 %d " % status)


@pytest.mark.parametrize("draft", ALL_DRAFTS)
@pytest.mark.parametrize(
    ("build", "status", "text"),
    [
        ({"method": "POST"}, 405, "GET"),
        ({"version": "HTTP/1.0"}, 400, "HTTP/1.1"),
        ({"overrides": {"Host": None}}, 400, "missing Host"),
        ({"overrides": {"Host": ""}}, 400, "Host"),
        ({"extra_headers": [("Host", "other")]}, 400, "exactly one Host"),
        ({"overrides": {"Upgrade": None}}, 400, "Upgrade"),
        ({"overrides": {"Upgrade": "h2c"}}, 400, "Upgrade"),
        ({"extra_headers": [("Upgrade", "websocket")]}, 400, "Upgrade"),
        ({"overrides": {"Connection": None}}, 400, "Connection"),
        ({"overrides": {"Connection": "keep-alive"}}, 400, "Connection"),
    ],
)
def test_server_rejects_bad_requests(draft: Draft, build: dict[str, object], status: int, text: str) -> None:
    _rejected(_server(draft, **build), status, text)


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_server_tolerates_connection_list_and_upgrade_case(draft: Draft) -> None:
    result = _server(draft, overrides={"Connection": "keep-alive, Upgrade", "Upgrade": "WEBSOCKET"})
    assert isinstance(result, ServerAccept)


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize(
    ("key", "text"),
    [
        (None, "missing Sec-WebSocket-Key"),
        ("not base64!", "not base64"),
        (base64.b64encode(b"x" * 15).decode(), "16 bytes"),
        (base64.b64encode(b"x" * 17).decode(), "16 bytes"),
        ("", "16 bytes"),
        ("dGhlIHNhbXBsZSBub25jZQ", "16 bytes"),  # missing padding
    ],
)
def test_server_rejects_bad_keys(draft: Draft, key: str | None, text: str) -> None:
    _rejected(_server(draft, overrides={"Sec-WebSocket-Key": key}), 400, text)


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_server_rejects_two_keys(draft: Draft) -> None:
    result = _server(draft, extra_headers=[("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")])
    _rejected(result, 400, "exactly one Sec-WebSocket-Key")


@pytest.mark.parametrize(
    ("overrides", "key3", "text"),
    [
        ({"Sec-WebSocket-Key1": "12345"}, None, "no spaces"),
        ({"Sec-WebSocket-Key2": "1 0 1"}, None, "not a multiple"),
        ({"Sec-WebSocket-Key1": "no digits here"}, None, "no digits"),
        ({"Sec-WebSocket-Key2": None}, None, "no digits"),
        ({"Sec-WebSocket-Key1": "1 " + "0" * 4400 + "1"}, None, "key"),
        ({}, b"1234567", "8 bytes"),
    ],
)
def test_server_rejects_bad_hixie76_keys(overrides: dict[str, str | None], key3: bytes | None, text: str) -> None:
    client = ClientHandshake.build(Draft.HIXIE_76, "h", overrides=overrides)
    result = accept(client.request, client.key3 if key3 is None else key3)
    _rejected(result, 400, text)


def test_server_selects_subprotocol_only_when_offered() -> None:
    calls: list[list[str]] = []

    def select(offered: list[str]) -> str | None:
        calls.append(offered)
        return offered[0]

    result = accept(ClientHandshake.build(Draft.RFC6455, "h").request, select_protocol=select)
    assert isinstance(result, ServerAccept) and result.accepted.protocol is None
    assert calls == []
    request = ClientHandshake.build(Draft.RFC6455, "h", extra_headers=[("Sec-WebSocket-Protocol", "b, c")]).request
    request.headers.add("Sec-WebSocket-Protocol", "a")
    accept(request, select_protocol=select)
    assert calls == [["b", "c", "a"]]


def test_server_secure_location() -> None:
    client = ClientHandshake.build(Draft.HIXIE_75, "h", "/x", secure=True)
    result = accept(client.request, secure=True)
    assert isinstance(result, ServerAccept)
    assert result.response.headers.get("WebSocket-Location") == "wss://h/x"
    assert client.check(result.response).draft is Draft.HIXIE_75


# --- client-side validation --------------------------------------------------------------------------


def _good_response(client: ClientHandshake, select: str | None = None) -> Response:
    result = accept(client.request, client.key3, select_protocol=lambda offered: select)
    assert isinstance(result, ServerAccept)
    return result.response


def _answer(client: ClientHandshake) -> bytes:
    result = accept(client.request, client.key3)
    assert isinstance(result, ServerAccept)
    return result.answer


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_client_rejects_non_101(draft: Draft) -> None:
    client = ClientHandshake.build(draft, "h")
    with pytest.raises(HandshakeError, match="426"):
        client.check(Response(426, "Upgrade Required"))


@pytest.mark.parametrize("draft", ALL_DRAFTS)
@pytest.mark.parametrize("header", ["Upgrade", "Connection"])
def test_client_rejects_missing_upgrade_headers(draft: Draft, header: str) -> None:
    client = ClientHandshake.build(draft, "h")
    response = _good_response(client)
    response.headers.set(header, None)
    with pytest.raises(HandshakeError, match=header):
        client.check(response, _answer(client))
    response.headers.set(header, "something-else")
    with pytest.raises(HandshakeError, match=header):
        client.check(response, _answer(client))


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_client_wants_exact_upgrade(draft: Draft) -> None:
    client = ClientHandshake.build(draft, "h")
    response = _good_response(client)
    response.headers.set("Upgrade", "websocket")
    with pytest.raises(HandshakeError, match="Upgrade"):
        client.check(response, _answer(client))


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_hybi_client_tolerates_header_case_and_lists(draft: Draft) -> None:
    client = ClientHandshake.build(draft, "h")
    response = _good_response(client)
    response.headers.set("Upgrade", "WebSocket")
    response.headers.set("Connection", "keep-alive, upgrade")
    assert client.check(response).draft is draft


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_client_rejects_wrong_accept(draft: Draft) -> None:
    client = ClientHandshake.build(draft, "h")
    response = _good_response(client)
    response.headers.set("Sec-WebSocket-Accept", accept_value("dGhlIHNhbXBsZSBub25jZQ=="))
    with pytest.raises(HandshakeError, match="Sec-WebSocket-Accept"):
        client.check(response)
    response.headers.set("Sec-WebSocket-Accept", None)
    with pytest.raises(HandshakeError, match="Sec-WebSocket-Accept"):
        client.check(response)


def test_client_rejects_wrong_hixie76_answer() -> None:
    client = ClientHandshake.build(Draft.HIXIE_76, "h")
    response = _good_response(client)
    answer = _answer(client)
    assert client.check(response, answer).draft is Draft.HIXIE_76
    with pytest.raises(HandshakeError, match="challenge answer"):
        client.check(response, bytes([answer[0] ^ 1]) + answer[1:])
    with pytest.raises(HandshakeError, match="challenge answer"):
        client.check(response, answer[:15])


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
@pytest.mark.parametrize("what", ["Origin", "Location"])
def test_hixie_client_checks_origin_and_location(draft: Draft, what: str) -> None:
    client = ClientHandshake.build(draft, "h", "/p", origin="http://o")
    response = _good_response(client)
    assert client.check(response, _answer(client)).draft is draft
    prefix = "WebSocket-" if draft is Draft.HIXIE_75 else "Sec-WebSocket-"
    response.headers.set(prefix + what, "http://other" if what == "Origin" else "ws://h/other")
    with pytest.raises(HandshakeError, match=what):
        client.check(response, _answer(client))


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_client_rejects_unoffered_subprotocol(draft: Draft) -> None:
    offered = ClientHandshake.build(draft, "h", protocols=["chat"])
    assert offered.check(_good_response(offered, "chat"), _answer(offered)).protocol == "chat"
    with pytest.raises(HandshakeError, match="not offered"):
        offered.check(_good_response(offered, "superchat"), _answer(offered))
    none_offered = ClientHandshake.build(draft, "h")
    response = _good_response(none_offered)
    response.headers.add("WebSocket-Protocol" if draft is Draft.HIXIE_75 else "Sec-WebSocket-Protocol", "chat")
    with pytest.raises(HandshakeError, match="not offered"):
        none_offered.check(response, _answer(none_offered))


@pytest.mark.parametrize("value", ["013", "0013", "+13", "13.0", "1_3", "256"])
def test_version_must_follow_the_abnf(value: str) -> None:
    # RFC 6455 §4.3: no leading zeros, no signs, at most 255; anything else is refused with the list
    request = ClientHandshake.build(Draft.RFC6455, "h", overrides={"Sec-WebSocket-Version": value}).request
    rejection = detect_draft(request)
    assert isinstance(rejection, Rejection) and rejection.status == 426
