"""Run a subject's testee, as its command line says, against the stub fuzzing server."""

from __future__ import annotations

import asyncio

import pytest

from harness.subjects import Subject
from wire import Draft

from ..testees.stub import Stub, assert_complete, stub_server

# a bound on the test, not a verdict: a browser starts in a few seconds, a library in well under one
TEST_BOUND = 120.0


async def run_testee(subject: Subject, draft: Draft = Draft.RFC6455) -> tuple[int, str, Stub]:
    """The testee's exit status and stderr, and what the stub saw."""
    reason = subject.missing()
    if reason is not None:
        pytest.skip(f"{subject.name}: {reason}")
    async with stub_server() as stub:
        process = await asyncio.create_subprocess_exec(
            *subject.argv(stub.url, f"{subject.name}-test", draft),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(process.communicate(), TEST_BOUND)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode is not None
    return process.returncode, err.decode(errors="replace"), stub


async def assert_runs(subject: Subject, draft: Draft = Draft.RFC6455) -> str:
    """The testee completes the loop (exit 0), both echoes with their type, updateReports reached."""
    status, err, stub = await run_testee(subject, draft)
    assert status == 0, err
    assert_complete(stub, f"{subject.name}-test")
    return err
