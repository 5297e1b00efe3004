"""Load `*.case.yaml` files into harness.model.Case objects (format: docs/case-format.md).

Per file: YAML, read by a SafeLoader that records the line of every key and list item -> the file checked
against harness/case.schema.json -> per entry: file defaults merged, family rows substituted, per_draft
overrides deep-merged, each result checked against the schema's `case` definition and a few rules a schema
cannot say -> model objects. Every problem reads `file:line: key.path: message`; all of them are reported
at once, in one CaseFileError.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from .model import (
    AGENTS,
    ALL_DRAFTS,
    EMPTY,
    HYBI_DRAFTS,
    Actor,
    As,
    Case,
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
from .results import CaseInfo

__all__ = ["CaseFileError", "Problem", "case_files", "id_key", "load_catalogue", "load_file", "load_schema", "select"]

KeyPath = tuple[str | int, ...]


# --- problems ----------------------------------------------------------------------------------------


def format_path(path: KeyPath) -> str:
    """`cases[3].steps[2].send_frame.opcode`; odd keys are quoted: `headers["X.Y"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a case file, at a line and a key path."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class CaseFileError(Exception):
    """Broken case files: str() lists every problem, one per line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --- YAML with locations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Loc:
    """Where a value came from: its key path in its file, the line of its key (or item), its raw text."""

    path: KeyPath
    line: int
    text: str | None = None  # the YAML source of a scalar, for hints ("5.10 is read as a number")


class YDict(dict[Any, Any]):
    """A mapping that knows where it, and each of its values, came from (after merges: from several places)."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.where: dict[Any, Loc] = {}

    def put(self, key: Any, value: Any, loc: Loc) -> None:
        self[key] = value
        self.where[key] = loc


class YList(list[Any]):
    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.where: list[Loc] = []

    def add(self, value: Any, loc: Loc) -> None:
        self.append(value)
        self.where.append(loc)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _text(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.found: list[tuple[YDict, Any, str]] = []  # (mapping, key, message): problems met while reading


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> YDict:
    own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # `<<: *anchor` merges come first; the mapping's own keys may override them
    out = YDict(Loc((), _line(node)))
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raw = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else repr(key)
            loader.found.append((out, raw, f"key {raw} is read as {_kind(key)}: quote it"))
            key = raw
        elif key in out and index >= len(node.value) - own:
            loader.found.append((out, key, f"duplicate key {key!r}"))
        out.put(key, loader.construct_object(value_node, deep=True), Loc((), _line(key_node), _text(value_node)))
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> YList:
    out = YList(Loc((), _line(node)))
    for item in node.value:
        out.add(loader.construct_object(item, deep=True), Loc((), _line(item), _text(item)))
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _annotate(node: Any, path: KeyPath, seen: set[int]) -> None:
    """Fill in the key paths, which construction (bottom-up) cannot know."""
    if not isinstance(node, YDict | YList) or id(node) in seen:
        return
    seen.add(id(node))
    node.loc = replace(node.loc, path=path)
    keys: Iterable[Any] = list(node.where) if isinstance(node, YDict) else range(len(node.where))
    for key in keys:
        node.where[key] = replace(node.where[key], path=(*path, key))
        _annotate(node[key], (*path, key), seen)


def _read_yaml(path: Path, name: str) -> tuple[Any, list[Problem]]:
    try:
        loader = _Loader(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, "", f"cannot read the file: {exc}")]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return None, [Problem(name, line, "", f"YAML syntax: {exc.problem}")]
    finally:
        loader.dispose()
    _annotate(data, (), set())
    problems = [Problem(name, m.where[k].line, format_path(m.where[k].path), msg) for m, k, msg in loader.found]
    return data, problems


def _locate(root: Any, path: Iterable[str | int]) -> Loc:
    """The location of the deepest value along `path` that `root` knows about."""
    node = root
    loc = root.loc if isinstance(root, YDict | YList) else Loc((), 1)
    for part in path:
        known = part in node.where if isinstance(node, YDict) else isinstance(node, YList) and _has(node, part)
        if not known:
            break
        loc = node.where[part]
        node = node[part]
    return loc


# --- schema ------------------------------------------------------------------------------------------


@functools.cache
def load_schema() -> dict[str, Any]:
    """harness/case.schema.json, the JSON Schema (draft 2020-12) of a case file."""
    text = importlib.resources.files("harness").joinpath("case.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator(definition: str | None) -> Draft202012Validator:
    """The whole-file validator (None), or one for a definition of the schema ("case")."""
    schema = load_schema()
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema)


_KINDS = {
    type(None): "null (an empty value)",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    YDict: "a mapping",
    YList: "a list",
}
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _type_message(value: Any, expected: str | list[str], text: str | None) -> str:
    types = [expected] if isinstance(expected, str) else expected
    if "string" in types and text is not None and isinstance(value, bool | int | float):
        return f'{text} is read as {_kind(value)}, not a string: quote it ("{text}")'
    shown = json.dumps(value) if isinstance(value, str) else text
    got = _kind(value) + (f" ({shown})" if shown else "")
    return f"expected {' or '.join(_TYPE_NAMES[t] for t in types)}, got {got}"


def _explain(error: ValidationError, root: Any) -> Iterator[tuple[Loc, str]]:
    """(where, message) for one jsonschema error, in the words a case author needs."""
    instance = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties" and isinstance(instance, YDict):
        known = list(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                yield instance.where[key], f"unknown key {key!r}; expected one of: {', '.join(known)}"
        return
    path: list[str | int] = list(error.absolute_path)
    if "propertyNames" in error.relative_schema_path and isinstance(instance, str):
        path.append(instance)  # the instance is a key of the mapping at `path`
    loc = _locate(root, path)
    custom = schema.get("x-errors", {})
    if error.validator in custom:
        yield loc, custom[error.validator].replace("{value}", json.dumps(instance, default=str))
    elif error.validator == "type":
        yield loc, _type_message(instance, schema["type"], loc.text)
    else:
        yield loc, error.message


def _has(items: YList, index: str | int) -> bool:
    return isinstance(index, int) and 0 <= index < len(items)


def _schema_problems(definition: str | None, data: Any) -> list[tuple[Loc, str]]:
    errors = list(_validator(definition).iter_errors(data))
    # an unknown key already explains why a step matched no step type: say it once
    unknown = {tuple(e.absolute_path) for e in errors if e.validator == "additionalProperties"}
    found: list[tuple[Loc, str]] = []
    for error in errors:
        if error.validator == "oneOf" and tuple(error.absolute_path) in unknown:
            continue
        found.extend(_explain(error, data))
    return found


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


def _drafts(value: Any) -> tuple[str, ...]:
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
        agents=_names(data.get("agents", list(AGENTS))),
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


# --- families, defaults, per_draft -------------------------------------------------------------------

_VAR = re.compile(r"\$\$\{|\$\{([^}]*)\}")
Found = list[tuple[Loc, str]]


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _subst_text(text: str, loc: Loc, row: YDict, found: Found) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # `$${` is a literal `${`
            return "${"
        if name not in row:
            found.append((loc, f"unknown parameter ${{{name}}}; the params rows define: {', '.join(row)}"))
            return match.group(0)
        value = row[name]
        if isinstance(value, YDict | YList):
            found.append((loc, f"${{{name}}} is {_kind(value)}: it can only stand alone as a whole value"))
            return match.group(0)
        return _scalar_text(value)

    return _VAR.sub(one, text)


def _subst(value: Any, loc: Loc, row: YDict, found: Found) -> tuple[Any, Loc]:
    """`value` with the row's values put in for `${name}`; a whole "${name}" takes the value and its type."""
    if isinstance(value, YDict):
        mapping = YDict(value.loc)
        for key, item in value.items():
            where = value.where[key]
            new_item, new_where = _subst(item, where, row, found)
            mapping.put(_subst_text(key, where, row, found), new_item, new_where)
        return mapping, loc
    if isinstance(value, YList):
        items = YList(value.loc)
        for item, where in zip(value, value.where, strict=True):
            items.add(*_subst(item, where, row, found))
        return items, loc
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole and whole.group(1) in row:
            return row[whole.group(1)], replace(loc, text=row.where[whole.group(1)].text)
        return _subst_text(value, loc, row, found), loc
    return value, loc


def _rows(entry: YDict, found: Found) -> list[YDict]:
    """The params rows of a family, each with the same keys (else nothing, and problems in `found`)."""
    rows = entry["params"]
    if not isinstance(rows, YList) or not rows or not all(isinstance(r, YDict) for r in rows):
        return []  # the schema said what is wrong
    for index, row in enumerate(rows):
        if set(row) != set(rows[0]):
            found.append(
                (
                    rows.where[index],
                    f"params[{index}] has keys {', '.join(row)} but params[0] has {', '.join(rows[0])}: "
                    "every row needs the same keys",
                )
            )
    return [] if found else list(rows)


def _without(mapping: YDict, skip: str) -> YDict:
    out = YDict(mapping.loc)
    for key, value in mapping.items():
        if key != skip:
            out.put(key, value, mapping.where[key])
    return out


def _with_defaults(root: YDict, defaults: YDict | None, body: YDict) -> YDict:
    """The file's category, then its defaults, then the case's own keys (shallow: the case's win)."""
    case = YDict(body.loc)
    if isinstance(root.get("category"), str):
        case.put("category", root["category"], root.where["category"])
    for source in (s for s in (defaults, body) if s is not None):
        for key, value in source.items():
            case.put(key, value, source.where[key])
    return case


def _deep_merge(base: YDict, over: YDict) -> YDict:
    """`over` on `base`: mappings merge key by key, anything else (lists too) is replaced."""
    out = YDict(base.loc)
    for key, value in base.items():
        out.put(key, value, base.where[key])
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, YDict) and isinstance(value, YDict):
            out.put(key, _deep_merge(old, value), out.where[key])
        else:
            out.put(key, value, over.where[key])
    return out


def _frame_opcodes(steps: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    for index, step in enumerate(steps or ()):
        if "send_frame" in step:
            yield (*path, index, "send_frame", "opcode"), step["send_frame"]["opcode"]
        elif "repeat" in step:
            yield from _frame_opcodes(step["repeat"]["steps"], (*path, index, "repeat", "steps"))


def _per_draft_problems(case: YDict, drafts: tuple[str, ...]) -> Found:
    """per_draft may only name drafts the case runs on."""
    found: Found = []
    for draft in case.get("per_draft") or {}:
        if draft not in drafts:
            message = f"{draft} is not one of the case's drafts ({', '.join(drafts)})"
            found.append((_locate(case, ("per_draft", draft)), message))
    return found


def _actor_problems(case: YDict) -> Found:
    """In a scenario every step names one of its actors (and names are unique); elsewhere none does,
    and only scenarios have chat steps."""
    found: Found = []
    actors = case.get("actors") or []
    names = [a["name"] for a in actors]
    for index, name in enumerate(names):
        if names.index(name) != index:
            found.append((_locate(case, ("actors", index, "name")), f"actor {name!r} is defined twice"))
    for index, step in enumerate(case.get("steps") or []):
        actor = step.get("actor")
        where = _locate(case, ("steps", index))
        if actors and actor is None:
            found.append((where, f"a scenario step needs an actor: one of {', '.join(names)}"))
        elif actors and actor not in names:
            found.append((where, f"unknown actor {actor!r}: one of {', '.join(names)}"))
        elif not actors and (actor is not None or "chat" in step):
            found.append((where, "actor and chat steps belong to scenarios: define `actors`"))
    return found


def _opcode_problems(case: YDict, drafts: tuple[str, ...]) -> Found:
    """Opcodes above 15 are hixie frame type bytes: no hybi draft can send them."""
    found: Found = []
    hybi = [d for d in drafts if d in HYBI_DRAFTS]
    for path, opcode in _frame_opcodes(case.get("steps"), ("steps",)):
        if isinstance(opcode, int) and opcode > 15 and hybi:
            message = f"opcode {opcode} is a hixie frame type byte; hybi opcodes are 0..15 (drafts: {', '.join(hybi)})"
            found.append((_locate(case, path), message))
    return found


def _variants(case: YDict) -> tuple[list[tuple[tuple[str, ...], YDict]], Found]:
    """(drafts, mapping) for the case's remaining drafts and for each per_draft override, checked."""
    drafts = _drafts(case.get("drafts"))
    overrides = case.get("per_draft") or {}
    base = _without(case, "per_draft")
    rest = tuple(d for d in drafts if d not in overrides)
    variants = [(rest, base)] if rest else []
    found = _per_draft_problems(case, drafts) + _opcode_problems(base, rest)
    for draft in (d for d in ALL_DRAFTS if d in overrides and d in drafts):
        merged = _deep_merge(base, overrides[draft])
        found += _schema_problems("case", merged) or _opcode_problems(merged, (draft,))
        variants.append(((draft,), merged))
    return variants, found


# --- files and catalogues ----------------------------------------------------------------------------


@dataclass
class _Expanded:
    """One case entry, or one row of a family, before per_draft splitting: for the duplicate-id check."""

    case_id: str
    file: str
    id_loc: Loc
    row: int | None
    cases: list[Case] = field(default_factory=list)

    def where(self) -> str:
        row = "" if self.row is None else f" (params[{self.row}])"
        return f"{self.file}:{self.id_loc.line}{row}"


def _display(path: Path) -> str:
    """`path` relative to the current directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load_body(
    body: YDict, root: YDict, defaults: YDict | None, name: str, row: int | None
) -> tuple[list[_Expanded], Found]:
    """One case entry, or one substituted family row: its cases (none when it has problems)."""
    case = _with_defaults(root, defaults, body)
    case_id = case.get("id")
    expanded = [_Expanded(case_id, name, _locate(case, ("id",)), row)] if isinstance(case_id, str) else []
    found = _schema_problems("case", case) or _actor_problems(case)
    if found:
        return expanded, found
    variants, found = _variants(case)
    if not found:
        source = f"{name}:{body.loc.line}"
        expanded[0].cases = [to_case(data, drafts, source) for drafts, data in variants]
    return expanded, found


def _load_entry(entry: YDict, root: YDict, defaults: YDict | None, name: str) -> tuple[list[_Expanded], list[Problem]]:
    if "params" not in entry:
        expanded, found = _load_body(entry, root, defaults, name, None)
        return expanded, _problems(name, found)
    shape: Found = []
    rows = _rows(entry, shape)
    results: list[_Expanded] = []
    per_row: list[Found] = []
    for index, row in enumerate(rows):
        row_found: Found = []
        body, _ = _subst(_without(entry, "params"), entry.loc, row, row_found)
        expanded, more = _load_body(body, root, defaults, name, index)
        results += expanded
        per_row.append(row_found + more)
    return results, _problems(name, shape) + _family_problems(name, per_row)


def _problems(name: str, found: Found) -> list[Problem]:
    return [Problem(name, loc.line, format_path(loc.path), message) for loc, message in found]


def _family_problems(name: str, per_row: list[Found]) -> list[Problem]:
    """A family's problems, each once; one that only some rows have names them."""
    rows_of: dict[Problem, list[int]] = {}
    for index, found in enumerate(per_row):
        for problem in _problems(name, found):
            rows_of.setdefault(problem, [])
            if index not in rows_of[problem]:
                rows_of[problem].append(index)
    return [
        p if len(rows) == len(per_row) else replace(p, message=f"{p.message} (in {_row_names(rows)})")
        for p, rows in rows_of.items()
    ]


def _row_names(rows: Sequence[int]) -> str:
    return ", ".join(f"params[{r}]" for r in rows)


def _load_one(path: Path) -> tuple[list[_Expanded], list[Problem]]:
    name = _display(path)
    data, problems = _read_yaml(path, name)
    if data is None and problems:
        return [], problems
    problems += _problems(name, _schema_problems(None, data))
    defaults = data.get("defaults") if isinstance(data, YDict) else None
    usable = isinstance(data, YDict) and isinstance(data.get("cases"), YList) and isinstance(defaults, YDict | None)
    expanded: list[_Expanded] = []
    if usable:
        for entry in data["cases"]:
            if isinstance(entry, YDict):
                more, found = _load_entry(entry, data, defaults, name)
                expanded += more
                problems += found
    return expanded, _unique(problems)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line or 0))


def _duplicate_ids(expanded: Sequence[_Expanded]) -> list[Problem]:
    first: dict[str, _Expanded] = {}
    problems = []
    for item in expanded:
        other = first.setdefault(item.case_id, item)
        if other is not item:
            row = "" if item.row is None else f" (params[{item.row}])"
            message = f"duplicate id {item.case_id!r}{row}: already defined at {other.where()}"
            problems.append(Problem(item.file, item.id_loc.line, format_path(item.id_loc.path), message))
    return problems


def case_files(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and `*.case.yaml` below directories (sorted), each once."""
    files: dict[Path, Path] = {}
    for path in paths:
        for file in sorted(path.rglob("*.case.yaml")) if path.is_dir() else [path]:
            files.setdefault(file.resolve(), file)
    return list(files.values())


def load_catalogue(paths: Sequence[Path]) -> list[Case]:
    """Every case of the files and directories in `paths`, in file order; CaseFileError lists all problems."""
    expanded: list[_Expanded] = []
    problems: list[Problem] = []
    for file in case_files(paths):
        more, found = _load_one(file)
        expanded += more
        problems += found
    problems += _duplicate_ids(expanded)
    if problems:
        raise CaseFileError(problems)
    return [case for item in expanded for case in item.cases]


def load_file(path: Path) -> list[Case]:
    """The cases of one `*.case.yaml` file."""
    return load_catalogue([path])


# --- selection ---------------------------------------------------------------------------------------


def id_key(case_id: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key of a dotted id: numeric parts compare as numbers (2.9 < 2.10), before non-numeric ones."""
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in case_id.split("."))


def _matches(case_id: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(case_id, p) or fnmatchcase(case_id, p + ".*") for p in patterns)


def select(cases: Sequence[Case], patterns: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[Case]:
    """Cases whose id matches a pattern (all when none) and no exclude pattern, sorted by id.

    Patterns are fnmatch globs on ids ("5.*", "7.7.1"); a pattern also selects the ids below it ("7.7"
    selects 7.7 and 7.7.1 .. 7.7.13).
    """
    chosen = [c for c in cases if (not patterns or _matches(c.id, patterns)) and not _matches(c.id, exclude)]
    return sorted(chosen, key=lambda c: id_key(c.id))
