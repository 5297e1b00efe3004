"""Echo server on Tornado: every message back as it came. Subprotocol `echo` when offered.

`python interop/peers/tornado_echo.py --port N` prints one ready line on stdout, then serves on 127.0.0.1.
`--deflate` turns permessage-deflate on: `get_compression_options` returns `{}`, which Tornado's docs give
as "enabled, with the default options" (otherwise None, Tornado's default: compression off).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

import tornado
import tornado.web
import tornado.websocket

MAX_MESSAGE = 16 * 1024 * 1024  # the catalogue's largest message (and the reference server's limit)


class Echo(tornado.websocket.WebSocketHandler):
    def check_origin(self, origin: str) -> bool:
        return True  # the catalogue sends made-up origins

    def get_compression_options(self) -> dict[str, Any] | None:
        return {} if self.settings["echo_deflate"] else None

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        return "echo" if "echo" in subprotocols else None

    async def on_message(self, message: str | bytes) -> None:
        with contextlib.suppress(tornado.websocket.WebSocketClosedError):
            await self.write_message(message, binary=isinstance(message, bytes))


async def serve(host: str, port: int, deflate: bool) -> None:
    app = tornado.web.Application([(r".*", Echo)], websocket_max_message_size=MAX_MESSAGE, echo_deflate=deflate)
    server = app.listen(port, address=host)
    bound = next(iter(server._sockets.values())).getsockname()[1]
    print(f"tornado {tornado.version} echo ready on ws://{host}:{bound}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--deflate", action="store_true", help="accept permessage-deflate (default: off)")
    args = p.parse_args()
    asyncio.run(serve(args.host, args.port, args.deflate))


if __name__ == "__main__":
    main()
