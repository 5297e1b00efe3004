"""What every driver shares: the target, the recorder it reports to, and the interface it implements."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..model import Case, Step
from ..results import WIRE_LOG_CAP, Observation, ObservedEvent, WireChunk
from ..wire import Draft

PREVIEW = 256  # bytes of a payload kept in a report


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str = "/"
    secure: bool = False

    @classmethod
    def parse(cls, url: str) -> Target:
        """A target from a ws:// URL; ValueError saying what is wrong otherwise."""
        parts = urlsplit(url)
        if parts.scheme == "wss":
            raise ValueError(f"{url}: wss:// (TLS) is not supported; use ws://")
        if parts.scheme != "ws":
            raise ValueError(f"{url!r} is not a WebSocket URL: use ws://host[:port][/path]")
        if not parts.hostname:
            raise ValueError(f"{url!r} has no host: use ws://host[:port][/path]")
        if parts.fragment:
            raise ValueError(f"{url}: a WebSocket URL has no #fragment")
        try:
            port = parts.port or 80
        except ValueError as exc:  # "Port out of range 0-65535", "Port could not be cast to integer value"
            raise ValueError(f"{url}: {exc}") from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.hostname, port, path)

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.secure else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{'wss' if self.secure else 'ws'}://{self.authority}{self.path}"


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
    """Collects an Observation as a case runs, and lets steps wait for events."""

    def __init__(self) -> None:
        self.observation = Observation()
        self.start = time.monotonic()
        self._changed = asyncio.Event()
        self._consumed: dict[str, int] = {}  # events of each type that wait steps have used up
        self._kept: dict[str, int] = {}  # wire log bytes kept per direction

    def now(self) -> float:
        return time.monotonic() - self.start

    def event(self, type_: str, **data: Any) -> None:
        self.observation.events.append(ObservedEvent(round(self.now(), 6), type_, data))
        self._changed.set()

    def wire(self, direction: str, data: bytes) -> None:
        obs = self.observation
        room = max(WIRE_LOG_CAP - self._kept.get(direction, 0), 0)
        if room:
            obs.wire.append(WireChunk(round(self.now(), 6), direction, data[:room]))
            self._kept[direction] = self._kept.get(direction, 0) + min(len(data), room)
        obs.wire_dropped[direction] += max(len(data) - room, 0)

    def count(self, type_: str) -> int:
        return sum(1 for e in self.observation.events if e.type == type_)

    async def wait_for(self, type_: str, count: int, timeout: float, ended: Callable[[], bool]) -> bool:
        """Wait for `count` more events of a type than earlier waits consumed (so an event that arrived
        before the wait began still counts), or until `ended()`; False on timeout, with an event."""
        wanted = self._consumed.get(type_, 0) + count
        self._consumed[type_] = wanted
        if await self.wait_until(lambda: self.count(type_) >= wanted or ended(), timeout):
            return True
        self.event("timeout", waiting_for=type_, seconds=timeout)
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


class Session(Protocol):
    """One connection of an agent, driven step by step by the engine."""

    @property
    def ended(self) -> bool:
        """The connection is over (closed or failed): further steps are skipped."""
        ...

    async def open(self) -> bool:
        """The opening handshake; True when a WebSocket is open."""
        ...

    async def perform(self, step: Step) -> None: ...

    async def finish(self) -> None:
        """The closing phase: close if the case expects this side to, then wait for the peer."""
        ...


class Driver(Protocol):
    """An agent: something that can open WebSockets to a target and perform a case's steps."""

    name: str

    @property
    def version(self) -> str: ...

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        """Why this agent cannot express `case` in `draft` (the case is UNIMPLEMENTED), or None."""
        ...

    def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AbstractAsyncContextManager[Session | None]:
        """A connection for `case`; None (with observation.error set) when it cannot even connect."""
        ...
