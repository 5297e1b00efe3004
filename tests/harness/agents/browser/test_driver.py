"""harness.agents.browser.driver: every browser agent against the reference server: versions, what a page
cannot express, a browser that will not start, and the scenarios of the catalogue that need pages (the
chat room, cross-draft broadcast) in Chromium, Firefox and WebKit."""

from __future__ import annotations

import io
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from harness.agents import REGISTRY
from harness.agents.browser import FIREFOX, BrowserDriver, PageDriver
from harness.agents.browser.session import ChatSession
from harness.agents.python import PythonDriver
from harness.cases.loader import load_file
from harness.cases.model import Chat, Payload, SendMessage, Wait
from harness.cli.runner import RunOptions, run
from harness.run.engine import Item, run_item
from harness.run.recorder import Recorder
from harness.run.results import Behavior, CloseBehavior
from harness.run.target import Target, Trust
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import Draft

from ....server.support import tls_reference
from ...peers import make_case, text
from ..browsers import driver, reference

__all__ = ["driver", "reference"]  # the fixtures
CATALOGUE = Path(__file__).resolve().parents[4] / "cases"

# the chat page's close code once its status says closed (a promise that waits on the page's own changes)
CLOSE_CODE = """() => new Promise((resolve) => {
  const status = document.getElementById("status");
  const check = () => { if (status.dataset.state === "closed") resolve(status.dataset.closeCode); };
  new MutationObserver(check).observe(status, {attributes: true});
  check();
})"""
CASES = """\
category: browser
defaults: {drafts: [rfc6455], agents: [python, firefox], handshake: {protocols: [echo]}}
cases:
  - id: "1"
    title: an echo
    description: d
    expectation: e
    spec: s
    steps: [{send_message: {text: "hi"}}, {wait: {for: message}}]
    expect: {ok: [{message: {text: "hi"}}]}
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_version_and_what_a_page_cannot_express(driver: PageDriver) -> None:
    title = driver.title
    assert driver.version.startswith(f"{title} ")
    assert driver.version != f"{title} (not started)"
    case = make_case()
    assert driver.unsupported(case, Draft.HIXIE_76) == f"{title} speaks only RFC 6455"
    assert driver.unsupported(case, Draft.RFC6455) is None


async def test_a_browser_that_cannot_start_is_left_out_and_python_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = replace(FIREFOX, paths=(str(tmp_path / "no-firefox"),))
    monkeypatch.setitem(REGISTRY, "firefox", replace(REGISTRY["firefox"], make=partial(BrowserDriver, missing)))
    catalogue = tmp_path / "cases"
    catalogue.mkdir()
    (catalogue / "b.case.yaml").write_text(CASES)
    err, out = io.StringIO(), io.StringIO()
    options = RunOptions(
        catalogue=(catalogue,),
        target=None,
        drafts=(Draft.RFC6455,),
        agents=("python", "firefox"),
        cases=(),
        exclude=(),
        jobs=2,
        out=tmp_path / "reports",
    )
    assert await run(options, out, err) == 0
    left_out = [line for line in err.getvalue().splitlines() if "firefox" in line]
    assert left_out == [
        f"firefox agent left out: Firefox not found at {tmp_path / 'no-firefox'} (apt-get install -y firefox-esr)"
    ]
    assert "1 cases x drafts x agents: 1 OK" in out.getvalue()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("path", "case_id"),
    [
        ("21-broadcast.case.yaml", "21.1.1"),
        ("21-broadcast.case.yaml", "21.1.2"),
        ("30-chat-room.case.yaml", "30.1"),
        ("30-chat-room.case.yaml", "30.2"),
        ("30-chat-room.case.yaml", "30.3"),
        ("30-chat-room.case.yaml", "30.4"),
    ],
)
async def test_the_scenarios_that_need_pages_pass(
    driver: PageDriver, reference: Target, path: str, case_id: str
) -> None:
    (case,) = [c for c in load_file(CATALOGUE / path) if c.id == case_id]
    assert case.agents is None or driver.name in case.agents
    drivers = {"python": PythonDriver(), driver.name: driver}
    result = await run_item(Item(case, Draft.RFC6455, driver), reference, drivers)
    assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK), result.verdict
    chat_pages = [a.name for a in case.actors if a.page == "chat"]
    shots = result.observation.attachments
    assert sorted(shots) == sorted(f"{name}-screenshot.png" for name in chat_pages)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in shots.values())


@pytest.mark.asyncio(loop_scope="module")
async def test_the_chat_page_shows_the_closed_state_when_the_server_stops(driver: PageDriver) -> None:
    case = make_case(Chat("join", "Ann"), Wait("message"))
    server = ReferenceServer(ServerConfig(port=0))
    await server.start()
    try:
        target = Target("127.0.0.1", server.port)
        async with driver.session(case, Draft.RFC6455, target, Recorder(), "chat") as session:
            assert isinstance(session, ChatSession)
            assert await session.open()
            await session.perform(case.steps)
            assert session.joined
            await server.stop()
            assert await session.tab.evaluate(CLOSE_CODE) == "1001"
    finally:
        await server.stop()


@pytest.mark.asyncio(loop_scope="module")
async def test_over_wss_a_page_echoes_and_the_chat_room_loads_over_https(driver: PageDriver, tmp_path: Path) -> None:
    """Pages ignore certificate errors (the CA is the server's own) and the report says how."""
    assert driver.certificates(Trust()).startswith("not checked: its pages ignore certificate errors (")
    assert driver.ignoring in driver.certificates(Trust())
    (chat,) = [c for c in load_file(CATALOGUE / "30-chat-room.case.yaml") if c.id == "30.1"]
    echo = make_case(SendMessage("text", Payload(text="hi")), Wait("message"), ok=(text("hi"),), agents=None)
    drivers = {"python": PythonDriver(), driver.name: driver}
    async with tls_reference(tmp_path / "certs") as (server, ca):
        target = Target.parse(server.ws_url, Trust(ca=ca))
        for case in (echo, chat):
            result = await run_item(Item(case, Draft.RFC6455, driver), target, drivers)
            assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK), result.verdict
        assert result.observation.handshake_request.startswith(f"GET https://127.0.0.1:{server.port}/")


