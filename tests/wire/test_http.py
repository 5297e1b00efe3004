"""HTTP heads: parsing, limits, serialising, incremental head detection."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import Headers, HeadReader, HttpError, Request, Response, parse_request, parse_response
from wire.http import MAX_HEAD, MAX_HEADERS, MAX_LINE

from .support import chunks

REQUEST = (
    b"GET /chat HTTP/1.1\r\n"
    b"Host: example.com\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: keep-alive, Upgrade\r\n"
    b"Sec-WebSocket-Protocol: chat\r\n"
    b"sec-websocket-protocol: superchat\r\n"
    b"\r\n"
)


# --- Headers -----------------------------------------------------------------------------------------


def test_headers_case_insensitive_multimap() -> None:
    h = Headers([("Host", "a"), ("X-A", "1"), ("x-a", "2")])
    assert "host" in h and "HOST" in h and "nope" not in h
    assert 3 not in h
    assert h.get("X-a") == "1, 2"
    assert h.get_all("X-A") == ["1", "2"]
    assert h.get("missing") is None
    assert h.get("missing", "d") == "d"
    assert len(h) == 3
    assert list(h) == [("Host", "a"), ("X-A", "1"), ("x-a", "2")]


def test_headers_tokens() -> None:
    h = Headers([("Connection", "keep-alive, Upgrade"), ("connection", " , CLOSE ")])
    assert h.tokens("Connection") == ["keep-alive", "upgrade", "close"]


def test_headers_set_replaces_in_place_and_removes() -> None:
    h = Headers([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
    h.set("a", "x")
    assert list(h) == [("a", "x"), ("B", "2"), ("C", "4")]
    h.set("B", None)
    assert list(h) == [("a", "x"), ("C", "4")]
    h.set("D", "5")
    assert list(h) == [("a", "x"), ("C", "4"), ("D", "5")]


def test_headers_copy_is_independent() -> None:
    h = Headers([("A", "1")])
    c = h.copy()
    c.add("B", "2")
    assert len(h) == 1 and len(c) == 2


# --- serialising -------------------------------------------------------------------------------------


def test_serialize_request_exactly() -> None:
    req = Request("GET", "/x", Headers([("Host", "h"), ("A", "b")]))
    assert req.serialize() == b"GET /x HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n"


def test_serialize_response_exactly() -> None:
    resp = Response(101, "Switching Protocols", Headers([("Upgrade", "websocket")]))
    assert resp.serialize() == b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"


def test_round_trip() -> None:
    req = parse_request(REQUEST)
    assert req.serialize() == REQUEST
    again = parse_request(req.serialize())
    assert list(again.headers) == list(req.headers)


# --- parsing -----------------------------------------------------------------------------------------


def test_parse_request() -> None:
    req = parse_request(REQUEST)
    assert (req.method, req.target, req.version) == ("GET", "/chat", "HTTP/1.1")
    assert req.headers.get("host") == "example.com"
    assert req.headers.get_all("Sec-WebSocket-Protocol") == ["chat", "superchat"]


def test_parse_tolerates_bare_lf_and_whitespace() -> None:
    req = parse_request(b"GET / HTTP/1.1\nHost:   a b \t\nX:\n\n")
    assert req.headers.get("Host") == "a b"
    assert req.headers.get("X") == ""


def test_parse_folds_continuation_lines() -> None:
    req = parse_request(b"GET / HTTP/1.1\r\nX: a\r\n  b\r\n\tc\r\n\r\n")
    assert req.headers.get("X") == "a b c"


def test_parse_response() -> None:
    resp = parse_response(b"HTTP/1.1 101 Web Socket Protocol Handshake\r\nUpgrade: WebSocket\r\n\r\n")
    assert (resp.version, resp.status, resp.reason) == ("HTTP/1.1", 101, "Web Socket Protocol Handshake")
    assert parse_response(b"HTTP/1.0 404\r\n\r\n").reason == ""


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET  / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET / FTP/1.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nName : x\r\n\r\n",
        b"GET / HTTP/1.1\r\nA(b): x\r\n\r\n",
        b"GET / HTTP/1.1\r\n folded before any header\r\n\r\n",
    ],
)
def test_malformed_requests(head: bytes) -> None:
    with pytest.raises(HttpError) as info:
        parse_request(head)
    assert info.value.status == 400
    assert info.value.close_code is None


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"HTTP/1.1\r\n\r\n",
        b"HTTP/1.1 1010 x\r\n\r\n",
        b"HTTP/1.1 10 x\r\n\r\n",
        b"HTTP/1.1 abc x\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"HTTP/1.1 \xb2\xb2\xb2 x\r\n\r\n",  # latin-1 superscript digits: str.isdigit() says yes
        b"HTTP/1.1 101 OK\r\nbroken\r\n\r\n",
    ],
)
def test_malformed_responses(head: bytes) -> None:
    with pytest.raises(HttpError):
        parse_response(head)


def test_line_length_limit() -> None:
    ok = b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE - 3) + b"\r\n\r\n"
    assert len(parse_request(ok).headers.get("X", "")) == MAX_LINE - 3
    long = b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE - 2) + b"\r\n\r\n"
    with pytest.raises(HttpError) as info:
        parse_request(long)
    assert info.value.status == 431
    assert "line 2" in info.value.reason


def test_request_line_length_limit() -> None:
    with pytest.raises(HttpError) as info:
        parse_request(b"GET /" + b"a" * MAX_LINE + b" HTTP/1.1\r\n\r\n")
    assert info.value.status == 431


def test_header_count_limit() -> None:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS))
    assert len(parse_request(b"GET / HTTP/1.1\r\n" + fields + b"\r\n").headers) == MAX_HEADERS
    with pytest.raises(HttpError) as info:
        parse_request(b"GET / HTTP/1.1\r\n" + fields + b"Y: 1\r\n\r\n")
    assert info.value.status == 431


# --- HeadReader ----------------------------------------------------------------------------------------


def head_end(data: bytes, max_head: int = MAX_HEAD) -> int | None:
    """Where the head ends in `data` fed at once (None: not yet)."""
    parts = HeadReader(max_head).feed(data)
    return None if parts is None else len(parts[0])


def test_head_end() -> None:
    assert head_end(b"") is None
    assert head_end(b"GET / HTTP/1.1\r\nHost: a\r\n") is None
    assert head_end(b"GET / HTTP/1.1\r\n\r\nrest") == 18
    assert head_end(b"GET / HTTP/1.1\n\nrest") == 16
    assert head_end(b"A\r\n\r\nB\n\n") == 5
    assert head_end(b"A\n\nB\r\n\r\n") == 3
    assert HeadReader().feed(b"A\r\n\r\nB\n\n") == (b"A\r\n\r\n", b"B\n\n")


def test_head_size_limit() -> None:
    exact = b"G" * (MAX_HEAD - 4) + b"\r\n\r\n"
    assert head_end(exact) == MAX_HEAD
    with pytest.raises(HttpError) as info:
        head_end(b"G" * (MAX_HEAD - 3) + b"\r\n\r\n")
    assert info.value.status == 431
    assert head_end(b"G" * MAX_HEAD) is None  # may still end in the next byte
    with pytest.raises(HttpError) as info:
        head_end(b"G" * (MAX_HEAD + 1))
    assert info.value.status == 431
    assert head_end(b"G" * 100 + b"\r\n\r\n", max_head=104) == 104
    with pytest.raises(HttpError):
        head_end(b"G" * 101 + b"\r\n\r\n", max_head=104)


def test_head_limit_holds_across_chunks() -> None:
    reader = HeadReader(max_head=10)
    assert reader.feed(b"G" * 10) is None
    with pytest.raises(HttpError) as info:
        reader.feed(b"G")
    assert info.value.status == 431


@pytest.mark.parametrize("head", [REQUEST, REQUEST.replace(b"\r\n", b"\n")])
def test_incremental_head_at_every_chunk_size(head: bytes) -> None:
    wire = head + b"\x00frame bytes\xff"
    expected = parse_request(head)
    for size in range(1, len(wire) + 1):
        reader = HeadReader()
        fed = 0
        parts = None
        for part in chunks(wire, size):
            fed += len(part)
            parts = reader.feed(part)
            if parts is not None:
                break
        assert parts is not None, size
        got, rest = parts
        assert got == head, size
        parsed = parse_request(got)
        assert list(parsed.headers) == list(expected.headers)
        assert rest == wire[len(head) : fed]


def test_an_end_split_across_chunks_is_found() -> None:
    head = b"GET / HTTP/1.1\r\n\r\n"
    for cut in range(len(head) - 3, len(head)):  # inside the blank line's CR LF CR LF
        reader = HeadReader()
        assert reader.feed(head[:cut]) is None
        assert reader.feed(head[cut:] + b"x") == (head, b"x")


# --- properties --------------------------------------------------------------------------------------

_LINES = st.lists(
    st.sampled_from([b"GET / HTTP/1.1", b"HTTP/1.1 101 OK", b"Host: x", b" folded", b"\t", b":", b"", b"\xb2\xb3"])
    | st.binary(max_size=40),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        _LINES.map(b"\r\n".join),
        # status codes mixing ASCII digits with latin-1 characters that str.isdigit() accepts
        st.text("01\xb2\xb3\xb9x", min_size=3, max_size=3).map(
            lambda c: b"HTTP/1.1 %s OK\r\n\r\n" % c.encode("latin-1")
        ),
    )
)
def test_random_heads_raise_only_http_error(data: bytes) -> None:
    for parse in (parse_request, parse_response):
        with contextlib.suppress(HttpError):
            parse(data)
    with contextlib.suppress(HttpError):
        head_end(data, max_head=64)


_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_TOKEN, _VALUE), max_size=10), _TOKEN, st.sampled_from(["/", "/a?b=c", "*"]))
def test_serialize_parse_round_trip(fields: list[tuple[str, str]], method: str, target: str) -> None:
    req = Request(method, target, Headers(fields))
    parsed = parse_request(req.serialize())
    assert (parsed.method, parsed.target, parsed.version) == (method, target, "HTTP/1.1")
    assert list(parsed.headers) == fields
