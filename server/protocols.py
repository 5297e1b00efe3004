"""What the reference server does on each subprotocol, as in the seed's Jetty TestServer.

| subprotocol (and aliases)                                          | behaviour                           |
|--------------------------------------------------------------------|-------------------------------------|
| echo, org.ietf.websocket.test-echo, lws-mirror-protocol            | echo each data frame as it arrives  |
| echo-assemble, org.ietf.websocket.test-echo-assemble               | echo whole messages (64 KiB at most)|
| echo-fragment, org.ietf.websocket.test-echo-fragment               | echo each message as two fragments  |
| echo-broadcast, org.ietf.websocket.test-echo-broadcast             | each message to every such peer     |
| echo-broadcast-ping, org.ietf.websocket.test-echo-broadcast-ping   | as echo-broadcast, plus pings       |
| none offered, or none we know                                      | accept, stay silent                 |

An unknown subprotocol is accepted without selecting one (RFC 6455 §4.2.2 lets the server answer
with no Sec-WebSocket-Protocol); the client then decides whether to go on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, ClassVar

from wire import BinaryMessage, Event, Fragment, Frame, Kind, LocalProtocolError, State, TextMessage

from .config import ServerConfig

if TYPE_CHECKING:
    from .session import Session

log = logging.getLogger("server")


class Behavior:
    """The silent default (no subprotocol): accept, let the wire layer answer pings and closes."""

    name: ClassVar[str | None] = None
    aliases: ClassVar[tuple[str, ...]] = ()
    assemble: ClassVar[bool] = False  # the Connection reports whole messages
    frames: ClassVar[bool] = False  # the Connection reports each data frame

    def limit(self, config: ServerConfig) -> int:
        return config.max_message

    async def opened(self, session: Session) -> None:
        return None

    def on_event(self, session: Session, event: Event) -> Awaitable[None] | None:
        """React to one event (its answers queued on session.conn; the session flushes them). Returns
        None when done, or an awaitable for the session to wait on (a broadcast draining its peers):
        most behaviours need no coroutine per event."""
        return None

    async def closed(self, session: Session) -> None:
        return None

    @staticmethod
    def for_protocol(protocol: str | None) -> Behavior:
        return BEHAVIORS.get(protocol, Behavior)() if protocol else Behavior()


class Echo(Behavior):
    """Each data frame back as it arrives. A compressed message goes back compressed, frame by frame:
    recompressed, or, where the agreement allows it (Agreement.echoes_verbatim: echo compresses nothing of
    its own), with the very compressed data that came, which saves the server its compressing."""

    name = "echo"
    aliases = ("org.ietf.websocket.test-echo", "lws-mirror-protocol")
    frames = True

    def __init__(self) -> None:
        # whether compressed frames go back verbatim: decided at the first one (the agreement is fixed
        # by then), not again for each of the millions of frames of 12.* and 13.*
        self._verbatim: bool | None = None

    def on_event(self, session: Session, event: Event) -> None:
        if not isinstance(event, Fragment):
            return
        conn = session.conn
        if event.compressed:
            verbatim = self._verbatim
            if verbatim is None:
                agreement = conn.deflate
                verbatim = self._verbatim = agreement is not None and agreement.echoes_verbatim
            if verbatim:
                opcode, payload, fin, rsv1, _, _, _ = event.frame
                conn.send_frame(Frame(opcode, payload, fin, rsv1))
                return
        conn.send_fragment(event.kind, event.data, first=event.first, fin=event.fin, compress=event.compressed)


class EchoAssemble(Behavior):
    name = "echo-assemble"
    aliases = ("org.ietf.websocket.test-echo-assemble",)
    assemble = True

    def limit(self, config: ServerConfig) -> int:
        return config.assemble_limit

    def on_event(self, session: Session, event: Event) -> None:
        if isinstance(event, TextMessage):
            session.conn.send_text(event.data)
        elif isinstance(event, BinaryMessage):
            session.conn.send_binary(event.data)


class EchoFragment(EchoAssemble):
    """Each message back as two fragments: the first half, then the rest (hixie: whole, it has none)."""

    name = "echo-fragment"
    aliases = ("org.ietf.websocket.test-echo-fragment",)

    def on_event(self, session: Session, event: Event) -> None:
        conn = session.conn
        if not isinstance(event, TextMessage | BinaryMessage):
            return
        kind, data = (Kind.TEXT, event.data.encode()) if isinstance(event, TextMessage) else (Kind.BINARY, event.data)
        if not conn.info.has_fragmentation:
            conn.send_message(kind, data)
            return
        half = len(data) // 2
        conn.send_fragment(kind, data[:half], first=True, fin=False)
        conn.send_fragment(kind, data[half:], first=False, fin=True)


class EchoBroadcast(Behavior):
    """Every message to every echo-broadcast peer, the sender included, whatever their drafts."""

    name = "echo-broadcast"
    aliases = ("org.ietf.websocket.test-echo-broadcast",)
    assemble = True

    def on_event(self, session: Session, event: Event) -> Awaitable[None] | None:
        if not isinstance(event, TextMessage | BinaryMessage):
            return None
        return self._broadcast(session, event)

    async def _broadcast(self, session: Session, event: TextMessage | BinaryMessage) -> None:
        for peer in session.registry.peers(lambda s: isinstance(s.behavior, EchoBroadcast)):
            conn = peer.conn
            if conn.close_sent is not None or conn.state is State.FAILED:
                continue  # a peer whose close arrived may still get what came before it
            try:
                if isinstance(event, TextMessage):
                    conn.send_text(event.data)
                elif conn.info.has_binary:
                    conn.send_binary(event.data)
                else:
                    log.debug("%s: %s has no binary messages; not broadcast", peer.peer, conn.draft.value)
            except LocalProtocolError:
                continue
            if peer is not session:
                await peer.drain()


class EchoBroadcastPing(EchoBroadcast):
    """As echo-broadcast, plus a ping every `ping_interval` seconds in drafts that have pings."""

    name = "echo-broadcast-ping"
    aliases = ("org.ietf.websocket.test-echo-broadcast-ping",)

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    async def opened(self, session: Session) -> None:
        if session.conn.info.has_ping:
            self._task = asyncio.create_task(self._ping(session))

    async def _ping(self, session: Session) -> None:
        conn = session.conn
        count = 0
        while conn.state is State.OPEN:
            await asyncio.sleep(session.config.ping_interval)
            if conn.state is not State.OPEN:
                return
            count += 1
            conn.send_ping(str(count).encode())
            await session.drain()

    async def closed(self, session: Session) -> None:
        """Stop the pings, and wait until they have stopped."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])


BEHAVIORS: dict[str, type[Behavior]] = {
    name: cls
    for cls in (Echo, EchoAssemble, EchoFragment, EchoBroadcast, EchoBroadcastPing)
    for name in (cls.name or "", *cls.aliases)
}


def select_protocol(offered: list[str]) -> str | None:
    """The first offered subprotocol the server speaks (exact, case-sensitive match), else None."""
    return next((p for p in offered if p in BEHAVIORS), None)
