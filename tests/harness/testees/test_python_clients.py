"""The Python testees (websockets, aiohttp, Tornado) run the contract's loop against a stub fuzzing server:
both echoes come back with the type they were sent with, and the loop reaches updateReports."""

from __future__ import annotations

import pytest

from harness.testees import aiohttp_client, contract, tornado_client, websockets_client
from harness.testees.contract import Library

from .stub import SENT, assert_complete, stub_server

LIBRARIES = [websockets_client.LIBRARY, aiohttp_client.LIBRARY, tornado_client.LIBRARY]


@pytest.mark.parametrize("library", LIBRARIES, ids=[lib.name.split()[0] for lib in LIBRARIES])
async def test_the_loop_echoes_with_the_same_type(library: Library) -> None:
    async with stub_server() as stub:
        assert await contract.run(library, stub.url, "testee-1") == 2
    assert_complete(stub, "testee-1")


@pytest.mark.parametrize("library", LIBRARIES, ids=[lib.name.split()[0] for lib in LIBRARIES])
async def test_the_first_message_is_the_case_count(library: Library) -> None:
    async with stub_server() as stub:
        assert await library.first_message(f"{stub.url}/getCaseCount") == "2"
        assert await library.echo(f"{stub.url}/runCase?case=1&agent=x") == 1
    assert stub.echoes == {1: SENT[1]}
