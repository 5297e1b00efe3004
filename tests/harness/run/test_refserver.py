"""harness.run.refserver: the reference server as a child process, its URL read from its ready line."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest

from harness.run.refserver import ServerStartError, ready_url, reference_server


def test_ready_url() -> None:
    line = "wsinterop reference server ready on http://127.0.0.1:4242/ (WebSocket: ws://127.0.0.1:4242/)\n"
    assert ready_url(line) == "ws://127.0.0.1:4242/"
    line = "wsinterop reference server ready on https://127.0.0.1:4243/ (WebSocket: wss://127.0.0.1:4243/)\n"
    assert ready_url(line) == "wss://127.0.0.1:4243/"
    with pytest.raises(ServerStartError, match="the reference server did not start: it printed 'Traceback"):
        ready_url("Traceback (most recent call last):\n")


async def test_a_tls_reference_server(tmp_path: Path) -> None:
    async with reference_server("--tls-self-signed", str(tmp_path)) as url:
        assert url.startswith("wss://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        context = ssl.create_default_context(cafile=tmp_path / "ca.pem")

        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, ssl=context), 10)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 10)).startswith(b"HTTP/1.1 200 ")
        writer.close()
