"""From validated, merged case mappings to harness.model objects (the format: docs/case-format.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .model import (
    ALL_DRAFTS,
    EMPTY,
    HYBI_DRAFTS,
    Actor,
    As,
    Case,
    CaseInfo,
    Chat,
    ExpectClose,
    ExpectEvent,
    ExpectHandshake,
    Handshake,
    Payload,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Step,
    Wait,
)

# --- sizes, payloads, steps --------------------------------------------------------------------------

_UNITS = {"K": 1024, "M": 1024 * 1024}


def parse_size(value: int | float | str) -> int:
    """12, "64K" or "16M" (1024-based) as a number of bytes."""
    if isinstance(value, str):
        text = value.strip()
        return int(text[:-1]) * _UNITS[text[-1]]
    return int(value)


def _opt_size(value: Any) -> int | None:
    return None if value is None else parse_size(value)


def _split(value: Any) -> int | None:
    """A fragment_size or chop: 0 and null both mean "do not split"."""
    return _opt_size(value) or None


def to_payload(value: Any) -> Payload:
    """A payload as written in YAML (validated): str, null, {}, {text|hex|repeat|random: ...}."""
    if isinstance(value, str):
        return Payload("text", text=value)
    if not value:
        return EMPTY
    ((kind, body),) = value.items()
    if kind == "text":
        return Payload("text", text=body)
    if kind == "hex":
        return Payload("hex", text="".join(body.split()))
    if kind == "repeat":
        byte = ord(body["byte"]) if isinstance(body["byte"], str) else int(body["byte"])
        return Payload("repeat", byte=byte, count=parse_size(body["count"]))
    return Payload("random", count=parse_size(body["size"]), seed=int(body.get("seed", 0)))


def _send_frame(body: Any) -> SendFrame:
    opcode = body["opcode"]
    mask_key = body.get("mask_key")
    return SendFrame(
        opcode=opcode if isinstance(opcode, str) else int(opcode),
        payload=to_payload(body.get("payload")),
        fin=body.get("fin", True),
        rsv1=body.get("rsv1", False),
        rsv2=body.get("rsv2", False),
        rsv3=body.get("rsv3", False),
        masked=body.get("masked"),
        mask_key=None if mask_key is None else bytes.fromhex(mask_key),
        declared_length=_opt_size(body.get("declared_length")),
        chop=_split(body.get("chop")),
    )


def _send_message(body: Any) -> SendMessage:
    text = "text" in body
    return SendMessage(
        kind="text" if text else "binary",
        payload=to_payload(body["text" if text else "binary"]),
        fragment_size=_split(body.get("fragment_size")),
        chop=_split(body.get("chop")),
        as_blob=body.get("as_blob", False),
    )


def _send_close(body: Any) -> SendClose:
    if not body:
        return SendClose()
    if "raw" in body:
        return SendClose(raw=to_payload(body["raw"]))
    return SendClose(code=body.get("code"), reason=to_payload(body.get("reason")))


def _send_raw(body: Any) -> SendRaw:
    if isinstance(body, Mapping) and "payload" in body:
        return SendRaw(to_payload(body["payload"]), chop=_split(body.get("chop")))
    return SendRaw(to_payload(body))


def _wait(body: Any) -> Wait:
    return Wait(for_=body.get("for"), count=parse_size(body.get("count", 1)), timeout=float(body.get("timeout", 5.0)))


def _repeat(body: Any) -> Repeat:
    return Repeat(count=parse_size(body["count"]), steps=tuple(to_step(s) for s in body["steps"]))


_STEPS: dict[str, Callable[[Any], Step]] = {
    "send_frame": _send_frame,
    "send_message": _send_message,
    "send_ping": lambda body: SendPing(to_payload(body)),
    "send_pong": lambda body: SendPong(to_payload(body)),
    "send_close": _send_close,
    "send_raw": _send_raw,
    "wait": _wait,
    "repeat": _repeat,
}


def _chat(body: Any) -> Chat:
    ((action, value),) = body.items()
    return Chat(action, "" if action == "leave" else str(value))


_STEPS["chat"] = _chat


def to_step(value: Mapping[str, Any]) -> Step:
    """A step; one with an `actor` key (in a scenario) is wrapped in As."""
    body = {k: v for k, v in value.items() if k != "actor"}
    ((kind, options),) = body.items()
    step = _STEPS[kind](options)
    return As(str(value["actor"]), step) if "actor" in value else step


# --- handshake, expectations, case -------------------------------------------------------------------


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _headers(value: Any) -> tuple[tuple[str, str | None], ...]:
    return tuple((k, None if v is None else str(v)) for k, v in (value or {}).items())


def _handshake(value: Any) -> Handshake:
    if value is None:
        return Handshake()
    default = Handshake()
    key3 = value.get("key3")
    return Handshake(
        path=value.get("path"),
        protocols=_names(value.get("protocols")),
        extensions=_names(value.get("extensions")),
        origin=value.get("origin", default.origin),
        headers=_headers(value.get("headers")),
        extra_headers=tuple((str(k), str(v)) for k, v in value.get("extra_headers", ())),
        method=value.get("method", default.method),
        http_version=value.get("http_version", default.http_version),
        key3=None if key3 is None else to_payload(key3),
    )


def _ints(value: Any, default: tuple[int, ...]) -> tuple[int, ...]:
    if value is None:
        return default
    return (int(value),) if isinstance(value, int | float) else tuple(int(v) for v in value)


def _expect_handshake(value: Any) -> ExpectHandshake:
    if value is None:
        return ExpectHandshake()
    return ExpectHandshake(
        status=_ints(value.get("status"), ExpectHandshake().status),
        headers=_headers(value.get("headers")),
        protocol=value.get("protocol", False),
    )


def _event(value: Mapping[str, Any]) -> ExpectEvent:
    ((kind, body),) = value.items()
    if kind == "pong":
        return ExpectEvent("pong", payload=to_payload((body or {}).get("payload")))
    if kind == "ping":
        return ExpectEvent("ping", payload=to_payload((body or {}).get("payload")))
    text = "text" in body
    return ExpectEvent(
        "message",
        kind="text" if text else "binary",
        payload=to_payload(body["text" if text else "binary"]),
        fragments=_opt_size(body.get("fragments")),
    )


def _events(expect: Any, verdict: str) -> tuple[ExpectEvent, ...] | None:
    if expect is None:  # no `expect` at all: OK means "nothing received"; other verdicts undefined
        return () if verdict == "ok" else None
    events = expect.get(verdict)
    return None if events is None else tuple(_event(e) for e in events)


def _close(value: Any) -> ExpectClose:
    if value is None:
        return ExpectClose()
    default = ExpectClose()
    return ExpectClose(
        by=value.get("by", default.by),
        codes=_ints(value.get("codes"), default.codes),
        clean=value.get("clean", default.clean),
    )


def _actor(value: Mapping[str, Any]) -> Actor:
    expect = value.get("expect")
    chat = value.get("expect_chat")
    return Actor(
        name=str(value["name"]),
        agent=value.get("agent"),
        draft=value.get("draft"),
        page=value.get("page", "agent"),
        handshake=_handshake(value.get("handshake")),
        expect=None if expect is None else tuple(_event(e) for e in expect),
        expect_chat=None if chat is None else tuple((str(f), str(t)) for f, t in chat),
        close=_close(value.get("close")),
    )


def drafts_of(value: Any) -> tuple[str, ...]:
    if value is None:
        return HYBI_DRAFTS
    names = ALL_DRAFTS if value == "all" else _names(value)
    return tuple(d for d in ALL_DRAFTS if d in names)


def _text_field(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key, "")).strip()


def to_case(data: Mapping[str, Any], drafts: tuple[str, ...], source: str) -> Case:
    """A Case from one validated, fully merged case mapping."""
    expect = data.get("expect")
    return Case(
        info=CaseInfo(
            id=data["id"],
            title=_text_field(data, "title"),
            category=_text_field(data, "category"),
            spec=_text_field(data, "spec"),
            description=_text_field(data, "description"),
            expectation=_text_field(data, "expectation"),
            source=source,
        ),
        drafts=drafts,
        agents=_names(data["agents"]) if "agents" in data else None,
        steps=tuple(to_step(s) for s in data.get("steps") or ()),
        handshake=_handshake(data.get("handshake")),
        expect_handshake=_expect_handshake(data.get("expect_handshake")),
        ok=_events(expect, "ok"),
        non_strict=_events(expect, "non_strict"),
        informational=_events(expect, "informational"),
        close=_close(data.get("close")),
        timeout=float(data.get("timeout", 10.0)),
        unimplemented=dict(data.get("unimplemented") or {}),
        exclusive=data.get("exclusive", False),
        actors=tuple(_actor(a) for a in data.get("actors") or ()),
    )
