"""harness.agents.browser.session: what the page reports becomes the observation (with a fake page)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.agents.browser.session import ChatSession, PageProgramError, PageSession, chat_url
from harness.cases.model import Handshake
from harness.run.recorder import Recorder
from harness.run.target import Target

from ...peers import BY_SERVER, make_case

TARGET = Target("127.0.0.1", 9001)


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
        "events": [event(5100.0, "message", kind="text", size=1), event(5500.0, "sent")],
    }
    tab = FakeTab(opened, echoed)
    session = PageSession("Firefox", make_case(), TARGET, rec, tab)
    assert await session.open()
    t0 = session.offset
    assert t0 is not None
    await session.perform([])
    obs = rec.observation
    assert [(e.type, round(e.t - t0, 3)) for e in obs.events] == [("open", 4.99), ("message", 5.1), ("sent", 5.5)]
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
    obs = rec.observation
    assert obs.client_failure == "Chromium failed the connection (error event, close code 1006)"
    assert (obs.closed_by, obs.close_frame_received, obs.clean) == ("server", False, False)
    assert session.ended


async def test_who_closed_first_and_with_which_codes() -> None:
    rec = Recorder()
    events = [event(1, "close_called", code=4000, reason="x"), event(2, "close", code=4000, reason="", wasClean=True)]
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab({"now": 2, "closed": True, "events": events}))
    await session.perform([])
    obs = rec.observation
    assert (obs.closed_by, obs.local_close_code, obs.remote_close_code, obs.clean) == ("client", 4000, 4000, True)


async def test_a_websocket_the_page_may_not_create_is_unimplemented() -> None:
    rec = Recorder()
    refused = {"now": 1, "events": [event(1, "exception", name="SyntaxError", message="bad protocol")]}
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab(refused))
    assert not await session.open()
    assert rec.observation.unimplemented == "Firefox refused new WebSocket(): SyntaxError: bad protocol"
    assert not rec.observation.timed_out


async def test_no_open_and_no_close_in_time_is_a_timeout() -> None:
    rec = Recorder()
    session = PageSession("Firefox", make_case(), TARGET, rec, FakeTab({"now": 1, "events": [event(1, "timeout")]}))
    assert not await session.open()
    assert rec.observation.timed_out


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
    assert [e.data["lines"] for e in obs.events if e.type == "chat"] == [[["Ann", "has joined!"], ["Ann", "hi"]]]
    assert obs.attachments == {"screenshot.png": b"\x89PNG"}
    assert (obs.closed_by, obs.clean, obs.remote_close_code) == ("client", True, 1000)
    assert tab.calls[-1] == ["run", {"payloads": [], "ops": [{"op": "leave", "text": "", "timeout": 3.0}]}]
