"""The judge: a pure function from a case's expectations and an observation to a verdict.

Behaviour: the received messages and pongs, in order, are compared with the case's lists for OK, then
NON-STRICT, then INFORMATIONAL; none matching is FAILED. Close: the closing of the connection is compared
with the case's `close` (who closes, allowed codes, clean or not), as Autobahn|Testsuite does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from wire import Draft, Headers

from ..cases.model import Case, ExpectEvent, SendMessage, walk
from .results import Behavior, CloseBehavior, Observation, Verdict

Received = list[dict[str, Any]]


def unimplemented(reason: str) -> Verdict:
    return Verdict(Behavior.UNIMPLEMENTED, reason, CloseBehavior.UNIMPLEMENTED, reason)


def received(obs: Observation, pings: bool = False) -> Received:
    """The received messages and pongs, in order; pings too when the case expects some."""
    types = ("message", "pong", "ping") if pings else ("message", "pong")
    return [e.data | {"type": e.type} for e in obs.events if e.type in types]


def expects_pings(case: Case) -> bool:
    lists = (case.ok, case.non_strict, case.informational)
    return any(e.type == "ping" for events in lists if events for e in events)


def _matches(expected: ExpectEvent, got: dict[str, Any]) -> bool:
    if expected.type != got["type"]:
        return False
    if expected.type == "message" and expected.kind != got.get("kind"):
        return False
    data = expected.payload.to_bytes()
    if len(data) != got.get("size") or hashlib.sha256(data).hexdigest() != got.get("sha256"):
        return False
    return expected.fragments is None or expected.fragments == got.get("fragments")


def matches(expected: tuple[ExpectEvent, ...], got: Received) -> bool:
    return len(expected) == len(got) and all(_matches(e, g) for e, g in zip(expected, got, strict=True))


def describe_received(got: Received) -> str:
    if not got:
        return "nothing"
    parts = []
    for g in got[:3]:
        preview: str = g.get("text") or g.get("hex") or ""
        preview = preview if len(preview) <= 24 else preview[:24] + "..."
        what = f"{g['kind']} message" if g["type"] == "message" else g["type"]
        frags = f" in {g['fragments']} frames" if g.get("fragments", 1) > 1 else ""
        parts.append(f"{what} of {g['size']} bytes{frags} ({preview!r})")
    more = f" and {len(got) - 3} more" if len(got) > 3 else ""
    return ", ".join(parts) + more


def describe_expected(expected: tuple[ExpectEvent, ...]) -> str:
    if not expected:
        return "nothing"
    parts = []
    for e in expected[:3]:
        what = f"{e.kind} message" if e.type == "message" else e.type
        frags = f" in {e.fragments} frames" if e.fragments is not None else ""
        parts.append(f"{what} of {len(e.payload.to_bytes())} bytes{frags}")
    more = f" and {len(expected) - 3} more" if len(expected) > 3 else ""
    return ", ".join(parts) + more


def _judge_handshake(case: Case, obs: Observation) -> tuple[Behavior, str] | None:
    """A verdict decided by the handshake alone, or None when the WebSocket opened as expected."""
    exp = case.expect_handshake
    if obs.status is None:
        if obs.handshake_error:  # bytes arrived, but not an HTTP head
            return Behavior.FAILED, f"invalid handshake answer: {obs.handshake_error}"
        if obs.timed_out:  # the peer kept the connection open and said nothing
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
    if obs.status != 101:
        return Behavior.OK, f"handshake answered {obs.status} as expected"
    if obs.handshake_error:
        return Behavior.FAILED, f"invalid handshake answer: {obs.handshake_error}"
    return None


def _normal(value: str | None) -> str | None:
    return None if value is None else ",".join(v.strip() for v in value.split(","))


def _judge_chat(expected: tuple[tuple[str, str], ...], obs: Observation) -> tuple[Behavior, str]:
    shown = [tuple(line) for e in obs.events if e.type == "chat" for line in e.data["lines"]]
    if shown == list(expected):
        return Behavior.OK, f"the page shows the {len(shown)} expected chat lines, in order"
    return Behavior.FAILED, f"the page shows {shown!r}, expected {list(expected)!r}"


def judge_behavior(case: Case, obs: Observation) -> tuple[Behavior, str]:
    decided = _judge_handshake(case, obs)
    if decided is not None:
        return decided
    if case.expect_chat is not None:
        return _judge_chat(case.expect_chat, obs)
    got = received(obs, expects_pings(case))
    for behavior, expected in (
        (Behavior.OK, case.ok),
        (Behavior.NON_STRICT, case.non_strict),
        (Behavior.INFORMATIONAL, case.informational),
    ):
        if expected is not None and matches(expected, got):
            return behavior, f"received {describe_received(got)}"
    if obs.timed_out and case.ok is not None and len(got) < len(case.ok):
        return (
            Behavior.FAILED,
            f"timed out after {case.timeout:g} s: {len(got)} of {len(case.ok)} {_noun(case)} received",
        )
    wanted = describe_expected(case.ok) if case.ok is not None else "a defined outcome"
    return Behavior.FAILED, f"expected {wanted}; received {describe_received(got)}"


def _noun(case: Case) -> str:
    """What the expected messages are called: echoes when the case sends every one of them."""
    sent = {(s.kind, s.payload.to_bytes()) for s in walk(case.steps) if isinstance(s, SendMessage)}
    expected = case.ok or ()
    echoes = all(e.type == "message" and (e.kind, e.payload.to_bytes()) in sent for e in expected)
    return "echoes" if echoes else "expected messages"


def in_draft(code: int, draft: Draft) -> int | None:
    """The code `draft` uses for what RFC 6455 calls `code`: drafts before 1007 and 1009 existed
    failed with 1002 (protocol error) and 1004 (too large)."""
    info = draft.info
    if code in info.close_codes:
        return code
    return {1007: info.invalid_data_code, 1009: info.too_big_code}.get(code, code)


def judge_close(case: Case, draft: Draft, obs: Observation) -> tuple[CloseBehavior, str]:
    if obs.status != 101 or obs.handshake_error:
        return CloseBehavior.OK, "no WebSocket connection was opened"
    exp, info = case.close, draft.info
    if obs.client_failure:
        return CloseBehavior.FAILED_BY_CLIENT, f"the client failed the connection: {obs.client_failure}"
    if obs.timed_out or obs.closed_by is None:
        return CloseBehavior.FAILED, "the connection was never closed"
    if exp.by not in ("either", obs.closed_by):
        if exp.by == "server":
            return CloseBehavior.FAILED, "expected the server to close the connection; the client had to"
        return CloseBehavior.FAILED, "the server closed the connection unexpectedly"
    codes = [in_draft(code, draft) for code in exp.codes]
    if info.close_codes and obs.close_frame_received and codes and obs.remote_close_code not in codes:
        wanted = ", ".join(str(c) for c in codes)
        got = "without a code" if obs.remote_close_code is None else f"with {obs.remote_close_code}"
        return CloseBehavior.WRONG_CODE, f"peer closed {got}, expected {wanted}"
    if exp.clean and not obs.clean:
        return CloseBehavior.UNCLEAN, "the TCP connection ended without a complete closing handshake"
    how = "cleanly" if obs.clean else "uncleanly (allowed)"
    code = f" with {obs.remote_close_code}" if obs.remote_close_code is not None else ""
    return CloseBehavior.OK, f"closed by the {obs.closed_by}{code}, {how}"


def judge(case: Case, draft: Draft, obs: Observation) -> Verdict:
    """The verdict for `case` in `draft` given what was observed. Pure: no I/O, no clock."""
    if obs.unimplemented:
        return unimplemented(obs.unimplemented)
    if obs.error:
        return Verdict(Behavior.FAILED, obs.error, CloseBehavior.FAILED, obs.error)
    behavior, reason = judge_behavior(case, obs)
    close, close_reason = judge_close(case, draft, obs)
    return Verdict(behavior, reason, close, close_reason)
