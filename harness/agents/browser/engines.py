"""The engines Playwright drives: Debian's Chromium (over CDP) and Firefox ESR (over WebDriver BiDi),
headless, one browser per run and a context of its own for every page. Playwright never downloads a
browser here (`playwright install` is never run)."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from typing import Any

from ...run.driver import AgentStartError
from .driver import OwnTab, PageDriver
from .pages import MIXED_HOST

LAUNCH_ARGS = [
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--host-resolver-rules=MAP {MIXED_HOST} 127.0.0.1",  # the mixed-content case's name (pages.py)
]
CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
FIREFOX_PATHS = ("/usr/lib/firefox-esr/firefox-esr",)


@dataclass(frozen=True)
class Engine:
    name: str  # the agent's name: chromium, firefox
    title: str  # for people: Chromium, Firefox
    package: str  # the Debian package that installs it
    paths: tuple[str, ...]  # where its binary may be, in order
    browser_type: str  # Playwright's: playwright.chromium or playwright.firefox
    options: dict[str, Any] = field(default_factory=dict)  # for browser_type.launch()

    def path(self) -> str | None:
        return next((p for p in self.paths if shutil.which(p)), None)

    async def launch(self, playwright: Any, path: str) -> Any:
        """A headless browser from the binary at `path`."""
        browser_type = getattr(playwright, self.browser_type)
        return await browser_type.launch(executable_path=path, headless=True, **self.options)


CHROMIUM = Engine("chromium", "Chromium", "chromium", CHROMIUM_PATHS, "chromium", {"args": LAUNCH_ARGS})
# WebDriver BiDi: Playwright's own protocol for Firefox (Juggler) needs its patched build; Debian's speaks BiDi
# network.dns.localDomains: names Firefox resolves to loopback (the mixed-content case's, pages.py)
FIREFOX_PREFS = {"network.dns.localDomains": MIXED_HOST}
FIREFOX = Engine(
    "firefox",
    "Firefox",
    "firefox-esr",
    FIREFOX_PATHS,
    "firefox",
    {"channel": "moz-firefox", "firefox_user_prefs": FIREFOX_PREFS},
)


def chromium_path() -> str | None:
    return CHROMIUM.path()


class PlaywrightTab:
    """A Playwright page in a context of its own."""

    def __init__(self, context: Any, page: Any) -> None:
        self.context = context
        self.page = page
        self.url = ""  # where it was last sent

    async def goto(self, url: str) -> None:
        self.url = url
        await self.page.goto(url)

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        return await self.page.evaluate(function, arg)

    async def screenshot(self) -> bytes:
        data: bytes = await self.page.screenshot(full_page=True)
        return data

    async def close(self) -> None:
        await self.context.close()


class BrowserDriver(PageDriver):
    """Chromium or Firefox through Playwright."""

    ignoring = "Playwright's ignore_https_errors, for every context"

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine.name, engine.title)
        self.engine = engine
        self._playwright: Any = None
        self._browser: Any = None

    def _version(self) -> str:
        return str(self._browser.version)

    async def _launch(self) -> None:
        engine = self.engine
        path = engine.path()
        if path is None:
            where = " or ".join(engine.paths)
            raise AgentStartError(f"{engine.title} not found at {where} (apt-get install -y {engine.package})")
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await engine.launch(self._playwright, path)

    async def _new_tab(self, checking: bool = False) -> OwnTab:
        context = await self._browser.new_context(ignore_https_errors=not checking)
        try:
            return PlaywrightTab(context, await context.new_page())
        except BaseException:
            await context.close()
            raise

    async def _shutdown(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):  # a browser that already died
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()
            self._playwright = None
