"""harness.testees.wire against the fuzzing server: the correct testee gets no FAILED, and testees broken on
purpose get FAILED on the cases aimed at what they break."""

from __future__ import annotations

import asyncio
import sys

import pytest

from harness.fuzzing.server import FuzzingServer
from harness.run.results import Behavior
from wire import Draft

from ..fuzzing.test_server import server_cases

AIMED = ("1.1.1", "6.3.1", "40.1.1", "40.3.1")


async def failed_with(*flags: str, draft: str = "rfc6455") -> dict[str, Behavior]:
    """Run the wire testee (with `flags`) over AIMED; the behaviour of each case that FAILED."""
    server = FuzzingServer(server_cases(*AIMED), None, on_result=lambda r: None)
    await server.start("127.0.0.1", 0)
    try:
        argv = ["-m", "harness.testees.wire", "--url", server.url, "--agent", "t", "--draft", draft, *flags]
        proc = await asyncio.create_subprocess_exec(sys.executable, *argv, stdout=asyncio.subprocess.DEVNULL)
        assert await asyncio.wait_for(proc.wait(), 120) == 0
    finally:
        await server.stop()
    results = server.results.by_key.values()
    assert {r.case.id for r in results} == {i for i in AIMED if server.cases.for_draft(i, Draft.parse(draft))}
    return {r.case.id: r.verdict.behavior for r in results if r.verdict.failed}


@pytest.mark.parametrize("draft", ["rfc6455", "hybi-07"])
async def test_the_correct_testee_fails_nothing(draft: str) -> None:
    assert await failed_with(draft=draft) == {}


async def test_a_testee_that_validates_nothing_fails_on_masked_frames_and_invalid_utf8() -> None:
    assert await failed_with("--lenient") == {"6.3.1": Behavior.FAILED, "40.1.1": Behavior.FAILED}


async def test_a_testee_that_never_answers_a_close_fails_on_the_close_case() -> None:
    assert await failed_with("--ignore-close") == {"40.3.1": Behavior.FAILED}
