"""A case's steps as a program for the in-page agent (page/agent.js): JSON the page runs on its own.

Payloads the page can build (one byte repeated, seeded random bytes) go as their description, never as
bytes; others as text or base64. Each distinct payload goes once, and sends refer to it by index, so a
1000-fold repeat of a 4 KiB message is a few hundred bytes of JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from ...cases.model import Chat, Pause, Payload, Repeat, SendClose, SendMessage, Step, Wait, Write

OPEN_TIMEOUT = 10.0  # seconds for the opening handshake (and for a chat page to join)
CLOSE_TIMEOUT = 3.0  # seconds for the closing handshake once this side has closed


class Program:
    """Compiles steps into {"payloads": [...], "ops": [...]}."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self._index: dict[tuple[str, Payload], int] = {}

    def compile(self, steps: Sequence[Step]) -> dict[str, Any]:
        return {"payloads": self.payloads, "ops": [self.op(step) for step in steps]}

    def op(self, step: Step) -> dict[str, Any]:
        if isinstance(step, SendMessage):
            return {
                "op": "send",
                "kind": step.kind,
                "payload": self.payload(step.kind, step.payload),
                "size": len(step.payload.to_bytes()),
                "blob": step.as_blob,
            }
        if isinstance(step, SendClose):
            return {"op": "close", "code": step.code, "reason": step.reason.to_bytes().decode("utf-8")}
        if isinstance(step, Wait):
            return {"op": "wait", "for": step.for_, "count": step.count, "timeout": step.timeout}
        if isinstance(step, Pause):  # a quiet time, cut short when the connection closes
            return {"op": "wait", "for": None, "count": 1, "timeout": step.seconds}
        if isinstance(step, Repeat | Write):  # a page has no say in how its messages reach TCP
            count = step.count if isinstance(step, Repeat) else 1
            return {"op": "repeat", "count": count, "ops": [self.op(s) for s in step.steps]}
        if isinstance(step, Chat):
            timeout = OPEN_TIMEOUT if step.action == "join" else CLOSE_TIMEOUT
            return {"op": step.action, "text": step.text, "timeout": timeout}
        raise ValueError(f"a page cannot perform {type(step).__name__}")  # express.py rules these out first

    def payload(self, kind: str, payload: Payload) -> int:
        key = (kind, payload)
        if key not in self._index:
            self._index[key] = len(self.payloads)
            self.payloads.append(describe(kind, payload))
        return self._index[key]


def describe(kind: str, payload: Payload) -> dict[str, Any]:
    """How the page gets a payload: a description it builds from, or the bytes (text, base64)."""
    if payload.kind == "repeat" and (kind == "binary" or payload.byte < 0x80):
        return {"kind": kind, "repeat": {"byte": payload.byte, "count": payload.count}}
    if payload.kind == "random" and kind == "binary":
        return {"kind": kind, "random": {"seed": str(payload.seed), "count": payload.count}}
    data = payload.to_bytes()
    if kind == "text":
        return {"kind": kind, "text": data.decode("utf-8")}
    return {"kind": kind, "base64": base64.b64encode(data).decode("ascii")}
