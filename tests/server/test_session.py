"""server.session: the opening handshake in every draft, limits, idle timeout and the per-connection log line."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from server.app import ReferenceServer
from server.config import ServerConfig
from wire import (
    SUPPORTED_VERSIONS,
    ClientHandshake,
    Close,
    CloseReceived,
    ConnectionClosed,
    Draft,
    Frame,
    HandshakeError,
    TextMessage,
    encode,
)

from .support import ALL_DRAFTS, HOST, HYBI_DRAFTS, TIMEOUT, connect, draft_id, open_raw, read_head, read_to_eof


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0)) as running:
        yield running


# --- opening handshake ---------------------------------------------------------------------------


@pytest.mark.parametrize("writes", [1, 2, 8], ids=["with-head", "separate", "byte-by-byte"])
async def test_hixie76_key3_split(server: ReferenceServer, writes: int) -> None:
    reads: list[int] = []

    async def read_by_server(written: int) -> None:
        """Wait until the server's session has read the `written` bytes sent so far."""
        async with asyncio.timeout(TIMEOUT):
            while not any(s.bytes_in >= written for s in server.registry.sessions):
                await asyncio.sleep(0)  # a yield, not a delay
        reads.append(written)

    client = await connect(server.port, Draft.HIXIE_76, ["echo"], key3_writes=writes, after_write=read_by_server)
    if writes > 1:  # the head, then each piece, arrived and was read on its own
        head = reads[0]
        assert [n - head for n in reads] == [0, *range(8 // writes, 9, 8 // writes)]
    answer = client.response  # connect() ran ClientHandshake.check: the 16 bytes were the MD5 answer
    assert answer.status == 101
    assert answer.headers.get("Sec-WebSocket-Location") == f"ws://{HOST}:{server.port}/"
    with pytest.raises(HandshakeError, match="challenge answer"):
        client.handshake.check(client.response, bytes(16))  # the check that passed is not vacuous
    await client.send_text("after key3")
    assert await client.message() == "after key3"
    await client.close()


@pytest.mark.parametrize("draft", [Draft.HIXIE_76, Draft.RFC6455], ids=draft_id)
async def test_frames_in_the_same_write_as_the_head(server: ReferenceServer, draft: Draft) -> None:
    hs = ClientHandshake.build(draft, f"{HOST}:{server.port}", protocols=["echo"])
    frame = Frame(0x00, b"early") if draft is Draft.HIXIE_76 else Frame(0x1, b"early", mask=b"abcd")
    reader, writer = await open_raw(server.port)
    writer.write(hs.to_bytes() + encode(frame, draft.info.family))
    response, rest, _ = await read_head(reader)
    expected = encode(Frame(frame.opcode, b"early"), draft.info.family)
    async with asyncio.timeout(TIMEOUT):
        while len(rest) < hs.answer_size + len(expected):
            data = await reader.read(1024)
            assert data, rest
            rest += data
    hs.check(response, rest[: hs.answer_size])
    assert rest[hs.answer_size :] == expected
    writer.close()


async def test_hixie76_key3_never_sent() -> None:
    async with ReferenceServer(ServerConfig(port=0, handshake_timeout=0.3)) as server:
        hs = ClientHandshake.build(Draft.HIXIE_76, f"{HOST}:{server.port}")
        reader, writer = await open_raw(server.port)
        writer.write(hs.request.serialize() + hs.key3[:5])
        assert await read_to_eof(reader) == b""  # no answer without the whole key3, then the end of TCP
        writer.close()


async def test_unsupported_version_426(server: ReferenceServer) -> None:
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", overrides={"Sec-WebSocket-Version": "99"})
    reader, writer = await open_raw(server.port)
    writer.write(hs.to_bytes())
    response, rest, _ = await read_head(reader)
    assert response.status == 426
    assert response.headers.get_all("Sec-WebSocket-Version") == ["13, 8, 7, 6"]
    assert SUPPORTED_VERSIONS == (13, 8, 7, 6)
    assert "99" in (rest + await read_to_eof(reader)).decode()  # the body says why; then TCP ends
    writer.close()


@pytest.mark.parametrize(
    ("draft", "overrides"),
    [
        (Draft.RFC6455, {"Sec-WebSocket-Key": "dG9vIHNob3J0"}),  # base64 of 9 bytes, not 16
        (Draft.RFC6455, {"Sec-WebSocket-Key": "not base64!!"}),
        (Draft.RFC6455, {"Sec-WebSocket-Key": None}),
        (Draft.HYBI_07, {"Sec-WebSocket-Key": "x"}),
        (Draft.HIXIE_76, {"Sec-WebSocket-Key1": "12345"}),  # no spaces
        (Draft.HIXIE_76, {"Sec-WebSocket-Key2": "1 2 3"}),  # 123 not a multiple of 2 spaces
    ],
    ids=["short-key", "not-base64", "no-key", "hybi07-key", "key1-no-spaces", "key2-not-multiple"],
)
async def test_bad_key_400(server: ReferenceServer, draft: Draft, overrides: dict[str, str | None]) -> None:
    hs = ClientHandshake.build(draft, f"{HOST}:{server.port}", overrides=overrides)
    reader, writer = await open_raw(server.port)
    writer.write(hs.to_bytes())
    response, _, _ = await read_head(reader)
    assert response.status == 400
    await read_to_eof(reader)
    writer.close()


@pytest.mark.parametrize("path", ["/", "/chat", "/any/deep/path?x=1"])
async def test_upgrade_on_any_path(server: ReferenceServer, path: str) -> None:
    client = await connect(server.port, Draft.HIXIE_76, ["echo"], path=path)
    assert client.response.headers.get("Sec-WebSocket-Location") == f"ws://{HOST}:{server.port}{path}"
    await client.close()


# --- limits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", ALL_DRAFTS, ids=draft_id)
async def test_idle_timeout_closes(draft: Draft) -> None:
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.3)) as server:
        client = await connect(server.port, draft, ["echo"])
        events = await client.tcp_closed()
        closes = [e.code for e in events if isinstance(e, CloseReceived)]
        if draft.info.close_codes:
            assert closes == [1001]
        elif draft is Draft.HIXIE_76:
            assert closes == [None]  # FF 00
        else:
            assert closes == []  # hixie-75: only the end of TCP
        assert isinstance(events[-1], ConnectionClosed)
        await client.abort()


