"""From validated, merged case mappings to harness.cases.model objects (the format: docs/case-format.md).

Defaults live in the model's dataclasses only: a key the YAML leaves out is not passed, so the
dataclass default applies (`_given` picks the keys that are there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal

from wire import Draft
from wire.extensions import DeflateParams

from .codes import missing
from .echo import echo
from .model import (
    ALL_DRAFTS,
    EMPTY,
    HYBI_DRAFTS,
    Actor,
    Answer,
    As,
    BeginFrame,
    Case,
    CaseInfo,
    Chat,
    ExpectClose,
    ExpectEvent,
    ExpectHandshake,
    FrameData,
    Handshake,
    Mark,
    Pause,
    Payload,
    Repeat,
    Rule,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Step,
    Wait,
    Write,
)

# --- sizes, payloads ---------------------------------------------------------------------------------

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


def _key(value: Any) -> bytes | None:
    return None if value is None else bytes.fromhex(value)


def to_payload(value: Any) -> Payload:
    """A payload as written in YAML (validated): str, null, {}, {text|hex|repeat|random|corpus: ...}."""
    if isinstance(value, str):
        return Payload("text", text=value)
    if not value:
        return EMPTY
    ((kind, body),) = value.items()
    if kind == "text":
        return Payload("text", text=body)
    if kind == "hex":
        return Payload("hex", text="".join(body.split()))
    if kind == "repeat" and "byte" in body:
        byte = ord(body["byte"]) if isinstance(body["byte"], str) else int(body["byte"])
        return Payload("repeat", byte=byte, count=parse_size(body["count"]))
    if kind == "repeat":
        unit = body["text"].encode() if "text" in body else bytes.fromhex(body["hex"])
        return Payload("pattern", text=unit.hex(), count=parse_size(body["size"]))
    if kind == "corpus":
        return Payload("corpus", text=body["name"], count=parse_size(body["size"]), index=int(body.get("index", 0)))
    return Payload("random", count=parse_size(body["size"]), seed=int(body.get("seed", 0)))


Convert = Callable[[Any], Any]
Fields = dict[str, tuple[str, Convert]]


def _SAME(value: Any) -> Any:
    return value


def _given(body: Mapping[str, Any], fields: Fields) -> dict[str, Any]:
    """Keyword arguments for a model class: the YAML keys present in `body`, renamed and converted."""
    return {name: convert(body[key]) for key, (name, convert) in fields.items() if key in body}


def _same(*keys: str) -> Fields:
    return {key: (key, _SAME) for key in keys}


# --- steps -------------------------------------------------------------------------------------------

_FRAME: Fields = {
    "payload": ("payload", to_payload),
    "mask_key": ("mask_key", _key),
    "declared_length": ("declared_length", parse_size),
    "chop": ("chop", _split),
    **_same("fin", "rsv1", "rsv2", "rsv3", "masked", "sync"),
}
_MESSAGE: Fields = {"fragment_size": ("fragment_size", _split), "chop": ("chop", _split)}
_MESSAGE |= _same("empty_final_frame", "sync", "as_blob", "compress")


def _opcode(value: Any) -> int | str:
    return value if isinstance(value, str) else int(value)


def _send_frame(body: Any) -> SendFrame:
    return SendFrame(_opcode(body["opcode"]), **_given(body, _FRAME))


def _send_message(body: Any) -> SendMessage:
    kind: Literal["text", "binary"] = "text" if "text" in body else "binary"
    return SendMessage(kind, to_payload(body[kind]), **_given(body, _MESSAGE))


_CLOSE: Fields = {
    "code": ("code", int),
    "reason": ("reason", to_payload),
    "raw": ("raw", to_payload),
    "mask_key": ("mask_key", _key),
    "chop": ("chop", _split),
    **_same("sync"),
}


def _send_close(body: Any) -> SendClose:
    return SendClose(**_given(body or {}, _CLOSE))


def _send_raw(body: Any) -> SendRaw:
    if isinstance(body, Mapping) and "payload" in body:
        return SendRaw(to_payload(body["payload"]), **_given(body, {"chop": ("chop", _split), **_same("sync")}))
    return SendRaw(to_payload(body))


def _begin_frame(body: Any) -> BeginFrame:
    fields: Fields = {"fin": ("fin", _SAME), "mask_key": ("mask_key", _key)}
    return BeginFrame(_opcode(body["opcode"]), parse_size(body["length"]), **_given(body, fields))


def _wait(body: Any) -> Wait:
    return Wait(body["for"], **_given(body, {"count": ("count", parse_size), "timeout": ("timeout", float)}))


def _steps(value: Any) -> tuple[Step, ...]:
    return tuple(to_step(s) for s in value or ())


def _chat(body: Any) -> Chat:
    ((action, value),) = body.items()
    return Chat(action, "" if action == "leave" else str(value))


_STEPS: dict[str, Callable[[Any], Step]] = {
    "send_frame": _send_frame,
    "send_message": _send_message,
    "send_ping": lambda body: SendPing(to_payload(body)),
    "send_pong": lambda body: SendPong(to_payload(body)),
    "send_close": _send_close,
    "send_raw": _send_raw,
    "begin_frame": _begin_frame,
    "frame_data": lambda body: FrameData(to_payload(body)),
    "write": lambda body: Write(_steps(body)),
    "wait": _wait,
    "pause": lambda body: Pause(float(body)),
    "mark": lambda body: Mark(str(body)),
    "repeat": lambda body: Repeat(parse_size(body["count"]), _steps(body["steps"])),
    "chat": _chat,
}


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


_HANDSHAKE: Fields = {
    "protocols": ("protocols", _names),
    "extensions": ("extensions", _names),
    "headers": ("headers", _headers),
    "extra_headers": ("extra_headers", lambda v: tuple((str(k), str(x)) for k, x in v)),
    "key3": ("key3", lambda v: None if v is None else to_payload(v)),
    **_same("path", "origin", "method", "http_version", "tls", "deflate_as_answered"),
}


def _handshake(value: Any) -> Handshake:
    return Handshake(**_given(value or {}, _HANDSHAKE))


def _answer(value: Any) -> Answer:
    fields: Fields = {
        "headers": ("headers", _headers),
        "key_answer": ("key_answer", to_payload),
        "raw": ("raw", to_payload),
        "deflate": ("deflate", lambda v: tuple(DeflateParams(**p) for p in v)),
        **_same("status", "reason"),
    }
    return Answer(**_given(value, fields))


def _ints(value: Any) -> tuple[int, ...]:
    return (int(value),) if isinstance(value, int | float) else tuple(int(v) for v in value)


def _codes(value: Any) -> tuple[int | str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(v if isinstance(v, str) else int(v) for v in items)


def _expect_handshake(value: Any) -> ExpectHandshake:
    fields: Fields = {
        "status": ("status", _ints),
        "headers": ("headers", _headers),
        "deflate": ("deflate", _deflate),
        **_same("protocol", "refused"),
    }
    return ExpectHandshake(**_given(value or {}, fields))


def _deflate(value: Any) -> tuple[tuple[str, bool | int], ...] | None:
    """expect_handshake.deflate: null (must not be accepted) or the response's parameters (validated)."""
    return None if value is None else tuple((name, v if isinstance(v, bool) else int(v)) for name, v in value.items())


