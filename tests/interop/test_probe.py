"""interop.probe against small socket servers in a thread: an echo server built on wire, a server
that refuses with 426, one that closes at once and one that accepts but never answers a message."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from interop.probe import first_line, probe
from interop.spec import DEFLATE_OFFER
from wire import Connection, Draft, ServerAccept, State, TextMessage
from wire.extensions.negotiation import DeflateParams

Handler = Callable[[socket.socket], None]


@contextlib.contextmanager
def serving(handler: Handler) -> Iterator[int]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(5)
            with conn, contextlib.suppress(OSError):
                handler(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _handshake(conn: socket.socket, deflate: DeflateParams | None = None) -> Connection:
    """Accept the handshake as a server (subprotocol echo when offered, permessage-deflate with `deflate`);
    the open Connection."""
    ws = Connection.server()
    while ws.state is State.CONNECTING and not ws.events():
        ws.receive_data(conn.recv(4096))
    assert isinstance(ws.accept("echo", deflate=deflate), ServerAccept)
    conn.sendall(ws.data_to_send())
    return ws


def deflate_echo(conn: socket.socket) -> None:
    echo(conn, DeflateParams())


def echo(conn: socket.socket, deflate: DeflateParams | None = None) -> None:
    ws = _handshake(conn, deflate)
    events = ws.events()  # frames that came with the request
    while True:
        for event in events:
            if isinstance(event, TextMessage):
                ws.send_text(event.data)
        conn.sendall(ws.data_to_send())
        data = conn.recv(4096)
        if not data:
            return
        ws.receive_data(data)
        events = ws.events()


def silent(conn: socket.socket) -> None:
    _handshake(conn)
    conn.recv(4096)
    conn.recv(4096)  # until the probe gives up and closes


def refuse(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 9\r\n\r\nupgrade!\n")


def hang_up(conn: socket.socket) -> None:
    conn.recv(4096)


@pytest.mark.parametrize("draft", [Draft.HIXIE_75, Draft.HIXIE_76, Draft.HYBI_06, Draft.RFC6455])
def test_accepted_and_echoed(draft: Draft) -> None:
    with serving(echo) as port:
        found = probe("127.0.0.1", port, "/", draft, "echo")
    assert (found.outcome, found.status, found.echo) == ("accepted", 101, "echoed")
    assert found.protocol == "echo"
    assert found.label() == "accepted"


def test_an_offer_accepted_and_the_message_echoed_compressed() -> None:
    with serving(deflate_echo) as port:
        found = probe("127.0.0.1", port, "/", Draft.RFC6455, "echo", extensions=DEFLATE_OFFER)
    assert (found.outcome, found.echo, found.extensions) == ("accepted", "echoed", "permessage-deflate")
    assert not found.deflate_refused and found.label() == "accepted"


def test_an_offer_the_server_does_not_take() -> None:
    """The 101 comes without the extension: the probe says so (a compression row does not run on it)."""
    with serving(echo) as port:
        found = probe("127.0.0.1", port, "/", Draft.RFC6455, "echo", extensions=DEFLATE_OFFER)
    assert (found.outcome, found.echo, found.extensions) == ("accepted", "echoed", "")
    assert found.deflate_refused and found.label() == "accepted, without permessage-deflate"


def test_without_an_offer_nothing_is_said_of_extensions() -> None:
    with serving(deflate_echo) as port:
        found = probe("127.0.0.1", port, "/", Draft.RFC6455, "echo")
    assert found.extensions is None and not found.deflate_refused


def test_rejected_with_the_versions_listed() -> None:
    with serving(refuse) as port:
        found = probe("127.0.0.1", port, "/", Draft.HYBI_07, "echo")
    assert (found.outcome, found.status, found.versions, found.detail) == ("rejected", 426, "13", "upgrade!")
    assert found.label() == "426 listing 13"


def test_closed_without_an_answer() -> None:
    with serving(hang_up) as port:
        found = probe("127.0.0.1", port, "/", Draft.HIXIE_76, "echo")
    assert found.outcome == "closed"


def test_accepted_but_no_echo() -> None:
    with serving(silent) as port:
        found = probe("127.0.0.1", port, "/", Draft.RFC6455, "echo", timeout=0.5)
    assert found.accepted and found.echo == "no echo within 0.5 s"


def test_nothing_listening() -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    found = probe("127.0.0.1", port, "/", Draft.RFC6455, "echo")
    assert found.outcome == "refused"


def test_first_line_of_a_rejection_body() -> None:
    assert first_line(b"Unsupported version: 6\nmore") == "Unsupported version: 6"
    page = b"<html>\n<head><title>Error 400 Bad Request</title></head><body>...</body></html>"
    assert first_line(page) == "Error 400 Bad Request"
    assert first_line(b"<p>Bad <b>key</b></p>") == "Bad key"
    assert first_line(b"") == ""