async def test_traffic_is_not_idle() -> None:
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.3)) as server:
        busy = await connect(server.port, Draft.RFC6455, ["echo"])
        # two idle clients, the second opened when the first is closed, time the busy one past the timeout
        for _ in range(2):
            idle = await connect(server.port, Draft.RFC6455, [])
            closed = asyncio.create_task(idle.tcp_closed())
            while not closed.done():
                await busy.send_text("tick")
                assert await busy.message() == "tick"
            assert [e.code for e in closed.result() if isinstance(e, CloseReceived)] == [1001]
            await idle.abort()
        await busy.send_text("still open")
        assert await busy.message() == "still open"
        assert await busy.close() == CloseReceived(Close(1000), b"\x03\xe8")


async def test_idle_counts_traffic_either_way() -> None:
    """A chat-room lurker only receives: what the server sends it keeps it open too."""
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.3)) as server:
        lurker = await connect(server.port, Draft.RFC6455, ["echo-broadcast"])
        talker = await connect(server.port, Draft.RFC6455, ["echo-broadcast"])
        count = 0
        for _ in range(2):  # two idle clocks in a row: the lurker stays past twice the timeout
            idle = await connect(server.port, Draft.RFC6455, [])
            closed = asyncio.create_task(idle.tcp_closed())
            while not closed.done():
                count += 1
                await talker.send_text(f"m{count}")
                assert await talker.message() == f"m{count}"
                assert await lurker.message() == f"m{count}"
            await idle.abort()
        await lurker.send_text("still here")
        assert await lurker.message() == "still here"
        await lurker.close()
        await talker.close()


