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
    Write,
)
from wire import Connection, Draft, FrameParser, Side

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
    return [c for c in select(load_catalogue([ROOT / "cases"]), tags=["autobahn"]) if "rfc6455" in c.drafts]


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