def _event(value: Mapping[str, Any]) -> ExpectEvent:
    times = parse_size(value.get("times", 1))
    ((kind, body),) = ((k, v) for k, v in value.items() if k != "times")
    if kind == "mark":
        return ExpectEvent("mark", name=str(body), times=times)
    if kind in ("pong", "ping"):
        return ExpectEvent(
            "pong" if kind == "pong" else "ping", payload=to_payload((body or {}).get("payload")), times=times
        )
    text = "text" in body
    fragments = _opt_size(body.get("fragments"))
    payload = to_payload(body["text" if text else "binary"])
    return ExpectEvent("message", "text" if text else "binary", payload, fragments, times)


def _events(value: Any, steps: tuple[Step, ...]) -> tuple[ExpectEvent, ...]:
    return echo(steps) if value == "echo" else tuple(_event(e) for e in value or ())


Lists = tuple[tuple[ExpectEvent, ...] | None, tuple[ExpectEvent, ...] | None, tuple[ExpectEvent, ...] | None]


def _verdict_lists(expect: Any, steps: tuple[Step, ...]) -> Lists:
    """(ok, non_strict, informational). Without `expect`, OK means "nothing received" and the others are
    undefined (the model's defaults)."""
    if expect is None:
        return (), None, None
    ok, non_strict, informational = (
        None if expect.get(name) is None else _events(expect[name], steps) for name in _VERDICTS
    )
    return ok, non_strict, informational


