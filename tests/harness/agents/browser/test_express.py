"""harness.agents.browser.express: what a page can express, and why not (the UNIMPLEMENTED reasons)."""

from __future__ import annotations

import pytest

from harness.agents.browser.express import unsupported_in_page
from harness.cases.model import (
    BeginFrame,
    Chat,
    ExpectEvent,
    ExpectHandshake,
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
    SendRaw,
    Step,
    Wait,
    Write,
)
from wire import Draft

from ...peers import make_case, text

RFC = Draft.RFC6455


def test_a_page_speaks_only_rfc6455() -> None:
    case = make_case(SendMessage("text", Payload(text="x")))
    assert unsupported_in_page(case, RFC, title="Firefox") is None
    assert unsupported_in_page(case, Draft.HYBI_07, title="Firefox") == "Firefox speaks only RFC 6455"


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        (SendFrame("text", Payload(text="x"), rsv1=True), "a page cannot send a frame of its own making"),
        (SendRaw(Payload(text="x")), "a page cannot send raw bytes"),
        (SendPing(), "a page cannot send pings"),
        (SendPong(), "a page cannot send pongs"),
        (SendMessage("text", Payload(text="x" * 10), fragment_size=3), "a page cannot choose fragmentation"),
        (SendMessage("text", Payload(text="x"), sync=True), "a page cannot choose fragmentation or TCP writes"),
        (SendMessage("text", Payload(text="x"), chop=1), "a page cannot choose fragmentation or TCP writes"),
        (SendMessage("text", Payload("hex", "ff")), "a page can only send text that is valid UTF-8"),
        (SendClose(1000, chop=1), "a page cannot choose a mask key or TCP writes"),
        (SendClose(1000, mask_key=b"abcd"), "a page cannot choose a mask key or TCP writes"),
        (BeginFrame("text", 3), "a page cannot send a frame of its own making"),
        (Mark("A"), "a page does not record marks"),
        (Write((SendPing(),)), "a page cannot send pings"),
        (SendClose(1001), "a page may close only with 1000 or 3000-4999, not 1001"),
        (SendClose(raw=Payload("hex", "03e8")), "a page cannot send a raw close payload"),
        (SendClose(1000, Payload("hex", "ff")), "a page can only give a close reason that is valid UTF-8"),
        (SendClose(1000, Payload(text="x" * 124)), "a page may give a close reason of at most 123 bytes"),
        (Wait("pong"), "a page cannot see pings or pongs"),
        (Repeat(2, (SendPing(),)), "a page cannot send pings"),
        (Chat("join", "Ann"), "chat steps need a chat page actor"),
        (SendMessage("text", Payload("corpus", text="json", count=16)), "a page does not walk the data sets"),
    ],
)
def test_steps_a_page_cannot_take(step: Step, reason: str) -> None:
    got = unsupported_in_page(make_case(step), RFC)
    assert got is not None and got.startswith(reason), got


def test_handshakes_and_expectations_a_page_cannot_express() -> None:
    cases = {
        "a page cannot change the opening handshake": make_case(handshake=Handshake(method="POST")),
        "a page can only open a URL whose path starts with /": make_case(handshake=Handshake(path="x")),
        "a page cannot see the status of a refused handshake": make_case(
            expect_handshake=ExpectHandshake(status=(426,))
        ),
        "a page cannot see the headers of the handshake answer": make_case(
            expect_handshake=ExpectHandshake(headers=(("Upgrade", "websocket"),))
        ),
        "a page cannot see pings or pongs": make_case(ok=(ExpectEvent("pong"),)),
        "a page cannot see how a message was fragmented": make_case(ok=(text("x", fragments=2),)),
        "a page does not record marks": make_case(ok=(ExpectEvent("mark", name="A"),)),
        "the browser agents do not record the extensions the server accepted": make_case(
            expect_handshake=ExpectHandshake(deflate=())
        ),
    }
    for reason, case in cases.items():
        assert unsupported_in_page(case, RFC) == reason
    offers = make_case(handshake=Handshake(extensions=("permessage-deflate",)))  # the browser makes its own
    assert unsupported_in_page(offers, RFC) == "a page cannot change the opening handshake"


def test_a_write_group_and_a_pause_are_only_wishes_about_time_and_tcp() -> None:
    x = SendMessage("text", Payload(text="x"))
    assert unsupported_in_page(make_case(Write((x, x)), Pause(0.1), Wait("message", count=2)), RFC) is None
    one_frame = SendMessage("text", Payload(text="x"), empty_final_frame=True)  # no fragments: no empty frame
    assert unsupported_in_page(make_case(one_frame), RFC) is None


def test_the_chat_room_page_joins_says_leaves_and_waits() -> None:
    chat = make_case(Chat("join", "Ann"), Wait("message"), Chat("say", "hi"), Chat("leave"))
    assert unsupported_in_page(chat, RFC, "chat") is None
    said = make_case(Chat("join", "Ann"), SendMessage("text", Payload(text="x")))
    assert unsupported_in_page(said, RFC, "chat") == "the chat room page only joins, says, leaves and waits"
