"""What a WebSocket session reads: its connection's bytes as an awaitable stream."""

from __future__ import annotations

import asyncio
from collections import deque

HIGH_WATER = 1 << 20


class Feed:
    """The bytes of an upgraded connection as an awaitable stream, with back-pressure on the transport.

    A deque and at most one waiting future (not an asyncio.Queue, nor wait_for's task per read): an idle
    connection costs a few KiB less. One timer serves every read: it is moved only when a read must
    give up earlier than it is set for; when it fires early (traffic pushed the deadline back meanwhile),
    it sets itself again for the read's own deadline. A read that finds data waiting costs no timer."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._chunks: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._buffered = 0
        self._paused = False
        self._deadline = 0.0  # loop time at which the waiting read gives up
        self._timer: asyncio.TimerHandle | None = None

    def feed_data(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > HIGH_WATER and not self._paused:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def feed_eof(self) -> None:
        self._chunks.append(b"")
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _expire(self) -> None:
        timer, self._timer = self._timer, None
        waiter = self._waiter
        if timer is None or waiter is None or waiter.done():
            return
        if timer.when() >= self._deadline:
            waiter.set_exception(TimeoutError())
        else:
            self._timer = asyncio.get_running_loop().call_at(self._deadline, self._expire)

    def close(self) -> None:
        """No more reads: drop the timer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def read(self, timeout: float) -> bytes:
        """The next chunk (b"" at the end); TimeoutError when none came within `timeout` seconds."""
        if not self._chunks:
            loop = asyncio.get_running_loop()
            self._deadline = deadline = loop.time() + timeout
            timer = self._timer
            if timer is None or timer.when() > deadline:
                if timer is not None:
                    timer.cancel()
                self._timer = loop.call_at(deadline, self._expire)
            self._waiter = loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = self._chunks.popleft()
        self._buffered -= len(data)
        if self._paused and self._buffered < HIGH_WATER // 2:
            self._paused = False
            self._transport.resume_reading()
        return data
