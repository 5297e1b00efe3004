"""harness.agents.browser.session: what the page reports becomes the observation (with a fake page)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.agents.browser.session import ChatSession, PageProgramError, PageSession, chat_url
from harness.cases.model import Handshake
from harness.run import events as ev
from harness.run.closing import ending
from harness.run.recorder import Recorder
from harness.run.target import Target
from wire import Draft

from ...peers import BY_SERVER, make_case

TARGET = Target("127.0.0.1", 9001)
SHA_X = ev.PayloadInfo.of(b"x").sha256


class FakeTab:
    """A page whose in-page agent answers each call with the next canned result."""

    def __init__(self, *results: dict[str, Any]) -> None:
        self.results = list(results)
        self.calls: list[Any] = []

    async def goto(self, url: str) -> None:
        self.calls.append(("goto", url))

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        self.calls.append(arg)
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return json.dumps({"events": [], "opened": False, "closed": False, "timedOut": False, **result})

    async def screenshot(self) -> bytes:
        return b"\x89PNG"


def event(t: float, type_: str, **data: Any) -> dict[str, Any]:
    return {"t": t, "type": type_, "data": data}


async def test_events_keep_the_pages_times_on_the_recorders_clock() -> None:
    rec = Recorder()
    opened = {"now": 5000.0, "opened": True, "events": [event(4990.0, "open", protocol="echo", extensions="")]}
    echoed = {
        "now": 5600.0,
        "opened": True,
        "events": [
            event(5100.0, "message", kind="text", size=1, sha256=SHA_X, text="x"),
            event(5500.0, "sent", kind="text", size=1, blob=False),
        ],
    }
    tab = FakeTab(opened, echoed)
    session = PageSession("Firefox", make_case(), TARGET, rec, tab)
    assert await session.open()
    t0 = session.offset
    assert t0 is not None
    await session.perform([])
    obs = rec.observation
    assert [(e.kind, round(e.t - t0, 3)) for e in obs.events] == [("open", 4.99), ("message", 5.1), ("sent", 5.5)]
    assert obs.events[1] == ev.MessageIn(obs.events[1].t, "text", ev.PayloadInfo.of(b"x", text=True))
    assert obs.events[2] == ev.Sent(obs.events[2].t, "text", 1)
    assert (obs.status, obs.protocol) == (101, "echo")
    assert obs.handshake_request == "new WebSocket('ws://127.0.0.1:9001/', ['echo'])"
    assert tab.calls[0] == [
        "open",
        {"url": "ws://127.0.0.1:9001/", "protocols": ["echo"], "timeout": 10.0, "caseTimeout": 10.0},
    ]


async def test_an_error_event_before_the_close_is_the_browser_failing_the_connection() -> None:
    rec = Recorder()
    events = [
        event(1, "open"),
        event(2, "error", readyState=3),
        event(3, "close", code=1006, reason="", wasClean=False),
    ]
    session = PageSession(
        "Chromium", make_case(), TARGET, rec, FakeTab({"now": 3, "opened": True, "closed": True, "events": events})
    )
    await session.open()
    end = ending(rec.observation.events, Draft.RFC6455)
    assert end.failure == "Chromium failed the connection (error event, close code 1006)"
    assert (end.closed_by, end.close_received, end.clean) == ("harness", False, False)  # the browser failed it
    assert session.ended


async def test_who_closed_first_and_with_which_codes() -> None:
    rec = Recorder()
    events = [event(1, "close_called", code=4000, reason="x"), event(2, "close", code=4000, reason="", wasClean=True)]
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab({"now": 2, "closed": True, "events": events}))
    await session.perform([])
    end = ending(rec.observation.events, Draft.RFC6455)
    assert (end.closed_by, end.local_code, end.remote_code, end.clean) == ("harness", 4000, 4000, True)


async def test_a_close_the_browser_answered_is_the_servers() -> None:
    rec = Recorder()
    events = [event(1, "close", code=1005, reason="", wasClean=True)]
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab({"now": 2, "closed": True, "events": events}))
    await session.perform([])
    end = ending(rec.observation.events, Draft.RFC6455)
    assert (end.closed_by, end.close_received, end.remote_code, end.clean) == ("peer", True, None, True)


async def test_a_websocket_the_page_may_not_create_is_unimplemented() -> None:
    rec = Recorder()
    refused = {"now": 1, "events": [event(1, "exception", name="SyntaxError", message="bad protocol")]}
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab(refused))
    assert not await session.open()
    assert rec.observation.unimplemented == "Firefox refused new WebSocket(): SyntaxError: bad protocol"
    assert not ending(rec.observation.events, Draft.RFC6455).timed_out


async def test_no_open_and_no_close_in_time_is_a_timeout() -> None:
    rec = Recorder()
    timeout = event(1, "timeout", waiting_for="the open event", seconds=10)
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab({"now": 1, "events": [timeout]}))
    assert not await session.open()
    assert ending(rec.observation.events, Draft.RFC6455).timed_out  # the case ended there


async def test_finish_asks_the_page_to_close_unless_the_server_should() -> None:
    for case, close in ((make_case(), True), (make_case(close=BY_SERVER), False)):
        tab = FakeTab({"now": 1, "timedOut": True})
        await PageSession("Firefox", case, TARGET, Recorder(), tab).finish()
        assert tab.calls == [["finish", {"close": close, "closeTimeout": 3.0}]]


async def test_a_page_that_throws_is_a_program_error() -> None:
    tab = FakeTab(RuntimeError('Page.evaluate: Error: unknown op "fly"\n    at runOps'))
    session = PageSession("Chromium", make_case(), TARGET, Recorder(), tab)
    with pytest.raises(PageProgramError) as raised:
        await session.perform([])
    assert str(raised.value) == 'the Chromium page agent failed in run(): Page.evaluate: Error: unknown op "fly"'


async def test_a_chat_page_joins_and_leaves() -> None:
    rec = Recorder()
    joined = {"now": 2, "events": [event(1, "open", name="Ann"), event(2, "said", text="hi")]}
    lines = {"now": 3, "lines": [["Ann", "has joined!"], ["Ann", "hi"]]}
    left = {"now": 4, "events": [event(4, "close", code="1000")]}
    tab = FakeTab({"now": 0}, joined, lines, left)
    case = make_case(handshake=Handshake(protocols=("echo-broadcast",)))
    session = ChatSession("Firefox", case, TARGET, rec, tab)
    assert chat_url(case, TARGET) == "http://127.0.0.1:9001/?protocol=echo-broadcast"
    assert await session.open()
    await session.perform([])
    assert session.joined and rec.observation.status == 101
    await session.finish()
    obs = rec.observation
    assert [e.lines for e in obs.events if isinstance(e, ev.ChatShown)] == [(("Ann", "has joined!"), ("Ann", "hi"))]
    assert obs.attachments == {"screenshot.png": b"\x89PNG"}
    end = ending(obs.events, Draft.RFC6455)
    assert (end.closed_by, end.clean, end.remote_code) == ("harness", True, 1000)
    assert tab.calls[-1] == ["run", {"payloads": [], "ops": [{"op": "leave", "text": "", "timeout": 3.0}]}]
