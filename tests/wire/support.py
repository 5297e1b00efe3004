"""Shared helpers for the harness.wire tests: an in-memory link between two Connections."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from wire import (
    ClientHandshake,
    Connection,
    Draft,
    Event,
    Family,
    ServerAccept,
    Side,
    accept,
    find_head_end,
    key3_size,
    parse_request,
    parse_response,
)

ALL_DRAFTS = tuple(Draft)
HYBI_DRAFTS = tuple(d for d in Draft if d.info.family is not Family.HIXIE)
HYBI07_DRAFTS = tuple(d for d in Draft if d.info.family is Family.HYBI07)
HIXIE_DRAFTS = (Draft.HIXIE_75, Draft.HIXIE_76)


def fixed_mask(key: bytes = b"\x37\xfa\x21\x3d") -> Callable[[int], bytes]:
    """A mask source that always returns `key` (deterministic client frames)."""

    def source(n: int) -> bytes:
        assert n == len(key)
        return key

    return source


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (taken modulo its length, any order, duplicates allowed)."""
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)] or [data]


def pair(draft: Draft, **options: object) -> tuple[Connection, Connection]:
    """A client and a server Connection of `draft`, same options on both."""
    client = Connection(draft, Side.CLIENT, **options)  # type: ignore[arg-type]
    server = Connection(draft, Side.SERVER, **options)  # type: ignore[arg-type]
    return client, server


class Link:
    """Two Connections wired back to back in memory; `pump` moves bytes until both are quiet."""

    def __init__(self, client: Connection, server: Connection) -> None:
        self.client = client
        self.server = server
        self.client_events: list[Event] = []
        self.server_events: list[Event] = []

    def pump(self, max_rounds: int = 50) -> None:
        for _ in range(max_rounds):
            to_server = self.client.data_to_send()
            to_client = self.server.data_to_send()
            if not to_server and not to_client:
                return
            if to_server:
                self.server.receive_data(to_server)
            if to_client:
                self.client.receive_data(to_client)
            self.client_events += self.client.events()
            self.server_events += self.server.events()
        raise AssertionError("the link did not go quiet")

    def take(self) -> tuple[list[Event], list[Event]]:
        self.pump()
        out = self.client_events, self.server_events
        self.client_events, self.server_events = [], []
        return out


def link(draft: Draft, **options: object) -> Link:
    return Link(*pair(draft, **options))


def shake(
    draft: Draft,
    *,
    protocols: tuple[str, ...] = (),
    select: Callable[[list[str]], str | None] = lambda offered: None,
    origin: str | None = None,
    chunk: int | None = None,
) -> tuple[ClientHandshake, ServerAccept]:
    """A full opening handshake in memory: build, serialise, server parse/accept, client check."""
    client = ClientHandshake.build(draft, "example.com", "/chat", origin=origin, protocols=protocols)
    wire = client.to_bytes()
    # server side: read the head (in chunks when asked), then key3_size raw bytes
    buffer = b""
    end = None
    for part in chunks(wire, chunk or len(wire)):
        buffer += part
        end = find_head_end(buffer)
        if end is not None:
            break
    assert end is not None
    request = parse_request(buffer[:end])
    size = key3_size(request)
    key3 = wire[end : end + size]
    assert len(wire) == end + size, "nothing but key3 may follow the head"
    result = accept(request, key3, select_protocol=select)
    assert isinstance(result, ServerAccept), result
    # client side: read the response head and the answer
    answer_wire = result.to_bytes()
    head_end = find_head_end(answer_wire)
    assert head_end is not None
    response = parse_response(answer_wire[:head_end])
    answer = answer_wire[head_end : head_end + client.answer_size]
    assert len(answer_wire) == head_end + client.answer_size
    accepted = client.check(response, answer)
    assert accepted == result.accepted
    return client, result
