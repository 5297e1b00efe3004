"""The reference server: one port for the docroot, /health and WebSocket upgrades in every draft."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from wire import HeadReader, HttpError, Rejection, is_upgrade

from .config import ServerConfig
from .docroot import DOCROOT_KEY, add_docroot_routes, serve_docroot
from .session import HIDDEN_KEY1, Registry, Session, wire_request

log = logging.getLogger("server")

REGISTRY: web.AppKey[Registry] = web.AppKey("registry", Registry)
CONFIG: web.AppKey[ServerConfig] = web.AppKey("config", ServerConfig)


async def dispatch(request: web.Request) -> web.StreamResponse:
    """Any path: a WebSocket upgrade in any draft, else the docroot."""
    if is_upgrade(wire_request(request)):
        return await Session(request, request.app[CONFIG], request.app[REGISTRY]).run()
    return await serve_docroot(request, request.app[DOCROOT_KEY])


def make_app(config: ServerConfig) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    app[REGISTRY] = Registry()
    add_docroot_routes(app, config.docroot, handler=dispatch)
    return app


_KEY1 = re.compile(rb"^sec-websocket-key1:", re.IGNORECASE | re.MULTILINE)


def hide_hixie76(head: bytes) -> bytes:
    """aiohttp refuses any head with Sec-WebSocket-Key1 ("old websocket spec"): rename the field so that
    it parses the head; the session renames it back (`wire_request`)."""
    return _KEY1.sub(HIDDEN_KEY1.encode() + b":", head)


class HeadGuard(asyncio.Protocol):
    """In front of aiohttp's handler: a connection must deliver its first HTTP head within
    `handshake_timeout` seconds and `max_head` bytes (slowloris and head-size limits), else it gets
    408 or 431 and is closed. The first head reaches aiohttp whole, with hixie-76's key renamed."""

    def __init__(self, inner: RequestHandler, config: ServerConfig) -> None:
        self.inner = inner
        self.config = config
        self.head = HeadReader(config.max_head)
        self.guarding = True
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.timer = asyncio.get_running_loop().call_later(self.config.handshake_timeout, self._expire)
        self.inner.connection_made(transport)

    def _refuse(self, status: int, reason: str) -> None:
        self.guarding = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(Rejection(status, reason).to_bytes())
            self.transport.close()

    def _expire(self) -> None:
        if self.guarding:
            self._refuse(408, f"no complete HTTP head within {self.config.handshake_timeout:g} s")

    def data_received(self, data: bytes) -> None:
        if not self.guarding:
            self.inner.data_received(data)
            return
        try:
            parts = self.head.feed(data)
        except HttpError as exc:
            self._refuse(exc.status, exc.reason)
            return
        if parts is None:
            return
        self.guarding = False
        if self.timer is not None:
            self.timer.cancel()
        head, rest = parts
        self.inner.data_received(hide_hixie76(head) + rest)

    def eof_received(self) -> None:
        self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class ReferenceServer:
    """Start and stop the reference server in a running event loop (tests, the harness, the CLI)."""

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.app = make_app(self.config)
        self.runner = web.AppRunner(self.app, handle_signals=False, access_log=None, keepalive_timeout=15)
        self._server: asyncio.Server | None = None
        self.port = self.config.port

    @property
    def registry(self) -> Registry:
        return self.app[REGISTRY]

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}/"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}/"

    async def start(self) -> None:
        await self.runner.setup()
        handler_factory = self.runner.server
        assert handler_factory is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HeadGuard(handler_factory(), self.config), self.config.host, self.config.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close every WebSocket with 1001 (going away) where the draft has codes, then stop."""
        if self._server is not None:
            self._server.close()
        await self.registry.close_all(1001, self.config.close_timeout)
        await self.runner.cleanup()

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
