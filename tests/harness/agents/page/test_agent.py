"""The in-page agent (harness/agents/page/agent.js) in Chromium and Firefox against the reference server:
every step kind, repeat, waits that time out, the case's deadline kept in the page, payloads the page
builds itself, and a program error that is a harness error, never a verdict."""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import pytest

from harness.agents.browser import PageDriver, PageProgramError
from harness.agents.browser.program import Program, describe
from harness.agents.browser.session import PageSession
from harness.cases.model import (
    Case,
    ExpectClose,
    Handshake,
    Pause,
    Payload,
    Repeat,
    SendClose,
    SendMessage,
    Step,
    Wait,
)
from harness.run import events as ev
from harness.run.engine import Item, run_item
from harness.run.recorder import Recorder
from harness.run.results import Behavior, CaseResult, CloseBehavior
from harness.run.target import Target
from wire import Draft

from ...peers import BY_SERVER, binary, make_case, text
from ..browsers import RANDOM, SENDS, driver, reference

__all__ = ["driver", "reference"]  # the fixtures
pytestmark = pytest.mark.asyncio(loop_scope="module")

SILENT = Handshake(protocols=())  # the reference server accepts and says nothing


def browser_case(*steps: Step, **fields: Any) -> Case:
    return make_case(*steps, agents=("chromium", "firefox"), drafts=("rfc6455",), **fields)


async def run(driver: PageDriver, target: Target, case: Case) -> CaseResult:
    return await run_item(Item(case, Draft.RFC6455, driver), target)


E = TypeVar("E", bound=ev.Event)


def events(result: CaseResult, kind: type[E]) -> list[E]:
    return [e for e in result.observation.events if isinstance(e, kind)]


def ok(result: CaseResult) -> None:
    v = result.verdict
    assert (v.behavior, v.close) == (Behavior.OK, CloseBehavior.OK), v


async def test_sends_text_binary_and_blob_and_compares_the_echoes_by_digest(
    driver: PageDriver, reference: Target
) -> None:
    expected = (
        text("héllo"),
        binary(bytes.fromhex("0001feff")),
        binary(bytes.fromhex("dead")),
        binary(RANDOM.to_bytes()),
        binary(b"\xfe" * 3000),
        text("*" * 300),
        text(""),
        binary(b""),
    )
    result = await run(driver, reference, browser_case(*SENDS, Wait("message", count=8), ok=expected))
    ok(result)
    sent = [(e.message, e.size, e.blob) for e in events(result, ev.Sent)]
    assert sent == [
        ("text", 6, False),
        ("binary", 4, False),
        ("binary", 2, True),
        ("binary", 70001, False),
        ("binary", 3000, False),
        ("text", 300, False),
        ("text", 0, False),
        ("binary", 0, True),
    ]
    messages = events(result, ev.MessageIn)
    assert (messages[0].message, messages[0].payload) == ("text", ev.PayloadInfo.of("héllo".encode(), text=True))
    assert messages[0].payload.sha256 == hashlib.sha256("héllo".encode()).hexdigest()
    assert messages[3].payload.preview == RANDOM.to_bytes()[:256].hex()  # a preview, never the payload
    assert messages[3].payload.truncated is True
    assert messages[5].payload.preview == "*" * 256


async def test_repeat_runs_its_steps_in_the_page(driver: PageDriver, reference: Target) -> None:
    steps = Repeat(300, (SendMessage("text", Payload(text="x")), Wait("message")))
    result = await run(driver, reference, browser_case(steps, ok=(text("x"),) * 300))
    ok(result)
    kinds = [e.kind for e in result.observation.events if e.kind in ("sent", "message")]
    assert kinds == ["sent", "message"] * 300  # every send waited for its echo
    times = [e.t for e in result.observation.events]
    assert times == sorted(times)  # the page's clock, in order


async def test_close_with_a_code_and_a_reason(driver: PageDriver, reference: Target) -> None:
    case = browser_case(SendClose(4321, Payload(text="bye")), close=ExpectClose(codes=(4321,)))
    result = await run(driver, reference, case)
    ok(result)
    end = result.ending
    assert (end.closed_by, end.local_code, end.remote_code, end.clean) == ("harness", 4321, 4321, True)
    assert [(e.code, e.reason) for e in events(result, ev.CloseOut)] == [(4321, "bye")]
    (close,) = events(result, ev.CloseIn)
    assert (close.code, close.reason) == (4321, "")  # the code only, back
    assert [e.reason for e in events(result, ev.TcpClosed)] == [""]  # clean


async def test_waits_for_the_server_to_close(driver: PageDriver, reference: Target) -> None:
    too_big = SendMessage("text", Payload("repeat", byte=ord("a"), count=65537))
    case = browser_case(
        too_big,
        Wait("close", timeout=10),
        SendMessage("text", Payload(text="after the close")),
        handshake=Handshake(protocols=("echo-assemble",)),
        close=ExpectClose(by="peer", codes=(1009,), clean=False),
    )
    result = await run(driver, reference, case)
    ok(result)
    assert (result.ending.closed_by, result.ending.remote_code) == ("peer", 1009)
    assert len(events(result, ev.Sent)) == 1  # the program stops at the close
    assert not events(result, ev.TimedOut)


async def test_a_quiet_wait_lets_time_pass_without_a_timeout_event(driver: PageDriver, reference: Target) -> None:
    case = browser_case(Pause(0.2), SendMessage("text", Payload(text="after")), Wait("message"))
    result = await run(driver, reference, replace_ok(case, (text("after"),)))
    ok(result)
    assert not events(result, ev.TimedOut)


