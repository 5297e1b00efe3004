"""The interface every agent implements: a driver opens sessions, a session performs a case's steps."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from wire import Draft

from ..cases.model import Case, Step
from .recorder import Recorder
from .target import Target, Trust


class AgentStartError(RuntimeError):
    """An agent that cannot start (a browser that is not installed or crashed on launch), in one line."""


class Session(Protocol):
    """One connection of an agent, driven step by step by the engine."""

    @property
    def ended(self) -> bool:
        """The connection is over (closed or failed): further steps are skipped."""
        ...

    async def open(self) -> bool:
        """The opening handshake; True when a WebSocket is open."""
        ...

    async def perform(self, steps: Sequence[Step]) -> None:
        """These steps in order, until the connection ends. No other connection acts meanwhile (a scenario
        gives each actor its consecutive steps at once), so an agent may run them all at once (a browser page
        runs them as one program) and write them as it sees fit."""
        ...

    async def finish(self) -> None:
        """The closing phase: close if the case expects this side to, then wait for the peer."""
        ...


class Driver(Protocol):
    """An agent: something that can open WebSockets to a target and perform a case's steps."""

    name: str
    overhead: float  # seconds the engine allows past a case's timeout for the agent's own work

    @property
    def version(self) -> str: ...

    async def start(self) -> None:
        """Get ready for sessions (launch a browser); AgentStartError with one line when it cannot."""
        ...

    async def stop(self) -> None: ...

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        """Why this agent cannot express `case` in `draft` (the case is UNIMPLEMENTED), or None."""
        ...

    def certificates(self, trust: Trust) -> str:
        """How this agent checks a wss:// target's certificate when the run asks for `trust`, for the report."""
        ...

    def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AbstractAsyncContextManager[Session | None]:
        """A connection for `case`; None (with observation.error set) when it cannot even connect."""
        ...