TLS_RULES = load_file(CATALOGUE / "41-tls.case.yaml")


@pytest.mark.asyncio(loop_scope="module")
async def test_the_tls_rules_hold_and_a_browser_that_broke_one_would_fail(
    driver: PageDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """41.1 and 41.2 are refused; the same pages opened without the rule (over http; ignoring certificate
    errors) reach the live echo and open, so the cases FAIL a browser that does not refuse."""
    mixed, untrusted = TLS_RULES
    async with tls_reference(tmp_path / "certs") as (server, ca):
        target = Target.parse(server.ws_url, Trust(ca=ca))
        cases = [untrusted] if driver.unsupported(mixed, Draft.RFC6455) else [mixed, untrusted]
        for case in cases:
            result = await run_item(Item(case, Draft.RFC6455, driver), target)
            assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK), result.verdict
            assert result.verdict.behavior_reason.startswith("refused: ")
        monkeypatch.setattr(driver.pages, "secure_agent_url", driver.pages.agent_url)  # no https page: no rule
        real_new_tab = driver._new_tab
        monkeypatch.setattr(driver, "_new_tab", lambda checking=False: real_new_tab(False))  # ignore errors
        for case in cases:
            result = await run_item(Item(case, Draft.RFC6455, driver), target)
            assert result.verdict.behavior is Behavior.FAILED, result.verdict
            assert result.verdict.behavior_reason == "the WebSocket opened: it must be refused"


@pytest.mark.asyncio(loop_scope="module")
async def test_an_untrusted_certificate_needs_a_wss_target_with_its_ca(driver: PageDriver, reference: Target) -> None:
    result = await run_item(Item(TLS_RULES[1], Draft.RFC6455, driver), reference)
    assert result.verdict.behavior is Behavior.UNIMPLEMENTED
    assert "needs a wss:// target and the CA that signs its certificate (--ca)" in result.verdict.behavior_reason
