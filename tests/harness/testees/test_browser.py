"""harness.testees.browser: the page comes from loopback, and a browser that is not there is an error."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from harness.agents.browser import FIREFOX
from harness.testees import browser


async def test_the_page_is_served_from_loopback() -> None:
    runner, url = await browser._serve_page()
    try:
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            assert "async function runTestee({ url, agent })" in await response.text()
    finally:
        await runner.cleanup()


async def test_a_browser_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    absent = replace(FIREFOX, paths=(str(tmp_path / "none"),))
    with pytest.raises(RuntimeError, match=f"Firefox not found at {tmp_path / 'none'}"):
        await browser.run(absent, "ws://127.0.0.1:1", "a")


def test_main_is_1_when_the_loop_cannot_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(browser.ENGINES, "firefox", replace(FIREFOX, paths=("/nonexistent/firefox",)))
    assert browser.main(["--engine", "firefox", "--url", "ws://127.0.0.1:1", "--agent", "a"]) == 1
    assert "firefox: RuntimeError: Firefox not found at /nonexistent/firefox" in capsys.readouterr().err
