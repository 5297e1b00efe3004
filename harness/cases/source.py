"""Where case files come from: YAML read with the line of every key and item, the JSON Schema check,
and problems that read `file:line: key.path: message`."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError

from . import schema

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


class _Loader(yaml.CSafeLoader):  # libyaml's parser (in PyYAML's wheels): the Python one took a quarter of the load
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
            loader.found.append((out, raw, f"key {raw} is read as {kind_of(key)}: quote it"))
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


def read_yaml(path: Path, name: str) -> tuple[Any, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, "", f"cannot read the file: {exc}")]
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(name, text, exc)]
    finally:
        loader.dispose()
    _annotate(data, (), set())
    problems = [Problem(name, m.where[k].line, format_path(m.where[k].path), msg) for m, k, msg in loader.found]
    return data, problems


def _syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error, worded by PyYAML's Python parser where it finds it too: libyaml's messages
    ("did not find expected node content") do not say what was found instead."""
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as worded:
        exc = worded
    line = exc.problem_mark.line + 1 if exc.problem_mark else None
    return Problem(name, line, "", f"YAML syntax: {exc.problem}")


def locate(root: Any, path: Iterable[str | int]) -> Loc:
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
    """The JSON Schema (draft 2020-12) of a case file, as harness/cases/schema.py generates it."""
    return schema.build()


@functools.cache
def _validator(definition: str | None) -> Draft202012Validator:
    """The whole-file validator (None), or one for a definition of the schema ("case")."""
    whole = load_schema()
    if definition is not None:
        whole = {"$schema": whole["$schema"], "$defs": whole["$defs"], "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(whole)


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


def kind_of(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _type_message(value: Any, expected: str | list[str], text: str | None) -> str:
    types = [expected] if isinstance(expected, str) else expected
    if "string" in types and text is not None and isinstance(value, bool | int | float):
        return f'{text} is read as {kind_of(value)}, not a string: quote it ("{text}")'
    shown = json.dumps(value) if isinstance(value, str) else text
    got = kind_of(value) + (f" ({shown})" if shown else "")
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
    loc = locate(root, path)
    custom = schema.get("x-errors", {})
    if error.validator in custom:
        yield loc, custom[error.validator].replace("{value}", json.dumps(instance, default=str))
    elif error.validator == "type":
        yield loc, _type_message(instance, schema["type"], loc.text)
    else:
        yield loc, error.message


def _has(items: YList, index: str | int) -> bool:
    return isinstance(index, int) and 0 <= index < len(items)


def schema_problems(definition: str | None, data: Any) -> list[tuple[Loc, str]]:
    errors = list(_validator(definition).iter_errors(data))
    # an unknown key already explains why a step matched no step type: say it once
    unknown = {tuple(e.absolute_path) for e in errors if e.validator == "additionalProperties"}
    found: list[tuple[Loc, str]] = []
    for error in errors:
        if error.validator == "oneOf" and tuple(error.absolute_path) in unknown:
            continue
        found.extend(_explain(error, data))
    return found
