"""harness.run.engine: planning, ceilings, harness errors and verdicts end to end (python driver, broken peers)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import pytest

from harness.agents.python import PythonDriver
from harness.cases.model import (
    Actor,
    As,
    Case,
    ExpectClose,
    ExpectHandshake,
    Handshake,
    Payload,
    Rule,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    Step,
    Wait,
)
from harness.run import engine
from harness.run.engine import Item, drive, moot, plan, run_item, run_items, segments
from harness.run.events import HarnessError, TimedOut
from harness.run.recorder import Recorder
from harness.run.results import Behavior, CaseResult, CloseBehavior, Observation
from harness.run.target import Target
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import Draft, HttpError

from .. import peers
from ..peers import BY_SERVER, Peer, make_case, text

RFC = Draft.RFC6455
HYBI = (Draft.HYBI_06, Draft.HYBI_07, Draft.HYBI_08, Draft.RFC6455)
ECHO_HELLO = make_case(
    SendMessage("text", Payload(text="Hello")),
    Wait("message", timeout=5),
    ok=(text("Hello"),),
    timeout=5,
)


@pytest.fixture
async def reference() -> AsyncIterator[Target]:
    async with ReferenceServer(ServerConfig(port=0)) as server:
        yield Target("127.0.0.1", server.port)


async def run(case: Case, target: Target, draft: Draft = RFC) -> CaseResult:
    return await run_item(Item(case, draft, PythonDriver()), target)


class FakeSession:
    """A connection that does what its driver's `behave` says when it opens."""

    def __init__(self, driver: FakeDriver) -> None:
        self.driver = driver
        self.ended = False

    async def open(self) -> bool:
        self.driver.runs += 1
        if self.driver.behave == "raise":
            raise RuntimeError("boom")
        if self.driver.behave == "refuse":
            return False
        if self.driver.behave == "hang":
            try:
                await asyncio.Event().wait()
            finally:
                self.driver.cancelled.set()
        await self.driver.opened()
        return True

    async def perform(self, steps: Sequence[Step]) -> None:
        self.driver.performed.append(tuple(steps))
        self.ended = self.driver.behave == "end after a step"

    async def finish(self) -> None:
        self.driver.finished += 1


class FakeDriver:
    """A driver whose sessions are FakeSessions; counts what the engine asked of it."""

    name = "python"
    version = "fake 1.0"
    overhead = 5.0

    def __init__(self, behave: str = "return", unsupported: str | None = None) -> None:
        self.behave = behave
        self.reason = unsupported
        self.runs = 0
        self.finished = 0
        self.performed: list[tuple[Step, ...]] = []
        self.cancelled = asyncio.Event()

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return self.reason

    async def opened(self) -> None:
        """Called once a session opened; a subclass may hold it there."""

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[FakeSession | None]:
        yield FakeSession(self)


# --- planning ----------------------------------------------------------------------------------------


def test_plan_keeps_report_order_and_skips_what_a_case_does_not_run_on() -> None:
    a = make_case(case_id="1", drafts=("hybi-07", "rfc6455"))
    b = make_case(case_id="2", drafts=("hixie-75",))
    c = make_case(case_id="3", agents=("chromium",))
    python = FakeDriver()
    items = plan([a, b, c], [Draft.HIXIE_75, Draft.HYBI_07, Draft.RFC6455], [python])
    assert [(i.case.id, i.draft) for i in items] == [
        ("1", Draft.HYBI_07),
        ("1", Draft.RFC6455),
        ("2", Draft.HIXIE_75),
    ]
    assert all(i.driver is python for i in items)
    assert plan([a], [Draft.HIXIE_76], [python]) == []


# --- what the engine decides itself ------------------------------------------------------------------


async def test_a_draft_the_case_marks_unimplemented_never_runs() -> None:
    driver = FakeDriver()
    case = make_case(unimplemented={"hixie-75": "hixie-75 cannot say this"})
    result = await run_item(Item(case, Draft.HIXIE_75, driver), Target("127.0.0.1", 9))
    assert driver.runs == 0
    assert (result.verdict.behavior, result.verdict.behavior_reason) == (
        Behavior.UNIMPLEMENTED,
        "hixie-75 cannot say this",
    )
    assert result.verdict.close is CloseBehavior.UNIMPLEMENTED
    assert (result.case, result.draft, result.agent) == (case.info, "hixie-75", "python")
    assert result.expected == case.expected_json()


