"""harness.agents.python: what the raw client puts on the wire and records, against the reference server
and deliberately broken peers."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.agents import link as link_module
from harness.agents import python as python_driver
from harness.agents.python import PythonDriver, unsupported_in_draft
from harness.cases.model import (
    BeginFrame,
    Case,
    ExpectClose,
    FrameData,
    Handshake,
    Mark,
    Pause,
    Payload,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    Step,
    Wait,
    Write,
)
from harness.run.closing import Ending, ending
from harness.run.engine import drive
from harness.run.events import CloseOut, MarkSet, MessageIn, PongIn, TcpClosed
from harness.run.judge import judge
from harness.run.recorder import Recorder
from harness.run.results import WIRE_LOG_CAP, CloseBehavior, Observation
from harness.run.target import Target, Trust
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import Connection, Draft, Frame, FrameParser, Kind, ServerAccept, Side, accept, parse_close, parse_request

from ...server.support import tls_reference
from .. import peers
from ..peers import BY_SERVER, Peer, make_case

RFC = Draft.RFC6455
KEY = bytes.fromhex("01020304")
EITHER = ExpectClose(by="either", clean=False)


@pytest.fixture
async def reference() -> AsyncIterator[Target]:
    async with ReferenceServer(ServerConfig(port=0)) as server:
        yield Target("127.0.0.1", server.port)


async def observe(case: Case, target: Target, draft: Draft = RFC) -> Observation:
    """What the driver records of one connection through `case`, driven by the engine's loop."""
    recorder = Recorder()
    await asyncio.wait_for(drive(PythonDriver(), case, draft, target, recorder), 20)  # a ceiling
    return recorder.observation


def sent_after_handshake(obs: Observation) -> list[bytes]:
    """The chunks the client wrote after its handshake request (itself one chunk)."""
    out = [c.data for c in obs.wire if c.direction == "out"]
    assert out[0] == obs.handshake_request.encode("latin-1")
    return out[1:]


def client_frames(obs: Observation, draft: Draft) -> list[Frame]:
    return FrameParser(draft, masked=True).feed(b"".join(sent_after_handshake(obs)))


def masked(data: bytes, key: bytes = KEY) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


def kinds(obs: Observation) -> list[str]:
    return [e.kind for e in obs.events]


def end(obs: Observation, draft: Draft = RFC) -> Ending:
    return ending(obs.events, draft)


# --- exact bytes -------------------------------------------------------------------------------------

HELLO = Payload(text="Hello")


