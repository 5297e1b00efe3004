"""harness.testees.browser: the page comes from loopback and reports there, the browser is started on its
own, and a browser that is not there or that ends before its page is an error."""

from __future__ import annotations

import asyncio
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from harness.agents.browser import CHROMIUM, FIREFOX
from harness.testees import browser


async def test_the_page_is_served_from_loopback_and_reports_there(capsys: pytest.CaptureFixture[str]) -> None:
    done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    runner, url = await browser._serve_page(done)
    try:
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as response:
                assert response.status == 200
                assert response.content_type == "text/html"
                assert "async function runTestee({ url, agent })" in await response.text()
            async with session.post(url + "log", data="case 1/1: echoed 1") as response:
                assert response.status == 200
            async with session.post(url + "done", data='{"count": 1}') as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
    assert done.result() == {"count": 1}
    assert "case 1/1: echoed 1" in capsys.readouterr().err


def test_each_engine_opens_the_page_headless_in_its_own_profile(tmp_path: Path) -> None:
    chromium = browser.command(CHROMIUM, "/c", tmp_path, "http://127.0.0.1:1/?url=x")
    assert chromium[0] == "/c" and chromium[-1] == "http://127.0.0.1:1/?url=x"
    assert "--headless" in chromium and f"--user-data-dir={tmp_path}" in chromium
    firefox = browser.command(FIREFOX, "/f", tmp_path, "http://127.0.0.1:1/")
    assert firefox == ["/f", "--headless", "--no-remote", "--profile", str(tmp_path), "http://127.0.0.1:1/"]
    assert 'user_pref("browser.shell.checkDefaultBrowser", false);' in (tmp_path / "user.js").read_text()


async def test_a_browser_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    absent = replace(FIREFOX, paths=(str(tmp_path / "none"),))
    with pytest.raises(RuntimeError, match=f"Firefox not found at {tmp_path / 'none'}"):
        await browser.run(absent, "ws://127.0.0.1:1", "a")


async def test_a_browser_that_ends_before_its_page_is_an_error(tmp_path: Path) -> None:
    fake = tmp_path / "firefox"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(RuntimeError, match=r"Firefox ended \(3\) before its page did: cannot open display"):
        await browser.run(replace(FIREFOX, paths=(str(fake),)), "ws://127.0.0.1:1", "a")


def test_main_is_1_when_the_loop_cannot_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(browser.ENGINES, "firefox", replace(FIREFOX, paths=("/nonexistent/firefox",)))
    assert browser.main(["--engine", "firefox", "--url", "ws://127.0.0.1:1", "--agent", "a"]) == 1
    assert "firefox: RuntimeError: Firefox not found at /nonexistent/firefox" in capsys.readouterr().err
