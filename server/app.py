"""The reference server: one port for the docroot, /health and WebSocket upgrades in every draft (with TLS
on, that port speaks https and wss, and a second one may serve http and ws beside it).

The server owns its sockets: each TCP connection is a Session (session.py), which reads the first
request with wire. Upgrades are its own; the docroot, the listings, the chat page and /health are
aiohttp's, through the public request handler of a `web.Server` (an AppRunner's), fed the bytes the
session already read.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from wire import Headers, Request, is_upgrade

from .config import ServerConfig
from .docroot import DOCROOT_KEY, add_docroot_routes, serve_docroot
from .session import Registry, Session
from .tls import server_context

log = logging.getLogger("server")

TASKS_CEILING = 10.0  # seconds stop() waits for sessions that outlive close_all (a ceiling, never a wait)


async def http(request: web.Request) -> web.StreamResponse:
    """Any path: the docroot. A WebSocket upgrade reaches aiohttp only after plain HTTP requests on the
    same connection (a session hands a connection to aiohttp for good): refused, as it cannot be served."""
    headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers)
    if is_upgrade(Request(request.method, request.raw_path, headers)):
        return web.Response(status=400, text="a WebSocket upgrade must be the first request of its TCP connection\n")
    return await serve_docroot(request, request.app[DOCROOT_KEY])


def make_app(config: ServerConfig) -> web.Application:
    app = web.Application()
    add_docroot_routes(app, config.docroot, handler=http)
    return app


class ReferenceServer:
    """Start and stop the reference server in a running event loop (tests, the harness, the CLI)."""

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.registry = Registry()
        self.app = make_app(self.config)
        self.runner = web.AppRunner(self.app, handle_signals=False, access_log=None, keepalive_timeout=15)
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()  # the sessions' coroutines: owned here, awaited by stop()
        self.port = self.config.port
        self.plain_port: int | None = None  # the plain port beside a TLS one, once listening

    @property
    def tls(self) -> bool:
        return self.config.tls_cert is not None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self._authority(self.port)}/"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://{self._authority(self.port)}/"

    @property
    def plain_ws_url(self) -> str | None:
        return None if self.plain_port is None else f"ws://{self._authority(self.plain_port)}/"

    def _authority(self, port: int) -> str:
        host = self.config.host
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a session failed", exc_info=task.exception())

    async def start(self) -> None:
        """Listen; OSError when a port is taken, ssl.SSLError when the certificate or key does not load."""
        config = self.config
        context = None
        if config.tls_cert is not None:
            assert config.tls_key is not None, "a TLS certificate needs its key"
            context = server_context(config.tls_cert, config.tls_key)
        await self.runner.setup()
        try:
            self.port = await self._listen(config.port, context)
            if context is not None and config.plain_port is not None:
                self.plain_port = await self._listen(config.plain_port, None)
        except BaseException:
            await self.stop()
            raise

    async def _listen(self, port: int, context: ssl.SSLContext | None) -> int:
        http_server = self.runner.server
        assert http_server is not None
        server = await asyncio.get_running_loop().create_server(
            lambda: Session(self.config, self.registry, http_server, self._spawn),
            self.config.host,
            port,
            ssl=context,
            ssl_handshake_timeout=self.config.handshake_timeout if context is not None else None,
        )
        self._servers.append(server)
        bound: int = server.sockets[0].getsockname()[1]
        return bound

    async def stop(self) -> None:
        """Close every WebSocket with 1001 (going away) where the draft has codes, then stop."""
        for server in self._servers:
            server.close()
        await self.registry.close_all(1001, self.config.close_timeout)
        await self.runner.cleanup()
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=TASKS_CEILING)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
