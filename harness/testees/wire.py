"""The `wire` subject: wsinterop's own client (a wire Connection on asyncio streams) as an Autobahn testee.

    python -m harness.testees.wire --url ws://127.0.0.1:9001 --agent wire --draft rfc6455

It follows Autobahn's testee contract in any of the six drafts: /getCaseCount, then /runCase?case=N&agent=A
for each case, echoing every text and binary message with its type (the Connection answers pings and
closes itself, and fails the connection on what its draft forbids), then /updateReports. Flags break it on
purpose, for the tests that check the fuzzing server catches a broken client: `--lenient` validates
nothing (masked frames from the server, invalid UTF-8 pass), `--ignore-close` never answers a close.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import urllib.parse
from collections.abc import Sequence

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Connection,
    Draft,
    HandshakeInvalid,
    HandshakeRejected,
    ProtocolFailure,
    TextMessage,
)

from .contract import Library, arguments, complete

READ = 1 << 16
CLOSE_TIMEOUT = 2.0  # seconds this client waits for the server's answer to its close, then ends TCP


async def read(reader: asyncio.StreamReader, conn: Connection) -> bytes:
    """The next bytes; b"" at the end of TCP, or once this side's close has waited CLOSE_TIMEOUT seconds
    for the server (RFC 6455 §7.1.1: a client ends TCP itself when the server does not)."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT if conn.close_sent is not None else None):
            return await reader.read(READ)
    except TimeoutError:
        print(f"no answer to the close within {CLOSE_TIMEOUT:g} s: ending TCP", file=sys.stderr)
        return b""


async def visit(options: argparse.Namespace, url: str) -> list[str | bytes]:
    """Open `url` on the fuzzing server, echo until the connection ends; the messages received."""
    split = urllib.parse.urlsplit(url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    path = f"{split.path}?{split.query}" if split.query else split.path
    handshake = ClientHandshake.build(Draft.parse(options.draft), f"{host}:{port}", path)
    conn = Connection.client(handshake, strict=not options.lenient, auto_close=not options.ignore_close)
    reader, writer = await asyncio.open_connection(host, port)
    received: list[str | bytes] = []
    echoing = True
    try:
        writer.write(conn.data_to_send())
        while data := await read(reader, conn):  # until the server ends TCP, as it does after a close
            conn.receive_data(data)
            for event in conn.events():
                if isinstance(event, HandshakeRejected | HandshakeInvalid):
                    print(f"{path}: handshake failed: {event}", file=sys.stderr)
                    return received  # a failed opening handshake: end TCP at once
                if isinstance(event, CloseReceived | ProtocolFailure):
                    echoing = False  # what came before the close is echoed, ahead of the close's answer
                elif isinstance(event, TextMessage):
                    received.append(event.data)
                    if echoing:
                        conn.send_text(event.data)
                elif isinstance(event, BinaryMessage):
                    received.append(event.data)
                    if echoing:
                        conn.send_binary(event.data)
            out = conn.data_to_send()
            if out:
                writer.write(out)
                await writer.drain()
    except ConnectionError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
    finally:
        writer.close()
        await asyncio.gather(writer.wait_closed(), return_exceptions=True)
    return received


def library(options: argparse.Namespace) -> Library:
    """The contract's loop on this client, as `options` configure it."""

    async def first_message(url: str) -> str:
        texts = [m for m in await visit(options, url) if isinstance(m, str)]
        if not texts:
            raise ConnectionError("no case count from the fuzzing server")
        return texts[0]

    async def echo(url: str) -> int:
        return len(await visit(options, url))

    return Library(f"wire testee ({options.draft})", first_message, echo)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.testees.wire", description=__doc__)
    p.add_argument("--draft", default="rfc6455", help="the draft to speak: " + ", ".join(d.value for d in Draft))
    p.add_argument("--lenient", action="store_true", help="broken on purpose: validate nothing received")
    p.add_argument("--ignore-close", action="store_true", help="broken on purpose: never answer a close")
    options = arguments("", argv, p)
    return complete(library(options), options)


if __name__ == "__main__":
    sys.exit(main())
