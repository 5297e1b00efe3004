"""The JSON Schema of a case file, generated: shapes written here once, every default read from the model.

`python -m harness schema` prints it; harness/cases/case.schema.json is that output (editors read it,
and a test checks it is current). Each `default` comes from a dataclass field of harness.cases.model,
the draft and opcode names from wire, the close-code names from codes.py and the verdict rules from
model.Rule, so nothing here can drift from what the loader builds. 'x-errors' maps a failing keyword of
a subschema to the message shown instead of jsonschema's ({value} is the offending value).
"""

from __future__ import annotations

import json

from . import model
from .schema_defs import SCALARS, Schema, one_key, payload, prop, ref, text_or_binary

SEND_FRAME, SEND_MESSAGE = model.SendFrame, model.SendMessage


def _frame_bits(cls: type) -> Schema:
    return {name: prop({"type": "boolean"}, cls, name) for name in ("fin", "rsv1", "rsv2", "rsv3")}


def _steps() -> Schema:
    send_frame = {
        "type": "object",
        "required": ["opcode"],
        "additionalProperties": False,
        "properties": {
            "opcode": ref("opcode"),
            "payload": ref("payload"),
            **_frame_bits(SEND_FRAME),
            "masked": prop({"type": ["boolean", "null"]}, SEND_FRAME, "masked"),
            "mask_key": ref("maskKey"),
            "declared_length": ref("size"),
            "chop": ref("split"),
            "sync": prop({"type": "boolean"}, SEND_FRAME, "sync"),
        },
    }
    message_options = {
        "fragment_size": ref("split"),
        "empty_final_frame": prop({"type": "boolean"}, SEND_MESSAGE, "empty_final_frame"),
        "chop": ref("split"),
        "sync": prop({"type": "boolean"}, SEND_MESSAGE, "sync"),
        "as_blob": prop({"type": "boolean"}, SEND_MESSAGE, "as_blob"),
        "compress": prop({"type": "boolean"}, SEND_MESSAGE, "compress"),
    }
    raw_alone = {"not": {}, "x-errors": {"not": "raw is the whole close payload: give raw alone, or code and reason"}}
    send_close = {
        "description": "null or {} for an empty close payload; {code, reason}; or {raw: payload} for the whole "
        "payload as is; with mask_key, chop, sync as a frame.",
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "integer", "minimum": 0, "maximum": 65535},
            "reason": ref("payload"),
            "raw": ref("payload"),
            "mask_key": ref("maskKey"),
            "chop": ref("split"),
            "sync": prop({"type": "boolean"}, model.SendClose, "sync"),
        },
        "if": {"type": "object", "required": ["raw"]},
        "then": {"properties": {"code": raw_alone, "reason": raw_alone}},
    }
    send_raw = {
        "description": "A payload, or {payload, chop, sync}.",
        "if": {"type": "object", "required": ["payload"]},
        "then": {
            "additionalProperties": False,
            "properties": {
                "payload": ref("payload"),
                "chop": ref("split"),
                "sync": prop({"type": "boolean"}, model.SendRaw, "sync"),
            },
        },
        "else": ref("payload"),
    }
    begin_frame = {
        "description": "The header of a frame of `length` payload bytes, which frame_data steps then write.",
        "type": "object",
        "required": ["opcode", "length"],
        "additionalProperties": False,
        "properties": {
            "opcode": ref("opcode"),
            "length": ref("size"),
            "fin": prop({"type": "boolean"}, model.BeginFrame, "fin"),
            "mask_key": ref("maskKey"),
        },
    }
    wait = {
        "description": "Wait for count events of a type; timeout is only the ceiling.",
        "type": "object",
        "required": ["for"],
        "additionalProperties": False,
        "properties": {
            "for": {"enum": ["message", "pong", "ping", "close", "tcp_closed"]},
            "count": prop(ref("count"), model.Wait, "count"),
            "timeout": prop(ref("seconds"), model.Wait, "timeout"),
        },
        "x-errors": {"required": "a wait needs for (what to wait for); a quiet period is pause: SECONDS"},
    }
    repeat = {
        "type": "object",
        "required": ["count", "steps"],
        "additionalProperties": False,
        "properties": {"count": ref("count"), "steps": {**ref("steps"), "minItems": 1}},
    }
    chat = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {"join": {"type": "string", "minLength": 1}, "say": {"type": "string"}, "leave": {"const": True}},
        "x-errors": {
            "minProperties": "a chat step is one of {join: NAME}, {say: TEXT}, {leave: true}",
            "maxProperties": "a chat step is one of {join: NAME}, {say: TEXT}, {leave: true}",
        },
    }
    types: Schema = {
        "send_frame": send_frame,
        "send_message": text_or_binary(message_options),
        "send_ping": ref("payload"),
        "send_pong": ref("payload"),
        "send_close": send_close,
        "send_raw": send_raw,
        "begin_frame": begin_frame,
        "frame_data": ref("payload"),
        "write": {**ref("steps"), "minItems": 1, "description": "Send steps whose frames leave in one write."},
        "wait": wait,
        "pause": {**ref("seconds"), "description": "A quiet period (seconds), cut short when the connection ends."},
        "mark": {"type": "string", "minLength": 1, "description": "Record this name if the connection is still open."},
        "repeat": repeat,
        "chat": chat,
    }
    kinds = list(types)
    step = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 2,
        "additionalProperties": False,
        "properties": {
            **types,
            "actor": {
                "type": "string",
                "minLength": 1,
                "description": "in a scenario: the actor that performs this step",
            },
        },
        **one_key(
            kinds,
            "a step",
            suffix=", plus `actor` in a scenario",
            extra={
                "minProperties": f"a step is a mapping with exactly one key, the step type ({', '.join(kinds)})",
                "maxProperties": "a step is a mapping with one key, the step type (plus `actor` in a scenario): "
                "put its options inside it (- send_frame: {opcode: text, fin: false})",
            },
        ),
    }
    return {"steps": {"type": "array", "items": ref("step")}, "step": step}


