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
    HandshakeAccepted,
    HandshakeRequest,
    HeadReader,
    ServerAccept,
    Side,
    State,
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


def split_head(data: bytes) -> tuple[bytes, bytes]:
    """A whole HTTP head and the bytes after it."""
    parts = HeadReader().feed(data)
    assert parts is not None, data
    return parts


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
    """A full opening handshake in memory between a client and a server Connection, each side's bytes
    fed `chunk` bytes at a time: the client's handshake and what the server answered."""
    hs = ClientHandshake.build(draft, "example.com", "/chat", origin=origin, protocols=protocols)
    client = Connection.client(hs)
    server = Connection.server()
    for part in chunks(client.data_to_send(), chunk or 1 << 20):
        assert server.events() == []
        server.receive_data(part)
    (request,) = server.events()
    assert isinstance(request, HandshakeRequest)
    assert request.draft is draft and list(request.protocols) == list(protocols)
    result = server.accept(select(list(request.protocols)) if request.protocols else None)
    assert isinstance(result, ServerAccept), result
    assert server.state is State.OPEN and server.accepted == result.accepted
    answer = server.data_to_send()
    assert answer == result.to_bytes()
    for part in chunks(answer, chunk or 1 << 20):
        assert client.events() == []
        client.receive_data(part)
    (accepted,) = client.events()
    assert isinstance(accepted, HandshakeAccepted), accepted
    assert accepted.accepted == result.accepted == client.accepted
    assert client.state is State.OPEN
    return hs, result
