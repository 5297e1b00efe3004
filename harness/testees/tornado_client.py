"""The Tornado testee: `websocket_connect`, then `read_message` and `write_message(binary=...)` until None.

Tornado answers pings and closes itself. Its HTTP client gives a connection 20 s to connect and to get
the handshake's answer; zero turns both off (a busy machine would otherwise turn them into failed cases).
No keepalive ping (the default) and no compression offered (the default).
"""

from __future__ import annotations

import sys

import tornado
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from .contract import MAX_MESSAGE, Library, main


async def _connect(url: str) -> WebSocketClientConnection:
    return await websocket_connect(HTTPRequest(url, connect_timeout=0, request_timeout=0), max_message_size=MAX_MESSAGE)


async def first_message(url: str) -> str:
    ws = await _connect(url)
    try:
        message = await ws.read_message()
    finally:
        ws.close()
    if message is None:
        raise ConnectionError("closed before the first message")
    return message if isinstance(message, str) else message.decode()


async def echo(url: str) -> int:
    echoed = 0
    ws = await _connect(url)
    try:
        while (message := await ws.read_message()) is not None:
            await ws.write_message(message, binary=isinstance(message, bytes))
            echoed += 1
    finally:
        ws.close()
    return echoed


LIBRARY = Library(f"tornado {tornado.version}", first_message, echo)

if __name__ == "__main__":
    sys.exit(main(LIBRARY))
