"""The building blocks of the case files' JSON Schema (harness/cases/schema.py puts them together): helpers
that read a default from a model field, and the shapes of scalars and payloads."""

from __future__ import annotations

import dataclasses
from typing import Any

from wire import Kind

from . import model
from .codes import NAMES
from .corpus import GENERATORS

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def default(cls: type, name: str) -> Any:
    """The YAML form of a model field's default (tuples as lists, empty payloads as null)."""
    (spec,) = (f for f in dataclasses.fields(cls) if f.name == name)
    value = spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default
    if value is model.EMPTY:
        return None
    return list(value) if isinstance(value, tuple) else value


def prop(schema: Schema, cls: type, name: str) -> Schema:
    return {**schema, "default": default(cls, name)}


def one_key(kinds: list[str], what: str, suffix: str = "", extra: Schema | None = None) -> Schema:
    """An object with exactly one of `kinds` (and the messages of `extra` for other keywords)."""
    message = f"{what} has exactly one of: {', '.join(kinds)}{suffix}"
    return {"oneOf": [{"required": [k]} for k in kinds], "x-errors": {"oneOf": message, **(extra or {})}}


def text_or_binary(extra: Schema) -> Schema:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"text": ref("payload"), "binary": ref("payload"), **extra},
        "if": {"type": "object", "required": ["text"]},
        "then": {"not": {"required": ["binary"]}, "x-errors": {"not": "give text or binary, not both"}},
        "else": {"required": ["binary"], "x-errors": {"required": "a message needs text or binary"}},
    }


def _size(minimum: int, pattern: str, message: str, null: bool = False) -> Schema:
    types = ["integer", "string", "null"] if null else ["integer", "string"]
    return {"type": types, "minimum": minimum, "pattern": pattern, "x-errors": {"pattern": message}}


DRAFT_NAMES = list(model.ALL_DRAFTS)

SCALARS: Schema = {
    "id": {
        "type": "string",
        "pattern": r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$",
        "x-errors": {
            "pattern": "{value} is not a dotted id: parts of letters, digits, '-' or '_' joined by dots, "
            'e.g. "7.7.13"'
        },
    },
    "text": {"type": "string"},
    "seconds": {"type": "number", "exclusiveMinimum": 0},
    "draft": {"enum": DRAFT_NAMES},
    "drafts": {
        "description": 'A list of draft names, one name, or "all".',
        "type": ["string", "array"],
        "default": list(model.HYBI_DRAFTS),
        "if": {"type": "string"},
        "then": {"enum": ["all", *DRAFT_NAMES]},
        "else": {"minItems": 1, "uniqueItems": True, "items": ref("draft")},
    },
    "agents": {
        "description": "A list of agent names, or one name. Default: every agent.",
        "type": ["string", "array"],
        "if": {"type": "string"},
        "then": ref("agent"),
        "else": {"minItems": 1, "uniqueItems": True, "items": ref("agent")},
    },
    "agent": {
        "description": "An agent name (harness.agents.REGISTRY; the loader checks it is known).",
        "type": "string",
        "pattern": "^[a-z][a-z0-9-]*$",
    },
    "tags": {
        "description": "Labels that select cases (--tag, --exclude-tag), e.g. reference-server, autobahn.",
        "type": ["string", "array"],
        "pattern": "^[a-z][a-z0-9-]*$",
        "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
    },
    "size": _size(0, "^[0-9]+[KM]$", '{value} is not a size: an integer, or a string like "64K" or "16M"'),
    "split": _size(
        0, "^[0-9]+[KM]$", '{value} is not a size: an integer, or a string like "64K" (0 or null: no splitting)', True
    ),
    "count": _size(1, "^[1-9][0-9]*[KM]$", '{value} is not a positive count: an integer >= 1, or a string like "64K"'),
    "hex": {
        "type": "string",
        "pattern": r"^\s*([0-9A-Fa-f]{2}\s*)*$",
        "x-errors": {"pattern": '{value} is not hex bytes: pairs of hex digits, spaces allowed, e.g. "de ad be ef"'},
    },
    "maskKey": {
        "type": "string",
        "pattern": r"^\s*([0-9A-Fa-f]{2}\s*){4}$",
        "x-errors": {"pattern": '{value} is not a mask key: 4 bytes in hex, e.g. "01020304"'},
    },
    "byte": {
        "type": ["integer", "string"],
        "minimum": 0,
        "maximum": 255,
        "minLength": 1,
        "maxLength": 1,
        "pattern": "^[\\u0000-\\u00ff]",
        "x-errors": {
            "minLength": "a byte is an integer 0..255 or a one-character string",
            "maxLength": "a byte is an integer 0..255 or a one-character string",
            "pattern": "{value} is not a byte: a one-character string must be U+0000..U+00FF",
        },
    },
    "opcode": {
        "description": "0..15 (hybi) or 0..255 (a hixie frame type byte), a frame kind name, or reserved:N "
        "(the Nth reserved opcode of the draft, from 0).",
        "type": ["integer", "string"],
        "minimum": 0,
        "maximum": 255,
        "if": {"type": "string", "pattern": "^reserved:"},
        "then": {
            "pattern": "^reserved:[0-9]+$",
            "x-errors": {"pattern": "{value} is not an opcode reference: write reserved:N with N a number from 0"},
        },
        "else": {"if": {"type": "string"}, "then": {"enum": [k.value for k in Kind]}},
    },
    "closeCode": {
        "description": "A close code, or a name resolved per draft: "
        + "; ".join(f"{k}: {v}" for k, v in NAMES.items()),
        "type": ["integer", "string"],
        "minimum": 0,
        "maximum": 65535,
        "if": {"type": "string"},
        "then": {
            "enum": list(NAMES),
            "x-errors": {"enum": "{value} is not a close code: a number, or one of " + ", ".join(NAMES)},
        },
    },
    "status": {"type": "integer", "minimum": 100, "maximum": 599},
    "names": {"type": ["string", "array"], "items": {"type": "string"}},
    "headerMap": {"type": "object", "additionalProperties": {"type": ["string", "integer", "null"]}},
}


