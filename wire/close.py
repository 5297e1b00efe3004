"""Close codes and the close value: what a close frame says (RFC 6455 §7.4), as data.

`CloseCode` names the registered codes; a code it does not name (an application's 4000, an invalid
999) stays a plain int: encoding writes any code, and a lenient receiver reports what it read.
Which codes a draft allows on the wire is a fact of the draft (drafts.py); checking them is validation
(validation.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CloseCode(enum.IntEnum):
    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    TOO_LARGE_HYBI = 1004  # hybi-06..08: frame too large; RFC 6455 reserves it
    NO_STATUS_RCVD = 1005  # never on the wire: "no code" in APIs
    ABNORMAL_CLOSURE = 1006  # never on the wire: the transport ended without a close
    INVALID_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014
    TLS_HANDSHAKE = 1015  # never on the wire


_BY_VALUE = {int(code): code for code in CloseCode}


def close_code(value: int) -> int:
    """`value` as its CloseCode when it has a name, else the int itself (equal either way)."""
    return _BY_VALUE.get(value, value)


@dataclass(frozen=True, slots=True)
class Close:
    """A close frame's meaning: `code` None when it carried none (and in drafts without codes)."""

    code: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.code is None:
            return "close without a code"
        name = f" ({self.code.name})" if isinstance(self.code, CloseCode) else ""
        return f"close {int(self.code)}{name}" + (f" {self.reason!r}" if self.reason else "")
