"""One exception tree for harness.wire, saying whose fault an error is."""

from __future__ import annotations


class WireError(Exception):
    """Root of every error harness.wire raises."""


class LocalProtocolError(WireError):
    """The caller asked for something the protocol state or the draft does not allow."""


class RemoteProtocolError(WireError):
    """The peer broke the protocol.

    `close_code` is the code to fail the connection with (None in drafts without close codes), and
    `reason` says what was wrong in one line. `peer_close_code` is the code of the
    peer's close frame when the rule it broke is in that frame (an invalid code or reason).
    """

    def __init__(self, reason: str, close_code: int | None = 1002, peer_close_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.close_code = close_code
        self.peer_close_code = peer_close_code


class HttpError(RemoteProtocolError):
    """An HTTP head that could not be parsed or broke a limit; `status` is the reply to send."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason, close_code=None)
        self.status = status


class HandshakeError(RemoteProtocolError):
    """An opening handshake that does not follow the draft (either side)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, close_code=None)
