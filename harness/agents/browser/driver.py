"""What every browser agent shares, whatever drives the browser (Playwright, WebDriver): the agent page
(pages.py), a pool of pages, and sessions over them (harness.run.driver.Driver).

Every connection gets a page of its own. Creating one costs a quarter of a second to a second (more in
Firefox and WebKit, and more on a busy machine), so a page whose connection ended cleanly serves a later
one: the agent page's in-page agent forgets the old connection (wsAgent.reset); a page that shows another
URL loads the one it needs. A page whose socket may still be open, or whose program failed, is closed.

The chat room page comes from the target itself, as a user would load it. A case that puts a browser's TLS
rule to the test (`handshake.tls`) gets a page of its own, never pooled: the agent page over https for
mixed content, a page that checks certificates for an untrusted one.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Protocol

from wire import Draft

from ...cases.model import Case
from ...run.driver import AgentStartError
from ...run.recorder import Recorder
from ...run.target import Target, Trust
from .express import unsupported_in_page
from .pages import PageServer
from .session import ChatSession, PageSession, Tab, chat_url, load

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
    maps_names = True  # it can be told to resolve pages.MIXED_HOST to loopback (the mixed-content case)

    def __init__(self, name: str, title: str) -> None:
        self.name = name
        self.title = title  # for people and reasons: Chromium, Firefox, WebKit
        self.pages = PageServer()
        self._idle: list[OwnTab] = []  # pages whose connection ended cleanly: ready for another
        self._running = False

    @property
    def version(self) -> str:
        return f"{self.title} {self._version() if self._running else '(not started)'}"

    def _version(self) -> str:
        raise NotImplementedError

    async def _launch(self) -> None:
        """Start the browser; any exception becomes AgentStartError (one line)."""
        raise NotImplementedError

    async def _new_tab(self, checking: bool = False) -> OwnTab:
        """A new page; it ignores certificate errors unless `checking`."""
        raise NotImplementedError

    async def _shutdown(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Launch the browser; AgentStartError with one clear line when it cannot start."""
        try:
            await self.pages.start()
            await self._launch()
        except Exception as exc:
            await self.stop()
            if isinstance(exc, AgentStartError):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AgentStartError(f"{self.title} did not start: {first}") from exc
        self._running = True

    async def stop(self) -> None:
        self._running = False
        while self._idle:
            with contextlib.suppress(Exception):
                await self._idle.pop().close()
        await self.pages.stop()
        await self._shutdown()

    @property
    def agent_url(self) -> str:
        return self.pages.agent_url

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported_in_page(case, draft, page, self.title, self.maps_names)

    def certificates(self, trust: Trust) -> str:
        return f"not checked: its pages ignore certificate errors ({self.ignoring})"

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[PageSession | ChatSession]:
        if not self._running:
            raise AgentStartError(f"the {self.name} agent was not started")
        rule = case.handshake.tls
        if rule:  # a page of its own: over https (mixed content), or checking certificates (untrusted)
            tab = await self._fresh(self.pages.secure_agent_url if rule == "mixed-content" else self.agent_url, rule)
        else:
            tab = await self._take(chat_url(case, target) if page == "chat" else self.agent_url)
        session: PageSession | ChatSession = (
            ChatSession(self.title, case, target, recorder, tab)
            if page == "chat"
            else PageSession(self.title, case, target, recorder, tab, self.pages.mixed_url)
        )
        reusable = False
        try:
            yield session
            reusable = session.reusable and not rule
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
        return await self._fresh(url)

    async def _fresh(self, url: str, rule: str = "") -> OwnTab:
        """A new page showing `url` with the in-page agent ready; it checks certificates for `untrusted`."""
        tab = await self._new_tab(checking=rule == "untrusted")
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
