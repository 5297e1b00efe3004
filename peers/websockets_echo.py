"""An RFC 6455 echo server built on websockets (python-websockets), for `make conformance-peers`.

`python peers/websockets_echo.py --port N` serves ws://127.0.0.1:N/ (N = 0: a free port) and prints
"websockets <version> echo server ready on ws://127.0.0.1:<port>/" once it listens. Every text or binary
message comes back as it arrived; the subprotocol echo is selected when the client offers it. Two
settings differ from the library's defaults: max_size is 16 MiB + 1 KiB (default 1 MiB), the
reference server's limit, so that the catalogue's 16 MiB messages fit; compression=None unless `--deflate`
(then the library's default, permessage-deflate, for the compression cases 12.* and 13.*). Every other
limit is the library's own.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from importlib.metadata import version
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

MAX_MESSAGE = 16 * 2**20 + 1024  # the reference server's limit: 16 MiB messages and some room


async def echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


async def main(port: int, deflate: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    options: dict[str, Any] = {"subprotocols": [Subprotocol("echo")], "max_size": MAX_MESSAGE}
    options["compression"] = "deflate" if deflate else None
    async with serve(echo, "127.0.0.1", port, **options) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"websockets {version('websockets')} echo server ready on ws://127.0.0.1:{bound}/", flush=True)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate (default: off)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.port, arguments.deflate))