async def test_an_agent_that_cannot_express_a_case_never_runs() -> None:
    driver = FakeDriver(unsupported="a browser cannot send a raw frame")
    result = await run_item(Item(make_case(), RFC, driver), Target("127.0.0.1", 9))
    assert driver.runs == 0
    assert result.verdict.behavior is Behavior.UNIMPLEMENTED
    assert result.verdict.close_reason == "a browser cannot send a raw frame"


@pytest.mark.parametrize(
    ("step", "draft", "reason"),
    [
        (SendMessage("binary", Payload(text="x")), Draft.HIXIE_76, "hixie-76 has no binary messages"),
        (SendPing(Payload(text="x")), Draft.HIXIE_75, "hixie-75 has no ping or pong frames"),
    ],
)
async def test_a_step_the_draft_cannot_express_is_unimplemented(step: SendPing, draft: Draft, reason: str) -> None:
    async with Peer(peers.silent) as peer:
        result = await run(make_case(step), peer.target, draft)
        assert peer.links == []  # nothing was even attempted
    assert (result.verdict.behavior, result.verdict.behavior_reason) == (Behavior.UNIMPLEMENTED, reason)
    assert (result.verdict.close, result.verdict.close_reason) == (CloseBehavior.UNIMPLEMENTED, reason)
    assert not result.verdict.failed


async def test_a_driver_exception_is_a_failed_verdict_with_its_traceback() -> None:
    result = await run_item(Item(make_case(), RFC, FakeDriver("raise")), Target("127.0.0.1", 9))
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "harness error: RuntimeError: boom")
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "harness error: RuntimeError: boom")
    (error,) = [e for e in result.observation.events if isinstance(e, HarnessError)]
    assert "RuntimeError: boom" in error.traceback
    assert "Traceback" in error.traceback


async def test_a_hung_driver_meets_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    driver = FakeDriver("hang")
    driver.overhead = 0.2
    started = time.monotonic()
    result = await run_item(Item(make_case(timeout=0.1), RFC, driver), Target("127.0.0.1", 9))
    assert time.monotonic() - started < 5  # a ceiling, not a timing
    assert driver.cancelled.is_set()
    obs = result.observation
    (timeout,) = [e for e in obs.events if isinstance(e, TimedOut)]
    assert (timeout.waiting_for, timeout.seconds, timeout.final) == ("the case to end", pytest.approx(0.3), True)
    assert result.verdict.behavior is Behavior.FAILED
    assert result.verdict.failed


async def test_a_peer_that_never_answers_the_handshake_meets_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PythonDriver, "overhead", 0.2)
    async with Peer(peers.mute) as peer:
        started = time.monotonic()
        result = await run(make_case(timeout=0.3), peer.target)
        assert time.monotonic() - started < 5
        await peer.wait_finished()  # the driver's connection was closed when it was cancelled
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "no handshake answer before the case timed out")
    assert v.failed


# --- one connection through a case ------------------------------------------------------------------

STEPS = (SendMessage("text", Payload(text="a")), Wait("message"), SendPing(Payload(text="b")))


async def test_drive_hands_the_session_every_step_at_once_then_finishes() -> None:
    driver = FakeDriver()
    await drive(driver, make_case(*STEPS), RFC, Target("127.0.0.1", 9), Recorder())
    assert (driver.runs, driver.performed, driver.finished) == (1, [STEPS], 1)


def test_a_scenario_runs_in_segments_of_one_actor_each() -> None:
    a1, a2, b1, a3 = (As(actor, SendMessage("text", Payload(text=n))) for actor, n in zip("aaba", "1234", strict=True))
    assert list(segments((a1, a2, b1, a3))) == [("a", (a1.step, a2.step)), ("b", (b1.step,)), ("a", (a3.step,))]


async def test_a_scenario_skips_the_segments_of_an_actor_whose_connection_ended() -> None:
    ann, bob = FakeDriver("end after a step"), FakeDriver()
    steps = [As(actor, SendMessage("text", Payload(text=n))) for actor, n in zip("aaba", "1234", strict=True)]
    case = make_case(*steps, actors=(Actor("a"), Actor("b")))
    cast = [
        engine._Actor(name, case.for_actor(Actor(name)), RFC, driver, "agent", Recorder())
        for name, driver in (("a", ann), ("b", bob))
    ]
    await engine.play(case, cast, Target("127.0.0.1", 9))
    assert ann.performed == [(steps[0].step, steps[1].step)]  # its second segment was skipped
    assert bob.performed == [(steps[2].step,)]
    assert (ann.finished, bob.finished) == (1, 1)


