"""Engine differences, as findings: the same broken server, Chromium, Firefox and WebKit, and what each page sees
and sends back. docs/browsers.md lists them; each one here is measured, not assumed, so a browser update
that changes one fails this file and the document gets corrected.

What a page sees is the observation (error and close events); what the browser sent back is decoded from
the bytes the peer received (a close frame, or none before TCP ended).
"""

from __future__ import annotations

import pytest

from harness.agents.browser import PageDriver
from harness.agents.browser.session import ERROR_EVENT
from harness.cases.model import Payload, SendMessage, Wait
from harness.run import events as ev
from harness.run.engine import Item, run_item
from harness.run.results import Behavior, CaseResult, CloseBehavior
from wire import CloseReceived, Draft, Frame, FrameParser, Kind, close_payload

from ...peers import Handler, Link, Peer, make_case, tcp_dropper, text, utf8_breaker, wrong_code
from ..browsers import driver

__all__ = ["driver"]  # the fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")

HELLO = make_case(
    SendMessage("text", Payload(text="Hello")),
    Wait("message", timeout=5),
    ok=(text("Hello"),),
    agents=("chromium", "firefox"),
    drafts=("rfc6455",),
    timeout=10,
)


async def masked_hello(link: Link) -> None:
    """Answers the first message with a masked text frame (a server must not mask), then echoes a close."""
    conn = await link.handshake()
    async for event in link.events():
        if isinstance(event, CloseReceived):
            return
        conn.send_frame(Frame(conn.info.opcode(Kind.TEXT), b"Hello", mask=b"\x01\x02\x03\x04"))
        link.flush()


def closes_with(code: int | None) -> Handler:
    """Starts the closing handshake with `code` (None: an empty close) as soon as the first message arrives."""

    async def handler(link: Link) -> None:
        conn = await link.handshake()
        async for event in link.events():
            if isinstance(event, CloseReceived):
                return
            conn.send_frame(Frame(conn.info.opcode(Kind.CLOSE), close_payload(code, b"")))
            link.flush()

    return handler


def sent_back(peer: Peer) -> list[int | None]:
    """The codes of the close frames the browser sent (None: no code), decoded from what the peer received;
    frames only, so that a code the peer's own rules refuse is read too."""
    frames = FrameParser(Draft.RFC6455, masked=True).feed(bytes(peer.links[0].received))
    return [int.from_bytes(f.payload[:2], "big") if f.payload else None for f in frames if f.opcode == 8]


async def run(driver: PageDriver, peer: Peer) -> CaseResult:
    result = await run_item(Item(HELLO, Draft.RFC6455, driver), peer.target)
    await peer.wait_finished()
    return result


def page_closes(result: CaseResult) -> list[tuple[int | None, bool]]:
    """The page's close events as (code, wasClean), read back from what the session made of them: the
    browser failing the connection (its code), or the peer's close frame (1005: none with a code; 1006: no
    close frame) and whether TCP ended cleanly."""
    events = result.observation.events
    closes: list[tuple[int | None, bool]] = [(e.code, False) for e in events if isinstance(e, ev.Failure)]
    if closes:
        return closes
    code = next((1005 if e.code is None else e.code for e in events if isinstance(e, ev.CloseIn)), 1006)
    return [(code, not e.reason) for e in events if isinstance(e, ev.TcpClosed)]


def errors(result: CaseResult) -> int:
    """The page's error events."""
    return sum(1 for e in result.observation.events if isinstance(e, ev.Note) and e.text.startswith(ERROR_EVENT))


async def test_invalid_utf8_from_the_server(driver: PageDriver) -> None:
    async with Peer(utf8_breaker) as peer:
        result = await run(driver, peer)
        back = sent_back(peer)
    # the same in every page: an error event, then close 1006: the browser failed the connection
    assert (errors(result), page_closes(result)) == (1, [(1006, False)])
    assert result.verdict.close is CloseBehavior.FAILED  # the peer broke the protocol: the browser failed it
    # on the wire they differ: Chromium closes with 1002, WebKit with 1007 (invalid data), Firefox sends no
    # close frame at all
    assert back == {"chromium": [1002], "firefox": [], "webkit": [1007]}[driver.name]