def _expectations() -> Schema:
    control = {"type": ["object", "null"], "additionalProperties": False, "properties": {"payload": ref("payload")}}
    kinds = ["message", "pong", "ping", "mark"]
    event = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 2,
        "additionalProperties": False,
        "properties": {
            "message": text_or_binary({"fragments": ref("count")}),
            "pong": control,
            "ping": control,
            "mark": {"type": "string", "minLength": 1},
            "times": prop(ref("count"), model.ExpectEvent, "times"),
        },
        **one_key(
            kinds,
            "an expected event",
            extra={
                "minProperties": "an expected event is a mapping with one key: message, pong, ping or mark (and times)",
                "maxProperties": "an expected event is a mapping with one key: message, pong, ping or mark (and times)",
            },
        ),
    }
    events = {
        "description": 'Events in order, or "echo": what an echo peer sends back for the steps.',
        "type": ["array", "null", "string"],
        "items": ref("event"),
        "if": {"type": "string"},
        "then": {"const": "echo", "x-errors": {"const": "a list of events, or echo"}},
    }
    expect = {
        "type": "object",
        "additionalProperties": False,
        "properties": {k: ref("events") for k in ("ok", "non_strict", "informational")},
    }
    close_fields = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "by": prop({"enum": ["peer", "harness", "either", "server", "client"]}, model.ExpectClose, "by"),
            "codes": prop(
                {"type": ["integer", "string", "array"], "items": ref("closeCode")}, model.ExpectClose, "codes"
            ),
            "clean": prop({"type": "boolean"}, model.ExpectClose, "clean"),
        },
    }
    close = {
        "description": '{by, codes, clean}, or "answer": the answer to the close the steps send, per draft.',
        "if": {"type": "string"},
        "then": {"const": "answer", "x-errors": {"const": "close is a mapping {by, codes, clean}, or answer"}},
        "else": close_fields,
    }
    handshake = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {"type": ["string", "null"]},
            "protocols": ref("names"),
            "extensions": ref("names"),
            "origin": prop({"type": ["string", "null"]}, model.Handshake, "origin"),
            "headers": ref("headerMap"),
            "extra_headers": {
                "type": "array",
                "items": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 2,
                    "prefixItems": [{"type": "string"}, {"type": ["string", "integer"]}],
                    "x-errors": {
                        "minItems": "an extra header is a [name, value] pair",
                        "maxItems": "an extra header is a [name, value] pair",
                    },
                },
            },
            "method": prop({"type": "string"}, model.Handshake, "method"),
            "http_version": prop({"type": "string"}, model.Handshake, "http_version"),
            "key3": ref("payload"),
            "tls": prop({"enum": ["", "mixed-content", "untrusted"]}, model.Handshake, "tls"),
            "deflate_as_answered": prop({"type": "boolean"}, model.Handshake, "deflate_as_answered"),
        },
    }
    deflate_params = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "server_no_context_takeover": {"const": True},
            "client_no_context_takeover": {"const": True},
            "server_max_window_bits": {"type": "integer", "minimum": 8, "maximum": 15},
            "client_max_window_bits": {"type": "integer", "minimum": 8, "maximum": 15},
        },
    }
    answer = {
        "description": "Server side: the answer to the subject's handshake, wrong on purpose (default: the right one).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": prop({"type": "integer", "minimum": 100, "maximum": 599}, model.Answer, "status"),
            "reason": {"type": "string"},
            "headers": ref("headerMap"),
            "key_answer": ref("payload"),
            "raw": ref("payload"),
            "deflate": {
                "description": "permessage-deflate: the server's policies, tried in order; the first that one of "
                "the client's offers allows all of is accepted (a client_max_window_bits only from an offer that "
                "carries it), as Autobahn's fuzzing server accepts in 12.* and 13.*. Without it: no extension",
                "type": "array",
                "items": deflate_params,
            },
        },
    }
    expect_handshake = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": prop(
                {"type": ["integer", "array"], "minimum": 100, "maximum": 599, "minItems": 1, "items": ref("status")},
                model.ExpectHandshake,
                "status",
            ),
            "headers": ref("headerMap"),
            "protocol": {"type": ["string", "null"]},
            "refused": prop({"type": "boolean"}, model.ExpectHandshake, "refused"),
            "deflate": {
                "description": "permessage-deflate: null, the server must not accept it; a mapping, it must, and "
                "its response must have these parameters (others may come too; {}: any). A server that does not "
                "accept it makes the case UNIMPLEMENTED, as in Autobahn's 12.* and 13.*",
                **deflate_params,
                "type": ["object", "null"],
            },
        },
    }
    return {
        "event": event,
        "events": events,
        "expect": expect,
        "close": close,
        "handshake": handshake,
        "answer": answer,
        "expectHandshake": expect_handshake,
    }


