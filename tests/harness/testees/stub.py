"""A small Autobahn-protocol fuzzing server for the testees' tests, on aiohttp at 127.0.0.1 (port 0).

getCaseCount answers 2; case 1 sends a text message and case 2 a binary one (bytes that are not UTF-8),
each waits for the echo, records it and closes; updateReports records the agent and closes. With
`invalid_utf8`, a third case sends a text frame that is not UTF-8, which a client must fail: what came back
is recorded, and the loop must go on to updateReports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

TEXT = "héllo, testee"
BINARY = b"\x00\xff\xfe binary"
SENT: dict[int, tuple[WSMsgType, str | bytes]] = {1: (WSMsgType.TEXT, TEXT), 2: (WSMsgType.BINARY, BINARY)}
NOT_UTF8 = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"  # a UTF-16 surrogate in UTF-8 clothing


@dataclass
class Stub:
    invalid_utf8: bool = False
    url: str = ""
    echoes: dict[int, tuple[WSMsgType, object]] = field(default_factory=dict)  # case -> (type, data) received
    agents: list[str] = field(default_factory=list)  # the agent of each runCase, in order
    offers: list[str] = field(default_factory=list)  # the Sec-WebSocket-Extensions of each runCase ("": none)
    reported: list[str] = field(default_factory=list)  # the agent of each updateReports

    @property
    def count(self) -> int:
        return 3 if self.invalid_utf8 else 2

    async def case_count(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(str(self.count))
        await ws.close()
        return ws

    async def case(self, request: web.Request) -> web.WebSocketResponse:
        number = int(request.query["case"])
        self.agents.append(request.query["agent"])
        self.offers.append(request.headers.get("Sec-WebSocket-Extensions", ""))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        data = SENT[number][1] if number in SENT else NOT_UTF8
        if isinstance(data, str):
            await ws.send_str(data)
        elif number in SENT:
            await ws.send_bytes(data)
        else:
            await ws.send_frame(data, WSMsgType.TEXT)
        reply = await ws.receive()
        self.echoes[number] = (reply.type, reply.data)
        await ws.close()
        return ws

    async def report(self, request: web.Request) -> web.WebSocketResponse:
        self.reported.append(request.query["agent"])
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws


@asynccontextmanager
async def stub_server(invalid_utf8: bool = False) -> AsyncIterator[Stub]:
    stub = Stub(invalid_utf8)
    app = web.Application()
    app.router.add_get("/getCaseCount", stub.case_count)
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
    """Both echoes came back with the sent type and data, and the loop reached updateReports; with
    `invalid_utf8`, the client failed case 3 instead of echoing it."""
    assert {n: stub.echoes[n] for n in SENT} == dict(SENT)
    assert stub.agents == [agent] * stub.count
    assert stub.reported == [agent]
    if stub.invalid_utf8:
        kind, data = stub.echoes[3]
        assert kind in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR), (kind, data)
        assert kind is not WSMsgType.CLOSE or data in (1002, 1007), data  # a close, if any, fails the message
