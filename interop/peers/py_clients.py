"""The client half for Python libraries: the same traffic as peers/node/scenario.js, on aiohttp's client or
the websockets client, against the reference server.

1. echo: subprotocol `echo`; COUNT text and COUNT binary messages of growing sizes, each echo equal and in
   order; then close with 1000. 2. chat: two people on org.ietf.websocket.test-echo-broadcast; each
   "name:text" line reaches both.

`python interop/peers/py_clients.py --lib aiohttp|websockets --url ws://127.0.0.1:PORT/` prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from importlib.metadata import version
from typing import Any, Protocol

SIZES = (0, 1, 125, 126, 127, 65535, 65536, 100000)
CHAT = "org.ietf.websocket.test-echo-broadcast"
TIMEOUT = 10.0
MAX_MESSAGE = 64 * 1024 * 1024
Message = str | bytes


class Rejected(Exception):
    """The opening handshake was refused."""


class Conn(Protocol):
    protocol: str | None

    async def send(self, data: Message) -> None: ...
    async def recv(self) -> Message: ...
    async def close(self) -> tuple[int | None, str]: ...


Connect = Callable[[str], AbstractAsyncContextManager[Conn]]


class AiohttpConn:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.protocol: str | None = ws.protocol

    async def send(self, data: Message) -> None:
        await (self.ws.send_str(data) if isinstance(data, str) else self.ws.send_bytes(data))

    async def recv(self) -> Message:
        import aiohttp

        msg = await self.ws.receive()
        if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
            data: Message = msg.data
            return data
        raise ConnectionError(f"got {msg.type.name} instead of a message")

    async def close(self) -> tuple[int | None, str]:
        await self.ws.close(code=1000, message=b"bye")
        return self.ws.close_code, ""


class WebsocketsConn:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.protocol: str | None = ws.subprotocol

    async def send(self, data: Message) -> None:
        await self.ws.send(data)

    async def recv(self) -> Message:
        data: Message = await self.ws.recv()
        return data

    async def close(self) -> tuple[int | None, str]:
        await self.ws.close(1000, "bye")
        return self.ws.close_code, ""


def aiohttp_connect(url: str) -> Connect:
    @contextlib.asynccontextmanager
    async def connect(protocol: str) -> AsyncIterator[Conn]:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            try:
                ws = await session.ws_connect(url, protocols=(protocol,), max_msg_size=MAX_MESSAGE)
            except aiohttp.WSServerHandshakeError as exc:
                raise Rejected(f"handshake refused: {exc.status} {exc.message}") from None
            async with ws:
                yield AiohttpConn(ws)

    return connect


def websockets_connect(url: str) -> Connect:
    @contextlib.asynccontextmanager
    async def connect(protocol: str) -> AsyncIterator[Conn]:
        from websockets.asyncio.client import connect as ws_connect
        from websockets.exceptions import InvalidHandshake, InvalidStatus
        from websockets.typing import Subprotocol

        try:
            ws = await ws_connect(url, subprotocols=[Subprotocol(protocol)], max_size=MAX_MESSAGE)
        except InvalidStatus as exc:
            raise Rejected(f"handshake refused: {exc.response.status_code}") from None
        except InvalidHandshake as exc:
            raise Rejected(f"handshake failed: {exc}") from None
        async with ws:
            yield WebsocketsConn(ws)

    return connect


def text_of(n: int, i: int) -> str:
    s = f"text {i} "
    while len(s) < n:
        s += chr(97 + len(s) % 26)
    return s[:n] if n < 8 else s


def bytes_of(n: int, i: int) -> bytes:
    return bytes((k * 31 + i * 7) & 255 for k in range(n))


def describe(data: Message) -> str:
    return f"text of {len(data)} chars" if isinstance(data, str) else f"binary of {len(data)} bytes"


async def echo_step(connect: Connect, count: int) -> tuple[str, tuple[int | None, str]]:
    async with connect("echo") as conn:
        if conn.protocol != "echo":
            raise ValueError(f"the server selected {conn.protocol!r}, not 'echo'")
        sent: list[Message] = []
        for i in range(count):
            n = SIZES[i % len(SIZES)]
            sent += [text_of(n, i), bytes_of(n, i)]
        for message in sent:
            await conn.send(message)
        for k, message in enumerate(sent):
            try:
                got = await asyncio.wait_for(conn.recv(), TIMEOUT)
            except TimeoutError:
                raise ValueError(f"message {k + 1} ({describe(message)}) not echoed within {TIMEOUT:g} s") from None
            if got != message:
                raise ValueError(f"echo {k + 1} differs: sent {describe(message)}, got {describe(got)}")
        closed = await conn.close()
    top = SIZES[min(count, len(SIZES)) - 1]
    return f"{count} text + {count} binary messages (0 to {top} bytes) echoed", closed


async def chat_step(connect: Connect) -> str:
    lines = ["alice:has joined!", "bob:has joined!", "alice:hello bob", "bob:hi alice"]
    async with connect(CHAT) as alice, connect(CHAT) as bob:
        if alice.protocol != CHAT:
            raise ValueError(f"the server selected {alice.protocol!r}")
        for line in lines:
            await (alice if line.startswith("alice") else bob).send(line)
            for name, who in (("alice", alice), ("bob", bob)):
                try:
                    got = await asyncio.wait_for(who.recv(), TIMEOUT)
                except TimeoutError:
                    raise ValueError(f"{line!r} did not reach {name} within {TIMEOUT:g} s") from None
                if got != line:
                    raise ValueError(f"{name} saw {got!r} for {line!r}")
        await alice.close()
        await bob.close()
    return f"{len(lines)} chat lines reached both people"


async def scenario(connect: Connect, count: int) -> dict[str, Any]:
    result: dict[str, Any] = {"ok": False, "rejected": False, "steps": [], "error": None}
    steps: list[list[Any]] = result["steps"]
    try:
        detail, (code, _) = await echo_step(connect, count)
        steps += [["echo", True, detail], ["close", code == 1000, f"close code {code}"]]
    except Rejected as exc:
        result.update(rejected=True, error=str(exc))
        steps.append(["echo", False, str(exc)])
        return result
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
        steps.append(["echo", False, result["error"]])
    try:
        steps.append(["chat", True, await chat_step(connect)])
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
        result["error"] = result["error"] or error
        steps.append(["chat", False, error])
    result["ok"] = all(step[1] for step in steps)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lib", choices=("aiohttp", "websockets"), required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--count", type=int, default=8)
    args = p.parse_args()
    connect = aiohttp_connect(args.url) if args.lib == "aiohttp" else websockets_connect(args.url)
    result = asyncio.run(scenario(connect, args.count))
    python = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    print(json.dumps({"library": args.lib, "version": version(args.lib), "python": python, **result}), flush=True)


if __name__ == "__main__":
    main()
