"""harness.agents.serving: wsinterop as the server accepts permessage-deflate as a case's `answer.deflate`
says (Autobahn's accept functions in 12.* and 13.*), through the fuzzing server, with websockets clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from harness.fuzzing.catalogue import ServerCases
from harness.fuzzing.server import FuzzingServer
from harness.run.events import MessageIn
from harness.run.results import Behavior, CaseResult, CloseBehavior

from ..fuzzing.test_server import server_cases

# Firefox's offer ("permessage-deflate": no client_max_window_bits) from a websockets client
FIREFOX_LIKE = [ClientPerMessageDeflateFactory(client_max_window_bits=None)]


@pytest.fixture(scope="module")
def cases() -> ServerCases:
    return server_cases("12.1.1", "13.2.1", "13.3.1", "13.7.1", "1.1.1")


@pytest.fixture
async def fuzzing(cases: ServerCases) -> AsyncIterator[FuzzingServer]:
    server = FuzzingServer(cases, None)
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


async def run(fuzzing: FuzzingServer, case_id: str, **options: object) -> CaseResult:
    """One case for a websockets client that echoes everything (its compression as `options` say)."""
    url = f"{fuzzing.url}/runCase?casetuple={case_id}&agent=a"
    async with connect(url, max_size=2**25, **options) as ws:  # type: ignore[arg-type]
        async for message in ws:
            await ws.send(message)
    result = await fuzzing.results.wait(case_id, "a", 60.0)
    assert result is not None
    return result


def answered(result: CaseResult) -> list[str]:
    head = result.observation.handshake_response or ""
    return [line for line in head.split("\r\n") if line.startswith("Sec-WebSocket-Extensions:")]


@pytest.mark.parametrize(
    ("case_id", "response"),
    [
        ("12.1.1", "permessage-deflate"),  # the offer as it is
        ("13.2.1", "permessage-deflate; client_no_context_takeover"),
        ("13.3.1", "permessage-deflate; client_max_window_bits=9"),
        ("13.7.1", "permessage-deflate; client_no_context_takeover; client_max_window_bits=9"),
    ],
)
async def test_the_case_accepts_the_offer_with_autobahns_parameters(
    fuzzing: FuzzingServer, case_id: str, response: str
) -> None:
    result = await run(fuzzing, case_id)  # websockets offers "permessage-deflate; client_max_window_bits"
    assert answered(result) == [f"Sec-WebSocket-Extensions: {response}"]
    assert result.observation.extensions == response
    assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK), result.verdict


async def test_an_offer_the_case_cannot_take_is_unimplemented_and_nothing_is_sent(fuzzing: FuzzingServer) -> None:
    result = await run(fuzzing, "13.3.1", extensions=FIREFOX_LIKE)  # 13.3 limits the client's window
    assert answered(result) == []
    assert result.verdict.behavior is Behavior.UNIMPLEMENTED
    assert "permessage-deflate" in result.verdict.behavior_reason
    assert not [e for e in result.observation.events if isinstance(e, MessageIn)]  # closed at once: no echo


async def test_the_fallback_policy_of_13_7(fuzzing: FuzzingServer) -> None:
    result = await run(fuzzing, "13.7.1", extensions=FIREFOX_LIKE)
    assert answered(result) == ["Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"]
    assert result.verdict.behavior is Behavior.OK


async def test_no_offer_is_unimplemented(fuzzing: FuzzingServer) -> None:
    result = await run(fuzzing, "12.1.1", compression=None)
    assert result.verdict.behavior is Behavior.UNIMPLEMENTED
    assert (
        result.verdict.behavior_reason
        == "no permessage-deflate agreed: the client offered no extension, none this case accepts"
    )


async def test_other_cases_accept_no_extension(fuzzing: FuzzingServer) -> None:
    result = await run(fuzzing, "1.1.1")  # Autobahn accepts permessage-deflate only in 12.* and 13.*
    assert answered(result) == [] and result.observation.extensions is None
    assert result.verdict.behavior is Behavior.OK
