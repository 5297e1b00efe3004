"""Fixtures for the browser agents' tests: each browser agent started once per module, and the reference
server.

A browser that is not installed fails these tests (it does not skip them): `make test` installs them all
(`make browser`), and a skipped browser test would hide a missing agent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from harness.agents import REGISTRY
from harness.agents.browser import CHROMIUM, FIREFOX, Engine, PageDriver
from harness.cases.model import Payload, SendMessage
from harness.run.driver import AgentStartError
from harness.run.target import Target
from server.app import ReferenceServer
from server.config import ServerConfig

BROWSERS = tuple(name for name, agent in REGISTRY.items() if agent.browser)  # chromium, firefox, webkit
ENGINES = (CHROMIUM, FIREFOX)  # the ones Playwright drives

# one of every kind of send a page makes (tests/harness/agents/page compares their echoes)
RANDOM = Payload("random", count=70001, seed=9)
SENDS = (
    SendMessage("text", Payload(text="héllo")),
    SendMessage("binary", Payload("hex", "0001feff")),
    SendMessage("binary", Payload("hex", "dead"), as_blob=True),
    SendMessage("binary", RANDOM),
    SendMessage("binary", Payload("repeat", byte=0xFE, count=3000)),
    SendMessage("text", Payload("repeat", byte=ord("*"), count=300)),
    SendMessage("text", Payload(text="")),
    SendMessage("binary", Payload("hex", ""), as_blob=True),
)


def installed(engine: Engine) -> str:
    path = engine.path()
    if path is None:
        pytest.fail(f"{engine.title} is not installed: apt-get install -y {engine.package} (make browser does)")
    return path


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BROWSERS)
async def driver(request: pytest.FixtureRequest) -> AsyncIterator[PageDriver]:
    started = REGISTRY[request.param].make()
    assert isinstance(started, PageDriver)
    try:
        await started.start()
    except AgentStartError as exc:
        pytest.fail(f"{exc} (make browser installs every browser)")
    try:
        yield started
    finally:
        await started.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reference() -> AsyncIterator[Target]:
    async with ReferenceServer(ServerConfig(port=0)) as server:
        yield Target("127.0.0.1", server.port)
