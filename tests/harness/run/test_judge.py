"""harness.run.judge: a pure function from (case, draft, observation) to a verdict, driven by hand-made data."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from harness.cases.model import Case, ExpectClose, ExpectEvent, ExpectHandshake, Payload, Repeat, SendMessage, Wait
from harness.run.judge import describe_expected, describe_received, in_draft, judge, received
from harness.run.recorder import payload_summary
from harness.run.results import Behavior, CloseBehavior, Observation, ObservedEvent, Verdict
from wire import Draft

from ..peers import binary, make_case, pong, text

RFC = Draft.RFC6455
HIXIE_DRAFTS = (Draft.HIXIE_75, Draft.HIXIE_76)


def message(data: bytes | str, kind: str = "text", fragments: int = 1) -> ObservedEvent:
    """A received message as the drivers record it (the judge compares size and digest)."""
    raw = data.encode() if isinstance(data, str) else data
    return ObservedEvent(0.1, "message", {"kind": kind, "fragments": fragments, **payload_summary(raw, kind)})


def got_pong(data: bytes = b"") -> ObservedEvent:
    return ObservedEvent(0.1, "pong", payload_summary(data))


def opened(*events: ObservedEvent, **fields: Any) -> Observation:
    """An observation of a WebSocket that opened and was closed cleanly by the client with 1000."""
    obs = Observation(
        events=[ObservedEvent(0.0, "open", {"protocol": None}), *events],
        status=101,
        closed_by="client",
        close_frame_received=True,
        remote_close_code=1000,
        local_close_code=1000,
        clean=True,
    )
    for name, value in fields.items():
        assert hasattr(obs, name), name
        setattr(obs, name, value)
    return obs


def replace_obs(obs: Observation, **fields: Any) -> Observation:
    copied = copy.deepcopy(obs)
    for name, value in fields.items():
        setattr(copied, name, value)
    return copied


def verdict(case: Case, obs: Observation, draft: Draft = RFC) -> Verdict:
    return judge(case, draft, obs)


# --- behaviour ---------------------------------------------------------------------------------------

HELLO = make_case(ok=(text("Hello"),))


def test_ok_when_the_received_events_equal_the_ok_list() -> None:
    v = verdict(HELLO, opened(message("Hello")))
    assert v == Verdict(
        Behavior.OK,
        "received text message of 5 bytes ('Hello')",
        CloseBehavior.OK,
        "closed by the client with 1000, cleanly",
    )
    assert not v.failed


def test_non_strict_when_only_the_non_strict_list_matches() -> None:
    case = make_case(ok=(text("a"),), non_strict=(text("b"),), informational=(text("c"),))
    v = verdict(case, opened(message("b")))
    assert (v.behavior, v.behavior_reason) == (Behavior.NON_STRICT, "received text message of 1 bytes ('b')")
    assert not v.failed


def test_informational_when_only_the_informational_list_matches() -> None:
    case = make_case(ok=(text("a"),), non_strict=(text("b"),), informational=(text("c"),))
    v = verdict(case, opened(message("c")))
    assert (v.behavior, v.behavior_reason) == (Behavior.INFORMATIONAL, "received text message of 1 bytes ('c')")
    assert not v.failed


def test_lists_are_tried_in_order_ok_first() -> None:
    case = make_case(ok=(text("a"),), non_strict=(text("a"),), informational=(text("a"),))
    assert verdict(case, opened(message("a"))).behavior is Behavior.OK
    case = make_case(ok=(text("x"),), non_strict=(text("a"),), informational=(text("a"),))
    assert verdict(case, opened(message("a"))).behavior is Behavior.NON_STRICT


def test_failed_when_no_list_matches() -> None:
    case = make_case(ok=(text("a"),), non_strict=(text("b"),), informational=(text("c"),))
    v = verdict(case, opened(message("d")))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "expected text message of 1 bytes; received text message of 1 bytes ('d')",
    )
    assert v.failed
    assert v.close is CloseBehavior.OK  # the two axes are independent


def test_a_timeout_says_how_many_of_the_expected_messages_arrived() -> None:
    sent = SendMessage("text", Payload(text="Hello"))
    echo = Repeat(1000, (sent, Wait("message")))
    case = make_case(echo, ok=(text("Hello"),) * 1000, timeout=30)
    v = verdict(case, opened(*[message("Hello")] * 610, timed_out=True))
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "timed out after 30 s: 610 of 1000 echoes received")
    other = make_case(sent, ok=(text("Hello"), text("World")), timeout=2.5)
    v = verdict(other, opened(message("Hello"), timed_out=True))
    assert v.behavior_reason == "timed out after 2.5 s: 1 of 2 expected messages received"
    # all that was expected arrived (the close was late): the messages are judged as they are
    assert verdict(other, opened(message("Hello"), message("World"), timed_out=True)).behavior is Behavior.OK
    v = verdict(other, opened(message("Hello"), message("Hello"), timed_out=True))
    assert v.behavior_reason.startswith("expected text message of 5 bytes, text message of 5 bytes; received")


def test_failed_without_an_ok_list_says_no_outcome_is_defined() -> None:
    case = make_case(ok=None, non_strict=(text("b"),))
    v = verdict(case, opened())
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected a defined outcome; received nothing")


def test_ok_empty_means_nothing_received() -> None:
    case = make_case()  # ok=() by default
    assert verdict(case, opened()).behavior is Behavior.OK
    v = verdict(case, opened(got_pong(b"x")))
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected nothing; received pong of 1 bytes ('78')")


def test_unimplemented_takes_both_axes_and_wins_over_everything() -> None:
    obs = opened(message("wrong"), unimplemented="hixie-75 has no ping or pong frames", error="also set")
    v = verdict(HELLO, obs)
    reason = "hixie-75 has no ping or pong frames"
    assert v == Verdict(Behavior.UNIMPLEMENTED, reason, CloseBehavior.UNIMPLEMENTED, reason)
    assert not v.failed


def test_an_agent_error_fails_both_axes() -> None:
    error = "cannot connect to 127.0.0.1:9: [Errno 111] Connection refused"
    v = verdict(HELLO, Observation(error=error))
    assert v == Verdict(Behavior.FAILED, error, CloseBehavior.FAILED, error)
    assert v.failed


def test_only_messages_and_pongs_are_compared() -> None:
    extra = [
        ObservedEvent(0.1, "ping", payload_summary(b"p")),
        ObservedEvent(0.1, "ignored", {"frame_type": 0x80, **payload_summary(b"abc")}),
        ObservedEvent(0.2, "close", {"code": 1000, "reason": ""}),
        ObservedEvent(0.3, "tcp_closed", {"clean": True}),
    ]
    obs = opened(extra[0], message("Hello"), *extra[1:])
    assert [g["type"] for g in received(obs)] == ["message"]
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
def test_a_single_difference_fails(expected: ExpectEvent, event: ObservedEvent) -> None:
    assert verdict(make_case(ok=(expected,)), opened(event)).behavior is Behavior.FAILED


def test_order_and_count_matter() -> None:
    case = make_case(ok=(text("a"), pong(b"x")))
    assert verdict(case, opened(message("a"), got_pong(b"x"))).behavior is Behavior.OK
    assert verdict(case, opened(got_pong(b"x"), message("a"))).behavior is Behavior.FAILED
    assert verdict(case, opened(message("a"))).behavior is Behavior.FAILED
    assert verdict(case, opened(message("a"), got_pong(b"x"), got_pong(b"x"))).behavior is Behavior.FAILED


def test_fragment_counts_match_only_when_given() -> None:
    in_three = message("Hello", fragments=3)
    assert verdict(make_case(ok=(text("Hello", fragments=3),)), opened(in_three)).behavior is Behavior.OK
    assert verdict(make_case(ok=(text("Hello"),)), opened(in_three)).behavior is Behavior.OK  # not checked
    v = verdict(make_case(ok=(text("Hello", fragments=2),)), opened(in_three))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "expected text message of 5 bytes in 2 frames; received text message of 5 bytes in 3 frames ('Hello')",
    )


def test_payload_forms_are_compared_as_bytes() -> None:
    stars = ExpectEvent("message", "binary", Payload("repeat", byte=0x2A, count=300))
    assert verdict(make_case(ok=(stars,)), opened(message(b"*" * 300, kind="binary"))).behavior is Behavior.OK
    rnd = ExpectEvent("message", "binary", Payload("random", count=64, seed=7))
    same = Payload("random", count=64, seed=7).to_bytes()
    assert verdict(make_case(ok=(rnd,)), opened(message(same, kind="binary"))).behavior is Behavior.OK
    other = Payload("random", count=64, seed=8).to_bytes()
    assert verdict(make_case(ok=(rnd,)), opened(message(other, kind="binary"))).behavior is Behavior.FAILED
    # a message bigger than the recorded preview is still judged by its size and digest
    big = "é" * 1000
    assert verdict(make_case(ok=(text(big),)), opened(message(big))).behavior is Behavior.OK


def test_descriptions_are_short() -> None:
    got = received(opened(*(message("x" * 30) for _ in range(5))))
    assert describe_received(got) == ", ".join(["text message of 30 bytes ('" + "x" * 24 + "...')"] * 3) + (
        " and 2 more"
    )
    assert describe_received([]) == "nothing"
    assert describe_expected(()) == "nothing"
    assert describe_expected((text("ab"), pong(b"z"), binary(b"123"), text("q"))) == (
        "text message of 2 bytes, pong of 1 bytes, binary message of 3 bytes and 1 more"
    )


def test_the_judge_is_pure() -> None:
    obs = opened(message("Hello"), remote_close_code=1001)
    before = copy.deepcopy(obs)
    first = verdict(HELLO, obs)
    assert verdict(HELLO, obs) == first
    assert obs == before


# --- handshake expectations --------------------------------------------------------------------------


def test_no_handshake_answer_fails() -> None:
    v = verdict(HELLO, Observation(closed_by="server"))
    assert v.behavior is Behavior.FAILED
    assert v.behavior_reason == "no handshake answer: the connection closed before an HTTP head arrived"
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "no WebSocket connection was opened")


def test_no_handshake_answer_before_the_ceiling_says_so() -> None:
    v = verdict(HELLO, Observation(timed_out=True))
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "no handshake answer before the case timed out")


def test_an_answer_that_is_not_http_says_what_was_wrong() -> None:
    v = verdict(HELLO, Observation(handshake_error="malformed status line: 'SSH-2.0'"))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "invalid handshake answer: malformed status line: 'SSH-2.0'",
    )


def test_unexpected_status_fails() -> None:
    v = verdict(HELLO, Observation(status=400))
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "handshake answered 400, expected 101")
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "no WebSocket connection was opened")
    refusal = make_case(expect_handshake=ExpectHandshake(status=(400, 426)))
    v = verdict(refusal, opened())
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "handshake answered 101, expected 400 or 426")


@pytest.mark.parametrize("status", [400, 426])
def test_an_expected_refusal_is_ok(status: int) -> None:
    case = make_case(expect_handshake=ExpectHandshake(status=(400, 426)))
    v = verdict(case, Observation(status=status, closed_by="server"))
    assert v == Verdict(
        Behavior.OK, f"handshake answered {status} as expected", CloseBehavior.OK, "no WebSocket connection was opened"
    )


VERSIONS = make_case(
    expect_handshake=ExpectHandshake(status=(426,), headers=(("Sec-WebSocket-Version", "13, 8, 7, 6"),))
)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([("Sec-WebSocket-Version", "13, 8, 7, 6")], None),
        ([("sec-websocket-version", "13,8,7,6")], None),  # names any case; list items without spaces
        ([("Sec-WebSocket-Version", " 13 ,8, 7,6 ")], None),
        (
            [("Sec-WebSocket-Version", "13, 8")],
            "handshake answer has Sec-WebSocket-Version: 13, 8, expected 13, 8, 7, 6",
        ),
        ([], "handshake answer has no Sec-WebSocket-Version, expected 13, 8, 7, 6"),
    ],
)
def test_expected_header_values(headers: list[tuple[str, str]], reason: str | None) -> None:
    v = verdict(VERSIONS, Observation(status=426, response_headers=headers))
    if reason is None:
        assert v.behavior is Behavior.OK
    else:
        assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, reason)


def test_a_header_expected_absent() -> None:
    case = make_case(expect_handshake=ExpectHandshake(headers=(("Sec-WebSocket-Protocol", None),)))
    assert verdict(case, opened(response_headers=[("Upgrade", "websocket")])).behavior is Behavior.OK
    v = verdict(case, opened(response_headers=[("Sec-WebSocket-Protocol", "echo")]))
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "handshake answer has Sec-WebSocket-Protocol: echo, expected none",
    )


@pytest.mark.parametrize(
    ("expected", "selected", "reason"),
    [
        ("echo", "echo", None),
        (None, None, None),
        (False, "anything", None),  # not checked
        ("echo", None, "server selected subprotocol None, expected 'echo'"),
        (None, "echo", "server selected subprotocol 'echo', expected None"),
        ("echo", "chat", "server selected subprotocol 'chat', expected 'echo'"),
    ],
)
def test_expected_protocol(expected: str | bool | None, selected: str | None, reason: str | None) -> None:
    assert expected is not True
    case = make_case(expect_handshake=ExpectHandshake(protocol=expected))
    v = verdict(case, opened(protocol=selected))
    if reason is None:
        assert v.behavior is Behavior.OK
    else:
        assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, reason)


def test_an_invalid_101_answer_fails_and_opens_nothing() -> None:
    error = "Sec-WebSocket-Accept is 'bm90', expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='"
    v = verdict(HELLO, Observation(status=101, handshake_error=error, closed_by="client"))
    assert v == Verdict(
        Behavior.FAILED, f"invalid handshake answer: {error}", CloseBehavior.OK, "no WebSocket connection was opened"
    )


def test_handshake_checks_come_before_events() -> None:
    case = make_case(ok=(text("Hello"),), expect_handshake=ExpectHandshake(protocol="echo"))
    v = verdict(case, opened(message("Hello"), protocol=None))
    assert v.behavior_reason == "server selected subprotocol None, expected 'echo'"


# --- close -------------------------------------------------------------------------------------------


def test_close_ok_reasons() -> None:
    by_server = make_case(close=ExpectClose(by="server", codes=(1002,), clean=False))
    v = verdict(by_server, opened(closed_by="server", remote_close_code=1002, clean=False))
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "closed by the server with 1002, uncleanly (allowed)")
    v = verdict(by_server, opened(closed_by="server", close_frame_received=False, remote_close_code=None, clean=False))
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "closed by the server, uncleanly (allowed)")
    v = verdict(by_server, opened(closed_by="server", remote_close_code=1002))
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "closed by the server with 1002, cleanly")


@pytest.mark.parametrize("closed_by", ["client", "server"])
def test_either_side_may_close_when_the_case_says_either(closed_by: str) -> None:
    case = make_case(close=ExpectClose(by="either"))
    v = verdict(case, opened(closed_by=closed_by))
    assert (v.close, v.close_reason) == (CloseBehavior.OK, f"closed by the {closed_by} with 1000, cleanly")


def test_wrong_code() -> None:
    v = verdict(HELLO, opened(message("Hello"), remote_close_code=1001))
    assert (v.close, v.close_reason) == (CloseBehavior.WRONG_CODE, "peer closed with 1001, expected 1000")
    assert not v.failed  # shown, tolerated
    several = make_case(close=ExpectClose(by="server", codes=(1002, 1007)))
    v = verdict(several, opened(closed_by="server", remote_close_code=1000))
    assert (v.close, v.close_reason) == (CloseBehavior.WRONG_CODE, "peer closed with 1000, expected 1002, 1007")
    assert verdict(several, opened(closed_by="server", remote_close_code=1007)).close is CloseBehavior.OK


def test_a_code_is_judged_only_when_a_close_frame_arrived() -> None:
    case = make_case(close=ExpectClose(by="server", codes=(1002,), clean=False))
    obs = opened(closed_by="server", close_frame_received=False, remote_close_code=None, clean=False)
    assert verdict(case, obs).close is CloseBehavior.OK


def test_unclean() -> None:
    v = verdict(HELLO, opened(message("Hello"), clean=False))
    assert (v.close, v.close_reason) == (
        CloseBehavior.UNCLEAN,
        "the TCP connection ended without a complete closing handshake",
    )
    assert not v.failed
    # a wrong code says more than the dropped TCP behind it: it is judged first
    assert verdict(HELLO, opened(clean=False, remote_close_code=1001)).close is CloseBehavior.WRONG_CODE


def test_failed_by_client() -> None:
    reason = "invalid UTF-8 in a text message: invalid continuation byte"
    obs = opened(client_failure=reason, clean=False, timed_out=True, closed_by="client", local_close_code=1007)
    v = verdict(HELLO, obs)
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED_BY_CLIENT, f"the client failed the connection: {reason}")
    assert v.behavior is Behavior.FAILED  # the echo never arrived
    assert replace(v, behavior=Behavior.OK).failed  # the peer broke the protocol: that alone fails a run


@pytest.mark.parametrize(
    ("case", "fields", "reason"),
    [
        (HELLO, {"timed_out": True}, "the connection was never closed"),
        (HELLO, {"closed_by": None}, "the connection was never closed"),
        (
            make_case(close=ExpectClose(by="server")),
            {"closed_by": "client"},
            "expected the server to close the connection; the client had to",
        ),
        (HELLO, {"closed_by": "server"}, "the server closed the connection unexpectedly"),
    ],
)
def test_close_failed(case: Case, fields: dict[str, Any], reason: str) -> None:
    v = verdict(case, opened(message("Hello"), **fields))
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, reason)
    assert v.failed


def test_who_closed_is_judged_before_cleanliness_and_code() -> None:
    obs = opened(closed_by="server", clean=False, remote_close_code=1001)
    assert verdict(HELLO, obs).close_reason == "the server closed the connection unexpectedly"


# --- drafts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "draft", "on_wire"),
    [
        (1007, Draft.HYBI_06, 1002),
        (1007, Draft.HYBI_07, 1002),
        (1007, Draft.HYBI_08, 1007),
        (1007, Draft.RFC6455, 1007),
        (1009, Draft.HYBI_06, 1004),
        (1009, Draft.HYBI_07, 1004),
        (1009, Draft.HYBI_08, 1004),
        (1009, Draft.RFC6455, 1009),
        (1000, Draft.HYBI_07, 1000),
        (1002, Draft.RFC6455, 1002),
        (1004, Draft.RFC6455, 1004),  # not an RFC 6455 code, but kept as written
        (4000, Draft.HYBI_06, 4000),
        (1007, Draft.HIXIE_76, None),  # no codes at all
    ],
)
def test_in_draft(code: int, draft: Draft, on_wire: int | None) -> None:
    assert in_draft(code, draft) == on_wire


INVALID_UTF8 = make_case(close=ExpectClose(by="server", codes=(1007,), clean=False))


@pytest.mark.parametrize(
    ("draft", "code", "close", "reason"),
    [
        (Draft.HYBI_07, 1002, CloseBehavior.OK, "closed by the server with 1002, uncleanly (allowed)"),
        (Draft.HYBI_06, 1002, CloseBehavior.OK, "closed by the server with 1002, uncleanly (allowed)"),
        (Draft.HYBI_07, 1007, CloseBehavior.WRONG_CODE, "peer closed with 1007, expected 1002"),
        (Draft.HYBI_08, 1007, CloseBehavior.OK, "closed by the server with 1007, uncleanly (allowed)"),
        (Draft.RFC6455, 1002, CloseBehavior.WRONG_CODE, "peer closed with 1002, expected 1007"),
    ],
)
def test_codes_are_mapped_to_the_draft(draft: Draft, code: int, close: CloseBehavior, reason: str) -> None:
    v = verdict(INVALID_UTF8, opened(closed_by="server", remote_close_code=code, clean=False), draft)
    assert (v.close, v.close_reason) == (close, reason)


def test_too_big_maps_to_1004_before_rfc6455() -> None:
    case = make_case(close=ExpectClose(by="server", codes=(1009,)))
    assert verdict(case, opened(closed_by="server", remote_close_code=1004), Draft.HYBI_08).close is CloseBehavior.OK
    v = verdict(case, opened(closed_by="server", remote_close_code=1004), RFC)
    assert (v.close, v.close_reason) == (CloseBehavior.WRONG_CODE, "peer closed with 1004, expected 1009")


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_drafts_ignore_codes(draft: Draft) -> None:
    case = make_case(close=ExpectClose(by="server", codes=(1002,)))
    obs = opened(closed_by="server", close_frame_received=draft is Draft.HIXIE_76, remote_close_code=None)
    v = verdict(case, obs, draft)
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "closed by the server, cleanly")
    # even a code the drivers could never report is not judged in a draft without codes
    with_code = replace_obs(obs, remote_close_code=1000, close_frame_received=True)
    assert verdict(case, with_code, draft).close is CloseBehavior.OK
    assert verdict(case, with_code, Draft.HYBI_07).close is CloseBehavior.WRONG_CODE


def test_every_verdict_is_reachable() -> None:
    """A guard: the tests above reach every value of both enums (UNIMPLEMENTED close included)."""
    behaviors = {
        verdict(HELLO, opened(message("Hello"))).behavior,
        verdict(make_case(ok=(text("a"),), non_strict=(text("b"),)), opened(message("b"))).behavior,
        verdict(make_case(ok=(text("a"),), informational=(text("b"),)), opened(message("b"))).behavior,
        verdict(HELLO, opened(unimplemented="no")).behavior,
        verdict(HELLO, opened()).behavior,
    }
    closes = {
        verdict(HELLO, opened()).close,
        verdict(HELLO, opened(remote_close_code=1001)).close,
        verdict(HELLO, opened(clean=False)).close,
        verdict(HELLO, opened(client_failure="x")).close,
        verdict(HELLO, opened(timed_out=True)).close,
        verdict(HELLO, opened(unimplemented="no")).close,
    }
    assert behaviors == set(Behavior)
    assert closes == set(CloseBehavior)


def got_ping(data: bytes) -> ObservedEvent:
    return ObservedEvent(0.0, "ping", payload_summary(data))


def test_pings_count_only_where_the_case_expects_them() -> None:
    pings = opened(got_ping(b"1"), message("Hello"), got_ping(b"2"))
    # a case about messages ignores the pings a peer may send at will
    assert verdict(HELLO, pings).behavior is Behavior.OK
    expecting = make_case(
        ok=(
            ExpectEvent("ping", payload=Payload(text="1")),
            text("Hello"),
            ExpectEvent("ping", payload=Payload(text="2")),
        )
    )
    assert verdict(expecting, pings).behavior is Behavior.OK
    missing = opened(got_ping(b"1"), message("Hello"))
    v = verdict(expecting, missing)
    assert (v.behavior, v.behavior_reason) == (
        Behavior.FAILED,
        "expected ping of 1 bytes, text message of 5 bytes, ping of 1 bytes; "
        "received ping of 1 bytes ('31'), text message of 5 bytes ('Hello')",
    )
