"""The recorder: collects an Observation while a case runs, and lets steps wait for what they need."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Any

from .results import WIRE_LOG_CAP, Observation, ObservedEvent, WireChunk

PREVIEW = 256  # bytes of a payload kept in a report


def payload_summary(data: bytes, kind: str = "binary") -> dict[str, Any]:
    """How a payload is recorded: size, digest and a preview (the judge compares size and digest)."""
    preview = data[:PREVIEW]
    summary: dict[str, Any] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if kind == "text":
        summary["text"] = preview.decode("utf-8", "replace")
    else:
        summary["hex"] = preview.hex()
    if len(data) > PREVIEW:
        summary["truncated"] = True
    return summary


class Recorder:
    """Collects an Observation as a case runs, and lets steps wait for events.

    A wait is a predicate and a future: each recorded event re-checks the waiting predicates (cheap
    ones: counts are kept per type, never recounted) and wakes a wait only once its predicate holds."""

    def __init__(self) -> None:
        self.observation = Observation()
        self.start = time.monotonic()
        self._counts: dict[str, int] = {}  # events recorded per type
        self._consumed: dict[str, int] = {}  # events of each type that wait steps have used up
        self._kept: dict[str, int] = {}  # wire log bytes kept per direction
        self._waits: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def now(self) -> float:
        return time.monotonic() - self.start

    def event(self, type_: str, **data: Any) -> None:
        self.observation.events.append(ObservedEvent(round(self.now(), 6), type_, data))
        self._counts[type_] = self._counts.get(type_, 0) + 1
        for predicate, future in self._waits:
            if not future.done() and predicate():
                future.set_result(None)

    def wire(self, direction: str, data: bytes) -> None:
        obs = self.observation
        kept = self._kept.get(direction, 0)
        room = WIRE_LOG_CAP - kept if kept < WIRE_LOG_CAP else 0
        if room:
            obs.wire.append(WireChunk(round(self.now(), 6), direction, data[:room]))
            self._kept[direction] = kept + min(len(data), room)
        if len(data) > room:
            obs.wire_dropped[direction] += len(data) - room

    def count(self, type_: str) -> int:
        return self._counts.get(type_, 0)

    async def wait_for(self, type_: str, count: int, timeout: float, ended: Callable[[], bool]) -> bool:
        """Wait for `count` more events of a type than earlier waits consumed (so an event that arrived
        before the wait began still counts), or until `ended()`; False on timeout, with an event."""
        wanted = self._consumed.get(type_, 0) + count
        self._consumed[type_] = wanted
        if await self.wait_until(lambda: self._counts.get(type_, 0) >= wanted or ended(), timeout):
            return True
        self.event("timeout", waiting_for=type_, seconds=timeout)
        return False

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` holds (checked again at each event); False when `timeout` passes."""
        if predicate():
            return True
        entry = (predicate, asyncio.get_running_loop().create_future())
        self._waits.append(entry)
        try:
            async with asyncio.timeout(timeout):
                await entry[1]
        except TimeoutError:
            return predicate()
        finally:
            self._waits.remove(entry)
        return True
