"""Engine differences, as findings: the same broken server, Chromium and Firefox, and what each page sees
and sends back. docs/browsers.md lists them; each one here is measured, not assumed, so a browser update
that changes one fails this file and the document gets corrected.

What a page sees is the observation (error and close events); what the browser sent back is decoded from
the bytes the peer received (a close frame, or none before TCP ended).
"""

from __future__ import annotations

import pytest

from harness.agents.browser import BrowserDriver
from harness.cases.model import Payload, SendMessage, Wait
from harness.run.engine import Item, run_item
from harness.run.results import Behavior, CaseResult, CloseBehavior
from wire import CloseReceived, Connection, Draft, Frame, Kind, Side

from ...peers import Link, Peer, make_case, text, utf8_breaker, wrong_code
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


def sent_back(peer: Peer) -> list[int | None]:
    """The close codes of the close frames the browser sent (decoded from what the peer received)."""
    conn = Connection(Draft.RFC6455, Side.SERVER)
    conn.receive_data(bytes(peer.links[0].received))
    return [e.code for e in conn.events() if isinstance(e, CloseReceived)]


async def run(driver: BrowserDriver, peer: Peer) -> CaseResult:
    result = await run_item(Item(HELLO, Draft.RFC6455, driver), peer.target)
    await peer.wait_finished()
    return result


def page_closes(result: CaseResult) -> list[tuple[int, bool]]:
    return [(e.data["code"], e.data["wasClean"]) for e in result.observation.events if e.type == "close"]


def errors(result: CaseResult) -> int:
    return sum(1 for e in result.observation.events if e.type == "error")


async def test_invalid_utf8_from_the_server(driver: BrowserDriver) -> None:
    async with Peer(utf8_breaker) as peer:
        result = await run(driver, peer)
        back = sent_back(peer)
    # the same in the page: an error event, then close 1006; both fail the connection
    assert (errors(result), page_closes(result)) == (1, [(1006, False)])
    assert result.verdict.close is CloseBehavior.FAILED_BY_CLIENT
    # on the wire they differ: Chromium closes with 1002 (not 1007, invalid data); Firefox sends no close frame
    assert back == {"chromium": [1002], "firefox": []}[driver.name]


async def test_close_code_1005_from_the_server(driver: BrowserDriver) -> None:
    async with Peer(wrong_code(1005)) as peer:  # 1005 must never be sent in a close frame (RFC 6455 §7.4.1)
        result = await run(driver, peer)
    if driver.name == "chromium":  # fails the connection
        assert (errors(result), page_closes(result)) == (1, [(1006, False)])
        assert result.verdict.close is CloseBehavior.FAILED_BY_CLIENT
    else:  # Firefox reports a clean close with 1005, as if the frame carried no code
        assert (errors(result), page_closes(result)) == (0, [(1005, True)])
        assert result.verdict.close is CloseBehavior.OK


async def test_close_code_999_from_the_server(driver: BrowserDriver) -> None:
    async with Peer(wrong_code(999)) as peer:  # 0-999 are not used (RFC 6455 §7.4.2); neither engine objects
        result = await run(driver, peer)
    assert (errors(result), page_closes(result)) == (0, [(999, True)])
    assert result.verdict.close is CloseBehavior.WRONG_CODE


async def test_a_masked_frame_from_the_server(driver: BrowserDriver) -> None:
    async with Peer(masked_hello) as peer:  # a client MUST close on a masked frame (RFC 6455 §5.1)
        result = await run(driver, peer)
        back = sent_back(peer)
    if driver.name == "chromium":  # fails the connection with 1002
        assert (errors(result), page_closes(result), back) == (1, [(1006, False)], [1002])
        assert result.verdict.behavior is Behavior.FAILED
    else:  # Firefox unmasks it and delivers the message; the connection goes on and closes normally
        assert (errors(result), page_closes(result), back) == (0, [(1000, True)], [1000])
        assert (result.verdict.behavior, result.verdict.close) == (Behavior.OK, CloseBehavior.OK)
