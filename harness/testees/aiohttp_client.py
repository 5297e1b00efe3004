"""The aiohttp testee: `ClientSession.ws_connect`, echoing TEXT with send_str and BINARY with send_bytes.

aiohttp offers no compression by default; `--compress 15` (the `aiohttp+deflate` subject) passes aiohttp's
`compress=15`: it offers "permessage-deflate; client_max_window_bits" (a value below 15 adds
server_max_window_bits).

aiohttp answers pings and closes itself (autoping, autoclose); its iterator ends on CLOSE, CLOSING and
CLOSED, and an ERROR message carries the exception the library failed the connection with. The session
has no timeout (aiohttp's default gives a handshake 300 s); the wait for the server's closing frame after
aiohttp's own close stays the library's (10 s).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import aiohttp

from .contract import MAX_MESSAGE, Library, arguments, complete

T = TypeVar("T")


async def _in_session(work: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout()) as session:
        return await work(session)


async def first_message(url: str) -> str:
    async def receive(session: aiohttp.ClientSession) -> str:
        async with session.ws_connect(url) as ws:
            return await ws.receive_str()

    return await _in_session(receive)


def library(compress: int) -> Library:
    """The loop with aiohttp's `compress` (0: no permessage-deflate offered)."""

    async def echo(url: str) -> int:
        return await _in_session(lambda session: _echo(session, url, compress))

    suffix = f" (compress={compress})" if compress else ""
    return Library(f"aiohttp {aiohttp.__version__}{suffix}", first_message, echo)


async def _echo(session: aiohttp.ClientSession, url: str, compress: int) -> int:
    echoed = 0
    async with session.ws_connect(url, max_msg_size=MAX_MESSAGE, compress=compress) as ws:
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


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.testees.aiohttp_client", description=__doc__)
    p.add_argument("--compress", type=int, default=0, help="aiohttp's compress: 9..15 offers permessage-deflate")
    options = arguments("", argv, p)
    return complete(library(options.compress), options)


if __name__ == "__main__":
    sys.exit(main())
