"""The Python testees (websockets, aiohttp, Tornado) run the contract's loop against a stub fuzzing server:
both echoes come back with the type they were sent with, and the loop reaches updateReports."""

from __future__ import annotations

import pytest

from harness.testees import aiohttp_client, contract, tornado_client, websockets_client
from harness.testees.contract import Library

from .stub import SENT, assert_complete, stub_server

LIBRARIES = [websockets_client.LIBRARY, aiohttp_client.library(0), tornado_client.library(False)]
COMPRESSING = [websockets_client.LIBRARY, aiohttp_client.library(15), tornado_client.library(True)]


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


@pytest.mark.parametrize("library", COMPRESSING, ids=[lib.name.split()[0] for lib in COMPRESSING])
async def test_a_compressing_testee_offers_permessage_deflate(library: Library) -> None:
    async with stub_server() as stub:  # aiohttp's server accepts the offer: the echoes come compressed
        assert await contract.run(library, stub.url, "testee-1") == 2
    assert_complete(stub, "testee-1")
    assert [offer.split(";")[0] for offer in stub.offers] == ["permessage-deflate"] * 2


@pytest.mark.parametrize("library", LIBRARIES[1:], ids=[lib.name.split()[0] for lib in LIBRARIES[1:]])
async def test_aiohttp_and_tornado_offer_nothing_by_default(library: Library) -> None:
    async with stub_server() as stub:
        await contract.run(library, stub.url, "testee-1")
    assert stub.offers == ["", ""]
