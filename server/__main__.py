"""`python -m server`: run the reference server until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from .app import ReferenceServer
from .config import ServerConfig
from .docroot import DEFAULT_DOCROOT


def parse_args(argv: list[str] | None = None) -> ServerConfig:
    defaults = ServerConfig()
    p = argparse.ArgumentParser(
        prog="python -m server",
        description="wsinterop reference server: a docroot with the chat room, and WebSocket upgrades in "
        "every draft (hixie-75, hixie-76, hybi-06, hybi-07, hybi-08, rfc6455) on any path of one port. "
        "Subprotocols: echo, echo-assemble, echo-fragment, echo-broadcast, echo-broadcast-ping (and the "
        "org.ietf.websocket.test-* aliases); none or an unknown one: accepted, silent.",
    )
    p.add_argument("--host", default=defaults.host, help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=defaults.port, help="port; 0 picks a free one (default %(default)s)")
    p.add_argument("--docroot", type=Path, default=DEFAULT_DOCROOT, help="directory to serve (default: the chat room)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every frame and HTTP request")
    p.add_argument("--max-message", type=int, default=defaults.max_message, help="largest message in bytes")
    p.add_argument(
        "--ping-interval",
        type=float,
        default=defaults.ping_interval,
        help="seconds between pings on echo-broadcast-ping (default %(default)s)",
    )
    p.add_argument(
        "--handshake-timeout",
        type=float,
        default=defaults.handshake_timeout,
        help="seconds for a client to send its HTTP head (default %(default)s)",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.idle_timeout,
        help="seconds without traffic before a WebSocket is closed (default %(default)s)",
    )
    a = p.parse_args(argv)
    if not a.docroot.is_dir():
        p.error(f"--docroot {a.docroot} is not a directory")
    return ServerConfig(
        host=a.host,
        port=a.port,
        docroot=a.docroot,
        verbose=a.verbose,
        max_message=a.max_message,
        ping_interval=a.ping_interval,
        handshake_timeout=a.handshake_timeout,
        idle_timeout=a.idle_timeout,
    )


async def serve(config: ServerConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = ReferenceServer(config)
    await server.start()
    print(f"wsinterop reference server ready on {server.url} (WebSocket: {server.ws_url})", flush=True)
    await stop.wait()
    logging.getLogger("server").info("shutting down: closing WebSockets with 1001")
    await server.stop()


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if config.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    if not config.verbose:
        logging.getLogger("aiohttp").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(config))
    except OSError as exc:
        print(f"server: cannot listen on {config.host}:{config.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
