"""The websockets testee, after the websockets project's own compliance client (compliance/asyncio/client.py).

`async for message in ws: await ws.send(message)` on the asyncio client, with max_size raised to
contract.MAX_MESSAGE as the compliance client does and its default compression (permessage-deflate is
offered; Autobahn accepts it only in 12.* and 13.*). Two defaults are turned off because they are the
testee's, not the library's behaviour under test: the 10 s opening timeout (a busy machine would turn it
into a failed case) and the keepalive ping every 20 s (frames no case asked for).
"""

from __future__ import annotations

import sys

from websockets.asyncio.client import connect
from websockets.version import version

from .contract import MAX_MESSAGE, Library, main


async def first_message(url: str) -> str:
    async with connect(url, open_timeout=None, ping_interval=None) as ws:
        message = await ws.recv()
    return message if isinstance(message, str) else message.decode()


async def echo(url: str) -> int:
    echoed = 0
    async with connect(url, max_size=MAX_MESSAGE, open_timeout=None, ping_interval=None) as ws:
        async for message in ws:
            await ws.send(message)  # str as text, bytes as binary
            echoed += 1
    return echoed


LIBRARY = Library(f"websockets {version}", first_message, echo)

if __name__ == "__main__":
    sys.exit(main(LIBRARY))
