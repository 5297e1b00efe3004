"""harness.testees.contract: the URLs, the case loop and the command line the Python testees share."""

from __future__ import annotations

import pytest

from harness.testees import contract
from harness.testees.contract import Library


def recording(count: str, failing: int | None = None) -> tuple[Library, list[str]]:
    """A library that answers `count` and records every URL it is sent to; case `failing` raises."""
    urls: list[str] = []

    async def first_message(url: str) -> str:
        urls.append(url)
        return count

    async def echo(url: str) -> int:
        urls.append(url)
        if failing is not None and f"case={failing}&" in url:
            raise ConnectionError("the library failed this case")
        return 1

    return Library("recording 1.0", first_message, echo), urls


async def test_the_loop_runs_every_case_then_updates_the_reports() -> None:
    library, urls = recording("3")
    assert await contract.run(library, "ws://127.0.0.1:9", "my agent/1") == 3
    agent = "my%20agent%2F1"
    assert urls == [
        "ws://127.0.0.1:9/getCaseCount",
        *(f"ws://127.0.0.1:9/runCase?case={n}&agent={agent}" for n in (1, 2, 3)),
        f"ws://127.0.0.1:9/updateReports?agent={agent}",
    ]


async def test_a_case_the_library_fails_is_reported_and_the_loop_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    library, urls = recording("3", failing=2)
    assert await contract.run(library, "ws://h:1", "a") == 3
    assert urls[-1] == "ws://h:1/updateReports?agent=a"
    lines = capsys.readouterr().err.splitlines()
    assert "case 1/3: echoed 1" in lines
    assert "case 2/3: ConnectionError: the library failed this case" in lines
    assert "case 3/3: echoed 1" in lines


def test_main_is_0_when_the_loop_completed_and_strips_a_trailing_slash() -> None:
    library, urls = recording("1")
    assert contract.main(library, ["--url", "ws://h:1/", "--agent", "a"]) == 0
    assert urls[0] == "ws://h:1/getCaseCount"


def test_main_is_1_without_a_case_count(capsys: pytest.CaptureFixture[str]) -> None:
    library, urls = recording("not a number")
    assert contract.main(library, ["--url", "ws://h:1", "--agent", "a"]) == 1
    assert urls == ["ws://h:1/getCaseCount"]
    assert "recording 1.0: JSONDecodeError" in capsys.readouterr().err
