"""What every browser agent shares, whatever drives the browser (Playwright, WebDriver): the agent page, a
pool of pages, and sessions over them (harness.run.driver.Driver).

Every connection gets a page of its own. Creating one costs a quarter of a second to a second (more in
Firefox and WebKit, and more on a busy machine), so a page whose connection ended cleanly serves a later
one: the agent page's in-page agent forgets the old connection (wsAgent.reset); a page that shows another
URL loads the one it needs. A page whose socket may still be open, or whose program failed, is closed.

The agent page is served by a small HTTP server of the driver's own on loopback, so any target works:
Chromium's Local Network Access checks refuse WebSockets to loopback from a page of any other origin (a
routed or data: page included). It is served cross-origin isolated (COOP + COEP), which gives the page a
fine clock (Firefox and WebKit clamp performance.now() to 1 ms otherwise). The chat room page comes from
the target itself, as a user would load it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib.resources import files
from typing import Protocol

from aiohttp import web

from wire import Draft

from ...cases.model import Case
from ...run.driver import AgentStartError
from ...run.recorder import Recorder
from ...run.target import Target, Trust
from .express import unsupported_in_page
from .session import ChatSession, PageSession, Tab, chat_url, load

ISOLATED = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
# The harness's own work per case (a page, a few calls; seconds on a loaded machine) may take this long
# beyond the case's timeout before the engine gives up: the case's own waits run in the page.
OVERHEAD = 60.0


class OwnTab(Tab, Protocol):
    """A page of the driver's own: it knows where it was sent, and closes (with its context or window)."""

    url: str

    async def close(self) -> None: ...


class PageDriver:
    """A browser agent: subclasses launch the browser and open pages (`_launch`, `_new_tab`, `_shutdown`).

    Pages ignore certificate errors, each through its engine's own setting (`ignoring`): a wss:// target's
    certificate, signed by a CA of its own, is accepted without a trust store to put that CA in."""

    overhead = OVERHEAD
    ignoring = ""  # how the engine's pages are told to ignore certificate errors, for the report

    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title  # for people and reasons: Chromium, Firefox, WebKit
        self._pages: web.AppRunner | None = None
        self._idle: list[OwnTab] = []  # pages whose connection ended cleanly: ready for another
        self._running = False
        self.agent_url = ""

    @property
    def version(self) -> str:
        return f"{self.title} {self._version() if self._running else '(not started)'}"

    def _version(self) -> str:
        raise NotImplementedError

    async def _launch(self) -> None:
        """Start the browser; any exception becomes AgentStartError (one line)."""
        raise NotImplementedError

    async def _new_tab(self) -> OwnTab:
        raise NotImplementedError

    async def _shutdown(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Launch the browser; AgentStartError with one clear line when it cannot start."""
        try:
            await self._serve_agent_page()
            await self._launch()
        except Exception as exc:
            await self.stop()
            if isinstance(exc, AgentStartError):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AgentStartError(f"{self.title} did not start: {first}") from exc
        self._running = True

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
        self._running = False
        while self._idle:
            with contextlib.suppress(Exception):
                await self._idle.pop().close()
        if self._pages is not None:
            await self._pages.cleanup()
            self._pages = None
        await self._shutdown()

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported_in_page(case, draft, page, self.title)

    def certificates(self, trust: Trust) -> str:
        return f"not checked: its pages ignore certificate errors ({self.ignoring})"

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[PageSession | ChatSession]:
        if not self._running:
            raise AgentStartError(f"the {self.name} agent was not started")
        tab = await self._take(chat_url(case, target) if page == "chat" else self.agent_url)
        session = (ChatSession if page == "chat" else PageSession)(self.title, case, target, recorder, tab)
        reusable = False
        try:
            yield session
            reusable = session.reusable
        finally:
            if reusable and await self._reset(tab):
                self._idle.append(tab)
            else:
                await tab.close()

    async def _take(self, url: str) -> OwnTab:
        """A page showing `url` with the in-page agent ready: an idle one (an agent page first, which needs no
        loading), or a new one. A chat room page is always loaded afresh."""
        if self._idle:
            at_url = [i for i, tab in enumerate(self._idle) if tab.url == url == self.agent_url]
            tab = self._idle.pop(at_url[-1] if at_url else -1)
            if not at_url:
                await load(tab, url)
            return tab
        tab = await self._new_tab()
        try:
            await load(tab, url)
        except BaseException:
            await tab.close()
            raise
        return tab

    async def _reset(self, tab: OwnTab) -> bool:
        """Ready the page for another connection; False when it cannot be (it is closed then)."""
        try:
            await tab.evaluate("() => wsAgent.reset()")
        except Exception:
            return False
        return True
