"""harness.agents.browser.engines: where each engine lives, and that the installed Playwright drives it.

The Firefox case guards pyproject.toml's Playwright pin: Playwright 1.65 sends
emulation.setMediaFeaturesOverride whenever it opens a context, a command Firefox 153 ESR does not know,
so every new context failed ("Protocol error (emulation.setMediaFeaturesOverride): unknown command").
A newer Playwright that breaks Debian's Firefox again fails here, with Playwright's own message.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from harness.agents.browser import CHROMIUM, BrowserDriver, Engine
from harness.run.driver import AgentStartError

from ..browsers import ENGINES, installed


def test_the_first_binary_found_is_the_engine(tmp_path: Path) -> None:
    binary = tmp_path / "chromium"
    binary.write_text("#!/bin/sh\n")
    os.chmod(binary, 0o755)
    engine = replace(CHROMIUM, paths=(str(tmp_path / "missing"), str(binary)))
    assert engine.path() == str(binary)
    assert replace(CHROMIUM, paths=(str(tmp_path / "missing"),)).path() is None


@pytest.mark.parametrize("engine", ENGINES, ids=[e.name for e in ENGINES])
async def test_playwright_opens_contexts_and_pages(engine: Engine) -> None:
    path = installed(engine)
    async with async_playwright() as playwright:
        browser = await engine.launch(playwright, path)
        try:
            for _ in range(2):
                context = await browser.new_context()  # Playwright 1.65 with Firefox 153 ESR failed here
                page = await context.new_page()
                assert await page.evaluate("typeof WebSocket") == "function"
                await context.close()
        finally:
            await browser.close()


@pytest.mark.parametrize("engine", ENGINES, ids=[e.name for e in ENGINES])
async def test_a_browser_that_is_not_installed_is_one_line(tmp_path: Path, engine: Engine) -> None:
    missing = replace(engine, paths=(str(tmp_path / "none"),))
    with pytest.raises(AgentStartError) as raised:
        await BrowserDriver(missing).start()
    assert str(raised.value) == (
        f"{missing.title} not found at {tmp_path / 'none'} (apt-get install -y {missing.package})"
    )
