"""harness.ping.stats: the summary lines, totals over clients, the output levels."""

from __future__ import annotations

import pytest

from harness.ping.stats import Stats, summary_lines
from server.app import ReferenceServer

from .support import ping_server


def test_summary_lines() -> None:
    stats = Stats(sent=4, received=3, frames_sent=8, frames_received=6, bytes_received=192, from_others=5)
    for seconds in (0.001, 0.002, 0.003):
        stats.rtt.add(seconds)
    assert summary_lines("ws://h:1/", stats, 2.0, "") == [
        "--- ws://h:1/ ping statistics ---",
        "4 messages sent, 3 received, 25% loss, 8 frames sent, 6 frames received, time 2000 ms",
        "5 broadcast from others",
        "rate 1.5 msg/s, 96.0 B/s",
        "rtt min/avg/max/mdev = 1.000/2.000/3.000/0.816 ms",
    ]
    assert summary_lines("ws://h:1/", Stats(sent=2), 1.0, ": silent")[-1] == "no reply to any message: silent"


def test_stats_total() -> None:
    first, second = Stats(sent=1), Stats(sent=2, late=1)
    first.rtt.add(0.5)
    second.rtt.add(0.25)
    total = Stats.total([first, second])
    assert (total.sent, total.late, total.rtt.count, total.rtt.low, total.rtt.high) == (3, 1, 2, 0.25, 0.5)


async def test_quiet_prints_only_the_summary(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--count", "2", "--quiet") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"--- {server.ws_url} ping statistics ---"
    assert len(lines) == 4  # statistics, rate, rtt
