"""The recorder: collects an Observation while a case runs, and lets steps wait for what they need."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .events import Event, TimedOut
from .results import WIRE_LOG_CAP, Observation, WireChunk


class Recorder:
    """Collects an Observation as a case runs, and lets steps wait for events.

    A wait is a predicate and a future: each recorded event re-checks the waiting predicates (cheap
    ones: counts are kept per type, never recounted) and wakes a wait only once its predicate holds."""

    def __init__(self) -> None:
        self.observation = Observation()
        self.start = time.monotonic()
        self._counts: dict[str, int] = {}  # events recorded per kind
        self._consumed: dict[str, int] = {}  # events of each type that wait steps have used up
        self._kept: dict[str, int] = {}  # wire log bytes kept per direction
        self._waits: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def now(self) -> float:
        return time.monotonic() - self.start

    def stamp(self) -> float:
        """`t` for an event recorded now."""
        return round(self.now(), 6)

    def record(self, event: Event) -> None:
        self.observation.events.append(event)
        self._counts[event.kind] = self._counts.get(event.kind, 0) + 1
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

    def count(self, kind: str) -> int:
        return self._counts.get(kind, 0)

    async def wait_for(self, kind: str, count: int, timeout: float, ended: Callable[[], bool]) -> bool:
        """Wait for `count` more events of a kind than earlier waits consumed (so an event that arrived
        before the wait began still counts), or until `ended()`; False on timeout, with an event."""
        wanted = self._consumed.get(kind, 0) + count
        self._consumed[kind] = wanted
        if await self.wait_until(lambda: self._counts.get(kind, 0) >= wanted or ended(), timeout):
            return True
        self.record(TimedOut(self.stamp(), kind, timeout))
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
