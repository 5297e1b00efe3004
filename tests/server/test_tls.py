"""server.tls: the names of a self-signed certificate, the CA and certificate it writes, the server context;
and the reference server over TLS: wss in every draft's framing, https, the plain port beside it."""

from __future__ import annotations

import asyncio
import ssl
import stat
from pathlib import Path

import pytest

from server.tls import check_name, default_names, self_signed, server_context
from wire import Draft

from .support import HOST, TIMEOUT, connect, open_raw, read_head, tls_reference


def test_default_names() -> None:
    assert default_names("127.0.0.1") == ("127.0.0.1", "localhost", "::1")
    assert default_names("0.0.0.0") == ("localhost", "127.0.0.1", "::1")
    assert default_names("::") == ("localhost", "127.0.0.1", "::1")
    assert default_names("ws.example") == ("ws.example", "localhost", "127.0.0.1", "::1")


@pytest.mark.parametrize("name", ["server", "ws.example.org", "*.example.org", "10.0.0.1", "::1", "a-b.c"])
def test_check_name_accepts_hosts_and_addresses(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "a..b", "bad name", "x/y", "a" * 64 + ".org", "*.", "http://x"])
def test_check_name_refuses_anything_else(name: str) -> None:
    with pytest.raises(ValueError, match="neither a host name nor an IP address"):
        check_name(name)


def test_self_signed_writes_a_ca_and_a_certificate_it_signs(tmp_path: Path) -> None:
    files = self_signed(tmp_path / "certs", ("127.0.0.1", "server"))
    assert (files.ca, files.cert, files.key) == tuple(tmp_path / "certs" / n for n in ("ca.pem", "cert.pem", "key.pem"))
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert files.ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" not in files.ca.read_text() + files.cert.read_text()  # the CA's key is never written
    info = ssl._ssl._test_decode_cert(str(files.cert))  # type: ignore[attr-defined]
    assert ("IP Address", "127.0.0.1") in info["subjectAltName"]
    assert ("DNS", "server") in info["subjectAltName"]
    server_context(files.cert, files.key)  # the key is the certificate's


def test_every_start_makes_a_new_ca(tmp_path: Path) -> None:
    first = self_signed(tmp_path, ("localhost",)).ca.read_bytes()
    assert self_signed(tmp_path, ("localhost",)).ca.read_bytes() != first


def test_server_context_refuses_a_key_of_another_certificate(tmp_path: Path) -> None:
    one, other = self_signed(tmp_path / "one", ("localhost",)), self_signed(tmp_path / "other", ("localhost",))
    with pytest.raises(ssl.SSLError):
        server_context(one.cert, other.key)


def trusting(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca)


@pytest.mark.parametrize("draft", [Draft.HIXIE_76, Draft.HYBI_07, Draft.RFC6455], ids=lambda d: d.value)
async def test_wss_echoes_in_every_framing(tmp_path: Path, draft: Draft) -> None:
    async with tls_reference(tmp_path) as (server, ca):
        assert server.ws_url == f"wss://{HOST}:{server.port}/"
        assert server.url == f"https://{HOST}:{server.port}/"
        client = await connect(server.port, draft, ["echo"], tls=trusting(ca))
        await client.send_text("over TLS " * 1000)
        assert await client.message() == "over TLS " * 1000
        close = await client.close()
        assert close is not None and close.close.code == (1000 if draft.info.close_codes else None)


async def test_https_serves_the_docroot(tmp_path: Path) -> None:
    async with tls_reference(tmp_path) as (server, ca):
        reader, writer = await open_raw(server.port, trusting(ca))
        writer.write(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        response, _, _ = await read_head(reader)
        assert response.status == 200
        writer.close()


async def test_the_plain_port_serves_ws_beside_wss(tmp_path: Path) -> None:
    async with tls_reference(tmp_path, plain=True) as (server, ca):
        assert server.plain_port not in (None, server.port)
        assert server.plain_ws_url == f"ws://{HOST}:{server.plain_port}/"
        assert server.plain_port is not None
        plain = await connect(server.plain_port, Draft.RFC6455, ["echo-broadcast"])
        secure = await connect(server.port, Draft.RFC6455, ["echo-broadcast"], tls=trusting(ca))
        await plain.send_text("from ws")
        assert await secure.message() == "from ws"  # one server: one broadcast room for both ports
        assert await plain.message() == "from ws"
        await plain.close()
        await secure.close()


async def test_a_client_that_does_not_trust_the_ca_gets_no_connection(tmp_path: Path) -> None:
    async with tls_reference(tmp_path) as (server, _):
        with pytest.raises(ssl.SSLCertVerificationError):
            await open_raw(server.port, ssl.create_default_context())


async def test_a_plain_client_on_the_tls_port_is_dropped(tmp_path: Path) -> None:
    async with tls_reference(tmp_path) as (server, _):
        reader, writer = await open_raw(server.port)
        writer.write(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        async with asyncio.timeout(TIMEOUT):
            assert not (await reader.read()).startswith(b"HTTP/")  # a TLS alert at most, then the end
        writer.close()