_VERDICTS = ("ok", "non_strict", "informational")


# `by`'s spellings from when wsinterop was always the client: the server was the peer under test
_CLOSERS = {"server": "peer", "client": "harness"}


def _close(value: Any) -> ExpectClose:
    if value == "answer":
        return ExpectClose(answer=True)
    fields = {"codes": ("codes", _codes), "by": ("by", lambda by: _CLOSERS.get(by, by)), **_same("clean")}
    return ExpectClose(**_given(value or {}, fields))


def _actor(value: Mapping[str, Any]) -> Actor:
    fields: Fields = {
        "name": ("name", str),
        "handshake": ("handshake", _handshake),
        "expect": ("expect", lambda v: tuple(_event(e) for e in v)),
        "expect_chat": ("expect_chat", lambda v: tuple((str(f), str(t)) for f, t in v)),
        "close": ("close", _close),
        **_same("agent", "draft", "page"),
    }
    return Actor(**_given(value, fields))


def drafts_of(value: Any) -> tuple[str, ...]:
    if value is None:
        return HYBI_DRAFTS
    names = ALL_DRAFTS if value == "all" else _names(value)
    return tuple(d for d in ALL_DRAFTS if d in names)


def _text_field(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key, "")).strip()


def _info(data: Mapping[str, Any], source: str) -> CaseInfo:
    texts = {key: _text_field(data, key) for key in ("title", "category", "spec", "description", "expectation")}
    return CaseInfo(id=data["id"], source=source, tags=_names(data.get("tags")), **texts)


_CASE: Fields = {
    "agents": ("agents", _names),
    "sides": ("sides", _names),
    "handshake": ("handshake", _handshake),
    "answer": ("answer", _answer),
    "expect_handshake": ("expect_handshake", _expect_handshake),
    "close": ("close", _close),
    "rules": ("rules", lambda v: tuple(Rule(r) for r in v)),
    "timeout": ("timeout", float),
    "close_timeout": ("close_timeout", float),
    "unimplemented": ("unimplemented", dict),
    "actors": ("actors", lambda v: tuple(_actor(a) for a in v)),
    "exclusive": ("exclusive", _SAME),
    "answer_closes": ("answer_closes", _SAME),
    "formerly": ("formerly", lambda v: (str(v["id"]), " ".join(str(v["why"]).split()))),
}


def to_case(data: Mapping[str, Any], drafts: tuple[str, ...], source: str) -> Case:
    """A Case from one validated, fully merged case mapping (NoEcho when `echo` cannot be derived)."""
    steps = _steps(data.get("steps"))
    fields = _given(data, _CASE)
    fields.setdefault("agents", None)
    ok, non_strict, informational = _verdict_lists(data.get("expect"), steps)
    info = _info(data, source)
    case = Case(info, drafts, steps=steps, ok=ok, non_strict=non_strict, informational=informational, **fields)
    return replace(case, unimplemented=_unexpressible(case) | case.unimplemented)


def _unexpressible(case: Case) -> dict[str, str]:
    """Drafts whose close codes lack a name the case's close expectation uses (codes.missing)."""
    refs = case.close.codes + tuple(code for actor in case.actors for code in actor.close.codes)
    reasons = {draft: missing(refs, Draft(draft)) for draft in case.drafts}
    return {draft: reason for draft, reason in reasons.items() if reason}