async def test_drive_does_nothing_more_when_the_handshake_fails() -> None:
    driver = FakeDriver("refuse")
    await drive(driver, make_case(*STEPS), RFC, Target("127.0.0.1", 9), Recorder())
    assert (driver.runs, driver.performed, driver.finished) == (1, [], 0)


# --- run_items ---------------------------------------------------------------------------------------


async def test_run_items_bounds_concurrency_and_reports_each_result() -> None:
    active = 0
    peak = 0
    started = 0
    two_running = asyncio.Event()
    gate = asyncio.Event()

    class Gated(FakeDriver):
        async def opened(self) -> None:
            nonlocal active, peak, started
            started += 1
            active += 1
            peak = max(peak, active)
            if active == 2:
                two_running.set()
            await gate.wait()
            active -= 1

    items = [Item(make_case(case_id=str(n)), RFC, Gated()) for n in range(5)]
    seen: list[str] = []

    async def on_result(result: CaseResult) -> None:
        seen.append(result.case.id)

    task = asyncio.create_task(run_items(items, Target("127.0.0.1", 9), 2, on_result))
    await asyncio.wait_for(two_running.wait(), 5)
    for _ in range(20):
        await asyncio.sleep(0)  # let every other item try to start
    assert started == 2
    gate.set()
    results = await asyncio.wait_for(task, 5)
    assert peak == 2
    assert sorted(seen) == [str(n) for n in range(5)]
    assert sorted(r.case.id for r in results) == sorted(seen)


async def test_run_items_accepts_a_plain_callback_and_zero_jobs() -> None:
    seen: list[CaseResult] = []
    items = [Item(make_case(case_id=str(n)), RFC, FakeDriver()) for n in range(3)]
    results = await asyncio.wait_for(run_items(items, Target("127.0.0.1", 9), 0, seen.append), 5)
    assert len(results) == len(seen) == 3


# --- verdicts end to end: the python driver against broken peers --------------------------------------


@pytest.mark.parametrize("draft", list(Draft))
async def test_the_reference_server_passes_an_echo(reference: Target, draft: Draft) -> None:
    result = await run(ECHO_HELLO, reference, draft)
    assert result.verdict.behavior is Behavior.OK, result.verdict
    assert result.verdict.close is CloseBehavior.OK, result.verdict
    assert result.verdict.close_reason.startswith("closed by wsinterop")


@pytest.mark.parametrize("draft", [Draft.HYBI_07, Draft.HYBI_08, Draft.RFC6455])
async def test_invalid_utf8_from_the_peer_fails_the_case(draft: Draft) -> None:
    async with Peer(peers.utf8_breaker) as peer:
        result = await run(ECHO_HELLO, peer.target, draft)
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected text message of 5 bytes; received nothing")
    assert v.close is CloseBehavior.FAILED
    assert v.close_reason.startswith(
        "the peer broke the protocol and wsinterop failed the connection: invalid UTF-8 in a text message"
    )
    assert v.failed
    assert result.ending.local_code == draft.info.invalid_data_code


async def test_a_silent_peer_fails_by_timeout_not_a_hang() -> None:
    case = make_case(
        SendMessage("text", Payload(text="Hello")),
        Wait("message", timeout=0.5),
        ok=(text("Hello"),),
        close=BY_SERVER,
        timeout=0.5,
    )
    async with Peer(peers.silent) as peer:
        started = time.monotonic()
        result = await run(case, peer.target)
        assert time.monotonic() - started < case.timeout + PythonDriver.overhead  # a ceiling, not a timing
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "timed out after 0.5 s: 0 of 1 echoes received")
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "the connection was never closed")
    assert result.ending.timed_out
    waits = [e.waiting_for for e in result.observation.events if isinstance(e, TimedOut)]
    assert waits == ["message", "the peer to close"]


async def test_a_silent_peer_that_ignores_our_close_is_unclean() -> None:
    async with Peer(peers.silent) as peer:
        result = await run(make_case(close_timeout=0.3), peer.target)
    v = result.verdict
    assert (v.behavior, v.close) == (Behavior.OK, CloseBehavior.UNCLEAN)
    assert not result.ending.timed_out


