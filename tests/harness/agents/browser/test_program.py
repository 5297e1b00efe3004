"""harness.agents.browser.program: a case's steps as the JSON program the page runs."""

from __future__ import annotations

import pytest

from harness.agents.browser.program import CLOSE_TIMEOUT, OPEN_TIMEOUT, Program, describe
from harness.cases.model import Chat, Mark, Pause, Payload, Repeat, SendClose, SendMessage, SendPing, Wait, Write

from ..browsers import RANDOM, SENDS


def test_payloads_the_page_can_build_never_cross_as_bytes() -> None:
    program = Program().compile((*SENDS, SendMessage("binary", RANDOM)))
    assert program["payloads"] == [
        {"kind": "text", "text": "héllo"},
        {"kind": "binary", "base64": "AAH+/w=="},
        {"kind": "binary", "base64": "3q0="},
        {"kind": "binary", "random": {"seed": "9", "count": 70001}},
        {"kind": "binary", "repeat": {"byte": 0xFE, "count": 3000}},
        {"kind": "text", "repeat": {"byte": ord("*"), "count": 300}},
        {"kind": "text", "text": ""},
        {"kind": "binary", "base64": ""},
    ]
    assert [op["payload"] for op in program["ops"]] == [0, 1, 2, 3, 4, 5, 6, 7, 3]  # each payload goes once
    assert program["ops"][2] == {"op": "send", "kind": "binary", "payload": 2, "size": 2, "blob": True}
    assert program["ops"][0]["size"] == 6  # bytes, not characters


def test_text_the_page_cannot_build_from_one_byte_goes_as_text() -> None:
    # a byte over 0x7f repeated is not UTF-8 (the page cannot send it); a binary one is built in the page
    assert describe("binary", Payload("repeat", byte=0xE9, count=2)) == {
        "kind": "binary",
        "repeat": {"byte": 0xE9, "count": 2},
    }
    assert describe("text", Payload("hex", "c3a9")) == {"kind": "text", "text": "é"}
    assert describe("binary", Payload(text="é")) == {"kind": "binary", "base64": "w6k="}


def test_every_step_kind_becomes_an_op() -> None:
    steps = (
        Repeat(2, (SendMessage("text", Payload(text="x")), Wait("message", count=1, timeout=5))),
        SendClose(4000, Payload(text="bye")),
        SendClose(),
        Wait("close", timeout=2),
        Pause(0.5),
        Write((SendMessage("text", Payload(text="x")), SendMessage("text", Payload(text="y")))),
        Chat("join", "Ann"),
        Chat("say", "hi"),
        Chat("leave"),
    )
    ops = Program().compile(steps)["ops"]
    assert ops == [
        {
            "op": "repeat",
            "count": 2,
            "ops": [
                {"op": "send", "kind": "text", "payload": 0, "size": 1, "blob": False},
                {"op": "wait", "for": "message", "count": 1, "timeout": 5},
            ],
        },
        {"op": "close", "code": 4000, "reason": "bye"},
        {"op": "close", "code": None, "reason": ""},
        {"op": "wait", "for": "close", "count": 1, "timeout": 2},
        {"op": "wait", "for": None, "count": 1, "timeout": 0.5},  # a pause: cut short by the close
        {
            "op": "repeat",  # a write group: the page sends its messages in order, TCP is the browser's
            "count": 1,
            "ops": [
                {"op": "send", "kind": "text", "payload": 0, "size": 1, "blob": False},
                {"op": "send", "kind": "text", "payload": 1, "size": 1, "blob": False},
            ],
        },
        {"op": "join", "text": "Ann", "timeout": OPEN_TIMEOUT},
        {"op": "say", "text": "hi", "timeout": CLOSE_TIMEOUT},
        {"op": "leave", "text": "", "timeout": CLOSE_TIMEOUT},
    ]


def test_a_step_a_page_cannot_perform_is_refused() -> None:
    with pytest.raises(ValueError, match="a page cannot perform SendPing"):
        Program().compile((SendPing(),))
    with pytest.raises(ValueError, match="a page cannot perform Mark"):
        Program().compile((Mark("A"),))