def _case_parts() -> Schema:
    case = model.Case
    fields = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": ref("id"),
            **{key: ref("text") for key in ("title", "description", "expectation", "spec", "category")},
            "tags": ref("tags"),
            "drafts": ref("drafts"),
            "agents": ref("agents"),
            "sides": prop(
                {
                    "description": "The sides wsinterop plays the case from: client (the subject is a server), "
                    "server (the subject is a client, python -m harness fuzzingserver).",
                    "type": ["string", "array"],
                    "if": {"type": "string"},
                    "then": {"enum": ["client", "server"]},
                    "else": {"minItems": 1, "uniqueItems": True, "items": {"enum": ["client", "server"]}},
                },
                case,
                "sides",
            ),
            "timeout": prop(ref("seconds"), case, "timeout"),
            "close_timeout": prop(ref("seconds"), case, "close_timeout"),
            "exclusive": prop({"type": "boolean"}, case, "exclusive"),
            "answer_closes": prop({"type": "boolean"}, case, "answer_closes"),
            "handshake": ref("handshake"),
            "answer": ref("answer"),
            "steps": ref("steps"),
            "expect": ref("expect"),
            "expect_handshake": ref("expectHandshake"),
            "close": ref("close"),
            "rules": {"type": "array", "uniqueItems": True, "items": {"enum": [str(r) for r in model.Rule]}},
            "unimplemented": ref("unimplemented"),
            "per_draft": ref("perDraft"),
            "params": ref("params"),
            "actors": {"type": "array", "minItems": 1, "items": ref("actor")},
            "formerly": {
                "description": "The id this check had before, and why it moved (listed in docs/catalogue.md).",
                "type": "object",
                "required": ["id", "why"],
                "additionalProperties": False,
                "properties": {"id": ref("id"), "why": ref("text")},
            },
        },
    }
    forbid = ref("forbidden")
    actor = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "agent": ref("agent"),
            "draft": ref("draft"),
            "page": prop({"enum": ["agent", "chat"]}, model.Actor, "page"),
            "handshake": ref("handshake"),
            "expect": {"type": ["array", "null"], "items": ref("event")},
            "expect_chat": {
                "type": "array",
                "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}},
            },
            "close": ref("close"),
        },
    }
    return {
        "entry": {
            "description": "A case, or a family of cases (with params): a family is checked row by row, "
            "after substitution.",
            "type": "object",
            "if": {"required": ["params"]},
            "then": {"required": ["id"], "properties": {"id": {"type": "string"}, "params": ref("params")}},
            "else": ref("fields"),
        },
        "case": {
            "description": "One case after defaults, family substitution and per_draft merging.",
            **ref("fields"),
            "required": ["id", "title", "category", "description", "expectation", "spec"],
            "properties": {"params": forbid},
        },
        "defaults": {
            "description": "Keys merged (shallowly) into every case of the file; a case's own keys win.",
            **ref("fields"),
            "properties": {"id": forbid, "params": forbid},
        },
        "override": {
            "description": "A per_draft entry: case keys deep-merged (mappings merge, lists replace) for one draft.",
            **ref("fields"),
            "properties": {"id": forbid, "drafts": forbid, "per_draft": forbid, "params": forbid},
        },
        "forbidden": {"not": {}, "x-errors": {"not": "not allowed here"}},
        "fields": fields,
        "params": {
            "description": "Family rows: one case per row; ${name} in the entry's strings takes the row's value.",
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
        },
        "unimplemented": {
            "description": "draft -> why the case cannot be expressed in that draft "
            "(its verdict there is UNIMPLEMENTED).",
            "type": "object",
            "propertyNames": ref("draft"),
            "additionalProperties": {"type": "string"},
        },
        "perDraft": {
            "description": "draft -> case keys that differ there; each gives a separate case with the same id.",
            "type": "object",
            "propertyNames": ref("draft"),
            "additionalProperties": ref("override"),
        },
        "actor": actor,
    }


def build() -> Schema:
    """The whole schema (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://wsinterop.invalid/harness/case.schema.json",
        "title": "wsinterop case file (*.case.yaml)",
        "description": "Generated by `python -m harness schema` from harness/cases/schema.py and the model's "
        "defaults; see docs/case-format.md. The loader checks the file against it, then checks every case "
        "again against #/$defs/case once file defaults are merged, family rows substituted and per_draft "
        "overrides applied.",
        "type": "object",
        "required": ["cases"],
        "additionalProperties": False,
        "properties": {
            "category": ref("text"),
            "defaults": ref("defaults"),
            "cases": {"type": "array", "minItems": 1, "items": ref("entry")},
        },
        "$defs": {**_case_parts(), **SCALARS, "payload": payload(), **_steps(), **_expectations()},
    }


def text() -> str:
    """The schema as case.schema.json holds it."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
