"""harness.run.closing: who closed, with what code, cleanly or not, worked out from typed events."""

from __future__ import annotations

import pytest

from harness.run.closing import ending
from harness.run.events import CloseIn, CloseOut, Event, Failure, MessageIn, Opened, PayloadInfo, TcpClosed, TimedOut
from wire import Draft

RFC = Draft.RFC6455
OPEN = Opened(0.0, "echo")


def end(*events: Event, draft: Draft = RFC):  # type: ignore[no-untyped-def]
    return ending([OPEN, *events], draft)


def test_the_client_closes_and_the_peer_answers_and_ends_tcp() -> None:
    e = end(CloseOut(0.1, 1000), CloseIn(0.2, 1000), TcpClosed(0.3, "peer"))
    assert (e.closed_by, e.remote_code, e.local_code, e.clean, e.dropped_by_agent) == (
        "harness",
        1000,
        1000,
        True,
        False,
    )
    assert e.describe() == "closed by wsinterop, peer's close with 1000, cleanly"


def test_the_peer_closes_first_and_the_client_answers() -> None:
    e = end(CloseIn(0.1, 1002), CloseOut(0.1, 1002), TcpClosed(0.2, "peer"))
    assert (e.closed_by, e.remote_code, e.clean) == ("peer", 1002, True)


def test_a_peer_that_answers_but_leaves_tcp_open_is_dropped_by_the_client() -> None:
    e = end(CloseOut(0.1, 1000), CloseIn(0.2, 1000), TcpClosed(1.3, "agent", "the server did not close TCP"))
    assert (e.closed_by, e.clean, e.dropped_by_agent) == ("harness", False, True)
    # when the peer closed first, its close and the answer make the handshake clean (Autobahn's wasClean)
    e = end(CloseIn(0.1, 1000), CloseOut(0.1, 1000), TcpClosed(1.2, "agent", "the server did not close TCP"))
    assert (e.closed_by, e.clean, e.dropped_by_agent) == ("peer", True, True)


def test_no_close_reply_in_time() -> None:
    e = end(
        CloseOut(0.1, 1000), TimedOut(1.1, "the peer's close reply", 1.0), TcpClosed(1.1, "agent", "no close reply")
    )
    assert (e.closed_by, e.close_received, e.clean, e.dropped_by_agent) == ("harness", False, False, True)


def test_tcp_ended_without_a_close_frame() -> None:
    e = end(MessageIn(0.1, "text", PayloadInfo.of(b"x", True)), TcpClosed(0.2, "peer", "connection reset"))
    assert (e.closed_by, e.remote_code, e.close_received, e.clean) == ("peer", None, False, False)


def test_a_failure_is_the_clients_close_and_never_clean() -> None:
    e = end(Failure(0.1, 1007, "invalid UTF-8"), CloseOut(0.1, 1007), CloseIn(0.2, 1007), TcpClosed(0.3, "peer"))
    assert (e.closed_by, e.failure, e.clean) == ("harness", "invalid UTF-8", False)


def test_nobody_closed() -> None:
    e = end(TimedOut(10.0, "the peer to close", 10.0, final=True))
    assert (e.closed_by, e.timed_out, e.describe()) == (None, True, "never closed")
    assert ending([], RFC).describe() == "no WebSocket connection"


@pytest.mark.parametrize("by", ["agent", "peer"])
def test_hixie_75_closes_by_ending_tcp_on_either_side(by: str) -> None:
    e = end(TcpClosed(0.2, by), draft=Draft.HIXIE_75)  # type: ignore[arg-type]
    assert e.clean
    assert not e.dropped_by_agent  # ending TCP is hixie-75's close, not a client giving up
    assert e.closed_by == ("harness" if by == "agent" else "peer")
