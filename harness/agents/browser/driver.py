"""The Playwright agents: Debian's Chromium and Firefox ESR, headless, one browser per run.

Every connection gets a page in a context of its own. Creating one costs a quarter to half a second (more
in Firefox, and more on a busy machine), so a page whose connection ended cleanly serves a later one: the
agent page's in-page agent forgets the old connection (wsAgent.reset); a page that shows another URL
loads the one it needs. A page whose socket may still be open, or whose program failed, is closed.

The agent page is served by a small HTTP server of the driver's own on loopback, so any target works:
Chromium's Local Network Access checks refuse WebSockets to loopback from a page of any other origin (a
routed or data: page included). It is served cross-origin isolated (COOP + COEP), which gives the page a
fine clock (Firefox clamps performance.now() to 1 ms otherwise). The chat room page comes from the
target itself, as a user would load it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib.resources import files
from typing import Any

from aiohttp import web

from wire import Draft

from ...cases.model import Case
from ...run.driver import AgentStartError
from ...run.recorder import Recorder
from ...run.target import Target
from .engines import Engine
from .express import unsupported_in_page
from .session import ChatSession, PageSession, chat_url, load

ISOLATED = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
# The harness's own work per case (a context, a page, a few calls; seconds on a loaded machine) may take
# this long beyond the case's timeout before the engine gives up: the case's waits run in the page.
OVERHEAD = 60.0


class PlaywrightTab:
    """A Playwright page as a session's Tab."""

    def __init__(self, page: Any) -> None:
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


class BrowserDriver:
    """A browser engine through Playwright (see harness.run.driver.Driver)."""

    overhead = OVERHEAD

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self._playwright: Any = None
        self._browser: Any = None
        self._pages: web.AppRunner | None = None
        self._idle: list[tuple[Any, PlaywrightTab]] = []  # agent pages whose connection closed: ready for another
        self.agent_url = ""

    @property
    def version(self) -> str:
        running = self._browser.version if self._browser is not None else "(not started)"
        return f"{self.engine.title} {running}"

    async def start(self) -> None:
        """Launch the browser; AgentStartError with one clear line when it cannot start."""
        engine = self.engine
        path = engine.path()
        if path is None:
            where = " or ".join(engine.paths)
            raise AgentStartError(f"{engine.title} not found at {where} (apt-get install -y {engine.package})")
        try:
            from playwright.async_api import async_playwright

            await self._serve_agent_page()
            self._playwright = await async_playwright().start()
            self._browser = await engine.launch(self._playwright, path)
        except Exception as exc:
            await self.stop()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AgentStartError(f"{engine.title} did not start: {first}") from exc

    async def _serve_agent_page(self) -> None:
        html = (files("harness.agents") / "page" / "agent.html").read_text(encoding="utf-8")

        async def agent(request: web.Request) -> web.Response:
            return web.Response(text=html, content_type="text/html", headers=ISOLATED)

        app = web.Application()
        app.router.add_get("/agent.html", agent)
        self._pages = web.AppRunner(app, access_log=None)
        await self._pages.setup()
        site = web.TCPSite(self._pages, "127.0.0.1", 0)
        await site.start()
        port = self._pages.addresses[0][1]
        self.agent_url = f"http://127.0.0.1:{port}/agent.html"

    async def stop(self) -> None:
        if self._pages is not None:
            await self._pages.cleanup()
            self._pages = None
        self._idle.clear()  # their contexts close with the browser
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()
            self._playwright = None

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported_in_page(case, draft, page, self.engine.title)

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[PageSession | ChatSession]:
        if self._browser is None:
            raise AgentStartError(f"the {self.name} agent was not started")
        url = chat_url(case, target) if page == "chat" else self.agent_url
        context, tab = await self._take(url)
        session = (ChatSession if page == "chat" else PageSession)(self.engine.title, case, target, recorder, tab)
        reusable = False
        try:
            yield session
            reusable = session.reusable
        finally:
            if reusable and await self._reset(tab):
                self._idle.append((context, tab))
            else:
                await context.close()

    async def _take(self, url: str) -> tuple[Any, PlaywrightTab]:
        """A page showing `url` with the in-page agent ready: an idle one (an agent page first, which needs no
        loading), or a new one in a context of its own. A chat room page is always loaded afresh."""
        if self._idle:
            at_url = [i for i, (_, tab) in enumerate(self._idle) if tab.url == url == self.agent_url]
            context, tab = self._idle.pop(at_url[-1] if at_url else -1)
            if not at_url:
                await load(tab, url)
            return context, tab
        context = await self._browser.new_context()
        try:
            tab = PlaywrightTab(await context.new_page())
            await load(tab, url)
        except BaseException:
            await context.close()
            raise
        return context, tab

    async def _reset(self, tab: PlaywrightTab) -> bool:
        """Ready the page for another connection; False when it cannot be (it is closed then)."""
        try:
            await tab.evaluate("() => wsAgent.reset()")
        except Exception:
            return False
        return True
