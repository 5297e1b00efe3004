"""The Tornado testee: `websocket_connect`, then `read_message` and `write_message(binary=...)` until None.

Tornado answers pings and closes itself. Its HTTP client gives a connection 20 s to connect and to get
the handshake's answer; zero turns both off (a busy machine would otherwise turn them into failed cases).
No keepalive ping (the default) and no compression offered (the default); `--deflate` (the `tornado+deflate`
subject) passes `compression_options={}`: it offers "permessage-deflate; client_max_window_bits".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import tornado
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from .contract import MAX_MESSAGE, Library, arguments, complete


async def _connect(url: str, compression: dict[str, Any] | None = None) -> WebSocketClientConnection:
    request = HTTPRequest(url, connect_timeout=0, request_timeout=0)
    return await websocket_connect(request, max_message_size=MAX_MESSAGE, compression_options=compression)


async def first_message(url: str) -> str:
    ws = await _connect(url)
    try:
        message = await ws.read_message()
    finally:
        ws.close()
    if message is None:
        raise ConnectionError("closed before the first message")
    return message if isinstance(message, str) else message.decode()


def library(deflate: bool) -> Library:
    """The loop, offering permessage-deflate (Tornado's compression_options={}) when `deflate`."""

    async def echo(url: str) -> int:
        echoed = 0
        ws = await _connect(url, {} if deflate else None)
        try:
            while (message := await ws.read_message()) is not None:
                await ws.write_message(message, binary=isinstance(message, bytes))
                echoed += 1
        finally:
            ws.close()
        return echoed

    return Library(f"tornado {tornado.version}{' (deflate)' if deflate else ''}", first_message, echo)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.testees.tornado_client", description=__doc__)
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate (compression_options={})")
    options = arguments("", argv, p)
    return complete(library(options.deflate), options)


if __name__ == "__main__":
    sys.exit(main())
