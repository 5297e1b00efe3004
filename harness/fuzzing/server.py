"""An Autobahn-compatible fuzzing server: clients under test connect, wsinterop plays the server's side.

It serves Autobahn|Testsuite's fuzzingserver URLs, so that a testee written for Autobahn runs unchanged:

- `/getCaseCount`: the number of cases, as a text message;
- `/runCase?case=N&agent=A` (or `casetuple=ID`): case N, judged, its result kept under agent A and the
  draft the testee's handshake spoke;
- `/getCaseInfo?case=N`: `{"id", "description"}`; `/getCaseStatus?case=N&agent=A`: `{"behavior"}` of
  that case's result for the agent (once it is there);
- `/updateReports?agent=A`: the report of every result so far (the usual reporters, each agent a column)
  written to the output directory;
- `/stopServer`: the server stops.

Each connection is a wire `Connection.server()` on a `Link`; a `/runCase` connection is handed to the
engine's `run_item` through an `AcceptedDriver` (harness/agents/serving.py), so a case runs, times out and
is judged exactly as on the client's side.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wire import CloseReceived, Closing, Connection, ConnectionClosed, Draft, Event, HandshakeRequest, Rejection, State

from ..agents.link import Link
from ..agents.python import COMPRESSION_LEVEL
from ..agents.serving import AcceptedDriver
from ..report import ReportWriter
from ..run.engine import Item, run_item
from ..run.results import CaseResult, RunInfo
from ..run.target import Target
from .catalogue import ServerCases

CONTROL_TIMEOUT = 5.0  # seconds a control connection's client has to answer the server's close
STATUS_TIMEOUT = 120.0  # seconds /getCaseStatus waits for a result that is still running

Key = tuple[str, str, str]  # (case id, draft, agent)


@dataclass
class Results:
    """The results so far, by (case id, draft, agent); waiters for a result that is not there yet."""

    by_key: dict[Key, CaseResult] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, result: CaseResult) -> None:
        self.by_key[(result.case.id, result.draft, result.agent)] = result
        self.arrived.set()
        self.arrived = asyncio.Event()

    def latest(self, case_id: str, agent: str) -> CaseResult | None:
        found = [r for (i, _, a), r in self.by_key.items() if i == case_id and a == agent]
        return max(found, key=lambda r: r.started) if found else None

    async def wait(self, case_id: str, agent: str, timeout: float) -> CaseResult | None:
        deadline = time.monotonic() + timeout
        while (result := self.latest(case_id, agent)) is None and time.monotonic() < deadline:
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    await self.arrived.wait()
            except TimeoutError:
                break
        return result


class Visit:
    """One TCP connection to the fuzzing server, until its request says what it is for."""

    def __init__(self, server: FuzzingServer) -> None:
        self.server = server
        self.conn = Connection.server(compression_level=COMPRESSION_LEVEL)  # a case's messages, if compressed
        self.link = Link(self.conn, self.on_events)
        self.done = asyncio.Event()  # the peer's close came, or TCP ended

    def on_events(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, HandshakeRequest):
                self.server.dispatch(self, event)
            elif isinstance(event, CloseReceived | ConnectionClosed):
                self.done.set()
            elif self.conn.state is State.FAILED:  # not HTTP: its 400 is queued, the Link writes it
                self.server.spawn(self.link.aclose())

    async def reply(self, texts: list[str]) -> None:
        """A control connection: open it, send `texts` as text messages, close, and end TCP once the
        client answered the close (or CONTROL_TIMEOUT seconds passed)."""
        conn = self.conn
        if conn.state is State.CONNECTING:
            conn.accept()
        if conn.state is State.OPEN:
            for text in texts:
                conn.send_text(text)
            if conn.info.closing is not Closing.TCP:
                conn.send_close(1000 if conn.info.close_codes else None)
                self.link.flush()
                try:
                    async with asyncio.timeout(CONTROL_TIMEOUT):
                        await self.done.wait()
                except TimeoutError:
                    pass
        self.link.flush()
        await self.link.aclose()


def _param(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


class FuzzingServer:
    """The fuzzing server over `cases`; `start()` listens, `stopped` is set by /stopServer or `stop()`."""

    def __init__(
        self, cases: ServerCases, out: Path | None = None, on_result: Callable[[CaseResult], None] = lambda r: None
    ) -> None:
        self.cases = cases
        self.out = out
        self.on_result = on_result
        self.results = Results()
        self.stopped = asyncio.Event()
        self.url = ""
        self.last_seen = time.monotonic()  # when a connection last came or a case last ended
        self._tasks: set[asyncio.Task[None]] = set()
        self._cases: set[asyncio.Task[None]] = set()  # the /runCase tasks still running
        self._server: asyncio.Server | None = None
        self._target: Target | None = None
        self._started = time.time()

    async def start(self, host: str = "127.0.0.1", port: int = 9001) -> str:
        """Listen; the URL testees are given (ws://host:port)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: Visit(self).link, host, port)
        bound = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://{host}:{bound}"
        self._target = Target.parse(self.url + "/")
        return self.url

    async def stop(self) -> None:
        """Stop listening, let the cases in progress end (each has its ceiling), and close."""
        self.stopped.set()
        if self._server is not None:
            self._server.close()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a coroutine as a task the server owns (awaited on stop)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- what a request is for -------------------------------------------------------------------------

    def dispatch(self, visit: Visit, request: HandshakeRequest) -> None:
        self.last_seen = time.monotonic()
        url = urllib.parse.urlsplit(request.request.target)
        query = urllib.parse.parse_qs(url.query)
        agent = _param(query, "agent")
        number = self._number(query)
        path = url.path
        if path == "/runCase" and number is not None and agent and request.draft is not None:
            running = self.spawn(self.run_case(visit, request, number, agent))
            self._cases.add(running)
            running.add_done_callback(self._cases.discard)
        elif path == "/getCaseCount":
            self.spawn(visit.reply([json.dumps(len(self.cases))]))
        elif path == "/getCaseInfo" and number is not None:
            case = self.cases.first(self.cases.ids[number - 1])
            info = {"id": case.id, "description": f"{case.info.title}: {case.info.description}"}
            self.spawn(visit.reply([json.dumps(info)]))
        elif path == "/getCaseStatus" and number is not None and agent:
            self.spawn(self.case_status(visit, self.cases.ids[number - 1], agent))
        elif path == "/updateReports":
            self.spawn(self.report(visit))
        elif path == "/stopServer":
            self.spawn(visit.reply([]))
            self.stopped.set()
        else:  # a request Autobahn would refuse too: no case, no agent, an unknown path
            visit.conn.reject(_bad_request(path, query))
            self.spawn(visit.link.aclose())

    def _number(self, query: dict[str, list[str]]) -> int | None:
        """The case number of `case=N` or `casetuple=ID`, when there is such a case."""
        case_id = _param(query, "casetuple")
        if case_id is not None:
            return self.cases.number_of(case_id.strip())
        number = _param(query, "case")
        if number is None or not number.isdigit():
            return None
        return int(number) if self.cases.id_at(int(number)) is not None else None

    # --- the work ----------------------------------------------------------------------------------------

    async def run_case(self, visit: Visit, request: HandshakeRequest, number: int, agent: str) -> None:
        case_id = self.cases.ids[number - 1]
        draft = request.draft
        assert draft is not None and self._target is not None
        case = self.cases.for_draft(case_id, draft)
        if case is not None:
            item = Item(case, draft, AcceptedDriver(agent, visit.conn, visit.link, request))
            result = await run_item(item, self._target)
            self.results.add(result)
            self.on_result(result)
        if visit.conn.state is State.CONNECTING:  # no such case in this draft, or one it cannot express
            await visit.reply([])
        self.last_seen = time.monotonic()

    async def report(self, visit: Visit) -> None:
        """/updateReports: open at once, and write the report once the cases still running have ended (a
        testee may move on while a case it left is running to its ceiling): every case it ran is in it."""
        visit.conn.accept()
        visit.link.flush()
        if self._cases:
            await asyncio.wait(set(self._cases))
        self.update_reports()
        await visit.reply([])

    async def case_status(self, visit: Visit, case_id: str, agent: str) -> None:
        result = await self.results.wait(case_id, agent, STATUS_TIMEOUT)
        behavior = str(result.verdict.behavior) if result is not None else "UNKNOWN"
        await visit.reply([json.dumps({"behavior": behavior})])

    def update_reports(self) -> Path | None:
        """Write the report of every result so far into the output directory (Autobahn's updateReports)."""
        if self.out is None:
            return None
        write_report(self.out, list(self.results.by_key.values()), self.url, self._started, directory=self.out)
        return self.out


def _bad_request(path: str, query: dict[str, list[str]]) -> Rejection:
    return Rejection(400, f"the fuzzing server has nothing at {path} with {query or 'no parameters'}")


def write_report(
    out: Path,
    results: list[CaseResult],
    url: str,
    started: float,
    *,
    directory: Path | None = None,
    run_id: str = "clients",
    agents: dict[str, str] | None = None,
) -> ReportWriter:
    """One report of client results: each agent a column, each result under the draft its testee spoke."""
    drafts = tuple(d.value for d in Draft if any(r.draft == d.value for r in results))
    names = agents if agents is not None else {r.agent: "client under test" for r in results}
    info = RunInfo(run_id=run_id, started=started, target=url, drafts=drafts, agents=names, case_count=len(results))
    writer = ReportWriter(out, info, directory=directory)
    for result in sorted(results, key=lambda r: r.started):
        writer.add(result)
    writer.finish(time.time() - started)
    return writer
