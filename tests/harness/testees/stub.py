"""A small Autobahn-protocol fuzzing server for the testees' tests, on aiohttp at 127.0.0.1 (port 0).

getCaseCount answers 2; case 1 sends a text message and case 2 a binary one (bytes that are not UTF-8),
each waits for the echo, records it and closes; updateReports records the agent and closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

TEXT = "héllo, testee"
BINARY = b"\x00\xff\xfe binary"
SENT: dict[int, tuple[WSMsgType, str | bytes]] = {1: (WSMsgType.TEXT, TEXT), 2: (WSMsgType.BINARY, BINARY)}


@dataclass
class Stub:
    url: str = ""
    echoes: dict[int, tuple[WSMsgType, object]] = field(default_factory=dict)  # case -> (type, data) echoed
    agents: list[str] = field(default_factory=list)  # the agent of each runCase, in order
    reported: list[str] = field(default_factory=list)  # the agent of each updateReports

    async def count(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("2")
        await ws.close()
        return ws

    async def case(self, request: web.Request) -> web.WebSocketResponse:
        number = int(request.query["case"])
        self.agents.append(request.query["agent"])
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        _, data = SENT[number]
        if isinstance(data, str):
            await ws.send_str(data)
        else:
            await ws.send_bytes(data)
        echo = await ws.receive()
        self.echoes[number] = (echo.type, echo.data)
        await ws.close()
        return ws

    async def report(self, request: web.Request) -> web.WebSocketResponse:
        self.reported.append(request.query["agent"])
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws


@asynccontextmanager
async def stub_server() -> AsyncIterator[Stub]:
    stub = Stub()
    app = web.Application()
    app.router.add_get("/getCaseCount", stub.count)
    app.router.add_get("/runCase", stub.case)
    app.router.add_get("/updateReports", stub.report)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    stub.url = f"ws://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield stub
    finally:
        await runner.cleanup()


def assert_complete(stub: Stub, agent: str) -> None:
    """Both echoes came back with the sent type and data, and the loop reached updateReports."""
    assert stub.echoes == dict(SENT)
    assert stub.agents == [agent, agent]
    assert stub.reported == [agent]
