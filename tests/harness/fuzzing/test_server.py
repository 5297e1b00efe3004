"""harness.fuzzing.server: Autobahn's fuzzingserver URLs, driven as an Autobahn testee drives them (websockets)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from harness.agents import REGISTRY
from harness.cases.loader import load_catalogue, select
from harness.fuzzing.catalogue import ServerCases
from harness.fuzzing.server import FuzzingServer
from harness.run.results import Behavior

CASES = Path(__file__).parents[3] / "cases"


def server_cases(*patterns: str) -> ServerCases:
    return ServerCases.of(select(load_catalogue([CASES], REGISTRY), patterns))


@pytest.fixture
async def fuzzing(tmp_path: Path) -> AsyncIterator[FuzzingServer]:
    server = FuzzingServer(
        server_cases("1.1.1", "1.1.2", "2.1", "7.1.1"), tmp_path / "reports", on_result=lambda r: None
    )
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


async def text_of(url: str) -> str:
    async with connect(url) as ws:
        message = await ws.recv()
        assert isinstance(message, str)
        return message


async def echo_case(url: str) -> None:
    """The websockets compliance client's loop body: echo every message until the server closes."""
    async with connect(url, max_size=2**25) as ws:
        async for message in ws:
            await ws.send(message)


def test_cases_are_numbered_in_autobahn_order() -> None:
    cases = server_cases("1.1.*", "10.*", "2.*")
    assert cases.ids[:2] == ("1.1.1", "1.1.2") and cases.ids[-1].startswith("10.")
    assert cases.id_at(1) == "1.1.1" and cases.number_of("1.1.2") == 2
    assert cases.id_at(0) is None and cases.id_at(len(cases) + 1) is None
    assert "1.3.1" not in server_cases("1.3.*").ids  # a client's masking: client side only


async def test_an_autobahn_testee_loop_gets_its_report(fuzzing: FuzzingServer, tmp_path: Path) -> None:
    url = fuzzing.url
    count = json.loads(await text_of(f"{url}/getCaseCount"))
    assert count == 4
    for n in range(1, count + 1):
        await echo_case(f"{url}/runCase?case={n}&agent=ws-testee")
    assert json.loads(await text_of(f"{url}/getCaseInfo?case=3"))["id"] == "2.1"
    assert json.loads(await text_of(f"{url}/getCaseStatus?case=1&agent=ws-testee")) == {"behavior": "OK"}
    async with connect(f"{url}/updateReports?agent=ws-testee"):
        pass
    index = json.loads((tmp_path / "reports" / "index.json").read_text())
    verdicts = {i: v["behavior"] for i, v in index["ws-testee"]["rfc6455"].items()}
    assert verdicts == {"1.1.1": "OK", "1.1.2": "OK", "2.1": "OK", "7.1.1": "OK"}
    result = fuzzing.results.by_key[("1.1.1", "rfc6455", "ws-testee")]
    assert result.observation.side == "server" and result.verdict.behavior is Behavior.OK


async def test_casetuple_names_a_case_by_id(fuzzing: FuzzingServer) -> None:
    await echo_case(f"{fuzzing.url}/runCase?casetuple=2.1&agent=a")
    assert set(fuzzing.results.by_key) == {("2.1", "rfc6455", "a")}


async def test_a_testee_that_does_not_echo_fails_and_update_reports_waits_for_it(
    fuzzing: FuzzingServer, tmp_path: Path
) -> None:
    # the case's connection stays open, never echoing, while the testee moves on to /updateReports
    async with (
        connect(f"{fuzzing.url}/runCase?case=1&agent=mute"),
        connect(f"{fuzzing.url}/updateReports?agent=mute") as report,
    ):
        await report.wait_closed()  # the server closes once the case ran to its end and the report is out
    index = json.loads((tmp_path / "reports" / "index.json").read_text())
    assert index["mute"]["rfc6455"]["1.1.1"]["behavior"] == "FAILED"


async def test_requests_without_a_case_or_agent_are_refused(fuzzing: FuzzingServer) -> None:
    for path in ("/runCase?case=1", "/runCase?case=99&agent=a", "/nowhere"):
        with pytest.raises(InvalidStatus) as refused:
            await echo_case(fuzzing.url + path)
        assert refused.value.response.status_code == 400
    assert not fuzzing.results.by_key


async def test_stop_server(fuzzing: FuzzingServer) -> None:
    async with connect(f"{fuzzing.url}/stopServer") as ws:
        await ws.wait_closed()
    assert fuzzing.stopped.is_set()
