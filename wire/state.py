"""The connection's state machine, as data: six states, the steps that move between them, one table.

    CONNECTING --opened--> OPEN --close sent--> LOCAL_CLOSING --close received--> CLOSED
         |                  |                                                     ^
         |                  +--close received--> REMOTE_CLOSING --close sent------+
         +--refused--> CLOSED        any state --failed--> FAILED (a failure is final)
                                     any state but FAILED --ended--> CLOSED

`ended` is the transport's end, and in hixie-75 (no closing handshake) also this side's decision to
close: there, closing is ending TCP. A pair the table does not list leaves the state as it is (a close
sent after a failure, say, is still sent, and the connection stays FAILED).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class State(enum.Enum):
    CONNECTING = "connecting"  # the opening handshake is under way
    OPEN = "open"
    LOCAL_CLOSING = "local closing"  # this side sent a close frame; the peer's is due
    REMOTE_CLOSING = "remote closing"  # the peer sent a close frame; this side's answer is due
    CLOSED = "closed"  # closing handshake complete, handshake refused, or the transport ended: close it
    FAILED = "failed"  # a protocol error: send what data_to_send() holds, then close the transport


class Step(enum.Enum):
    OPENED = "opened"  # the opening handshake succeeded
    REFUSED = "refused"  # the opening handshake ended with no WebSocket (an answer other than 101)
    CLOSE_SENT = "close sent"
    CLOSE_RECEIVED = "close received"
    FAILED = "failed"
    ENDED = "ended"


_LIVE = (State.CONNECTING, State.OPEN, State.LOCAL_CLOSING, State.REMOTE_CLOSING)

TRANSITIONS: Mapping[tuple[State, Step], State] = MappingProxyType(
    {
        (State.CONNECTING, Step.OPENED): State.OPEN,
        (State.CONNECTING, Step.REFUSED): State.CLOSED,
        (State.OPEN, Step.CLOSE_SENT): State.LOCAL_CLOSING,
        (State.OPEN, Step.CLOSE_RECEIVED): State.REMOTE_CLOSING,
        (State.LOCAL_CLOSING, Step.CLOSE_RECEIVED): State.CLOSED,
        (State.REMOTE_CLOSING, Step.CLOSE_SENT): State.CLOSED,
        **{(state, Step.FAILED): State.FAILED for state in (*_LIVE, State.CLOSED)},
        **{(state, Step.ENDED): State.CLOSED for state in _LIVE},
    }
)


def advance(state: State, step: Step) -> State:
    """The state after `step`."""
    return TRANSITIONS.get((state, step), state)