@pytest.mark.parametrize("protocol", ["echo", "echo-fragment", "echo-assemble", "echo-broadcast"])
@pytest.mark.parametrize("draft", [Draft.RFC6455, Draft.HYBI_06, Draft.HIXIE_76], ids=draft_id)
async def test_no_data_after_the_servers_close(draft: Draft, protocol: str, caplog: pytest.LogCaptureFixture) -> None:
    """Data arriving after the server sent its close is read and dropped, not echoed (RFC 6455 §5.5.1)."""
    caplog.set_level(logging.INFO, logger="server")
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.2)) as server:
        client = await connect(server.port, draft, [protocol])
        host, port = client.writer.get_extra_info("sockname")[:2]
        client.conn.auto_close = False
        closing = await client.close_received()  # the idle timeout's close
        await client.send_text("late")
        await client.send_close(1000 if draft.info.close_codes else None)
        assert await read_to_eof(client.reader) == b""  # nothing after the server's close frame
        await client.abort()
    code = 1001 if draft.info.close_codes else None
    assert closing.code == code
    (line,) = records_for(caplog, f"{host}:{port}")
    assert f" close sent={code} received={1000 if code else None} " in line
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("protocol", ["echo", None])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_max_message(draft: Draft, protocol: str | None) -> None:
    async with ReferenceServer(ServerConfig(port=0, max_message=1000)) as server:
        client = await connect(server.port, draft, [protocol] if protocol else [], assemble=True)
        await client.send_binary(b"x" * 1000)
        if protocol:
            assert await client.message() == b"x" * 1000
        await client.send_ping(b"alive")
        assert await client.pong() == b"alive"
        for fragment_size in (None, 600):
            if fragment_size:
                client = await connect(server.port, draft, [protocol] if protocol else [], assemble=True)
            await client.send_binary(b"x" * 1001, fragment_size=fragment_size)
            events = await client.tcp_closed()
            assert [type(e) for e in events] == [CloseReceived, ConnectionClosed], events
            assert isinstance(events[0], CloseReceived) and events[0].code == draft.info.too_big_code


async def test_max_message_hixie() -> None:
    async with ReferenceServer(ServerConfig(port=0, max_message=100)) as server:
        client = await connect(server.port, Draft.HIXIE_76, ["echo"])
        await client.send_text("x" * 100)
        assert await client.message() == "x" * 100
        await client.send_text("x" * 101)
        assert await client.tcp_closed() == [CloseReceived(Close()), ConnectionClosed(clean=True)]


