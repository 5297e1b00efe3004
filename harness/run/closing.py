"""How a connection ended, worked out from an agent's events (the same for every agent).

- Who closed: the side whose close came first. The agent, when its close frame (not a reply) went out,
  when it failed the connection, or when it dropped TCP before anyone closed; the server, when its close
  frame arrived first or it ended TCP without one.
- Clean, as Autobahn's `wasClean`: the agent closed, the peer's close reply arrived and the peer ended
  TCP (the agent gives each of those `close_timeout` seconds, Autobahn's 1 s, then drops TCP itself); or
  the peer closed and the agent answered. hixie-75 has no closing handshake: ending TCP is clean.
- Dropped by the agent: it had to end TCP itself (Autobahn's `droppedByMe`, "FAILED BY CLIENT").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from wire import Closing, Draft

from .events import CloseIn, CloseOut, Event, Failure, Opened, TcpClosed, TimedOut

Side = Literal["harness", "peer"]  # wsinterop, on whichever side it plays; the subject under test


@dataclass(frozen=True)
class Ending:
    opened: bool
    closed_by: Side | None  # None: nobody closed before the case ended
    remote_code: int | None  # the code of the peer's close frame
    close_received: bool
    local_code: int | None  # the code of the agent's close frame (its own or its reply)
    clean: bool
    dropped_by_agent: bool
    failure: str | None  # why the agent failed the connection (the peer broke a rule)
    timed_out: bool  # the case ended on a ceiling

    def to_json(self) -> dict[str, object]:
        return {
            "closedBy": self.closed_by,
            "remoteCloseCode": self.remote_code,
            "localCloseCode": self.local_code,
            "clean": self.clean,
            "droppedByClient": self.dropped_by_agent,
            "clientFailure": self.failure,
            "timedOut": self.timed_out,
        }

    def describe(self) -> str:
        if not self.opened:
            return "no WebSocket connection"
        if self.closed_by is None:
            return "never closed"
        code = f" with {self.remote_code}" if self.remote_code is not None else ""
        how = "cleanly" if self.clean else "uncleanly"
        closer = "wsinterop" if self.closed_by == "harness" else "the peer"
        dropped = ", wsinterop dropped TCP" if self.dropped_by_agent else ""
        return f"closed by {closer}, peer's close{code}, {how}{dropped}"


def _first_closer(events: Sequence[Event]) -> Side | None:
    for e in events:
        if isinstance(e, CloseOut | Failure) or (isinstance(e, TcpClosed) and e.by == "agent"):
            return "harness"
        if isinstance(e, CloseIn | TcpClosed):
            return "peer"
    return None


def ending(events: Sequence[Event], draft: Draft) -> Ending:
    """The ending of a connection from its events."""
    closes_in = [e for e in events if isinstance(e, CloseIn)]
    closes_out = [e for e in events if isinstance(e, CloseOut)]
    tcp = next((e for e in events if isinstance(e, TcpClosed)), None)
    failure = next((e.reason for e in events if isinstance(e, Failure)), None)
    closed_by = _first_closer(events)
    tcp_closing = draft.info.closing is Closing.TCP  # hixie-75: ending TCP is the close, on either side
    dropped = tcp is not None and tcp.by == "agent" and not tcp_closing
    if tcp_closing:
        clean = tcp is not None and failure is None
    elif closed_by == "harness":
        clean = bool(closes_out and closes_in) and not dropped and failure is None
    else:
        clean = bool(closes_in and closes_out) and failure is None
    return Ending(
        opened=any(isinstance(e, Opened) for e in events),
        closed_by=closed_by,
        remote_code=closes_in[0].code if closes_in else None,
        close_received=bool(closes_in),
        local_code=closes_out[0].code if closes_out else None,
        clean=clean,
        dropped_by_agent=dropped,
        failure=failure,
        timed_out=any(isinstance(e, TimedOut) and e.final for e in events),
    )
