"""The reference server on a free port, for the `ping` tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.app import ReferenceServer
from server.config import ServerConfig


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0)) as srv:
        yield srv