def replace_ok(case: Case, expected: tuple[Any, ...]) -> Case:
    from dataclasses import replace

    return replace(case, ok=expected)


async def test_a_wait_that_times_out_is_recorded_and_the_program_goes_on(driver: PageDriver, reference: Target) -> None:
    steps = (
        SendMessage("text", Payload(text="x")),
        Wait("message", timeout=0.3),
        SendMessage("text", Payload(text="y")),
    )
    result = await run(driver, reference, browser_case(*steps, handshake=SILENT, ok=(text("x"),)))
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "expected text message of 1 bytes; received nothing")
    assert v.close is CloseBehavior.OK
    assert [e.kind for e in result.observation.events if e.kind in ("sent", "timeout")] == ["sent", "timeout", "sent"]
    (timeout,) = events(result, ev.TimedOut)
    assert (timeout.waiting_for, timeout.seconds, timeout.final) == ("message", 0.3, False)
    assert not result.ending.timed_out


async def test_the_case_deadline_is_kept_in_the_page(driver: PageDriver, reference: Target) -> None:
    echo = Repeat(1000, (SendMessage("text", Payload(text="x")), Wait("message", timeout=5)))
    case = browser_case(echo, handshake=SILENT, ok=(text("x"),) * 1000, timeout=1)
    result = await run(driver, reference, case)
    v = result.verdict
    assert (v.behavior, v.behavior_reason) == (Behavior.FAILED, "timed out after 1 s: 0 of 1000 echoes received")
    assert (v.close, v.close_reason) == (CloseBehavior.FAILED, "the connection was never closed")
    assert result.ending.timed_out
    (timeout,) = events(result, ev.TimedOut)
    assert (timeout.waiting_for, timeout.seconds, timeout.final) == ("the case to end", 1, True)
    assert len(events(result, ev.Sent)) == 1  # the first wait met the deadline; nothing was sent after it
    assert not events(result, ev.CloseOut)


async def test_a_server_that_never_closes_meets_the_deadline(driver: PageDriver, reference: Target) -> None:
    result = await run(driver, reference, browser_case(handshake=SILENT, close=BY_SERVER, timeout=0.5))
    v = result.verdict
    assert (v.behavior, v.close, v.close_reason) == (
        Behavior.OK,
        CloseBehavior.FAILED,
        "the connection was never closed",
    )
    (timeout,) = events(result, ev.TimedOut)
    assert (timeout.waiting_for, timeout.final) == ("the close event", True)


async def test_a_program_error_is_a_harness_error_not_a_verdict(
    driver: PageDriver, reference: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Program, "op", lambda self, step: {"op": "fly"})
    result = await run(driver, reference, browser_case(SendMessage("text", Payload(text="x"))))
    reason = result.verdict.behavior_reason
    assert reason.startswith(f"harness error: PageProgramError: the {driver.title} page agent failed in run(): ")
    assert 'unknown op "fly"' in reason
    assert result.verdict.close_reason == reason
    (error,) = events(result, ev.HarnessError)
    assert "PageProgramError" in error.traceback


async def test_a_program_error_raises_from_the_session(driver: PageDriver, reference: Target) -> None:
    case = browser_case()
    async with driver.session(case, Draft.RFC6455, reference, Recorder()) as session:
        assert isinstance(session, PageSession)
        with pytest.raises(PageProgramError, match="no payload 3"):
            await session.call("run", {"payloads": [], "ops": [{"op": "send", "kind": "text", "payload": 3}]})
        with pytest.raises(PageProgramError, match="this is not the chat room page"):
            await session.call("watchChat", {"caseTimeout": 1})


@pytest.mark.parametrize(("seed", "count"), [(9, 7), (0, 1), (1, 2), (-3, 3), (2**40 + 5, 4), (6, 1 << 20)])
async def test_random_payloads_are_the_bytes_python_makes(
    driver: PageDriver, reference: Target, seed: int, count: int
) -> None:
    payload = Payload("random", count=count, seed=seed)
    async with driver.session(browser_case(), Draft.RFC6455, reference, Recorder()) as session:
        assert isinstance(session, PageSession)
        summary = await session.tab.evaluate("(p) => wsAgent.payload(p)", describe("binary", payload))
    data = payload.to_bytes()
    assert (summary["size"], summary["sha256"]) == (count, hashlib.sha256(data).hexdigest())


async def test_a_page_serves_the_next_connection_once_its_socket_closed(driver: PageDriver, reference: Target) -> None:
    while driver._idle:  # start with no idle page
        await driver._idle.pop().close()
    first = await run(
        driver, reference, browser_case(SendMessage("text", Payload(text="a")), Wait("message"), ok=(text("a"),))
    )
    ok(first)
    pages = list(driver._idle)
    assert len(pages) == 1
    second = await run(
        driver, reference, browser_case(SendMessage("text", Payload(text="b")), Wait("message"), ok=(text("b"),))
    )
    ok(second)  # nothing of the first connection is seen again
    kinds = [e.kind for e in second.observation.events]
    assert kinds == ["open", "sent", "message", "close_out", "close_in", "tcp_closed"]
    assert driver._idle == pages  # the same page, ready again
    timed_out = await run(driver, reference, browser_case(handshake=SILENT, close=BY_SERVER, timeout=0.3))
    assert timed_out.ending.timed_out
    assert driver._idle == []  # a page whose socket may still be open is dropped
