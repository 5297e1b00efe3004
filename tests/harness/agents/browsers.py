"""Fixtures for the browser agents' tests: each engine started once per module, and the reference server.

A browser that is not installed fails these tests (it does not skip them): `make test` installs both
(`make browser`), and a skipped browser test would hide a missing agent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from harness.agents.browser import CHROMIUM, FIREFOX, BrowserDriver, Engine
from harness.run.target import Target
from server.app import ReferenceServer
from server.config import ServerConfig

ENGINES = (CHROMIUM, FIREFOX)


def installed(engine: Engine) -> str:
    path = engine.path()
    if path is None:
        pytest.fail(f"{engine.title} is not installed: apt-get install -y {engine.package} (make browser does)")
    return path


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=ENGINES, ids=[e.name for e in ENGINES])
async def driver(request: pytest.FixtureRequest) -> AsyncIterator[BrowserDriver]:
    engine: Engine = request.param
    installed(engine)
    started = BrowserDriver(engine)
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reference() -> AsyncIterator[Target]:
    async with ReferenceServer(ServerConfig(port=0)) as server:
        yield Target("127.0.0.1", server.port)