async def test_a_reset_after_the_handshake() -> None:
    async with Peer(peers.resetter) as peer:
        result = await run(ECHO_HELLO, peer.target)
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected text message of 5 bytes; received nothing")
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "the peer closed the connection unexpectedly")
    # when either side may close, the reset is judged for what it is: no closing handshake
    case = make_case(SendMessage("text", Payload(text="x")), close=ExpectClose(by="either"))
    async with Peer(peers.resetter) as peer:
        result = await run(case, peer.target)
    assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.UNCLEAN)


async def test_a_wrong_accept_fails_the_handshake() -> None:
    async with Peer(peers.wrong_accept) as peer:
        result = await run(ECHO_HELLO, peer.target)
    v = result.verdict
    assert v.behavior is Behavior.FAILED
    assert v.behavior_reason.startswith(f"invalid handshake answer: Sec-WebSocket-Accept is '{peers.BAD_ACCEPT}'")
    assert (v.close, v.close_reason) == (CloseBehavior.OK, "no WebSocket connection was opened")


async def test_an_answer_that_is_not_http() -> None:
    async with Peer(peers.not_http) as peer:
        result = await run(ECHO_HELLO, peer.target)
    v = result.verdict
    assert v.behavior is Behavior.FAILED
    assert v.behavior_reason.startswith("invalid handshake answer: malformed status line")


@pytest.mark.parametrize(
    ("peer", "reason"),
    [
        (peers.HEAD_FLOOD, "invalid handshake answer: HTTP head longer than 16384 bytes"),
        (peers.GARBAGE_FLOOD, "invalid handshake answer: HTTP head longer than 16384 bytes"),
    ],
    ids=["head-over-16-KiB", "garbage-flood"],
)
async def test_a_flooding_peer_is_the_peers_failure_not_a_harness_error(peer: peers.Handler, reason: str) -> None:
    async with Peer(peer) as server:
        result = await run(ECHO_HELLO, server.target)
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, reason)
    assert "harness error" not in v.close_reason
    assert result.observation.error is None
    assert [e.kind for e in result.observation.events] == ["handshake_invalid"]


async def test_a_protocol_error_after_the_handshake_is_the_clients_failure() -> None:
    class Raising(FakeDriver):
        @contextlib.asynccontextmanager
        async def session(
            self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
        ) -> AsyncIterator[FakeSession | None]:
            recorder.observation.status = 101  # the handshake was answered
            yield FakeSession(self)

        async def opened(self) -> None:
            raise HttpError("a peer's fault, raised by wire after the opening handshake")

    result = await run_item(Item(make_case(), RFC, Raising()), Target("127.0.0.1", 9))
    assert result.ending.failure == "a peer's fault, raised by wire after the opening handshake"
    assert (result.ending.closed_by, result.observation.error) == ("harness", None)
    assert result.verdict.close is CloseBehavior.FAILED


@pytest.mark.parametrize("draft", HYBI)
async def test_garbage_after_the_handshake_fails_the_close(draft: Draft) -> None:
    async with Peer(peers.garbage) as peer:
        result = await run(ECHO_HELLO, peer.target, draft)
    v = result.verdict
    assert v.behavior is Behavior.FAILED
    assert v.close is CloseBehavior.FAILED
    assert result.ending.local_code == 1002


async def test_a_wrong_close_code() -> None:
    async with Peer(peers.wrong_code(1001)) as peer:
        result = await run(ECHO_HELLO, peer.target)
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.OK, "received text message of 5 bytes ('Hello')")
    assert (v.close, v.close_reason) == (CloseBehavior.WRONG_CODE, "peer closed with 1001, expected 1000 or none")
    assert not v.failed


async def test_a_close_code_that_may_not_be_sent_is_judged_as_autobahn_judges_it() -> None:
    """wsinterop fails the connection, so it is not clean (UNCLEAN where the case requires a clean close);
    where it does not, the code the peer sent is a WRONG CODE."""
    async with Peer(peers.wrong_code(1005)) as peer:
        result = await run(ECHO_HELLO, peer.target)
        loose = await run(replace(ECHO_HELLO, close=replace(ECHO_HELLO.close, clean=False)), peer.target)
    assert result.verdict.close is CloseBehavior.UNCLEAN
    assert (loose.verdict.close, loose.verdict.close_reason) == (
        CloseBehavior.WRONG_CODE,
        "peer closed with 1005, expected 1000 or none",
    )
    assert result.ending.failure == "invalid close code 1005"
    assert result.ending.remote_code == 1005 and not result.ending.clean


