"""The browser testee: Chromium or Firefox ESR, launched as the browser agents launch them (engines.py),
runs the whole case loop in a page (browser.html), and this program waits for it.

The page comes from a small HTTP server on 127.0.0.1 (an ephemeral port): Chromium blocks WebSockets to
loopback from about:blank and from public pages. `page.evaluate` awaits the loop's promise without a
timeout; it returns when updateReports has closed, and raises when the page or the browser dies.

    python -m harness.testees.browser --engine chromium|firefox --url ws://HOST:PORT --agent NAME
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib.resources import files
from typing import Any

from aiohttp import web

from ..agents.browser import CHROMIUM, FIREFOX, Engine
from .contract import say

ENGINES = {engine.name: engine for engine in (CHROMIUM, FIREFOX)}
PAGE = files(__package__).joinpath("browser.html").read_text(encoding="utf-8")


async def _serve_page() -> tuple[web.AppRunner, str]:
    """The page on http://127.0.0.1:PORT/ (an ephemeral port); the runner to clean up, and the URL."""

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


def _console(message: Any) -> None:
    say(str(message.text))


async def run(engine: Engine, url: str, agent: str) -> int:
    """The loop in a page of a fresh headless browser; the number of cases run."""
    path = engine.path()
    if path is None:
        raise RuntimeError(f"{engine.title} not found at {' or '.join(engine.paths)}")
    from playwright.async_api import async_playwright

    runner, page_url = await _serve_page()
    try:
        async with async_playwright() as playwright:
            browser = await engine.launch(playwright, path)
            try:
                say(f"{engine.title} {browser.version}")
                page = await browser.new_page()
                page.on("console", _console)
                await page.goto(page_url)
                count: int = await page.evaluate("runTestee", {"url": url, "agent": agent})
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
    say(f"{engine.title}: {count} cases, reports updated")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Autobahn testee: a browser page, driven by Playwright")
    parser.add_argument("--engine", required=True, choices=sorted(ENGINES))
    parser.add_argument("--url", required=True, help="the fuzzing server, ws://HOST:PORT")
    parser.add_argument("--agent", required=True, help="the agent name the reports use")
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(ENGINES[args.engine], args.url.rstrip("/"), args.agent))
    except Exception as exc:
        say(f"{args.engine}: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
