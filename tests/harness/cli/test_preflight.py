"""harness.cli.preflight: one handshake before a run, and the watch for handshakes that go unanswered."""

from __future__ import annotations

from pathlib import Path

from harness.cases.model import CaseInfo
from harness.cli.preflight import SilenceWatch, preflight, unanswered
from harness.run.events import Opened, TimedOut
from harness.run.results import Behavior, CaseResult, CloseBehavior, Observation, Verdict, WireChunk
from harness.run.target import Target, Trust
from wire import Draft

from ...server.support import tls_reference
from .. import peers
from ..peers import Peer


async def test_a_target_that_answers_passes() -> None:
    async with Peer(peers.not_http) as peer:  # any answer will do: the items judge it
        assert await preflight(peer.target, Draft.RFC6455) is None
        await peer.wait_finished()
    assert peer.links[0].request is not None  # a whole handshake was sent


async def test_a_target_that_closes_at_once_passes() -> None:
    async def close_at_once(link: peers.Link) -> None:
        return None

    async with Peer(close_at_once) as peer:  # its items fail fast: no reason to stop the run
        assert await preflight(peer.target, Draft.HIXIE_76) is None


async def test_a_target_that_accepts_tcp_and_never_answers_fails() -> None:
    async with Peer(peers.mute) as peer:
        reason = await preflight(peer.target, Draft.RFC6455, timeout=0.5)
    assert reason == (
        f"ws://127.0.0.1:{peer.port}/ accepted a TCP connection but answered no opening handshake (rfc6455) "
        "within 0.5 s"
    )


async def test_a_closed_port_fails() -> None:
    port = peers.closed_port()
    assert await preflight(Target("127.0.0.1", port), Draft.RFC6455) == (
        f"cannot connect to 127.0.0.1:{port}: Connection refused"
    )


async def test_a_wss_target_is_checked_over_tls(tmp_path: Path) -> None:
    async with tls_reference(tmp_path) as (server, ca):
        assert await preflight(Target.parse(server.ws_url, Trust(ca=ca)), Draft.RFC6455) is None
        untrusted = await preflight(Target.parse(server.ws_url), Draft.RFC6455)
    assert untrusted is not None and untrusted.startswith(
        f"the TLS certificate of 127.0.0.1:{server.port} is not trusted"
    )


async def test_a_wss_target_that_never_starts_tls_fails() -> None:
    async with Peer(peers.mute) as peer:  # a plain server waiting for an HTTP head: it never answers the hello
        reason = await preflight(Target.parse(f"wss://127.0.0.1:{peer.port}/"), Draft.RFC6455, timeout=0.5)
    assert reason == (
        f"127.0.0.1:{peer.port} accepted a TCP connection but finished no TLS handshake within 0.5 s "
        "(a plain ws:// server?)"
    )


def result(obs: Observation) -> CaseResult:
    info = CaseInfo("1.1", "t", "c", "s", "d", "e", "f:1")
    verdict = Verdict(Behavior.FAILED, "no handshake answer", CloseBehavior.FAILED, "x")
    return CaseResult(info, "rfc6455", "python", verdict, 0.0, 1.0, obs, {})


CEILING = TimedOut(15.0, "the case to end", 15.0, final=True)
SILENT = Observation(events=[CEILING])
ANSWERED = [
    Observation(events=[CEILING], status=101),
    Observation(events=[CEILING], wire=[WireChunk(0.1, "in", b"H")]),
    Observation(events=[CEILING], handshake_error="malformed status line"),
    Observation(events=[Opened(0.1), CEILING]),  # a browser: no wire log, but it opened
    Observation(error="cannot connect"),  # refused: quick, not silent
]


def test_unanswered() -> None:
    assert unanswered(result(SILENT))
    assert not any(unanswered(result(obs)) for obs in ANSWERED)


def test_the_watch_stops_after_n_unanswered_in_a_row() -> None:
    watch = SilenceWatch("ws://x/", 3)
    assert watch.update(result(SILENT)) is None
    assert watch.update(result(SILENT)) is None
    assert watch.update(result(ANSWERED[0])) is None  # an answer starts the count again
    assert watch.update(result(SILENT)) is None
    assert watch.update(result(SILENT)) is None
    assert watch.update(result(SILENT)) == (
        "ws://x/ stopped answering: 3 items in a row got no answer to their opening handshake"
    )


def test_a_watch_with_limit_0_never_stops() -> None:
    watch = SilenceWatch("ws://x/", 0)
    assert all(watch.update(result(SILENT)) is None for _ in range(50))
