"""harness.cases.echo: `expect: {ok: echo}`, what an echo peer answers to a case's steps."""

from __future__ import annotations

import pytest

from harness.cases.echo import NoEcho, compact, echo
from harness.cases.model import (
    ExpectEvent,
    Mark,
    Pause,
    Payload,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Wait,
    Write,
)


def text(value: str, times: int = 1) -> ExpectEvent:
    return ExpectEvent("message", "text", Payload(text=value), times=times)


def test_messages_come_back_and_pings_as_pongs() -> None:
    steps = (
        SendMessage("text", Payload(text="a")),
        SendPong(Payload(text="x")),
        SendPing(Payload(text="p")),
        Wait("pong"),
    )
    assert echo(steps) == (text("a"), ExpectEvent("pong", payload=Payload(text="p")))


def test_frames_come_back_as_the_message_they_complete_in_order() -> None:
    """A ping between two fragments comes back before the message, which is whole only at its last frame."""
    steps = (
        SendFrame("text", Payload(text="frag1"), fin=False),
        SendFrame("ping", Payload(text="ping payload")),
        SendFrame("continuation", Payload(text="frag2")),
    )
    pong, message = echo(steps)
    assert pong == ExpectEvent("pong", payload=Payload(text="ping payload"))
    assert (message.type, message.kind, message.payload.to_bytes()) == ("message", "text", b"frag1frag2")


def test_a_repeated_round_trip_is_one_event_with_a_count() -> None:
    steps = (Repeat(1000, (SendMessage("binary", Payload("repeat", byte=0xFE, count=16)), Wait("message"))),)
    assert echo(steps) == (ExpectEvent("message", "binary", Payload("repeat", byte=0xFE, count=16), times=1000),)
    assert echo((Repeat(2, (SendMessage("text", Payload(text="a")), SendMessage("text", Payload(text="b")))),)) == (
        text("a"),
        text("b"),
        text("a"),
        text("b"),
    )


def test_write_groups_pauses_and_marks_are_transparent() -> None:
    steps = (
        Write((SendMessage("text", Payload(text="a")), SendMessage("text", Payload(text="a")))),
        Pause(0.1),
        Mark("A"),
    )
    assert echo(steps) == (text("a", times=2),)


def test_nothing_comes_back_after_the_close() -> None:
    steps = (SendMessage("text", Payload(text="a")), SendClose(1000), SendMessage("text", Payload(text="b")))
    assert echo(steps) == (text("a"),)


@pytest.mark.parametrize(
    "steps",
    [
        (SendRaw(Payload("hex", text="8100")),),
        (SendFrame("text", Payload(text="x"), rsv1=True),),
        (SendFrame("reserved:0"),),
        (SendFrame("continuation", Payload(text="x")),),
        (SendFrame("text", Payload(text="x"), fin=False),),
        (SendFrame("text", Payload(text="x"), fin=False), SendMessage("text", Payload(text="y"))),
    ],
)
def test_steps_an_echo_cannot_answer(steps: tuple[SendFrame | SendRaw | SendMessage, ...]) -> None:
    with pytest.raises(NoEcho):
        echo(steps)


def test_compact_joins_runs_of_equal_events() -> None:
    assert compact([text("a"), text("a", times=2), text("b"), text("a")]) == (text("a", times=3), text("b"), text("a"))


def test_a_repeat_of_corpus_slices_comes_back_slice_by_slice() -> None:
    """Autobahn's 12.*: message k of a repeat is the k-th slice, and so is its echo."""
    piece = Payload("corpus", text="json", count=16)
    one = (SendMessage("text", piece), Wait("message"))
    assert echo((Repeat(1000, one),)) == (ExpectEvent("message", "text", piece, times=1000),)
    two = (SendMessage("text", piece), SendMessage("binary", piece), Wait("message", 2))
    events = echo((Repeat(3, two),))
    assert [(e.kind, e.payload.index) for e in events] == [
        ("text", 0),
        ("binary", 0),
        ("text", 1),
        ("binary", 1),
        ("text", 2),
        ("binary", 2),
    ]