def payload() -> Schema:
    repeat = {
        "description": "{byte, count}: one byte count times; {text or hex, size}: a sequence repeated, "
        "cut to size bytes.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "byte": ref("byte"),
            "count": ref("size"),
            "text": {"type": "string", "minLength": 1},
            "hex": {**ref("hex"), "minLength": 2},
            "size": ref("size"),
        },
        "oneOf": [{"required": ["byte", "count"]}, {"required": ["text", "size"]}, {"required": ["hex", "size"]}],
        "x-errors": {"oneOf": "repeat is {byte, count}, {text, size} or {hex, size}"},
    }
    random = {
        "type": "object",
        "required": ["size"],
        "additionalProperties": False,
        "properties": {"size": ref("size"), "seed": {"type": "integer", "default": default(model.Payload, "seed")}},
    }
    corpus = {
        "description": "slice `index` of `size` bytes of a generated data set (harness/cases/corpus.py), from "
        "offset index * size, wrapping around; in the k-th turn of a repeat (or of an expected event's times) "
        "the slice k further on, as Autobahn's 12.* and 13.* walk their files.",
        "type": "object",
        "required": ["name", "size"],
        "additionalProperties": False,
        "properties": {
            "name": {"enum": list(GENERATORS)},
            "size": ref("size"),
            "index": {"type": "integer", "minimum": 0, "default": default(model.Payload, "index")},
        },
    }
    return {
        "description": "A string (UTF-8 text), null or {} (empty), or a mapping with one key: text, hex, "
        "repeat, random, corpus.",
        "type": ["string", "null", "object"],
        "if": {"type": "object"},
        "then": {
            "maxProperties": 1,
            "additionalProperties": False,
            "properties": {
                "text": {"type": "string"},
                "hex": ref("hex"),
                "repeat": repeat,
                "random": random,
                "corpus": corpus,
            },
            "x-errors": {"maxProperties": "a payload mapping has exactly one key: text, hex, repeat, random or corpus"},
        },
    }
