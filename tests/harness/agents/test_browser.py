"""The chromium agent against the reference server: what a page can do, what it cannot, and a browser
that will not start."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from harness.agents import browser
from harness.agents.browser import BrowserDriver
from harness.cases.loader import load_file
from harness.cases.model import Case
from harness.cli.runner import RunOptions, run
from harness.run.driver import AgentStartError
from harness.run.engine import Item, run_item
from harness.run.results import Behavior, CloseBehavior
from harness.run.target import Target
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import Draft

pytestmark = pytest.mark.skipif(browser.chromium_path() is None, reason="Debian's chromium is not installed")

CASES = """\
category: browser
defaults: {drafts: [rfc6455], agents: [chromium], handshake: {protocols: [echo]}}
cases:
  - id: "1"
    title: text and binary, as ArrayBuffer and as Blob
    description: d
    expectation: e
    spec: s
    steps:
      - send_message: {text: "héllo"}
      - write:
          - send_message: {binary: {hex: "00 01 fe ff"}}
          - send_message: {binary: {hex: "de ad"}, as_blob: true}
      - pause: 0.01
      - wait: {for: message, count: 3}
    expect: {ok: echo}
  - id: "2"
    title: close with an application code and a reason
    description: d
    expectation: the echo server answers the close with the same code
    spec: s
    steps:
      - send_close: {code: 4321, reason: "bye"}
    close: {by: client, codes: [4321]}
  - id: "3"
    title: a raw frame
    description: d
    expectation: e
    spec: s
    steps:
      - send_frame: {opcode: text, payload: "x", rsv1: true}
  - id: "4"
    title: the server fails the connection
    description: the echo-assemble limit is 64 KiB
    expectation: the page sees a close with 1009 (not wasClean-dependent)
    spec: s
    handshake: {protocols: [echo-assemble]}
    steps:
      - send_message: {text: {repeat: {byte: "a", count: 65537}}}
    close: {by: server, codes: [too-big], clean: false}
"""


@pytest.fixture
def cases(tmp_path: Path) -> dict[str, Case]:
    path = tmp_path / "b.case.yaml"
    path.write_text(CASES, encoding="utf-8")
    return {c.id: c for c in load_file(path)}


async def test_page_cases(cases: dict[str, Case]) -> None:
    driver = BrowserDriver()
    await driver.start()
    try:
        assert driver.version.startswith("Chromium ")
        async with ReferenceServer(ServerConfig(port=0)) as server:
            target = Target("127.0.0.1", server.port)
            results = {cid: await run_item(Item(case, Draft.RFC6455, driver), target) for cid, case in cases.items()}
    finally:
        await driver.stop()
    for cid in ("1", "2", "4"):
        verdict = results[cid].verdict
        assert (verdict.behavior, verdict.close) == (Behavior.OK, CloseBehavior.OK), (cid, verdict)
    assert results["2"].ending.remote_code == 4321
    assert (results["4"].ending.closed_by, results["4"].ending.remote_code) == ("server", 1009)
    raw = results["3"].verdict
    assert raw.behavior is Behavior.UNIMPLEMENTED
    assert "cannot send frame" in raw.behavior_reason


def test_what_a_page_cannot_express(cases: dict[str, Case]) -> None:
    driver = BrowserDriver()
    assert driver.unsupported(cases["1"], Draft.HIXIE_76) == "Chromium speaks only RFC 6455"
    assert driver.unsupported(cases["1"], Draft.RFC6455) is None
    assert "cannot send frame" in (driver.unsupported(cases["3"], Draft.RFC6455) or "")


async def test_a_browser_that_cannot_start_is_one_line_and_python_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (str(tmp_path / "no-chromium"),))
    with pytest.raises(AgentStartError, match="Chromium not found"):
        await BrowserDriver().start()
    catalogue = tmp_path / "cases"
    catalogue.mkdir()
    (catalogue / "b.case.yaml").write_text(CASES.replace("agents: [chromium]", "agents: [python, chromium]"))
    err, out = io.StringIO(), io.StringIO()
    options = RunOptions(
        catalogue=(catalogue,),
        target=None,
        drafts=(Draft.RFC6455,),
        agents=("python", "chromium"),
        cases=("1", "2"),
        exclude=(),
        jobs=2,
        out=tmp_path / "reports",
    )
    assert await run(options, out, err) == 0
    left_out = [line for line in err.getvalue().splitlines() if "chromium" in line]
    assert left_out == [
        f"chromium agent left out: Chromium not found at {tmp_path / 'no-chromium'} (apt-get install -y chromium)"
    ]
    assert "2 cases x drafts x agents: 2 OK" in out.getvalue()


async def test_chat_page_shows_the_closed_state_when_the_server_stops() -> None:
    from playwright.async_api import async_playwright

    path = browser.chromium_path()
    assert path is not None
    server = ReferenceServer(ServerConfig(port=0))
    await server.start()
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=path, args=browser.LAUNCH_ARGS)
        try:
            page = await chromium.new_page()
            await page.goto(server.url)
            await page.fill("#join-name", "Ann")
            await page.click("#join-button")
            await page.wait_for_selector("#messages .message")
            await server.stop()
            await page.wait_for_selector("#status[data-state=closed]")
            assert await page.get_attribute("#status", "data-close-code") == "1001"
        finally:
            await chromium.close()
