"""Helpers of the `ping` tests: parse a command line, run it against a server, read its summary."""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from harness.ping import add_arguments, run
from server.app import ReferenceServer

TIMEOUT = 10.0  # a ceiling, never a wait
ROOT = Path(__file__).resolve().parents[3]
SUMMARY = re.compile(
    r"(\d+) messages sent, (\d+) received, ([\d.]+)% loss, (\d+) frames sent, (\d+) frames received, time \d+ ms"
)
REPLY = re.compile(r"^(\d+) bytes from ws://\S+: client=(\d+) seq=(\d+) frames=(\d+) time=[\d.]+ ms$", re.MULTILINE)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ping")
    add_arguments(parser)
    return parser.parse_args(list(argv))


def summary(text: str) -> tuple[int, int, float, int, int]:
    match = SUMMARY.search(text)
    assert match is not None, text
    sent, received, loss, frames_sent, frames_received = match.groups()
    return int(sent), int(received), float(loss), int(frames_sent), int(frames_received)


async def ping_server(srv: ReferenceServer, *argv: str) -> int:
    return await asyncio.wait_for(run(parse(srv.ws_url, "--delay", "0", *argv)), TIMEOUT)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def fake_server(handle: Handler) -> AsyncIterator[int]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