async def test_close_code_1005_answering_the_pages_close(driver: PageDriver) -> None:
    async with Peer(wrong_code(1005)) as peer:  # 1005 must never be sent in a close frame (RFC 6455 §7.4.1)
        result = await run(driver, peer)
    seen = (errors(result), page_closes(result))
    # Chromium fails the connection; Firefox reports a clean close with 1005 (as if the frame had no code);
    # WebKit reports an error and an unclean close, but with 1005
    expected = {"chromium": (1, [(1006, False)]), "firefox": (0, [(1005, True)]), "webkit": (1, [(1005, False)])}
    assert seen == expected[driver.name]


async def test_close_code_999_answering_the_pages_close(driver: PageDriver) -> None:
    async with Peer(wrong_code(999)) as peer:  # 0-999 are not used (RFC 6455 §7.4.2); no engine objects here
        result = await run(driver, peer)
    assert (errors(result), page_closes(result)) == (0, [(999, True)])
    assert result.verdict.close is CloseBehavior.WRONG_CODE


# The server starts the closing handshake with a code; per engine: ECHO (a clean close with the code,
# echoed), or ("fail", the code the browser sent back) for an error event and close 1006 in the page.
ECHO = ("echo", 0)
FIRST_CLOSE = {
    # valid codes: every engine closes cleanly and echoes the code
    1000: {"chromium": ECHO, "firefox": ECHO, "webkit": ECHO},
    4000: {"chromium": ECHO, "firefox": ECHO, "webkit": ECHO},
    # codes a close frame may not carry (RFC 6455 §7.4): Firefox accepts them all; WebKit fails with 1002;
    # Chromium echoes the code on the wire, yet tells the page it failed (error, 1006)
    999: {"chromium": ("fail", 999), "firefox": ECHO, "webkit": ("fail", 1002)},
    1004: {"chromium": ("fail", 1004), "firefox": ECHO, "webkit": ("fail", 1002)},
    1016: {"chromium": ("fail", 1016), "firefox": ECHO, "webkit": ("fail", 1002)},
    2999: {"chromium": ("fail", 2999), "firefox": ECHO, "webkit": ("fail", 1002)},
    # 1005 ("no code") on the wire: Firefox takes it for a close without a code, and answers with one
    1005: {"chromium": ("fail", 1002), "firefox": ("empty", 0), "webkit": ("fail", 1002)},
}


@pytest.mark.parametrize("code", list(FIRST_CLOSE))
async def test_the_server_closes_first(driver: PageDriver, code: int) -> None:
    async with Peer(closes_with(code)) as peer:
        result = await run(driver, peer)
        back = sent_back(peer)
    how, sent = FIRST_CLOSE[code][driver.name]
    seen = (errors(result), page_closes(result), back)
    if how == "echo":
        assert seen == (0, [(code, True)], [code])
    elif how == "empty":
        assert seen == (0, [(1005, True)], [None])
    else:
        assert seen == (1, [(1006, False)], [sent])


async def test_a_masked_frame_from_the_server(driver: PageDriver) -> None:
    async with Peer(masked_hello) as peer:  # a client MUST close on a masked frame (RFC 6455 §5.1)
        result = await run(driver, peer)
        back = sent_back(peer)
    if driver.name == "firefox":  # unmasks it and delivers the message; the connection closes normally
        assert (errors(result), page_closes(result), back) == (0, [(1000, True)], [1000])
        assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK)
    else:  # Chromium and WebKit fail the connection with 1002
        assert (errors(result), page_closes(result), back) == (1, [(1006, False)], [1002])
        assert result.verdict.behavior is Behavior.FAILED


async def test_an_empty_close_from_the_server(driver: PageDriver) -> None:
    async with Peer(closes_with(None)) as peer:
        result = await run(driver, peer)
        back = sent_back(peer)
    assert (errors(result), page_closes(result)) == (0, [(1005, True)])  # every page: no code, clean
    # the answer on the wire: Chromium and Firefox close without a code too, WebKit answers with 1000
    assert back == {"chromium": [None], "firefox": [None], "webkit": [1000]}[driver.name]


async def test_tcp_dropped_instead_of_a_close_frame(driver: PageDriver) -> None:
    async with Peer(tcp_dropper) as peer:
        result = await run(driver, peer)
    assert (errors(result), page_closes(result)) == (0, [(1006, False)])  # every page: no error event
    assert result.verdict.close is CloseBehavior.UNCLEAN
