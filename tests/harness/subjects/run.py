"""Run a subject's testee, as its command line says, against the stub fuzzing server."""

from __future__ import annotations

import asyncio
import socket

import pytest

from harness.subjects import Subject
from wire import Draft

from ..testees.stub import Stub, assert_complete, stub_server

# a bound on the test, not a verdict: a browser starts in a few seconds, a library in well under one
TEST_BOUND = 120.0


def skip_if_missing(subject: Subject) -> None:
    reason = subject.missing()
    if reason is not None:
        pytest.skip(f"{subject.name}: {reason}")


async def run(argv: list[str]) -> tuple[int, str]:
    """A testee's exit status and stderr."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await asyncio.wait_for(process.communicate(), TEST_BOUND)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, err.decode(errors="replace")


async def run_testee(
    subject: Subject, draft: Draft = Draft.RFC6455, invalid_utf8: bool = False
) -> tuple[int, str, Stub]:
    """The testee's exit status and stderr, and what the stub saw."""
    skip_if_missing(subject)
    async with stub_server(invalid_utf8) as stub:
        status, err = await run(subject.argv(stub.url, f"{subject.name}-test", draft))
    return status, err, stub


async def assert_runs(subject: Subject, draft: Draft = Draft.RFC6455, invalid_utf8: bool = False) -> str:
    """The testee completes the loop (exit 0), both echoes with their type, updateReports reached."""
    status, err, stub = await run_testee(subject, draft, invalid_utf8)
    assert status == 0, err
    assert_complete(stub, f"{subject.name}-test")
    return err


async def assert_fails_without_a_server(subject: Subject) -> str:
    """No fuzzing server at the URL: the loop cannot complete, and the exit status says so."""
    skip_if_missing(subject)
    with socket.socket() as probe:  # a port nobody listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, err = await run(subject.argv(f"ws://127.0.0.1:{port}", "nobody", subject.drafts[0]))
    assert status != 0, err
    return err
