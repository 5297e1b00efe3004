"""The chromium agent: Debian's Chromium, headless, driven by Playwright through the agent page.

One browser per run, one context per case. The agent page (page/agent.html) is served by a small HTTP
server of the driver's own on loopback, so any target works: Chromium's Local Network Access checks
refuse WebSockets to loopback from a page of any other origin (a routed or data: page included). The
page exposes the WebSocket API; every event it observes comes back through a binding. Only what a page
can observe is recorded. A case that needs something a page cannot do (a raw frame, a ping, a
handshake override, a draft other than RFC 6455) is UNIMPLEMENTED.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
from collections.abc import AsyncIterator, Sequence
from importlib.resources import files
from typing import Any

from aiohttp import web

from wire import Draft

from ..cases.model import Case, Chat, Handshake, Mark, Pause, Repeat, SendClose, SendMessage, Step, Wait, Write, walk
from ..run import events as ev
from ..run.driver import AgentStartError
from ..run.recorder import Recorder
from ..run.target import Target

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CLOSE_TIMEOUT = 3.0
OPEN_TIMEOUT = 10.0


def chromium_path() -> str | None:
    return next((p for p in CHROMIUM_PATHS if shutil.which(p)), None)


def unsupported_in_browser(case: Case, draft: Draft, page: str = "agent") -> str | None:
    """Why a page cannot express `case` in `draft`, or None."""
    if draft is not Draft.RFC6455:
        return "Chromium speaks only RFC 6455"
    if page == "chat":
        if any(not isinstance(step, Chat | Wait) for step in walk(case.steps)):
            return "the chat room page only joins, says, leaves and waits"
        return None
    h = case.handshake
    if (h.headers, h.extra_headers, h.method, h.http_version, h.key3, h.extensions, h.origin) != (
        (),
        (),
        "GET",
        "HTTP/1.1",
        None,
        (),
        Handshake().origin,
    ):
        return "a page cannot change the opening handshake"
    if h.path is not None and not h.path.startswith("/"):
        return "a page can only open a URL whose path starts with /"
    if case.expect_handshake.status != (101,):
        return "a page cannot see the status of a refused handshake"
    if case.expect_handshake.headers:
        return "a page cannot see the headers of the handshake answer"
    for step in walk(case.steps):
        reason = _step_unsupported(step)
        if reason:
            return reason
    for expected in (case.ok or ()) + (case.non_strict or ()) + (case.informational or ()):
        if expected.type == "mark":
            return "a page does not record marks"
        if expected.type != "message":
            return "a page cannot see pings or pongs"
        if expected.fragments is not None:
            return "a page cannot see how a message was fragmented"
    return None


def _step_unsupported(step: Step) -> str | None:
    if isinstance(step, SendMessage):
        if step.fragment_size or step.chop or step.sync:
            return "a page cannot choose fragmentation or TCP writes"
        if step.kind == "text" and not _is_utf8(step.payload.to_bytes()):
            return "a page can only send text that is valid UTF-8"
        return None
    if isinstance(step, SendClose):
        if step.raw is not None:
            return "a page cannot send a raw close payload"
        if step.mask_key is not None or step.chop or step.sync:
            return "a page cannot choose a mask key or TCP writes"
        if step.code is not None and step.code != 1000 and not 3000 <= step.code <= 4999:
            return f"a page may close only with 1000 or 3000-4999, not {step.code}"
        if len(step.reason.to_bytes()) > 123:
            return "a page may give a close reason of at most 123 bytes"
        return None
    if isinstance(step, Wait):
        return "a page cannot see pings or pongs" if step.for_ in ("ping", "pong") else None
    if isinstance(step, Repeat | Pause):
        return None
    if isinstance(step, Mark):
        return "a page does not record marks"
    if isinstance(step, Chat):
        return "chat steps need a chat page actor"
    return f"a page cannot send {type(step).__name__.removeprefix('Send').lower()} frames"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BrowserDriver:
    name = "chromium"

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None
        self._pages: web.AppRunner | None = None
        self.agent_url = ""

    @property
    def version(self) -> str:
        return f"Chromium {self._browser.version}" if self._browser is not None else "Chromium (not started)"

    async def start(self) -> None:
        """Launch the browser; AgentStartError with one clear line when it cannot start."""
        path = chromium_path()
        if path is None:
            raise AgentStartError(f"Chromium not found at {' or '.join(CHROMIUM_PATHS)} (apt-get install -y chromium)")
        try:
            from playwright.async_api import async_playwright

            await self._serve_agent_page()
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=path, headless=True, args=LAUNCH_ARGS
            )
        except Exception as exc:
            await self.stop()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AgentStartError(f"Chromium did not start: {first}") from exc

    async def _serve_agent_page(self) -> None:
        html = (files("harness.agents") / "page" / "agent.html").read_text(encoding="utf-8")

        async def agent(request: web.Request) -> web.Response:
            return web.Response(text=html, content_type="text/html")

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
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()
            self._playwright = None

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported_in_browser(case, draft, page)

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[PageSession | ChatSession]:
        if self._browser is None:
            raise AgentStartError("the browser agent was not started")
        context = await self._browser.new_context()
        try:
            tab = await context.new_page()
            if page == "chat":
                yield ChatSession(case, target, recorder, tab)
            else:
                session = PageSession(case, target, recorder, tab)
                await tab.expose_function("wsinteropEvent", session.on_event)
                await tab.goto(self.agent_url)
                yield session
        finally:
            await context.close()


class _Tab:
    """What every page session holds: its case, target, recorder and Playwright page."""

    def __init__(self, case: Case, target: Target, recorder: Recorder, page: Any) -> None:
        self.case = case
        self.target = target
        self.rec = recorder
        self.obs = recorder.observation
        self.page = page


class PageSession(_Tab):
    """One case in one page: performs the steps and turns page events into the observation."""

    def __init__(self, case: Case, target: Target, recorder: Recorder, page: Any) -> None:
        super().__init__(case, target, recorder, page)
        self.opened = False
        self.closed = False
        self.close_called = False
        self.error = False

    def on_event(self, type_: str, data: dict[str, Any]) -> None:
        obs, rec, t = self.obs, self.rec, self.rec.stamp()
        if type_ == "open":
            self.opened = True
            obs.status = 101
            obs.protocol = data.get("protocol") or None
            rec.record(ev.Opened(t, obs.protocol))
        elif type_ == "message":
            text = data["kind"] == "text"
            raw = data["text"].encode() if text else base64.b64decode(data["base64"])
            rec.record(ev.MessageIn(t, data["kind"], ev.PayloadInfo.of(raw, text)))
        elif type_ == "error":
            self.error = True
            rec.record(ev.Note(t, f"the page got an error event (readyState {data.get('readyState')})"))
        elif type_ == "close":
            self.closed = True
            self._closed(t, data.get("code"), bool(data.get("wasClean")), str(data.get("reason") or ""))
        else:
            rec.record(ev.Note(t, f"{type_}: {data}"))

    def _closed(self, t: float, code: int | None, clean: bool, reason: str) -> None:
        """The page's close event, as what went over the wire: a browser that failed the connection, the
        peer's close frame (code 1005: one without a code; 1006: none at all) and the browser's answer."""
        rec = self.rec
        if self.error and self.opened:
            rec.record(ev.Failure(t, code, f"Chromium failed the connection (error event, close code {code})"))
        elif clean:
            rec.record(ev.CloseIn(t, None if code == 1005 else code, reason))
            if not self.close_called:
                rec.record(ev.CloseOut(t, code))  # the browser answered the peer's close
        rec.record(ev.TcpClosed(t, "peer", "" if clean else "the close event says not clean"))

    async def call(self, expression: str, *args: Any) -> None:
        await self.page.evaluate(expression, list(args))

    @property
    def ended(self) -> bool:
        return self.closed

    async def open(self) -> bool:
        url = self.target.url if self.case.handshake.path is None else self._with_path(self.case.handshake.path)
        self.obs.handshake_request = f"new WebSocket({url!r}, {list(self.case.handshake.protocols)!r})"
        await self.call("([u, p]) => wsAgent.open(u, p)", url, list(self.case.handshake.protocols))
        if not await self.rec.wait_until(lambda: self.opened or self.closed, OPEN_TIMEOUT):
            self.rec.record(ev.TimedOut(self.rec.stamp(), "the page to open the WebSocket", OPEN_TIMEOUT, final=True))
            return False
        return self.opened  # not opened: the handshake failed; the page saw error and close, nothing else

    def _with_path(self, path: str) -> str:
        return f"{'wss' if self.target.secure else 'ws'}://{self.target.authority}{path}"

    async def perform(self, steps: Sequence[Step]) -> None:
        for step in steps:
            if self.closed:
                return
            await self.step(step)

    async def step(self, step: Step) -> None:
        if isinstance(step, Repeat | Write):  # a page has no say in how its messages reach TCP
            for _ in range(step.count if isinstance(step, Repeat) else 1):
                await self.perform(step.steps)
        elif isinstance(step, SendMessage):
            data = step.payload.to_bytes()
            if step.kind == "text":
                await self.call("([d]) => wsAgent.send('text', d, false)", data.decode("utf-8", "replace"))
            else:
                encoded = base64.b64encode(data).decode("ascii")
                await self.call("([d, b]) => wsAgent.send('binary', d, b)", encoded, step.as_blob)
        elif isinstance(step, SendClose):
            await self._close(step.code, step.reason.to_bytes().decode("utf-8", "replace"))
        elif isinstance(step, Wait):
            await self.wait(step)
        elif isinstance(step, Pause):
            await self.rec.wait_until(lambda: self.closed, step.seconds)

    async def _close(self, code: int | None, reason: str = "") -> None:
        if not self.close_called and not self.closed:
            self.rec.record(ev.CloseOut(self.rec.stamp(), code, reason))
        self.close_called = True
        await self.call("([c, r]) => wsAgent.close(c, r)", code, reason)

    async def wait(self, step: Wait) -> None:
        if step.for_ in ("close", "tcp_closed"):
            if not await self.rec.wait_until(lambda: self.closed, step.timeout):
                self.rec.record(ev.TimedOut(self.rec.stamp(), step.for_, step.timeout))
        else:
            await self.rec.wait_for("message", step.count, step.timeout, lambda: self.closed)

    async def finish(self) -> None:
        if self.case.close.by != "server" and not self.closed and not self.close_called:
            await self._close(1000)
        timeout = CLOSE_TIMEOUT if self.close_called else self.case.timeout
        if not await self.rec.wait_until(lambda: self.closed, timeout):
            self.rec.record(ev.TimedOut(self.rec.stamp(), "the close event", timeout, final=True))


class ChatSession(_Tab):
    """A person in the chat room page: join, say, leave; the lines the page shows are the observation."""

    def __init__(self, case: Case, target: Target, recorder: Recorder, page: Any) -> None:
        super().__init__(case, target, recorder, page)
        self.joined = False
        self.seen = 0  # chat lines consumed by wait steps

    @property
    def ended(self) -> bool:
        return False

    async def open(self) -> bool:
        protocols = self.case.handshake.protocols
        query = f"?protocol={protocols[0]}" if protocols else ""
        url = f"http://{self.target.authority}{self.target.path}{query}"
        self.obs.handshake_request = f"GET {url} (the chat room page)"
        await self.page.goto(url)
        return True

    async def _state(self, *states: str) -> None:
        selector = ", ".join(f"#status[data-state={s}]" for s in states)
        await self.page.wait_for_selector(selector, timeout=OPEN_TIMEOUT * 1000)

    async def perform(self, steps: Sequence[Step]) -> None:
        for step in steps:
            await self.step(step)

    async def step(self, step: Step) -> None:
        if isinstance(step, Chat):
            if step.action == "join":
                await self.page.fill("#join-name", step.text)
                await self.page.click("#join-button")
                await self._state("open", "closed")
                self.joined = True
                self.obs.status = 101
                self.rec.record(ev.Opened(self.rec.stamp()))
                self.rec.record(ev.Note(self.rec.stamp(), f"joined as {step.text}"))
            elif step.action == "say":
                await self.page.fill("#chat-input", step.text)
                await self.page.press("#chat-input", "Enter")
                self.rec.record(ev.Note(self.rec.stamp(), f"said {step.text}"))
            else:
                await self._leave()
        elif isinstance(step, Wait):
            wanted = self.seen + step.count
            self.seen = wanted
            try:
                await self.page.wait_for_function(
                    "n => document.querySelectorAll('#messages .message').length >= n",
                    arg=wanted,
                    timeout=step.timeout * 1000,
                )
            except Exception:  # Playwright's TimeoutError: recorded, the judge decides
                self.rec.record(ev.TimedOut(self.rec.stamp(), f"{wanted} chat lines", step.timeout))

    async def _leave(self) -> None:
        self.rec.record(ev.CloseOut(self.rec.stamp(), 1000))
        await self.page.click("#leave-button")
        await self._state("closed", "idle")
        code = await self.page.get_attribute("#status", "data-close-code")
        t = self.rec.stamp()
        self.rec.record(ev.CloseIn(t, int(code) if code and code.isdigit() else None))
        self.rec.record(ev.TcpClosed(t, "peer"))
        self.joined = False

    async def finish(self) -> None:
        # the rendered text, not the data attributes: markup injected as HTML would change it
        lines = await self.page.eval_on_selector_all(
            "#messages .message",
            "els => els.map(e => [(e.querySelector('.from') || {textContent: ''}).textContent,"
            " e.querySelector('.text').textContent])",
        )
        self.rec.record(ev.ChatShown(self.rec.stamp(), tuple((str(f), str(x)) for f, x in lines)))
        self.obs.attachments["screenshot.png"] = await self.page.screenshot(full_page=True)
        if self.joined:
            await self._leave()
