"""harness.agents.browser.webkit: WebKitGTK through WebKitWebDriver: what is missing is one line, a script
error comes back as a WebDriver error, and no browser process outlives the driver. (The catalogue's
page cases run in WebKit with the other browsers: tests/harness/agents/page, browser/test_driver.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.agents.browser import WebKitDriver, webkit
from harness.agents.browser.webkit import WebDriverError, WebDriverTab, running_in_group
from harness.run.driver import AgentStartError


async def test_what_is_missing_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(webkit, "MINIBROWSER", str(tmp_path / "*" / "MiniBrowser"))
    with pytest.raises(AgentStartError) as raised:
        await WebKitDriver().start()
    assert str(raised.value) == (
        f"WebKit not found: no {tmp_path / '*' / 'MiniBrowser'} (apt-get install -y webkit2gtk-driver xvfb)"
    )


async def test_a_window_runs_scripts_and_no_process_outlives_it() -> None:
    driver = WebKitDriver()
    await driver.start()
    try:
        assert driver.version.startswith("WebKit 2.")
        tab = await driver._take(driver.agent_url)
        assert isinstance(tab, WebDriverTab)
        assert await tab.evaluate("(x) => Promise.resolve(x + 1)", 41) == 42
        with pytest.raises(WebDriverError, match="javascript error"):
            await tab.evaluate("() => { throw new Error('boom'); }")
        assert (await tab.screenshot()).startswith(b"\x89PNG")
        group = tab.process.pid
        assert len(running_in_group(group)) >= 3  # the driver, MiniBrowser, its web and network processes
        await tab.close()
        assert running_in_group(group) == []
    finally:
        await driver.stop()
    assert driver._xvfb is None