@pytest.mark.parametrize(
    ("draft", "step", "expected"),
    [
        pytest.param(
            RFC,
            SendFrame("text", HELLO, mask_key=KEY, declared_length=2, chop=1),
            b"\x81\x82" + KEY + masked(b"Hello"),
            id="declared-shorter",
        ),
        pytest.param(
            RFC,
            SendFrame("text", HELLO, mask_key=KEY, declared_length=300, chop=1),
            b"\x81\xfe\x01\x2c" + KEY + masked(b"Hello"),
            id="declared-16-bit",
        ),
        pytest.param(
            RFC,
            SendFrame("binary", HELLO, fin=False, mask_key=KEY, declared_length=70000, chop=1),
            b"\x02\xff" + (70000).to_bytes(8, "big") + KEY + masked(b"Hello"),
            id="declared-64-bit",
        ),
        pytest.param(
            RFC,
            SendFrame("reserved:0", HELLO, rsv1=True, rsv3=True, masked=False, mask_key=KEY, chop=1),
            b"\xd3\x05Hello",
            id="unmasked-rsv-reserved-opcode",
        ),
        pytest.param(
            Draft.HYBI_06,
            SendFrame("text", HELLO, mask_key=KEY, declared_length=9, chop=1),
            KEY + masked(b"\x84\x09Hello"),
            id="hybi-06-whole-frame-mask",
        ),
        pytest.param(
            Draft.HIXIE_76,
            SendFrame(0x80, Payload(text="abc"), declared_length=10, chop=2),
            b"\x80\x0aabc",
            id="hixie-length-frame",
        ),
    ],
)
async def test_a_frame_reaches_the_wire_exactly_as_asked(draft: Draft, step: SendFrame, expected: bytes) -> None:
    chop = step.chop
    assert chop is not None
    case = make_case(step, close=BY_SERVER, timeout=5)
    async with Peer(peers.sink(len(expected))) as peer:
        obs = await observe(case, peer.target, draft)
        await peer.wait_finished()
        (link,) = peer.links
    pieces = sent_after_handshake(obs)[: -(-len(expected) // chop)]
    assert b"".join(pieces) == expected
    assert [len(p) for p in pieces] == [min(chop, len(expected) - i) for i in range(0, len(expected), chop)]
    assert bytes(link.received[: len(expected)]) == expected  # and the peer got exactly those bytes


async def test_a_message_step_fragments_and_chops(reference: Target) -> None:
    case = make_case(SendMessage("text", Payload(text="Hello"), fragment_size=2, chop=3), Wait("message"))
    obs = await observe(case, reference)
    frames = client_frames(obs, RFC)
    assert [(f.opcode, f.fin, f.payload) for f in frames[:3]] == [
        (0x1, False, b"He"),
        (0x0, False, b"ll"),
        (0x0, True, b"o"),
    ]
    assert all(f.mask is not None for f in frames)
    written = sent_after_handshake(obs)
    assert max(len(c) for c in written[:-1]) == 3  # the last chunk is the close frame, not chopped
    # the echo protocol echoes frame by frame: the recorded message counts them
    (message,) = [e for e in obs.events if isinstance(e, MessageIn)]
    assert (message.fragments, message.payload.preview) == (3, "Hello")


async def test_a_reassembling_echo_is_one_fragment(reference: Target) -> None:
    case = make_case(
        SendMessage("text", Payload(text="Hello"), fragment_size=2),
        Wait("message"),
        handshake=Handshake(protocols=("echo-assemble",)),
    )
    obs = await observe(case, reference)
    (message,) = [e for e in obs.events if isinstance(e, MessageIn)]
    assert message.fragments == 1


async def test_ping_and_close_frames(reference: Target) -> None:
    case = make_case(SendPing(Payload(text="abc")), Wait("pong"), SendClose(1001, Payload(text="bye")))
    obs = await observe(case, reference)
    ping, close = client_frames(obs, RFC)
    assert (ping.opcode, ping.payload) == (0x9, b"abc")
    assert parse_close(close.payload, RFC) == (1001, "bye")
    (pong,) = [e for e in obs.events if isinstance(e, PongIn)]
    assert pong.payload.sha256 == hashlib.sha256(b"abc").hexdigest()
    e = end(obs)
    assert (e.closed_by, e.local_code, e.remote_code, e.clean) == ("harness", 1001, 1001, True)


# --- the wire log ------------------------------------------------------------------------------------


async def test_the_wire_log_cap_holds_with_a_1_MiB_message(reference: Target) -> None:
    size = 1 << 20
    data = Payload("repeat", byte=ord("a"), count=size)
    case = make_case(SendMessage("text", data), Wait("message", timeout=15), timeout=20)
    obs = await observe(case, reference)
    (message,) = [e for e in obs.events if isinstance(e, MessageIn)]
    assert message.payload.size == size
    assert message.payload.sha256 == hashlib.sha256(data.to_bytes()).hexdigest()
    assert message.payload.truncated
    for direction in ("out", "in"):
        kept = sum(len(c.data) for c in obs.wire if c.direction == direction)
        assert kept == WIRE_LOG_CAP, direction
        assert obs.wire_dropped[direction] > size - WIRE_LOG_CAP
        assert obs.wire_bytes(direction) > size
    request = len(obs.handshake_request)
    # request, 1 MiB frame (14-byte header), close frame (8 bytes): all counted, most of it dropped
    assert obs.wire_bytes("out") == request + 14 + size + 8


# --- handshake ---------------------------------------------------------------------------------------


async def test_a_handshake_override_is_sent_as_asked(reference: Target) -> None:
    handshake = Handshake(
        protocols=("echo",),
        headers=(("Sec-WebSocket-Key", None), ("Host", "example.org:1")),
        extra_headers=(("X-Twice", "1"), ("X-Twice", "2")),
    )
    obs = await observe(make_case(handshake=handshake), reference)
    lines = obs.handshake_request.split("\r\n")
    names = [line.split(":")[0].lower() for line in lines[1:] if line]
    assert lines[0] == "GET / HTTP/1.1"
    assert "sec-websocket-key" not in names
    assert "sec-websocket-version" in names
    assert "Host: example.org:1" in lines
    assert [line for line in lines if line.startswith("X-Twice")] == ["X-Twice: 1", "X-Twice: 2"]
    assert obs.status == 400
    assert "rejected" in kinds(obs)
    assert end(obs).closed_by is None  # no WebSocket, so no closing to judge


async def test_a_version_override_is_refused_with_the_versions(reference: Target) -> None:
    handshake = Handshake(headers=(("Sec-WebSocket-Version", "99"),), method="GET")
    obs = await observe(make_case(handshake=handshake), reference)
    assert "Sec-WebSocket-Version: 99" in obs.handshake_request.split("\r\n")
    assert obs.status == 426
    assert ("Sec-WebSocket-Version", "13, 8, 7, 6") in obs.response_headers


async def test_a_hixie_76_key3_override(reference: Target) -> None:
    handshake = Handshake(
        headers=(("Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5"), ("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00")),
        key3=Payload(text="^n:ds[4U"),
    )
    obs = await observe(make_case(handshake=handshake), reference, Draft.HIXIE_76)
    out = obs.wire[0]
    assert out.direction == "out"
    assert out.data.endswith(b"\r\n\r\n^n:ds[4U")
    assert b"8jKS'y:G*Co,Wxa-" in b"".join(c.data for c in obs.wire if c.direction == "in")
    assert obs.status == 101
    assert obs.handshake_error is None


async def test_a_wrong_accept_is_a_handshake_error() -> None:
    async with Peer(peers.wrong_accept) as peer:
        obs = await observe(make_case(), peer.target)
    assert obs.status == 101
    assert obs.handshake_error is not None
    assert obs.handshake_error.startswith(f"Sec-WebSocket-Accept is '{peers.BAD_ACCEPT}'")
    assert "open" not in kinds(obs)
    assert len(sent_after_handshake(obs)) == 0  # not a single frame on a connection that never opened


# --- connecting --------------------------------------------------------------------------------------


async def test_connection_refused() -> None:
    port = peers.closed_port()
    obs = await observe(make_case(), Target("127.0.0.1", port))
    assert obs.error is not None
    assert obs.error.startswith(f"cannot connect to 127.0.0.1:{port}: ")
    assert len(obs.error) > len(f"cannot connect to 127.0.0.1:{port}: ")
    assert (obs.handshake_request, obs.wire, obs.events) == ("", [], [])


async def test_a_connect_timeout_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    never = asyncio.Event()

    async def hang(*args: object, **kwargs: object) -> tuple[asyncio.Transport, asyncio.Protocol]:
        await never.wait()
        raise AssertionError("unreachable")

    monkeypatch.setattr(link_module, "CONNECT_TIMEOUT", 0.05)
    monkeypatch.setattr(asyncio.get_running_loop(), "create_connection", hang)
    obs = await observe(make_case(), Target("192.0.2.1", 80))
    assert obs.error == "cannot connect to 192.0.2.1: TimeoutError"


async def test_over_tls_with_the_targets_ca(tmp_path: Path) -> None:
    echo = make_case(SendMessage("text", Payload(text="über TLS")), Wait("message"), ok=(peers.text("über TLS"),))
    async with tls_reference(tmp_path) as (server, ca):
        target = Target.parse(server.ws_url, Trust(ca=ca))
        obs = await observe(echo, target)
        assert judge(echo, RFC, obs).behavior.value == "OK", obs.error
        assert [e.payload.preview for e in obs.events if isinstance(e, MessageIn)] == ["über TLS"]
        assert obs.handshake_request.startswith("GET / HTTP/1.1\r\n")  # the request, not TLS records
        untrusted = await observe(echo, Target.parse(server.ws_url))
    assert untrusted.error is not None
    assert untrusted.error.startswith(f"the TLS certificate of 127.0.0.1:{server.port} is not trusted: ")
    assert (untrusted.handshake_request, untrusted.wire, untrusted.events) == ("", [], [])


# --- broken peers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", [Draft.HYBI_07, Draft.RFC6455])
async def test_invalid_utf8_fails_the_connection_with_the_drafts_code(draft: Draft) -> None:
    case = make_case(SendMessage("text", Payload(text="Hello")), Wait("message"))
    async with Peer(peers.utf8_breaker) as peer:
        obs = await observe(case, peer.target, draft)
    e = end(obs, draft)
    assert e.failure is not None and e.failure.startswith("invalid UTF-8 in a text message")
    code = draft.info.invalid_data_code
    assert (e.closed_by, e.local_code, e.clean) == ("harness", code, False)
    assert "message" not in kinds(obs)
    message, close = client_frames(obs, draft)
    assert message.payload == b"Hello"
    assert (draft.info.kind(close.opcode), parse_close(close.payload, draft)[0]) == (Kind.CLOSE, code)


@pytest.mark.parametrize("at_once", [True, False], ids=["with-the-handshake", "after-a-message"])
async def test_after_failing_the_connection_the_client_sends_and_waits_for_nothing_more(
    monkeypatch: pytest.MonkeyPatch, at_once: bool
) -> None:
    case = make_case(
        SendMessage("text", Payload(text="Hello")),
        Wait("message", timeout=30),  # the peer's garbage fails the connection: no message can come
        SendMessage("text", Payload(text="after")),
        Pause(30),
        close_timeout=0.3,
    )
    async with Peer(peers.garbage_lingering(at_once=at_once)) as peer:
        started = time.monotonic()
        obs = await observe(case, peer.target)
        assert time.monotonic() - started < 10  # a ceiling well below the 30 s waits
    e = end(obs)
    assert e.failure is not None and e.failure.startswith("reserved bits")
    frames = client_frames(obs, RFC)
    # the failure's close goes out at once, even when the garbage came with the handshake; nothing after it
    expected = [Kind.CLOSE] if at_once else [Kind.TEXT, Kind.CLOSE]
    assert [RFC.info.kind(f.opcode) for f in frames] == expected
    assert parse_close(frames[-1].payload, RFC)[0] == 1002
    assert (e.closed_by, e.clean) == ("harness", False)


async def test_a_reset_is_recorded() -> None:
    case = make_case(SendMessage("text", Payload(text="Hello")), Wait("message"))
    async with Peer(peers.resetter) as peer:
        obs = await observe(case, peer.target)
    (tcp,) = [e for e in obs.events if isinstance(e, TcpClosed)]
    assert (tcp.by, tcp.reason.startswith("connection reset")) == ("peer", True)
    e = end(obs)
    assert (e.closed_by, e.clean, e.close_received) == ("peer", False, False)
    assert kinds(obs)[-1] == "tcp_closed"


async def test_a_quiet_period_ends_when_the_peer_leaves() -> None:
    async with Peer(peers.sink(0)) as peer:
        started = time.monotonic()
        obs = await observe(make_case(Pause(30), close=EITHER), peer.target)
        assert time.monotonic() - started < 10  # a ceiling well below the 30 s quiet period
    e = end(obs)
    assert (e.closed_by, e.clean, e.timed_out) == ("peer", False, False)


@pytest.mark.parametrize("draft", [Draft.HIXIE_75, Draft.HIXIE_76])
async def test_hixie_closing(reference: Target, draft: Draft) -> None:
    case = make_case(SendMessage("text", Payload(text="Hello")), Wait("message"))
    obs = await observe(case, reference, draft)
    after = b"".join(sent_after_handshake(obs))
    assert after.startswith(b"\x00Hello\xff")
    e = end(obs, draft)
    assert (e.closed_by, e.clean, e.dropped_by_agent) == ("harness", True, False)
    if draft is Draft.HIXIE_75:
        assert after == b"\x00Hello\xff"  # closing is dropping TCP: no closing frame
        assert not e.close_received
    else:
        assert after == b"\x00Hello\xff\xff\x00"
        assert e.close_received


# --- what a draft cannot express ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "step", "reason"),
    [
        (Draft.HIXIE_76, SendMessage("binary", Payload(text="x")), "hixie-76 has no binary messages"),
        (Draft.HIXIE_75, SendPing(), "hixie-75 has no ping or pong frames"),
        (Draft.HIXIE_76, SendPong(), "hixie-76 has no ping or pong frames"),
        (Draft.HIXIE_76, SendMessage("text", HELLO, fragment_size=2), "hixie-76 has no fragmentation"),
        (Draft.HIXIE_76, SendClose(1000), "hixie-76 close frames carry no code"),
        (Draft.HIXIE_75, SendClose(), "hixie-75 has no close frame"),
        (Draft.HIXIE_75, SendFrame("binary"), "hixie-75 has no opcode binary"),
        (Draft.RFC6455, SendFrame("reserved:10"), "rfc6455 has no opcode reserved:10"),
        (Draft.HIXIE_75, Repeat(2, (Pause(1), Repeat(1, (SendPing(),)))), "hixie-75 has no ping or pong frames"),
        (
            Draft.HYBI_06,
            Write((BeginFrame("text", 3),)),
            "hybi-06 masks whole frames: a frame cannot be written piece by piece",
        ),
    ],
)
def test_unsupported_in_draft(draft: Draft, step: Step, reason: str) -> None:
    case = make_case(SendMessage("text", HELLO), step)
    assert unsupported_in_draft(case, draft) == reason
    assert PythonDriver().unsupported(case, draft) == reason
    assert unsupported_in_draft(case, RFC) is None or draft is RFC


def test_what_every_draft_can_express() -> None:
    case = make_case(SendMessage("text", HELLO), SendFrame("text"), SendFrame(0x80), Wait("message"))
    assert all(unsupported_in_draft(case, d) is None for d in Draft)
    assert unsupported_in_draft(make_case(SendClose()), Draft.HIXIE_76) is None
    assert unsupported_in_draft(make_case(SendClose(1000)), Draft.HYBI_06) is None


# --- writes like Autobahn's ---------------------------------------------------------------------------

THREE = (
    SendFrame("text", Payload(text="Hello, world!")),
    SendFrame("text", Payload(text="Hello, world!"), rsv2=True),
    SendFrame("ping"),
)


def frame_sizes(obs: Observation) -> list[int]:
    return [len(c) for c in sent_after_handshake(obs)]


async def test_consecutive_sends_leave_in_one_write_and_arrive_in_one_read() -> None:
    """Autobahn's 3.2: the three frames are one TCP write; the peer reads them in one recv()."""
    total = (2 + 4 + 13) * 2 + (2 + 4)
    async with Peer(peers.sink(total)) as peer:
        obs = await observe(make_case(*THREE, close=BY_SERVER, timeout=5), peer.target)
        await peer.wait_finished()
        (link,) = peer.links
    (write,) = sent_after_handshake(obs)  # one write() after the handshake request
    assert len(write) == total
    assert [RFC.info.kind(f.opcode) for f in client_frames(obs, RFC)] == [Kind.TEXT, Kind.TEXT, Kind.PING]
    assert link.reads == [write]  # one read at the peer: every byte of the three frames at once


async def test_sync_chop_waits_and_write_groups_end_a_write(reference: Target) -> None:
    sync = tuple(SendFrame(s.opcode, s.payload, rsv2=s.rsv2, sync=True) for s in THREE)
    async with Peer(peers.sink(44)) as peer:
        assert frame_sizes(await observe(make_case(*sync, close=BY_SERVER, timeout=5), peer.target)) == [19, 19, 6]
    chopped = (SendFrame("text", Payload(text="ab"), chop=3), SendFrame("ping"))
    async with Peer(peers.sink(14)) as peer:
        assert frame_sizes(await observe(make_case(*chopped, close=BY_SERVER, timeout=5), peer.target)) == [3, 3, 2, 6]
    message = SendMessage("text", Payload(text="Hello"))
    steps = (message, message, Wait("message", count=2), Write((message, message)), message, Wait("message"))
    obs = await observe(make_case(*steps), reference)
    assert frame_sizes(obs)[:3] == [22, 22, 11]  # 2 messages | the group | the next one | (the close)


async def test_a_frame_written_in_pieces() -> None:
    steps = (
        BeginFrame("text", 5, fin=False, mask_key=KEY),
        FrameData(Payload(text="He")),
        Mark("between"),
        FrameData(Payload(text="llo")),
        SendFrame("continuation"),
    )
    async with Peer(peers.sink(11 + 6)) as peer:
        obs = await observe(make_case(*steps, close=BY_SERVER, timeout=5), peer.target)
    first, second = sent_after_handshake(obs)[:2]  # the mark ends the write in progress
    assert first == b"\x01\x85" + KEY + masked(b"He")
    assert second[:3] == masked(b"Hello")[2:]  # the key runs on where the first piece stopped
    assert second[3:5] == b"\x80\x80"  # then the empty final frame, with a key of its own
    assert [e.name for e in obs.events if isinstance(e, MarkSet)] == ["between"]


async def test_autobahns_fragmentation_ends_a_full_last_fragment_with_an_empty_frame(reference: Target) -> None:
    step = SendMessage("text", Payload(text="abcd"), fragment_size=2, empty_final_frame=True)
    obs = await observe(make_case(step, Wait("message")), reference)
    frames = client_frames(obs, RFC)[:3]
    assert [(f.opcode, f.fin, f.payload) for f in frames] == [
        (0x1, False, b"ab"),
        (0x0, False, b"cd"),
        (0x0, True, b""),
    ]
    odd = SendMessage("text", Payload(text="abc"), fragment_size=2, empty_final_frame=True)
    obs = await observe(make_case(odd, Wait("message")), reference)
    assert [f.payload for f in client_frames(obs, RFC)[:2]] == [b"ab", b"c"]  # not full: no extra frame


async def test_a_mark_is_recorded_only_while_the_connection_is_open() -> None:
    steps = (Mark("A"), SendMessage("text", Payload(text="x")), Pause(30), Mark("B"))
    async with Peer(peers.sink(7)) as peer:  # closes TCP once the message arrived
        started = time.monotonic()
        obs = await observe(make_case(*steps, close=EITHER), peer.target)
        assert time.monotonic() - started < 10  # the pause ended with the connection, well before 30 s
    assert [e.name for e in obs.events if isinstance(e, MarkSet)] == ["A"]


# --- the closing handshake: Autobahn's 1 s, measuring the peer and never the harness ---------------


async def test_a_peer_that_never_answers_the_close_is_unclean() -> None:
    """Autobahn's closeHandshakeTimeout: no close reply within close_timeout, the client drops TCP."""
    case = make_case(close_timeout=0.2)
    async with Peer(peers.silent) as peer:
        obs = await observe(case, peer.target)
    e = end(obs)
    assert (e.closed_by, e.close_received, e.clean, e.dropped_by_agent) == ("harness", False, False, True)
    assert judge(case, RFC, obs).close is CloseBehavior.UNCLEAN
    assert judge(replace(case, close=ExpectClose(clean=False)), RFC, obs).close is CloseBehavior.FAILED_BY_CLIENT


class _ThreadPeer:
    """An echo peer with a loop of its own, in a thread: it answers a close at once and says when it has,
    so a test can stall the harness's loop while the answer is already on its way."""

    def __init__(self) -> None:
        self.answered = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(4096)
            answer = accept(parse_request(head), b"", select_protocol=lambda offered: offered[0])
            assert isinstance(answer, ServerAccept)
            conn.sendall(answer.to_bytes())
            ws = Connection(Draft.RFC6455, Side.SERVER)
            while not ws.close_received:
                data = conn.recv(4096)
                if not data:
                    return
                ws.receive_data(data)
            conn.sendall(ws.data_to_send())  # the close reply
            self.answered.set()
            conn.shutdown(socket.SHUT_WR)
            conn.recv(4096)  # until the client closes too

    def __enter__(self) -> _ThreadPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        self.thread.join(10)


async def test_a_late_harness_never_makes_the_peer_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """The peer answers the close at once, but the harness's loop stalls past the 0.1 s deadline before it
    reads the answer: what had arrived by then still counts, and the close is clean."""
    flush = python_driver.RawSession.flush

    async def stalling_flush(session: python_driver.RawSession) -> None:
        await flush(session)
        if any(isinstance(e, CloseOut) for e in session.obs.events) and not session.stalled:
            session.stalled = True
            assert peer.answered.wait(10)  # the answer is on the wire (a ceiling)
            time.sleep(0.3)  # and the harness's loop is late: the deadline passes while it is blocked

    monkeypatch.setattr(python_driver.RawSession, "stalled", False, raising=False)
    monkeypatch.setattr(python_driver.RawSession, "flush", stalling_flush)
    case = make_case(close_timeout=0.1)
    with _ThreadPeer() as peer:
        obs = await observe(case, Target("127.0.0.1", peer.port))
    e = end(obs)
    assert (e.closed_by, e.close_received, e.clean, e.dropped_by_agent) == ("harness", True, True, False)
    assert judge(case, RFC, obs).close is CloseBehavior.OK


async def test_a_close_written_in_pieces_is_the_clients_close(reference: Target) -> None:
    """The close counts from the write of its last byte, before an answer can be read (7.6.1)."""
    for step in (SendClose(1000, Payload(text="bye"), chop=1), SendClose(1000, sync=True)):
        obs = await observe(make_case(step), reference)
        e = end(obs)
        assert (e.closed_by, e.remote_code, e.clean) == ("harness", 1000, True), step
