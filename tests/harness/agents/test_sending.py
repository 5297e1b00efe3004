"""harness.agents.sending: the frames a case's steps put on the wire; the catalogue's `autobahn` cases send
exactly the frames of Autobahn|Testsuite's cases (data/autobahn_frames.json, traced from its sources)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.agents.sending import Encoder
from harness.cases.loader import load_catalogue, select
from harness.cases.model import (
    BeginFrame,
    Case,
    FrameData,
    Payload,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Step,
    Wait,
    Write,
)
from wire import Connection, Draft, FrameParser, Side, TextMessage
from wire.extensions import Agreement

RFC = Draft.RFC6455
ROOT = Path(__file__).parents[3]
AUTOBAHN = json.loads((ROOT / "tests" / "harness" / "cases" / "data" / "autobahn_frames.json").read_text())["cases"]


def frames(steps: tuple[Step, ...]) -> list[list[Any]]:
    """What `steps` send, as the fixture writes Autobahn's frames, with runs of equal frames counted."""
    enc = Encoder(Connection(RFC, Side.CLIENT, mask_source=bytes), RFC)
    out: list[list[Any]] = []

    def add(row: list[Any]) -> None:
        if out and out[-1][0] == row:
            out[-1][1] += 1
        else:
            out.append([row, 1])

    def run(steps: tuple[Step, ...]) -> None:
        for step in steps:
            if isinstance(step, Repeat):
                for _ in range(step.count):
                    run(step.steps)
            elif isinstance(step, Write):
                run(step.steps)
            elif isinstance(step, BeginFrame):
                add(["begin", step.length])
                enc.frames(step)
            elif isinstance(step, FrameData):
                enc.frames(step)
            elif isinstance(step, SendFrame | SendMessage | SendPing | SendPong | SendClose | SendRaw):
                sync, chop = getattr(step, "sync", False), getattr(step, "chop", None) or 0
                for f in FrameParser(RFC, masked=True).feed(b"".join(enc.frames(step))):
                    rsv = f.rsv1 << 2 | f.rsv2 << 1 | f.rsv3
                    add([f.opcode, f.fin, rsv, len(f.payload), f.payload[:16].hex(), sync, chop])

    run(steps)
    return out


def autobahn_cases() -> list[Case]:
    """The cases with Autobahn ids whose frames the fixture traced: all but the compression ones (12.*, 13.*),
    whose payloads come from our data sets, not Autobahn's files (test_compression_cases_are_autobahns)."""
    cases = select(load_catalogue([ROOT / "cases"]), tags=["autobahn"], exclude_tags=["compression"])
    return [c for c in cases if "rfc6455" in c.drafts]


# Autobahn's case12_x_x.py MSG_SIZES: (payload length, message count, case timeout, auto-fragment size)
MSG_SIZES = [(16, 1000, 60, 0), (64, 1000, 60, 0), (256, 1000, 120, 0), (1024, 1000, 240, 0)]
MSG_SIZES += [(n, 1000, 480, 0) for n in (4096, 8192, 16384, 32768, 65536, 131072)]
MSG_SIZES += [(n, 1000, 480, 256) for n in (8192, 16384, 32768, 65536, 131072)]
MSG_SIZES += [(131072, 1000, 480, n) for n in (1024, 4096, 32768)]
DEFAULT_OFFER = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
OFFERS_13 = {  # Autobahn's DEFLATE_PARAMS, as its PerMessageDeflateOffer writes them
    1: (DEFAULT_OFFER,),
    2: (DEFAULT_OFFER + "; server_no_context_takeover",),
    3: (DEFAULT_OFFER + "; server_max_window_bits=9",),
    4: (DEFAULT_OFFER + "; server_max_window_bits=15",),
    5: (DEFAULT_OFFER + "; server_no_context_takeover; server_max_window_bits=9",),
    6: (DEFAULT_OFFER + "; server_no_context_takeover; server_max_window_bits=15",),
    7: (
        DEFAULT_OFFER + "; server_no_context_takeover; server_max_window_bits=9",
        DEFAULT_OFFER + "; server_no_context_takeover",
        DEFAULT_OFFER,
    ),
}
DATA_SETS_12 = {
    1: ("json", "text"),
    2: ("image", "binary"),
    3: ("text", "binary"),
    4: ("html", "text"),
    5: ("pdf", "binary"),
}


