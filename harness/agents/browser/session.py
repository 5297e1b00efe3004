"""One case in one browser page: the session hands the page its program (program.py) segment by segment
and turns what the page observed into the observation.

The page does the work and the timing (page/agent.js); the session only starts each segment and reads
its result. Every result carries the page's clock, so events keep the page's times on the recorder's
clock. Sessions see the page through `Tab`, which Playwright (driver.py) and WebDriver implement alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import Any, Protocol

from ...cases.model import Case, Chat, Step
from ...run import events as ev
from ...run.recorder import Recorder
from ...run.target import Target
from .program import CLOSE_TIMEOUT, OPEN_TIMEOUT, Program

CALL = "([method, arg]) => wsAgent[method](arg)"
ERROR_EVENT = "the page got an error event"  # a Note's text begins so
FINAL = frozenset({"the case to end", "the close event"})  # the page's timeouts after which nothing more happens


@cache
def agent_script() -> str:
    """page/agent.js as a function expression, for Tab.evaluate (it defines window.wsAgent once)."""
    source = (files("harness.agents") / "page" / "agent.js").read_text(encoding="utf-8")
    return f"() => {{\n{source}\n}}"


def payload_info(summary: dict[str, Any]) -> ev.PayloadInfo:
    """A payload as the page summarized it (size, SHA-256 and a preview: agent.js's summarize)."""
    text = summary["kind"] == "text"
    preview = str(summary.get("text" if text else "hex", ""))
    return ev.PayloadInfo(summary["size"], summary["sha256"], preview, text, bool(summary.get("truncated")))


class Tab(Protocol):
    """A browser page as sessions use it."""

    async def goto(self, url: str) -> None: ...

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        """Apply the JavaScript function expression `function` to `arg` in the page; its (awaited) result."""
        ...

    async def screenshot(self) -> bytes: ...


def chat_url(case: Case, target: Target) -> str:
    """The chat room page, served by the target (over https for a wss:// target), with the case's subprotocol."""
    protocols = case.handshake.protocols
    query = f"?protocol={protocols[0]}" if protocols else ""
    return f"{target.origin}{target.path}{query}"


async def load(tab: Tab, url: str) -> None:
    """Open `url` in the tab and put the in-page agent in it."""
    await tab.goto(url)
    await tab.evaluate(agent_script())


class PageProgramError(RuntimeError):
    """The in-page agent rejected its program or could not run it: a harness error, never a verdict."""


class _PageSession:
    """What both kinds of page session share: the case, the recorder, the page and the page's clock."""

    def __init__(self, title: str, case: Case, target: Target, recorder: Recorder, tab: Tab) -> None:
        self.title = title  # the engine, for reasons in the report: "Chromium", "Firefox"
        self.case = case
        self.target = target
        self.rec = recorder
        self.obs = recorder.observation
        self.tab = tab
        self.offset: float | None = None  # recorder seconds at the page's performance.now() == 0

    async def call(self, method: str, arg: Any = None, final: frozenset[str] = FINAL) -> dict[str, Any]:
        """wsAgent[method](arg) in the page; its events are recorded (on the page's clock) before it returns.
        A page timeout waiting for one of `final` ended the case."""
        try:
            text = await self.tab.evaluate(CALL, [method, arg])
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PageProgramError(f"the {self.title} page agent failed in {method}(): {first}") from exc
        result: dict[str, Any] = json.loads(text)
        if self.offset is None:  # at most the call's return latency late, and one offset for the whole case
            self.offset = self.rec.now() - result["now"] / 1000
        for event in result["events"]:
            t, data = round(self.offset + event["t"] / 1000, 6), event["data"]
            if event["type"] == "timeout":
                what = str(data.get("waiting_for"))
                self.rec.record(ev.TimedOut(t, what, float(data.get("seconds", 0)), final=what in final))
            elif event["type"] == "message":
                self.rec.record(ev.MessageIn(t, data["kind"], payload_info(data)))
            else:
                self.on_event(t, event["type"], data)
        return result

    def on_event(self, t: float, type_: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    async def perform(self, steps: Sequence[Step]) -> None:
        await self.call("run", Program().compile(steps))


class PageSession(_PageSession):
    """A WebSocket opened by the agent page, driven by the case's steps. `mixed_url`: the ws:// URL a page
    over https opens in the mixed-content case (pages.py)."""

    def __init__(
        self, title: str, case: Case, target: Target, recorder: Recorder, tab: Tab, mixed_url: str = ""
    ) -> None:
        super().__init__(title, case, target, recorder, tab)
        self.mixed_url = mixed_url
        self.refusing = case.expect_handshake.refused  # a refusal is the observation, not a limit of the page
        self.opened = False
        self.closed = False
        self.error = False
        self.close_called = False

    @property
    def ended(self) -> bool:
        return self.closed

    @property
    def reusable(self) -> bool:
        """The page may serve another session: its WebSocket closed (wsAgent.reset forgets it)."""
        return self.closed

    def on_event(self, t: float, type_: str, data: dict[str, Any]) -> None:
        obs, rec = self.obs, self.rec
        if type_ == "open":
            self.opened = True
            obs.status = 101
            obs.protocol = data.get("protocol") or None
            rec.record(ev.Opened(t, obs.protocol))
        elif type_ == "error":
            self.error = True
            rec.record(ev.Note(t, f"{ERROR_EVENT} (readyState {data.get('readyState')})"))
            if self.refusing and not self.opened:
                rec.record(ev.Refused(t, "an error event, and the WebSocket never opened"))
        elif type_ == "close_called":
            if not self.close_called and not self.closed:
                rec.record(ev.CloseOut(t, data.get("code"), str(data.get("reason") or "")))
            self.close_called = True
        elif type_ == "close":
            self.closed = True
            self._closed(t, data.get("code"), bool(data.get("wasClean")), str(data.get("reason") or ""))
        elif type_ == "sent":
            rec.record(ev.Sent(t, data["kind"], int(data["size"]), bool(data.get("blob"))))
        elif type_ == "exception" and not self.opened and not self.closed:
            thrown = f"{data.get('name')}: {data.get('message')}"
            if self.refusing:
                rec.record(ev.Refused(t, f"new WebSocket() threw {thrown}"))
            else:
                obs.unimplemented = f"{self.title} refused new WebSocket(): {thrown}"
        else:
            rec.record(ev.Note(t, f"{type_}: {json.dumps(data, sort_keys=True)}"))

    def _closed(self, t: float, code: int | None, clean: bool, reason: str) -> None:
        """The page's close event, as what went over the wire: a browser that failed the connection, the
        peer's close frame (code 1005: one without a code; 1006: none at all), the browser's answer."""
        rec = self.rec
        if self.error and self.opened:
            rec.record(ev.Failure(t, code, f"{self.title} failed the connection (error event, close code {code})"))
        elif clean or code not in (1005, 1006):
            rec.record(ev.CloseIn(t, None if code == 1005 else code, reason))
            if clean and not self.close_called:
                rec.record(ev.CloseOut(t, code))  # the browser answered the peer's close
        rec.record(ev.TcpClosed(t, "peer", "" if clean else "the close event says not clean"))

    async def open(self) -> bool:
        url = self.url()
        if url is None:
            return False
        protocols = list(self.case.handshake.protocols)
        self.obs.handshake_request = f"new WebSocket({url!r}, {protocols!r})"
        args = {"url": url, "protocols": protocols, "timeout": OPEN_TIMEOUT, "caseTimeout": self.case.timeout}
        await self.call("open", args, FINAL | {"the open event"})
        return self.opened  # not opened: the handshake failed; the page saw error and close, nothing else

    def url(self) -> str | None:
        """The URL the case opens; None (the case UNIMPLEMENTED) when the target cannot serve it."""
        rule, path, target = self.case.handshake.tls, self.case.handshake.path, self.target
        if rule == "mixed-content":
            return self.mixed_url
        if rule == "untrusted" and (not target.secure or target.trust.ca is None):
            self.obs.unimplemented = (
                "needs a wss:// target and the CA that signs its certificate (--ca): a CA the page is not told of"
            )
            return None
        return target.url if path is None else f"{'wss' if target.secure else 'ws'}://{target.authority}{path}"

    async def finish(self) -> None:
        await self.call("finish", {"close": self.case.close.by != "peer", "closeTimeout": CLOSE_TIMEOUT})


class ChatSession(_PageSession):
    """A person in the chat room page: join, say, leave; the lines the page shows are the observation."""

    def __init__(self, title: str, case: Case, target: Target, recorder: Recorder, tab: Tab) -> None:
        super().__init__(title, case, target, recorder, tab)
        self.joined = False

    @property
    def ended(self) -> bool:
        return False

    def on_event(self, t: float, type_: str, data: dict[str, Any]) -> None:
        rec = self.rec
        if type_ == "open":
            self.joined = True
            self.obs.status = 101
            rec.record(ev.Opened(t))
            rec.record(ev.Note(t, f"joined as {data.get('name')}"))
        elif type_ == "close":  # the page left the room (or could not stay): a person's leaving, as the page shows it
            self.joined = False
            code = data.get("code")
            rec.record(ev.CloseOut(t, 1000))
            rec.record(ev.CloseIn(t, int(code) if code and str(code).isdigit() else None))
            rec.record(ev.TcpClosed(t, "peer"))
        elif type_ == "said":
            rec.record(ev.Note(t, f"said {data.get('text')}"))
        else:
            rec.record(ev.Note(t, f"{type_}: {json.dumps(data, sort_keys=True)}"))

    @property
    def reusable(self) -> bool:
        """The page may serve another session: it left the room (a later session loads its own page)."""
        return not self.joined

    async def open(self) -> bool:
        self.obs.handshake_request = f"GET {chat_url(self.case, self.target)} (the chat room page)"
        await self.call("watchChat", {"caseTimeout": self.case.timeout})
        return True

    async def finish(self) -> None:
        # the rendered text, not the data attributes: markup injected as HTML would change it
        result = await self.call("chatLines")
        lines = tuple((str(f), str(x)) for f, x in result["lines"])
        self.rec.record(ev.ChatShown(self.rec.stamp(), lines))
        self.obs.attachments["screenshot.png"] = await self.tab.screenshot()
        if self.joined:
            await self.perform([Chat("leave")])
