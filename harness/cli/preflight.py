"""A dead target fails a run fast: a preflight handshake before the first item, and a watch that stops the
run when handshake after handshake goes unanswered.

Without them, a target that accepts TCP and never answers costs every item its whole timeout: hours for
the catalogue before a CI job learns that its URL was wrong.
"""

from __future__ import annotations

import asyncio
import contextlib

from wire import ClientHandshake, Draft

from ..run.events import Opened, TimedOut
from ..run.results import CaseResult
from ..run.target import Target

PREFLIGHT_TIMEOUT = 10.0  # seconds for the TCP connection, then again for the first byte of an answer
SILENT_LIMIT = 5  # items in a row without a handshake answer before the run stops


async def preflight(target: Target, draft: Draft, timeout: float = PREFLIGHT_TIMEOUT) -> str | None:
    """One opening handshake of `draft`; why the run cannot go on (one line), or None when the target
    answered anything at all: a byte, a rejection, even closing the connection (items then fail fast)."""
    context = target.tls_context()
    try:
        connecting = asyncio.open_connection(
            target.host, target.port, ssl=context, ssl_handshake_timeout=timeout if context else None
        )
        reader, writer = await asyncio.wait_for(connecting, 2 * timeout if context else timeout)  # TCP, then TLS
    except TimeoutError:
        return f"cannot connect to {target.authority}: no TCP connection within {timeout:g} s"
    except ConnectionAbortedError:  # asyncio's own end of a TLS handshake that took longer than allowed
        return (
            f"{target.authority} accepted a TCP connection but finished no TLS handshake within {timeout:g} s "
            "(a plain ws:// server?)"
        )
    except OSError as exc:
        return target.connect_error(exc)
    try:
        writer.write(ClientHandshake.build(draft, target.authority, target.path).to_bytes())
        await writer.drain()
        await asyncio.wait_for(reader.read(1), timeout)
    except TimeoutError:
        return (
            f"{target.url} accepted a TCP connection but answered no opening handshake ({draft.value}) "
            f"within {timeout:g} s"
        )
    except OSError:
        return None  # a reset is an answer too
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return None


def unanswered(result: CaseResult) -> bool:
    """The item's agent waited for a handshake answer until the case timed out, and got not one byte."""
    obs = result.observation
    return (
        any(isinstance(e, TimedOut) and e.final for e in obs.events)
        and obs.status is None
        and obs.handshake_error is None
        and obs.wire_bytes("in") == 0
        and not any(isinstance(e, Opened) for e in obs.events)
    )


class SilenceWatch:
    """Counts items in a row (in the order they end) whose handshake went unanswered."""

    def __init__(self, url: str, limit: int = SILENT_LIMIT) -> None:
        self.url = url
        self.limit = limit  # 0: never stop
        self.silent = 0

    def update(self, result: CaseResult) -> str | None:
        """Why the run must stop, once `limit` unanswered items came in a row; None otherwise."""
        self.silent = self.silent + 1 if unanswered(result) else 0
        if self.limit and self.silent >= self.limit:
            return (
                f"{self.url} stopped answering: {self.silent} items in a row got no answer to their opening handshake"
            )
        return None
