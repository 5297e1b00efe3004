"""The aiohttp testee: `ClientSession.ws_connect`, echoing TEXT with send_str and BINARY with send_bytes.

aiohttp answers pings and closes itself (autoping, autoclose); its iterator ends on CLOSE, CLOSING and
CLOSED, and an ERROR message carries the exception the library failed the connection with. The session
has no timeout (aiohttp's default gives a handshake 300 s); the wait for the server's closing frame after
aiohttp's own close stays the library's (10 s).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

from .contract import MAX_MESSAGE, Library, main

T = TypeVar("T")


async def _in_session(work: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout()) as session:
        return await work(session)


async def first_message(url: str) -> str:
    async def receive(session: aiohttp.ClientSession) -> str:
        async with session.ws_connect(url) as ws:
            return await ws.receive_str()

    return await _in_session(receive)


async def echo(url: str) -> int:
    async def loop(session: aiohttp.ClientSession) -> int:
        echoed = 0
        async with session.ws_connect(url, max_msg_size=MAX_MESSAGE) as ws:
            async for message in ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    await ws.send_str(message.data)
                elif message.type is aiohttp.WSMsgType.BINARY:
                    await ws.send_bytes(message.data)
                elif message.type is aiohttp.WSMsgType.ERROR:
                    raise message.data
                else:
                    continue
                echoed += 1
        return echoed

    return await _in_session(loop)


LIBRARY = Library(f"aiohttp {aiohttp.__version__}", first_message, echo)

if __name__ == "__main__":
    sys.exit(main(LIBRARY))
