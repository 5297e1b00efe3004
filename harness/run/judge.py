"""The judge: a pure function from a case's expectations and an observation to a verdict, by Autobahn's rules.

Behaviour: the received messages and pongs (pings too when a list expects them, and marks), in order, are
compared with the case's lists for OK, then NON-STRICT, then INFORMATIONAL; none matching is FAILED
(Autobahn's case.py `onConnectionLost`). Close: the ending worked out from the events (closing.py) is
compared with the case's `close` in Autobahn's order: the wrong side closed is FAILED, a required clean
close that was not is UNCLEAN, a code outside the allowed ones is WRONG CODE (a close frame without a code
passes, "X or empty"), a TCP connection the client had to drop is FAILED BY CLIENT. Two things Autobahn
cannot see are ours: a peer that broke the protocol (wsinterop failed the connection) and one that never
closed are close FAILED. The case's `rules` add Autobahn's case-specific ones (model.Rule).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

from wire import Draft, HandshakeError, Headers
from wire.extensions import HEADER, PERMESSAGE_DEFLATE, DeflateParams, parse_extensions

from ..cases import codes
from ..cases.model import Case, ExpectEvent, Payload, Rule, SendMessage, expand, walk
from .closing import Ending, ending
from .events import ChatShown, Event, MarkSet, MessageIn, PingIn, PongIn, Refused, TimedOut
from .results import Behavior, CloseBehavior, Observation, Verdict

Received = list[MessageIn | PongIn | PingIn | MarkSet]


def unimplemented(reason: str) -> Verdict:
    return Verdict(Behavior.UNIMPLEMENTED, reason, CloseBehavior.UNIMPLEMENTED, reason)


def received(events: Sequence[Event], pings: bool = False) -> Received:
    """The received messages, pongs and marks, in order; pings too when the case expects some."""
    kinds = (MessageIn, PongIn, MarkSet, PingIn) if pings else (MessageIn, PongIn, MarkSet)
    return [e for e in events if isinstance(e, kinds)]


def expects_pings(case: Case) -> bool:
    lists = (case.ok, case.non_strict, case.informational)
    return any(e.type == "ping" for events in lists if events for e in events)


_TYPES = {MessageIn: "message", PongIn: "pong", PingIn: "ping", MarkSet: "mark"}


def _matches(expected: ExpectEvent, got: MessageIn | PongIn | PingIn | MarkSet) -> bool:
    if expected.type != _TYPES[type(got)]:
        return False
    if isinstance(got, MarkSet):
        return expected.name == got.name
    if isinstance(got, MessageIn) and (expected.kind != got.message or expected.fragments not in (None, got.fragments)):
        return False
    size, digest = _digest(expected.payload)
    return got.payload.size == size and got.payload.sha256 == digest


@functools.lru_cache(maxsize=1 << 17)
def _digest(payload: Payload) -> tuple[int, str]:
    """The size and SHA-256 of a payload, kept: the compression cases expect the same corpus slices again
    and again (13.* all walk the json data set), at up to 128 KiB each."""
    data = payload.to_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def matches(expected: tuple[ExpectEvent, ...], got: Received) -> bool:
    if sum(e.times for e in expected) != len(got):
        return False
    return all(_matches(e, g) for e, g in zip(expand(expected), got, strict=True))


def _what(e: MessageIn | PongIn | PingIn | MarkSet) -> str:
    if isinstance(e, MarkSet):
        return f"mark {e.name}"
    preview = e.payload.preview if len(e.payload.preview) <= 24 else e.payload.preview[:24] + "..."
    if isinstance(e, MessageIn):
        frags = f" in {e.fragments} frames" if e.fragments > 1 else ""
        return f"{e.message} message of {e.payload.size} bytes{frags} ({preview!r})"
    return f"{e.kind} of {e.payload.size} bytes ({preview!r})"


def describe_received(got: Received) -> str:
    if not got:
        return "nothing"
    more = f" and {len(got) - 3} more" if len(got) > 3 else ""
    return ", ".join(_what(g) for g in got[:3]) + more


def describe_expected(expected: tuple[ExpectEvent, ...]) -> str:
    if not expected:
        return "nothing"
    parts = []
    for e in expected[:3]:
        what = f"mark {e.name}" if e.type == "mark" else f"{e.kind} message" if e.type == "message" else e.type
        size = "" if e.type == "mark" else f" of {len(e.payload.to_bytes())} bytes"
        frags = f" in {e.fragments} frames" if e.fragments is not None else ""
        times = f" x{e.times}" if e.times != 1 else ""
        parts.append(f"{what}{size}{frags}{times}")
    more = f" and {len(expected) - 3} more" if len(expected) > 3 else ""
    return ", ".join(parts) + more


def _judge_handshake(case: Case, obs: Observation) -> tuple[Behavior, str] | None:
    """A verdict decided by the handshake alone, or None when the WebSocket opened as expected."""
    exp = case.expect_handshake
    if obs.status is None:
        if obs.handshake_error:  # bytes arrived, but not an HTTP head
            return Behavior.FAILED, f"invalid handshake answer: {obs.handshake_error}"
        if timed_out(obs.events):  # the peer kept quiet
            return Behavior.FAILED, "no handshake answer before the case timed out"
        return Behavior.FAILED, "no handshake answer: the connection closed before an HTTP head arrived"
    if obs.status not in exp.status:
        wanted = " or ".join(str(s) for s in exp.status)
        return Behavior.FAILED, f"handshake answered {obs.status}, expected {wanted}"
    headers = Headers(obs.response_headers)
    for name, value in exp.headers:
        got = headers.get(name)
        if value is None and got is not None:
            return Behavior.FAILED, f"handshake answer has {name}: {got}, expected none"
        if value is not None and _normal(got) != _normal(value):
            has = f"has {name}: {got}" if got is not None else f"has no {name}"
            return Behavior.FAILED, f"handshake answer {has}, expected {value}"
    if exp.protocol is not False and obs.protocol != exp.protocol:
        return Behavior.FAILED, f"server selected subprotocol {obs.protocol!r}, expected {exp.protocol!r}"
    if exp.deflate is not False and obs.status == 101 and not obs.handshake_error:
        verdict = _judge_deflate(exp.deflate, headers.get_all(HEADER))
        if verdict is not None:
            return verdict
    if obs.status != 101:
        return Behavior.OK, f"handshake answered {obs.status} as expected"
    if obs.handshake_error:
        return Behavior.FAILED, f"invalid handshake answer: {obs.handshake_error}"
    return None


def _judge_deflate(
    expected: tuple[tuple[str, bool | int], ...] | None, values: list[str]
) -> tuple[Behavior, str] | None:
    """expect_handshake.deflate against the answer's Sec-WebSocket-Extensions (which the agent checked
    against its offer already: a response that answers no offer is a handshake error)."""
    try:
        responses = [e for e in parse_extensions(values) if e.name == PERMESSAGE_DEFLATE]
    except HandshakeError as exc:
        return Behavior.FAILED, f"invalid handshake answer: {exc.reason}"
    if expected is None:
        return (Behavior.FAILED, f"the server accepted {responses[0]}, expected nothing") if responses else None
    if not responses:
        return Behavior.UNIMPLEMENTED, "the server did not accept permessage-deflate"
    got = DeflateParams.parse(responses[0], offer=False)
    wrong = [f"{name}={value}" for name, value in expected if getattr(got, name) != value]
    if wrong:
        return Behavior.FAILED, f"the server accepted {responses[0]}, expected {', '.join(wrong)}"
    return None


def timed_out(events: list[Event]) -> bool:
    """The case ended on its ceiling."""
    return any(isinstance(e, TimedOut) and e.final for e in events)


def _normal(value: str | None) -> str | None:
    return None if value is None else ",".join(v.strip() for v in value.split(","))


def _judge_chat(expected: tuple[tuple[str, str], ...], obs: Observation) -> tuple[Behavior, str]:
    shown = [tuple(line) for e in obs.events if isinstance(e, ChatShown) for line in e.lines]
    if shown == list(expected):
        return Behavior.OK, f"the page shows the {len(shown)} expected chat lines, in order"
    return Behavior.FAILED, f"the page shows {shown!r}, expected {list(expected)!r}"


def _judge_request(obs: Observation) -> tuple[Behavior, str] | None:
    """wsinterop as the server: the subject's request is what there is to judge of the opening handshake
    (the answer is the case's own, right or wrong on purpose)."""
    if obs.handshake_error:
        return Behavior.FAILED, f"invalid handshake request: {obs.handshake_error}"
    return None


def judge_behavior(case: Case, obs: Observation) -> tuple[Behavior, str]:
    decided = _judge_handshake(case, obs) if obs.side == "client" else _judge_request(obs)
    if decided is not None:
        return decided
    if case.expect_chat is not None:
        return _judge_chat(case.expect_chat, obs)
    got = received(obs.events, expects_pings(case))
    for behavior, expected in (
        (Behavior.OK, case.ok),
        (Behavior.NON_STRICT, case.non_strict),
        (Behavior.INFORMATIONAL, case.informational),
    ):
        if expected is not None and matches(expected, got):
            return behavior, f"received {describe_received(got)}"
    wanted_count = sum(e.times for e in case.ok) if case.ok is not None else 0
    if timed_out(obs.events) and case.ok is not None and len(got) < wanted_count:
        return (
            Behavior.FAILED,
            f"timed out after {case.timeout:g} s: {len(got)} of {wanted_count} {_noun(case)} received",
        )
    wanted = describe_expected(case.ok) if case.ok is not None else "a defined outcome"
    return Behavior.FAILED, f"expected {wanted}; received {describe_received(got)}"


def expected_close(case: Case, draft: Draft) -> tuple[codes.Codes, bool]:
    """The close codes allowed in `draft` and whether a clean close is required."""
    if case.close.answer:
        return codes.answer(case.sent_close_code(), draft)
    return codes.resolve(case.close.codes, draft), case.close.clean


def _noun(case: Case) -> str:
    """What the expected messages are called: echoes when the case sends every one of them."""
    sent = {(s.kind, s.payload.to_bytes()) for s in walk(case.steps) if isinstance(s, SendMessage)}
    expected = case.ok or ()
    echoes = all(e.type == "message" and (e.kind, e.payload.to_bytes()) in sent for e in expected)
    return "echoes" if echoes else "expected messages"


def closer(case: Case) -> str:
    """Who is expected to close: harness (wsinterop), peer (the subject) or either."""
    return "harness" if case.close.answer else case.close.by


def judge_close(case: Case, draft: Draft, obs: Observation, end: Ending) -> tuple[CloseBehavior, str]:
    if (obs.status != 101 if obs.side == "client" else not end.opened) or obs.handshake_error:
        return CloseBehavior.OK, "no WebSocket connection was opened"
    by = closer(case)
    if end.failure and not end.close_received:  # after the peer's close frame, Autobahn judges its code
        return CloseBehavior.FAILED, f"the peer broke the protocol and wsinterop failed the connection: {end.failure}"
    if end.closed_by is None:
        return CloseBehavior.FAILED, "the connection was never closed"
    if by not in ("either", end.closed_by):
        if by == "peer":
            return CloseBehavior.FAILED, "expected the peer to close the connection; wsinterop had to"
        return CloseBehavior.FAILED, "the peer closed the connection unexpectedly"
    allowed, clean = expected_close(case, draft)
    if clean and not end.clean:
        return CloseBehavior.UNCLEAN, f"the closing handshake did not complete ({end.describe()})"
    if draft.info.close_codes and end.remote_code is not None and allowed and end.remote_code not in allowed:
        return CloseBehavior.WRONG_CODE, f"peer closed with {end.remote_code}, expected {allowed.describe()} or none"
    if end.dropped_by_agent and obs.side == "client":  # Autobahn's: only a client is to blame for ending TCP
        return CloseBehavior.FAILED_BY_CLIENT, "the server did not close the TCP connection in time: the client had to"
    return CloseBehavior.OK, end.describe()


def _apply_rules(case: Case, verdict: Verdict, end: Ending) -> Verdict:
    """Autobahn's case-specific rules, in the order its cases apply them after the general verdict."""
    behavior, reason, close, close_reason = (
        verdict.behavior,
        verdict.behavior_reason,
        verdict.close,
        verdict.close_reason,
    )
    wrong_closer = closer(case) not in ("either", end.closed_by)
    if Rule.WRONG_CLOSER_FAILS in case.rules and end.opened and wrong_closer:
        behavior, reason = Behavior.FAILED, f"the peer did not detect the invalid input: {close_reason}"
    if Rule.WRONG_CODE_FAILS in case.rules and close is CloseBehavior.WRONG_CODE:
        behavior, reason = Behavior.FAILED, close_reason
    if Rule.UNCLEAN_FAILS in case.rules and close is CloseBehavior.UNCLEAN:
        behavior, reason = Behavior.FAILED, close_reason
    if Rule.PEER_ENDS_TCP in case.rules and end.opened and end.dropped_by_agent:
        behavior, reason = Behavior.FAILED, "the peer never ended TCP: wsinterop had to"
    if Rule.INFORMATIONAL in case.rules:
        behavior, reason = Behavior.INFORMATIONAL, f"the outcome is not defined: {reason}"
        close, close_reason = CloseBehavior.INFORMATIONAL, f"the outcome is not defined: {close_reason}"
    return Verdict(behavior, reason, close, close_reason)


def judge_refusal(case: Case, draft: Draft, obs: Observation, end: Ending) -> Verdict:
    """A WebSocket the agent must refuse to open (a browser's TLS rule): OK when it never opened, whatever
    the refusal looked like (an exception from the constructor, or an error event); FAILED when it opened."""
    if obs.status == 101 or end.opened:
        close, close_reason = judge_close(case, draft, obs, end)
        return Verdict(Behavior.FAILED, "the WebSocket opened: it must be refused", close, close_reason)
    how = next((e.how for e in obs.events if isinstance(e, Refused)), "the WebSocket never opened")
    return Verdict(Behavior.OK, f"refused: {how}", CloseBehavior.OK, "no WebSocket connection was opened")


def judge(case: Case, draft: Draft, obs: Observation) -> Verdict:
    """The verdict for `case` in `draft` given what was observed. Pure: no I/O, no clock."""
    if obs.unimplemented:
        return unimplemented(obs.unimplemented)
    if obs.error:
        return Verdict(Behavior.FAILED, obs.error, CloseBehavior.FAILED, obs.error)
    end = ending(obs.events, draft)
    if case.expect_handshake.refused:
        return judge_refusal(case, draft, obs, end)
    behavior, reason = judge_behavior(case, obs)
    close, close_reason = judge_close(case, draft, obs, end)
    return _apply_rules(case, Verdict(behavior, reason, close, close_reason), end)