async def test_invalid_utf8_fails_with_1007(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo-assemble"])
    client.conn.send_frame(Frame(0x1, b"\xff\xfe"))
    await client.flush()
    events = await client.tcp_closed()
    assert [e.code for e in events if isinstance(e, CloseReceived)] == [1007]


# --- the log line -------------------------------------------------------------------------------


def records_for(caplog: pytest.LogCaptureFixture, peer: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "server" and r.getMessage().startswith(peer + " ")]


async def wait_for_records(caplog: pytest.LogCaptureFixture, peer: str, timeout: float = 5.0) -> list[str]:
    """The log lines for `peer` once its session has ended: the session logs as its last act, after the
    client closed TCP (the server reads on after its FIN, to discard trailing bytes)."""
    arrived = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith(peer + " "):
                arrived.set()

    watch, logger = Watch(), logging.getLogger("server")
    logger.addHandler(watch)
    try:
        if not records_for(caplog, peer):
            await asyncio.wait_for(arrived.wait(), timeout)
    finally:
        logger.removeHandler(watch)
    return records_for(caplog, peer)


async def test_one_log_line_per_connection(server: ReferenceServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="server")
    client = await connect(server.port, Draft.RFC6455, ["echo"])
    host, port = client.writer.get_extra_info("sockname")[:2]
    peer = f"{host}:{port}"
    await client.send_text("hello")
    assert await client.message() == "hello"
    await client.close(3000)
    lines = await wait_for_records(caplog, peer)
    assert len(lines) == 1, caplog.records
    line = lines[0]
    assert " draft=rfc6455 protocol=echo " in line
    assert " close sent=3000 received=3000 " in line
    # in: the WebSocket bytes after the HTTP head; out: everything, the 101 answer included
    assert f" in={client.bytes_out} out={client.bytes_in} " in line


@pytest.mark.parametrize("draft", [Draft.HIXIE_75, Draft.HIXIE_76, Draft.HYBI_06], ids=draft_id)
async def test_log_line_other_drafts(server: ReferenceServer, caplog: pytest.LogCaptureFixture, draft: Draft) -> None:
    caplog.set_level(logging.INFO, logger="server")
    client = await connect(server.port, draft, [])
    host, port = client.writer.get_extra_info("sockname")[:2]
    await client.close()  # returns once the server half-closed TCP and the client closed its side
    (line,) = await wait_for_records(caplog, f"{host}:{port}")
    code = 1000 if draft.info.close_codes else None
    assert f" draft={draft.value} protocol=- close sent={code} received={code} " in line


async def test_log_line_for_a_rejection(server: ReferenceServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="server")
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", overrides={"Sec-WebSocket-Version": "99"})
    reader, writer = await open_raw(server.port)
    host, port = writer.get_extra_info("sockname")[:2]
    writer.write(hs.to_bytes())
    await read_to_eof(reader)
    writer.close()
    (line,) = await wait_for_records(caplog, f"{host}:{port}")
    assert "draft=- protocol=- rejected: unsupported Sec-WebSocket-Version 99" in line


async def test_verbose_logs_events(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="server")
    async with ReferenceServer(ServerConfig(port=0, verbose=True)) as server:
        client = await connect(server.port, Draft.HYBI_07, ["echo-assemble"])
        await client.send_text("verbose")
        assert await client.next_event() == TextMessage("verbose")
        await client.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "server"]
    assert any("hybi-07: TextMessage(data='verbose', frames=1)" in m for m in messages), messages


@pytest.mark.parametrize("protocol", ["echo", "echo-assemble"])
@pytest.mark.parametrize("size", [70_000, 1 << 20])
async def test_large_messages_echo_whole(protocol: str, size: int) -> None:
    """A large masked frame arrives in many TCP reads (taken piece by piece) and goes back as its own
    transport write; text is checked as UTF-8 across the pieces."""
    async with ReferenceServer(ServerConfig(port=0, assemble_limit=2 << 20)) as server:
        client = await connect(server.port, Draft.RFC6455, [protocol])
        data = bytes(i * 7 % 251 for i in range(size))
        await client.send_binary(data)
        assert await client.message() == data
        text = ("κόσμε €𝄞 " * (size // 16))[: size // 2]
        await client.send_text(text)
        assert await client.message() == text
        assert await client.close() == CloseReceived(Close(1000), b"\x03\xe8")


@pytest.mark.parametrize("draft", [Draft.RFC6455, Draft.HIXIE_76], ids=draft_id)
async def test_closing_discards_trailing_bytes_instead_of_resetting(
    draft: Draft, caplog: pytest.LogCaptureFixture
) -> None:
    """After the closing handshake the server half-closes and reads on until the client closes (RFC 6455
    §7.1.1, "discarding any trailing bytes"): bytes that come late are read, not left for a reset."""
    caplog.set_level(logging.INFO, logger="server")
    async with ReferenceServer(ServerConfig(port=0)) as server:
        client = await connect(server.port, draft, ["echo"])
        host, port = client.writer.get_extra_info("sockname")[:2]
        await client.send_close(1000 if draft.info.close_codes else None)
        await client.close_received()
        assert await read_to_eof(client.reader) == b""  # the server's FIN
        trailing = b"\x00trailing bytes\xff" * 10
        client.writer.write(trailing)  # a late frame, as in Autobahn 7.1.6
        await client.writer.drain()
        client.writer.close()
        await client.writer.wait_closed()
        records = await wait_for_records(caplog, f"{host}:{port}")
    (line,) = records
    bytes_in = int(line.split(" in=")[1].split()[0])
    assert bytes_in == client.bytes_out + len(trailing)
