"""harness.run.judge: a pure function from (case, draft, observation) to a verdict, driven by hand-made
typed events; Autobahn's general rules (case.py) and its case-specific ones (model.Rule)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from harness.cases.model import (
    Case,
    ExpectClose,
    ExpectEvent,
    ExpectHandshake,
    Payload,
    Repeat,
    Rule,
    SendClose,
    SendMessage,
    Wait,
)
from harness.run.events import (
    CloseIn,
    CloseOut,
    Event,
    Failure,
    IgnoredIn,
    MarkSet,
    MessageIn,
    Opened,
    PayloadInfo,
    PingIn,
    PongIn,
    Refused,
    TcpClosed,
    TimedOut,
)
from harness.run.judge import describe_expected, describe_received, judge, received
from harness.run.results import Behavior, CloseBehavior, Observation, Verdict
from wire import Draft

from ..peers import binary, make_case, pong, text

RFC = Draft.RFC6455


def message(data: bytes | str, kind: str = "text", fragments: int = 1) -> MessageIn:
    raw = data.encode() if isinstance(data, str) else data
    return MessageIn(0.1, "text" if kind == "text" else "binary", PayloadInfo.of(raw, kind == "text"), fragments)


def got_pong(data: bytes = b"") -> PongIn:
    return PongIn(0.1, PayloadInfo.of(data))


def got_ping(data: bytes) -> PingIn:
    return PingIn(0.1, PayloadInfo.of(data))


CLIENT_CLOSES = (CloseOut(0.5, 1000), CloseIn(0.6, 1000), TcpClosed(0.7, "peer"))


def server_closes(code: int | None) -> tuple[Event, ...]:
    return (CloseIn(0.5, code), CloseOut(0.5, code), TcpClosed(0.6, "peer"))


def opened(*events: Event, closing: tuple[Event, ...] = CLIENT_CLOSES, **fields: object) -> Observation:
    """A WebSocket that opened, saw `events`, then ended as `closing` says (by default: the client
    closed with 1000, the peer answered 1000 and ended TCP)."""
    obs = Observation(events=[Opened(0.0, "echo"), *events, *closing], status=101)
    for name, value in fields.items():
        assert hasattr(obs, name), name
        setattr(obs, name, value)
    return obs


def verdict(case: Case, obs: Observation, draft: Draft = RFC) -> Verdict:
    return judge(case, draft, obs)


HELLO = make_case(ok=(text("Hello"),))
BY_SERVER_1002 = make_case(close=ExpectClose(by="peer", codes=("protocol-error",), clean=False))


# --- behaviour ---------------------------------------------------------------------------------------


def test_ok_when_the_received_events_equal_the_ok_list() -> None:
    v = verdict(HELLO, opened(message("Hello")))
    assert v == Verdict(
        Behavior.OK,
        "received text message of 5 bytes ('Hello')",
        CloseBehavior.OK,
        "closed by wsinterop, peer's close with 1000, cleanly",
    )
    assert not v.failed


def test_lists_are_tried_in_order_ok_non_strict_informational() -> None:
    case = make_case(ok=(text("a"),), non_strict=(text("b"),), informational=(text("c"),))
    assert verdict(case, opened(message("a"))).behavior is Behavior.OK
    assert verdict(case, opened(message("b"))).behavior is Behavior.NON_STRICT
    assert verdict(case, opened(message("c"))).behavior is Behavior.INFORMATIONAL
    v = verdict(case, opened(message("d")))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "expected text message of 1 bytes; received text message of 1 bytes ('d')",
    )
    assert v.failed and v.close is CloseBehavior.OK  # the two axes are independent


def test_a_timeout_says_how_many_of_the_expected_messages_arrived() -> None:
    sent = SendMessage("text", Payload(text="Hello"))
    echo = Repeat(1000, (sent, Wait("message")))
    ceiling = (TimedOut(9.0, "the case to end", 35, final=True),)
    for ok in ((text("Hello"),) * 1000, (replace(text("Hello"), times=1000),)):  # a count reads as the list
        case = make_case(echo, ok=ok, timeout=30)
        v = verdict(case, opened(*[message("Hello")] * 610, closing=ceiling))
        assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "timed out after 30 s: 610 of 1000 echoes received")
    other = make_case(sent, ok=(text("Hello"), text("World")), timeout=2.5)
    v = verdict(other, opened(message("Hello"), closing=ceiling))
    assert v.behavior_reason == "timed out after 2.5 s: 1 of 2 expected messages received"
    # all that was expected arrived (the close was late): the messages are judged as they are
    assert verdict(other, opened(message("Hello"), message("World"), closing=ceiling)).behavior is Behavior.OK
    v = verdict(other, opened(message("Hello"), message("Hello"), closing=ceiling))
    assert v.behavior_reason.startswith("expected text message of 5 bytes, text message of 5 bytes; received")


def test_ok_empty_means_nothing_received_and_none_means_undefined() -> None:
    assert verdict(make_case(), opened()).behavior is Behavior.OK
    v = verdict(make_case(), opened(got_pong(b"x")))
    assert v.behavior_reason == "expected nothing; received pong of 1 bytes ('78')"
    v = verdict(make_case(ok=None, non_strict=(text("b"),)), opened())
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected a defined outcome; received nothing")


def test_unimplemented_and_agent_errors() -> None:
    reason = "hixie-75 has no ping or pong frames"
    v = verdict(HELLO, opened(message("wrong"), unimplemented=reason, error="also set"))
    assert v == Verdict(Behavior.UNIMPLEMENTED, reason, CloseBehavior.UNIMPLEMENTED, reason)
    error = "cannot connect to 127.0.0.1:9: [Errno 111] Connection refused"
    assert verdict(HELLO, Observation(error=error)) == Verdict(Behavior.FAILED, error, CloseBehavior.FAILED, error)


def test_only_messages_pongs_and_marks_are_compared() -> None:
    obs = opened(got_ping(b"p"), message("Hello"), IgnoredIn(0.2, 0x80, PayloadInfo.of(b"abc")))
    assert [type(e) for e in received(obs.events)] == [MessageIn]
    assert verdict(HELLO, obs).behavior is Behavior.OK


@pytest.mark.parametrize(
    ("expected", "event"),
    [
        pytest.param(text("Hello"), message("Hello", kind="binary"), id="kind"),
        pytest.param(text("Hello"), message("Hellp"), id="same-size-other-bytes"),
        pytest.param(text("Hello"), message("Hello!"), id="size"),
        pytest.param(text("Hello"), got_pong(b"Hello"), id="pong-for-message"),
        pytest.param(pong(b"Hello"), message("Hello", kind="binary"), id="message-for-pong"),
        pytest.param(binary(b"\x00\x01"), message(b"\x00\x02", kind="binary"), id="binary-bytes"),
        pytest.param(text("Hello", fragments=3), message("Hello", fragments=1), id="fragments"),
    ],
)
def test_a_single_difference_fails(expected: ExpectEvent, event: Event) -> None:
    assert verdict(make_case(ok=(expected,)), opened(event)).behavior is Behavior.FAILED


def test_order_and_count_matter() -> None:
    case = make_case(ok=(text("a"), pong(b"x")))
    assert verdict(case, opened(message("a"), got_pong(b"x"))).behavior is Behavior.OK
    assert verdict(case, opened(got_pong(b"x"), message("a"))).behavior is Behavior.FAILED
    assert verdict(case, opened(message("a"))).behavior is Behavior.FAILED
    assert verdict(case, opened(message("a"), got_pong(b"x"), got_pong(b"x"))).behavior is Behavior.FAILED


def test_a_count_expects_that_many_in_a_row() -> None:
    """`times`: 1,000 echoes are one expected event, matched one by one."""
    echo = ExpectEvent("message", "text", Payload("repeat", byte=0x2A, count=16), times=1000)
    case = make_case(ok=(echo,))
    stars = message(b"*" * 16)
    assert verdict(case, opened(*[stars] * 1000)).behavior is Behavior.OK
    v = verdict(case, opened(*[stars] * 999))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        f"expected text message of 16 bytes x1000; received {describe_received([stars] * 3)} and 996 more",
    )
    assert verdict(case, opened(*[stars] * 500, message(b"*" * 15), *[stars] * 499)).behavior is Behavior.FAILED


def test_marks_are_received_events() -> None:
    case = make_case(
        ok=(ExpectEvent("mark", name="A"),), non_strict=(ExpectEvent("mark", name="A"), ExpectEvent("mark", name="B"))
    )
    assert verdict(case, opened(MarkSet(1.0, "A"))).behavior is Behavior.OK
    assert verdict(case, opened(MarkSet(1.0, "A"), MarkSet(2.0, "B"))).behavior is Behavior.NON_STRICT
    v = verdict(case, opened())  # the peer closed before the first mark: it failed on valid input
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected mark A; received nothing")


def test_pings_count_only_where_the_case_expects_them() -> None:
    pings = opened(got_ping(b"1"), message("Hello"), got_ping(b"2"))
    assert verdict(HELLO, pings).behavior is Behavior.OK  # a peer may ping at will
    ping = lambda p: ExpectEvent("ping", payload=Payload(text=p))  # noqa: E731
    expecting = make_case(ok=(ping("1"), text("Hello"), ping("2")))
    assert verdict(expecting, pings).behavior is Behavior.OK
    assert verdict(expecting, opened(got_ping(b"1"), message("Hello"))).behavior is Behavior.FAILED


def test_payload_forms_are_compared_as_bytes() -> None:
    stars = ExpectEvent("message", "binary", Payload("repeat", byte=0x2A, count=300))
    assert verdict(make_case(ok=(stars,)), opened(message(b"*" * 300, kind="binary"))).behavior is Behavior.OK
    pattern = ExpectEvent("message", "text", Payload("pattern", text=b"BAsd7&jh23".hex(), count=25))
    assert verdict(make_case(ok=(pattern,)), opened(message("BAsd7&jh23BAsd7&jh23BAsd7"))).behavior is Behavior.OK
    big = "é" * 1000  # bigger than the preview: judged by size and digest
    assert verdict(make_case(ok=(text(big),)), opened(message(big))).behavior is Behavior.OK


def test_descriptions_are_short() -> None:
    got = received(opened(*(message("x" * 30) for _ in range(5))).events)
    assert describe_received(got) == ", ".join(["text message of 30 bytes ('" + "x" * 24 + "...')"] * 3) + (
        " and 2 more"
    )
    assert describe_expected(()) == "nothing"
    assert describe_expected((text("ab"), pong(b"z"), binary(b"123"), text("q"))) == (
        "text message of 2 bytes, pong of 1 bytes, binary message of 3 bytes and 1 more"
    )


def test_the_judge_is_pure() -> None:
    obs = opened(message("Hello"))
    before = copy.deepcopy(obs)
    assert verdict(HELLO, obs) == verdict(HELLO, obs)
    assert obs == before


# --- handshake expectations --------------------------------------------------------------------------


def test_no_handshake_answer() -> None:
    v = verdict(HELLO, Observation(events=[TcpClosed(0.1, "peer", "during the handshake")]))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "no handshake answer: the connection closed before an HTTP head arrived",
    )
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "no WebSocket connection was opened")
    v = verdict(HELLO, Observation(events=[TimedOut(15.0, "the case to end", 15.0, final=True)]))
    assert v.behavior_reason == "no handshake answer before the case timed out"
    v = verdict(HELLO, Observation(handshake_error="malformed status line: 'SSH-2.0'"))
    assert v.behavior_reason == "invalid handshake answer: malformed status line: 'SSH-2.0'"


def test_status_headers_and_protocol() -> None:
    assert verdict(HELLO, Observation(status=400)).behavior_reason == "handshake answered 400, expected 101"
    refusal = make_case(expect_handshake=ExpectHandshake(status=(400, 426)))
    assert verdict(refusal, Observation(status=426)).behavior_reason == "handshake answered 426 as expected"
    versions = make_case(
        expect_handshake=ExpectHandshake(status=(426,), headers=(("Sec-WebSocket-Version", "13, 8, 7, 6"),))
    )
    assert (
        verdict(versions, Observation(status=426, response_headers=[("sec-websocket-version", " 13 ,8,7,6")])).behavior
        is Behavior.OK
    )
    v = verdict(versions, Observation(status=426, response_headers=[("Sec-WebSocket-Version", "13, 8")]))
    assert v.behavior_reason == "handshake answer has Sec-WebSocket-Version: 13, 8, expected 13, 8, 7, 6"
    absent = make_case(expect_handshake=ExpectHandshake(headers=(("Sec-WebSocket-Protocol", None),)))
    assert verdict(absent, opened(response_headers=[("Sec-WebSocket-Protocol", "echo")])).behavior is Behavior.FAILED
    protocol = make_case(ok=(text("Hello"),), expect_handshake=ExpectHandshake(protocol="echo"))
    v = verdict(protocol, opened(message("Hello"), protocol=None))
    assert v.behavior_reason == "server selected subprotocol None, expected 'echo'"


# --- close: Autobahn's order (case.py onConnectionLost) ----------------------------------------------


def test_a_peer_closing_as_expected() -> None:
    v = verdict(BY_SERVER_1002, opened(closing=(CloseIn(0.5, 1002), TcpClosed(0.6, "peer"))))
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "closed by the peer, peer's close with 1002, uncleanly")
    dropped = verdict(BY_SERVER_1002, opened(closing=(TcpClosed(0.6, "peer", "connection reset"),)))
    assert dropped.close is CloseBehavior.OK  # dropping TCP is a way to fail, and clean is not required


def test_the_wrong_side_closing_is_failed_first() -> None:
    v = verdict(BY_SERVER_1002, opened())
    assert (v.close, v.close_reason) == (
        CloseBehavior.FAILED,
        "expected the peer to close the connection; wsinterop had to",
    )
    assert v.failed
    v = verdict(HELLO, opened(message("Hello"), closing=(*server_closes(1001)[:2], TcpClosed(0.7, "agent", "late"))))
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "the peer closed the connection unexpectedly")


def test_unclean_is_judged_before_the_code() -> None:
    """Autobahn checks requireClean before the code: a wrong code on a dropped connection is UNCLEAN."""
    late = (CloseOut(0.5, 1000), CloseIn(0.6, 1001), TcpClosed(1.7, "agent", "no TCP close"))
    v = verdict(HELLO, opened(message("Hello"), closing=late))
    assert v.close is CloseBehavior.UNCLEAN
    assert not v.failed


def test_wrong_code_and_a_close_without_a_code() -> None:
    v = verdict(
        HELLO, opened(message("Hello"), closing=(CloseOut(0.5, 1000), CloseIn(0.6, 1001), TcpClosed(0.7, "peer")))
    )
    assert (v.close, v.close_reason) == (CloseBehavior.WRONG_CODE, "peer closed with 1001, expected 1000 or none")
    assert not v.failed  # shown, tolerated
    # a close frame without a code passes any code list ("X or empty")
    empty = (CloseOut(0.5, 1000), CloseIn(0.6, None), TcpClosed(0.7, "peer"))
    assert verdict(HELLO, opened(message("Hello"), closing=empty)).close is CloseBehavior.OK


def test_failed_by_client_is_a_tcp_connection_the_client_had_to_drop() -> None:
    lingering = (CloseOut(0.5, 1000), CloseIn(0.6, 1000), TcpClosed(1.6, "agent", "the server did not close TCP"))
    v = verdict(make_case(close=ExpectClose(clean=False)), opened(closing=lingering))
    assert (v.close, v.close_reason) == (
        CloseBehavior.FAILED_BY_CLIENT,
        "the server did not close the TCP connection in time: the client had to",
    )
    assert not v.failed  # RFC 6455 §7.1.1: the server SHOULD close TCP first


def test_a_peer_that_breaks_the_protocol_or_never_closes_is_failed() -> None:
    broke = (Failure(0.4, 1007, "invalid UTF-8 in a text message"), CloseOut(0.4, 1007), TcpClosed(1.4, "agent", "x"))
    v = verdict(HELLO, opened(closing=broke))
    assert (v.close, v.close_reason) == (
        CloseBehavior.FAILED,
        "the peer broke the protocol and wsinterop failed the connection: invalid UTF-8 in a text message",
    )
    v = verdict(BY_SERVER_1002, opened(closing=(TimedOut(10.0, "the peer to close", 10.0, final=True),)))
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "the connection was never closed")


def test_either_side_may_close_when_the_case_says_either() -> None:
    either = make_case(close=ExpectClose(by="either"))
    assert verdict(either, opened()).close is CloseBehavior.OK
    assert verdict(either, opened(closing=server_closes(1000))).close is CloseBehavior.OK


# --- close codes by name, per draft ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "code", "close"),
    [
        (Draft.HYBI_08, 1007, CloseBehavior.OK),
        (Draft.HYBI_08, 1002, CloseBehavior.WRONG_CODE),
        (RFC, 1007, CloseBehavior.OK),
        (RFC, 1002, CloseBehavior.WRONG_CODE),
    ],
)
def test_invalid_data_resolves_per_draft(draft: Draft, code: int, close: CloseBehavior) -> None:
    case = make_case(close=ExpectClose(by="peer", codes=("invalid-data",), clean=False))
    assert verdict(case, opened(closing=server_closes(code)), draft).close is close


@pytest.mark.parametrize(
    ("draft", "good", "bad"), [(Draft.HYBI_07, 1004, 1009), (Draft.HYBI_08, 1004, 1009), (RFC, 1009, 1004)]
)
def test_too_big_resolves_per_draft(draft: Draft, good: int, bad: int) -> None:
    case = make_case(close=ExpectClose(by="peer", codes=("too-big",), clean=False))
    assert verdict(case, opened(closing=server_closes(good)), draft).close is CloseBehavior.OK
    assert verdict(case, opened(closing=server_closes(bad)), draft).close is CloseBehavior.WRONG_CODE


def test_the_valid_and_invalid_sets() -> None:
    valid = make_case(close=ExpectClose(codes=("valid",)))
    end = lambda code: (CloseOut(0.5, 1000), CloseIn(0.6, code), TcpClosed(0.7, "peer"))  # noqa: E731
    assert verdict(valid, opened(closing=end(4001))).close is CloseBehavior.OK
    assert verdict(valid, opened(closing=end(1011))).close is CloseBehavior.OK
    assert verdict(valid, opened(closing=end(1011)), Draft.HYBI_07).close is CloseBehavior.WRONG_CODE
    invalid = make_case(close=ExpectClose(codes=("invalid",)))
    assert verdict(invalid, opened(closing=end(1005))).close is CloseBehavior.OK
    assert verdict(invalid, opened(closing=end(1000))).close is CloseBehavior.WRONG_CODE


@pytest.mark.parametrize(
    ("code", "draft", "answer", "close"),
    [
        (1001, RFC, 1001, CloseBehavior.OK),  # valid: echoed
        (1001, RFC, 1000, CloseBehavior.OK),  # or answered with 1000
        (1004, RFC, 1002, CloseBehavior.OK),  # invalid in RFC 6455: a protocol error
        (1004, RFC, 1000, CloseBehavior.WRONG_CODE),
        (1004, Draft.HYBI_08, 1004, CloseBehavior.OK),  # hybi-06..08 defined 1004
        (1004, Draft.HYBI_08, 1002, CloseBehavior.WRONG_CODE),
        (1008, Draft.HYBI_07, 1002, CloseBehavior.OK),  # 1008 came with RFC 6455
    ],
)
def test_answer_follows_the_code_sent(code: int, draft: Draft, answer: int, close: CloseBehavior) -> None:
    case = make_case(SendClose(code), close=ExpectClose(answer=True))
    obs = opened(closing=(CloseOut(0.1, code), CloseIn(0.2, answer), TcpClosed(0.3, "peer")))
    assert verdict(case, obs, draft).close is close


def test_drafts_without_codes_skip_the_code() -> None:
    obs = opened(closing=(CloseIn(0.5, None), CloseOut(0.5, None), TcpClosed(0.6, "peer")))
    assert verdict(BY_SERVER_1002, obs, Draft.HIXIE_76).close is CloseBehavior.OK


# --- Autobahn's case-specific rules ------------------------------------------------------------------


def test_wrong_code_fails_the_behaviour_in_7_9() -> None:
    """case7_9_X.py: a peer that answers an invalid close code with 1000 fails the case."""
    case = make_case(SendClose(1016), close=ExpectClose(answer=True), rules=(Rule.WRONG_CODE_FAILS,))
    answered_1000 = opened(closing=(CloseOut(0.1, 1016), CloseIn(0.2, 1000), TcpClosed(0.3, "peer")))
    v = verdict(case, answered_1000)
    assert v == Verdict(
        Behavior.FAILED,
        "peer closed with 1000, expected 1002 or none",
        CloseBehavior.WRONG_CODE,
        "peer closed with 1000, expected 1002 or none",
    )
    assert v.failed
    right = opened(closing=(CloseOut(0.1, 1016), CloseIn(0.2, 1002), TcpClosed(0.3, "peer")))
    assert verdict(case, right).behavior is Behavior.OK
    assert verdict(make_case(SendClose(1016), close=ExpectClose(answer=True)), answered_1000).behavior is Behavior.OK


def test_the_wrong_closer_fails_the_behaviour_in_the_utf8_cases() -> None:
    """closedByWrongEndpointIsFatal: a peer that never detected the invalid text (the client had to close)
    fails the behaviour, not only the close; one that did detect it passes."""
    case = make_case(
        close=ExpectClose(by="peer", codes=("invalid-data",), clean=False), rules=(Rule.WRONG_CLOSER_FAILS,)
    )
    v = verdict(case, opened())  # nothing echoed, but the client had to close
    assert (v.behavior, v.close) == (Behavior.FAILED, CloseBehavior.FAILED)
    assert v.behavior_reason == (
        "the peer did not detect the invalid input: expected the peer to close the connection; wsinterop had to"
    )
    assert (
        verdict(case, opened(closing=(TimedOut(9.0, "the peer to close", 9.0, final=True),))).behavior
        is Behavior.FAILED
    )
    assert verdict(case, opened(closing=server_closes(1007))).behavior is Behavior.OK
    assert verdict(make_case(close=case.close), opened()).behavior is Behavior.OK  # without the rule


def test_informational_whatever_happens_in_7_1_6_and_7_13() -> None:
    case = make_case(ok=(text("x"),), close=ExpectClose(codes=(1000,)), rules=(Rule.INFORMATIONAL,))
    for obs in (opened(message("x")), opened(), opened(closing=(TcpClosed(0.1, "peer"),))):
        v = verdict(case, obs)
        assert (v.behavior, v.close) == (Behavior.INFORMATIONAL, CloseBehavior.INFORMATIONAL)
        assert v.behavior_reason.startswith("the outcome is not defined: ")
        assert not v.failed


def test_every_verdict_is_reachable() -> None:
    """A guard: the cases above reach every value of both enums."""
    lingering = (CloseOut(0.5, 1000), CloseIn(0.6, 1000), TcpClosed(1.6, "agent", "x"))
    behaviors = {
        verdict(HELLO, opened(message("Hello"))).behavior,
        verdict(make_case(ok=(text("a"),), non_strict=(text("b"),)), opened(message("b"))).behavior,
        verdict(make_case(ok=(text("a"),), informational=(text("b"),)), opened(message("b"))).behavior,
        verdict(HELLO, opened(unimplemented="no")).behavior,
        verdict(HELLO, opened()).behavior,
    }
    closes = {
        verdict(HELLO, opened()).close,
        verdict(make_case(rules=(Rule.INFORMATIONAL,)), opened()).close,
        verdict(HELLO, opened(closing=(CloseOut(0.5, 1000), CloseIn(0.6, 1001), TcpClosed(0.7, "peer")))).close,
        verdict(HELLO, opened(closing=lingering)).close,
        verdict(make_case(close=ExpectClose(clean=False)), opened(closing=lingering)).close,
        verdict(BY_SERVER_1002, opened()).close,
        verdict(HELLO, opened(unimplemented="no")).close,
    }
    assert behaviors == set(Behavior)
    assert closes == set(CloseBehavior)


# --- a WebSocket the agent must refuse (a browser's TLS rule) -------------------------------------------

REFUSING = make_case(expect_handshake=ExpectHandshake(refused=True))


def test_a_refusal_is_ok_and_says_how() -> None:
    threw = Observation(events=[Refused(0.1, "new WebSocket() threw SecurityError: insecure")])
    assert verdict(REFUSING, threw) == Verdict(
        Behavior.OK,
        "refused: new WebSocket() threw SecurityError: insecure",
        CloseBehavior.OK,
        "no WebSocket connection was opened",
    )
    silent = Observation(events=[TcpClosed(0.2, "peer")])
    assert verdict(REFUSING, silent).behavior_reason == "refused: the WebSocket never opened"


def test_a_websocket_that_opens_where_it_must_be_refused_fails() -> None:
    result = verdict(REFUSING, opened())
    assert (result.behavior, result.behavior_reason) == (Behavior.FAILED, "the WebSocket opened: it must be refused")
    assert result.close is CloseBehavior.OK  # its closing handshake is judged as usual


# --- permessage-deflate: expect_handshake.deflate ------------------------------------------------------


def deflate_case(deflate: tuple[tuple[str, bool | int], ...] | None) -> Case:
    return make_case(ok=(), expect_handshake=ExpectHandshake(deflate=deflate))


def answered(extensions: str | None) -> Observation:
    headers = [("Sec-WebSocket-Extensions", extensions)] if extensions is not None else []
    return opened(response_headers=headers, extensions=extensions)


@pytest.mark.parametrize(
    ("deflate", "extensions", "behavior", "reason"),
    [
        ((), "permessage-deflate", Behavior.OK, ""),
        ((), "permessage-deflate; server_max_window_bits=10", Behavior.OK, ""),
        ((), None, Behavior.UNIMPLEMENTED, "did not accept permessage-deflate"),
        ((), "x-other", Behavior.UNIMPLEMENTED, "did not accept permessage-deflate"),
        ((("server_no_context_takeover", True),), "permessage-deflate; server_no_context_takeover", Behavior.OK, ""),
        (
            (("server_no_context_takeover", True),),
            "permessage-deflate",
            Behavior.FAILED,
            "server_no_context_takeover=True",
        ),
        ((("server_max_window_bits", 8),), "permessage-deflate; server_max_window_bits=9", Behavior.FAILED, "=8"),
        (None, None, Behavior.OK, ""),
        (None, "permessage-deflate", Behavior.FAILED, "expected nothing"),
        ((), "permessage-deflate; =", Behavior.FAILED, "invalid handshake answer"),
    ],
)
def test_expect_deflate(
    deflate: tuple[tuple[str, bool | int], ...] | None, extensions: str | None, behavior: Behavior, reason: str
) -> None:
    v = verdict(deflate_case(deflate), answered(extensions))
    assert v.behavior is behavior, v
    assert reason in v.behavior_reason
    assert v.close is CloseBehavior.OK


def test_corpus_slices_are_judged_slice_by_slice() -> None:
    piece = Payload("corpus", text="json", count=100)
    case = make_case(ok=(ExpectEvent("message", "text", piece, times=3),))
    got = [message(piece.nth(k).to_bytes()) for k in range(3)]
    assert verdict(case, opened(*got)).behavior is Behavior.OK
    swapped = [got[1], got[0], got[2]]
    assert verdict(case, opened(*swapped)).behavior is Behavior.FAILED
