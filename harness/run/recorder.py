"""The recorder: collects an Observation while a case runs, and lets steps wait for what they need."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .events import Event, TimedOut
from .results import WIRE_LOG_CAP, Observation, WireChunk


class Recorder:
    """Collects an Observation as a case runs, and lets steps wait for events."""

    def __init__(self) -> None:
        self.observation = Observation()
        self.start = time.monotonic()
        self._changed = asyncio.Event()
        self._consumed: dict[str, int] = {}  # events of each type that wait steps have used up
        self._kept: dict[str, int] = {}  # wire log bytes kept per direction

    def now(self) -> float:
        return time.monotonic() - self.start

    def stamp(self) -> float:
        """`t` for an event recorded now."""
        return round(self.now(), 6)

    def record(self, event: Event) -> None:
        self.observation.events.append(event)
        self._changed.set()

    def wire(self, direction: str, data: bytes) -> None:
        obs = self.observation
        room = max(WIRE_LOG_CAP - self._kept.get(direction, 0), 0)
        if room:
            obs.wire.append(WireChunk(round(self.now(), 6), direction, data[:room]))
            self._kept[direction] = self._kept.get(direction, 0) + min(len(data), room)
        obs.wire_dropped[direction] += max(len(data) - room, 0)

    def count(self, kind: str) -> int:
        return sum(1 for e in self.observation.events if e.kind == kind)

    async def wait_for(self, kind: str, count: int, timeout: float, ended: Callable[[], bool]) -> bool:
        """Wait for `count` more events of a kind than earlier waits consumed (so an event that arrived
        before the wait began still counts), or until `ended()`; False on timeout, with an event."""
        wanted = self._consumed.get(kind, 0) + count
        self._consumed[kind] = wanted
        if await self.wait_until(lambda: self.count(kind) >= wanted or ended(), timeout):
            return True
        self.record(TimedOut(self.stamp(), waiting_for=kind, seconds=timeout))
        return False

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` holds (re-checked on every event); False when `timeout` passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True