async def test_a_peer_that_answers_an_invalid_close_code_with_1000_fails_7_9() -> None:
    """Autobahn's case7_9_X.py: WRONG CODE makes the behaviour FAILED, so the case fails."""
    case = make_case(SendClose(1016), close=ExpectClose(answer=True), rules=(Rule.WRONG_CODE_FAILS,))
    async with Peer(peers.wrong_code(1000)) as peer:
        result = await run(case, peer.target)
    v = result.verdict
    assert (v.behavior, v.close) == (Behavior.FAILED, CloseBehavior.WRONG_CODE)
    assert v.behavior_reason == "peer closed with 1000, expected 1002 or none"
    assert v.failed


async def test_a_peer_that_never_detects_invalid_utf8_fails_the_behaviour() -> None:
    """closedByWrongEndpointIsFatal: the peer neither echoes nor closes; the client has to."""
    case = make_case(
        SendFrame("text", Payload("hex", text="cebae1bdb9cf83cebcceb5eda080")),
        close=ExpectClose(by="peer", codes=("invalid-data",), clean=False),
        rules=(Rule.WRONG_CLOSER_FAILS,),
        timeout=0.3,
        close_timeout=0.3,
    )
    async with Peer(peers.silent) as peer:
        result = await run(case, peer.target)
    assert (result.verdict.behavior, result.verdict.close) == (Behavior.FAILED, CloseBehavior.FAILED)
    assert result.verdict.behavior_reason.startswith("the peer did not detect the invalid input")


async def test_a_tcp_drop_instead_of_a_close_frame_is_unclean() -> None:
    async with Peer(peers.tcp_dropper) as peer:
        result = await run(ECHO_HELLO, peer.target)
    v = result.verdict
    assert v.behavior is Behavior.OK
    assert (v.close, v.close_reason) == (
        CloseBehavior.UNCLEAN,
        "the closing handshake did not complete (closed by wsinterop, peer's close, uncleanly)",
    )
    assert not result.ending.close_received


async def test_connection_refused() -> None:
    port = peers.closed_port()
    result = await run(ECHO_HELLO, Target("127.0.0.1", port))
    v = result.verdict
    assert v.behavior is Behavior.FAILED
    assert v.behavior_reason.startswith(f"cannot connect to 127.0.0.1:{port}: ")
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, v.behavior_reason)


async def test_an_expected_refusal_against_the_reference_server(reference: Target) -> None:
    case = make_case(
        handshake=Handshake(headers=(("Sec-WebSocket-Version", "99"),)),
        expect_handshake=ExpectHandshake(status=(426,), headers=(("Sec-WebSocket-Version", "13, 8, 7, 6"),)),
    )
    result = await run(case, reference)
    assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK)
    assert result.verdict.behavior_reason == "handshake answered 426 as expected"


async def test_a_scenario_session_that_cannot_be_set_up_is_a_harness_error_of_its_own() -> None:
    class Broken(FakeDriver):
        name = "broken"

        @contextlib.asynccontextmanager
        async def session(
            self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
        ) -> AsyncIterator[FakeSession | None]:
            raise RuntimeError("no page for this actor")
            yield FakeSession(self)  # an async generator, as a driver's session is

    fine = FakeDriver()
    steps = (As("a", SendMessage("text", Payload(text="x"))), As("b", Wait("message")))
    case = make_case(*steps, actors=(Actor("a"), Actor("b", agent="broken")))
    result = await run_item(Item(case, RFC, fine), Target("127.0.0.1", 9), {"broken": Broken()})
    assert result.verdict.behavior_reason == "harness error: RuntimeError: no page for this actor"
    assert (fine.runs, fine.performed) == (0, [])  # nothing was opened: the setup failed as a whole


def test_steps_are_moot_when_the_needed_extension_was_not_accepted() -> None:
    needs = make_case(expect_handshake=ExpectHandshake(deflate=()))
    assert moot(needs, Observation(extensions=None))
    assert moot(needs, Observation(extensions="x-permessage-deflate-ish"))
    assert not moot(needs, Observation(extensions="permessage-deflate; server_no_context_takeover"))
    assert not moot(make_case(), Observation())
    assert not moot(make_case(expect_handshake=ExpectHandshake(deflate=None)), Observation())
