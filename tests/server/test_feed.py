"""server.feed: an upgraded connection's bytes as an awaitable stream, with back-pressure and one timer."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from server.feed import HIGH_WATER, Feed

from .support import TIMEOUT


class FakeTransport:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


async def test_feed_back_pressure_and_timeout() -> None:
    transport = FakeTransport()
    feed = Feed(cast(asyncio.Transport, transport))
    with pytest.raises(TimeoutError):
        await feed.read(0.01)  # nothing yet
    chunk = b"x" * (HIGH_WATER // 4)
    for _ in range(5):
        feed.feed_data(chunk)
    assert transport.calls == ["pause"]  # over the high-water mark once, paused once
    for _ in range(3):
        assert await feed.read(1.0) == chunk
    assert transport.calls == ["pause"]  # half the mark still buffered
    assert await feed.read(1.0) == chunk
    assert transport.calls == ["pause", "resume"]  # under half the mark: reading again
    assert await feed.read(1.0) == chunk
    waiting = asyncio.create_task(feed.read(5.0))
    await asyncio.sleep(0)  # a yield, not a delay: the reader is now waiting on an empty feed
    assert not waiting.done()
    feed.feed_data(b"late")
    feed.feed_eof()
    assert await waiting == b"late"
    assert await feed.read(1.0) == b""  # the end


async def test_feed_timeout_never_early_after_the_deadline_moved_later() -> None:
    """The one timer stays set for the earlier deadline; when it fires early it sets itself again."""
    loop = asyncio.get_running_loop()
    feed = Feed(cast(asyncio.Transport, FakeTransport()))
    reading = asyncio.create_task(feed.read(0.02))
    await asyncio.sleep(0)  # a yield, not a delay: the read waits, the timer is set for its deadline
    feed.feed_data(b"in time")
    assert await reading == b"in time"
    started = loop.time()
    with pytest.raises(TimeoutError):
        await feed.read(0.1)  # the timer, still set for the first read, fires early and is moved
    assert loop.time() - started >= 0.1 - 0.002  # clock resolution and float rounding, nothing more
    feed.close()


async def test_feed_timer_moves_earlier_and_ends_with_close() -> None:
    feed = Feed(cast(asyncio.Transport, FakeTransport()))
    reading = asyncio.create_task(feed.read(60.0))
    await asyncio.sleep(0)
    feed.feed_data(b"x")
    assert await reading == b"x"
    async with asyncio.timeout(TIMEOUT):  # a ceiling: the 60 s timer must not be the one that counts
        with pytest.raises(TimeoutError):
            await feed.read(0.01)
    feed.feed_data(b"ready")
    assert await feed.read(0.0) == b"ready"  # data waiting: no wait, no timeout
    feed.close()
    assert feed._timer is None
