"""The reference server: one port for the docroot, /health and WebSocket upgrades in every draft.

The server owns its sockets: each TCP connection is a Session (session.py), which reads the first
request with wire. Upgrades are its own; the docroot, the listings, the chat page and /health are
aiohttp's, through the public request handler of a `web.Server` (an AppRunner's), fed the bytes the
session already read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from wire import Headers, Request, is_upgrade

from .config import ServerConfig
from .docroot import DOCROOT_KEY, add_docroot_routes, serve_docroot
from .session import Registry, Session

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
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # the sessions' coroutines: owned here, awaited by stop()
        self.port = self.config.port

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}/"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}/"

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a session failed", exc_info=task.exception())

    async def start(self) -> None:
        await self.runner.setup()
        http_server = self.runner.server
        assert http_server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: Session(self.config, self.registry, http_server, self._spawn), self.config.host, self.config.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every WebSocket with 1001 (going away) where the draft has codes, then stop."""
        if self._server is not None:
            self._server.close()
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