def test_compression_cases_are_autobahns() -> None:
    """12.* and 13.*: Autobahn's ids, sizes, counts, timeouts, auto-fragmentation (of the compressed payload,
    with its empty final frame), offers and data kinds; each message waits for the echo of the last."""
    cases = select(load_catalogue([ROOT / "cases"]), tags=["autobahn"])
    cases = [c for c in cases if "compression" in c.info.tags]
    assert sorted(c.id for c in cases) == sorted(
        [f"12.{s}.{n}" for s in range(1, 6) for n in range(1, 19)]
        + [f"13.{s}.{n}" for s in range(1, 8) for n in range(1, 19)]
    )
    for case in cases:
        _, group, n = (int(p) for p in case.id.split("."))
        size, count, timeout, fragment = MSG_SIZES[n - 1]
        category = case.id.split(".")[0]
        offers = (DEFAULT_OFFER,) if category == "12" else OFFERS_13[group]
        name, kind = DATA_SETS_12[group] if category == "12" else ("json", "text")
        assert case.drafts == ("rfc6455",) and case.timeout == timeout
        assert case.handshake.extensions == offers and case.expect_handshake.deflate == ()
        assert case.handshake.deflate_as_answered  # Autobahn's client takes any response as it reads
        (repeat,) = case.steps
        assert isinstance(repeat, Repeat) and repeat.count == count
        send, wait = repeat.steps
        assert isinstance(send, SendMessage) and isinstance(wait, Wait)
        assert (send.kind, send.payload.kind, send.payload.text, send.payload.count) == (kind, "corpus", name, size)
        assert (send.fragment_size or 0, send.empty_final_frame, send.compress) == (fragment, True, True)
        assert wait.for_ == "message" and wait.count == 1
        assert case.ok is not None and [(e.kind, e.payload, e.times) for e in case.ok] == [(kind, send.payload, count)]


def test_every_autobahn_id_is_in_the_catalogue() -> None:
    assert sorted(c.id for c in autobahn_cases()) == sorted(AUTOBAHN)


@pytest.mark.parametrize("case", autobahn_cases(), ids=lambda c: c.id)
def test_an_autobahn_case_sends_autobahns_frames(case: Case) -> None:
    sent = frames(case.steps)
    if case.id.startswith(("9.7.", "9.8.")):  # Autobahn sends the next one from onMessage: its trace has one
        sent = [[sent[0][0], 1]]
    assert sent == AUTOBAHN[case.id]


def test_autobahns_fragmentation_and_a_frame_in_pieces() -> None:
    message = SendMessage("text", Payload(text="abcd"), fragment_size=2, empty_final_frame=True)
    assert [row for row, _ in frames((message,))] == [
        [1, False, 0, 2, "6162", False, 0],
        [0, False, 0, 2, "6364", False, 0],
        [0, True, 0, 0, "", False, 0],
    ]
    pieces = (BeginFrame("text", 4, fin=False), FrameData(Payload(text="ab")), FrameData(Payload(text="cd")))
    assert frames(pieces) == [[["begin", 4], 1]]


def test_messages_go_compressed_once_permessage_deflate_is_agreed() -> None:
    """Autobahn's sendMessage with permessage-deflate: the whole message compressed, then the compressed
    payload split into fragments (RSV1 on the first), an empty final frame when it fills the last one."""
    client = Connection(RFC, Side.CLIENT, deflate=Agreement())
    server = Connection(RFC, Side.SERVER, deflate=Agreement(), frames=True)
    enc = Encoder(client, RFC)
    data = Payload("corpus", text="json", count=4096)
    wire = b"".join(enc.frames(SendMessage("text", data, fragment_size=64, empty_final_frame=True)))
    frames = FrameParser(RFC, masked=True).feed(wire)
    assert [f.rsv1 for f in frames] == [True] + [False] * (len(frames) - 1)
    compressed = b"".join(f.payload for f in frames)
    assert len(compressed) < 4096 / 4
    if len(compressed) % 64 == 0:
        assert frames[-1].payload == b""
    server.receive_data(wire)
    assert [e for e in server.events() if isinstance(e, TextMessage)] == [
        TextMessage(data.to_bytes().decode(), len(frames))
    ]
    plain = b"".join(enc.frames(SendMessage("text", Payload(text="raw"), compress=False)))
    (frame,) = FrameParser(RFC, masked=True).feed(plain)
    assert (frame.rsv1, frame.payload) == (False, b"raw")
