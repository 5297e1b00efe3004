"""An RFC 6455 echo server built on aiohttp's WebSocketResponse, for `make conformance-peers`.

`python peers/aiohttp_echo.py --port N` serves ws://127.0.0.1:N/ (N = 0: a free port) and prints
"aiohttp <version> echo server ready on ws://127.0.0.1:<port>/" once it listens. Every text or binary
message comes back as it arrived; the subprotocol echo is selected when the client offers it. Two
settings differ from the library's defaults: max_msg_size is 16 MiB + 1 KiB (default 4 MiB), the
reference server's limit, so that the catalogue's 16 MiB messages fit; compress=False unless `--deflate`
(then compress=True, the library's default: permessage-deflate, for the compression cases 12.* and 13.*).
Every other limit is the library's own.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import aiohttp
from aiohttp import WSMsgType, web

MAX_MESSAGE = 16 * 2**20 + 1024  # the reference server's limit: 16 MiB messages and some room
DEFLATE = web.AppKey("deflate", bool)


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("echo",), max_msg_size=MAX_MESSAGE, compress=request.app[DEFLATE])
    await ws.prepare(request)
    async for message in ws:
        if message.type is WSMsgType.TEXT:
            await ws.send_str(message.data)
        elif message.type is WSMsgType.BINARY:
            await ws.send_bytes(message.data)
    return ws


async def main(port: int, deflate: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = web.Application()
    app[DEFLATE] = deflate
    app.router.add_get("/{tail:.*}", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"aiohttp {aiohttp.__version__} echo server ready on ws://127.0.0.1:{bound}/", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate (default: off)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.port, arguments.deflate))
