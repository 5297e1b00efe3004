"""What `ping` counts and prints: round-trip times, per-client statistics, the summary, the output levels."""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Sequence

from wire import Frame

PROG = "wsinterop ping"


@dataclasses.dataclass
class Rtt:
    """Round-trip times as running sums (a run until Ctrl-C keeps no list), in seconds."""

    count: int = 0
    total: float = 0.0
    squares: float = 0.0
    low: float = math.inf
    high: float = 0.0

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.squares += seconds * seconds
        self.low = min(self.low, seconds)
        self.high = max(self.high, seconds)

    def __add__(self, other: Rtt) -> Rtt:
        return Rtt(
            self.count + other.count,
            self.total + other.total,
            self.squares + other.squares,
            min(self.low, other.low),
            max(self.high, other.high),
        )

    def line(self) -> str:
        """ping's line: min/avg/max/mdev in ms (mdev: the standard deviation)."""
        mean = self.total / self.count
        mdev = math.sqrt(max(self.squares / self.count - mean * mean, 0.0))
        low, avg, high, dev = (x * 1000 for x in (self.low, mean, self.high, mdev))
        return f"rtt min/avg/max/mdev = {low:.3f}/{avg:.3f}/{high:.3f}/{dev:.3f} ms"


@dataclasses.dataclass
class Stats:
    sent: int = 0
    received: int = 0  # replies to our own messages
    frames_sent: int = 0
    frames_received: int = 0  # every data frame, others' included
    bytes_received: int = 0
    corrupted: int = 0  # a reply to our seq whose bytes differ from what was sent (counted received)
    late: int = 0  # a reply after its --timeout (counted lost)
    duplicates: int = 0
    from_others: int = 0  # broadcast messages of other senders
    rtt: Rtt = dataclasses.field(default_factory=Rtt)

    @classmethod
    def total(cls, parts: Sequence[Stats]) -> Stats:
        total = cls()
        for part in parts:
            for f in dataclasses.fields(cls):
                setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))
        return total


def summary_lines(url: str, st: Stats, elapsed: float, silence: str) -> list[str]:
    loss = 100 * (st.sent - st.received) / st.sent if st.sent else 0.0
    seconds = max(elapsed, 1e-9)
    lines = [
        f"--- {url} ping statistics ---",
        f"{st.sent} messages sent, {st.received} received, {round(loss, 1):g}% loss, {st.frames_sent} frames sent, "
        f"{st.frames_received} frames received, time {elapsed * 1000:.0f} ms",
    ]
    extras = (st.corrupted, "corrupted"), (st.late, "late"), (st.duplicates, "duplicates")
    others = [f"{n} {what}" for n, what in (*extras, (st.from_others, "broadcast from others")) if n]
    if others:
        lines.append(", ".join(others))
    lines.append(f"rate {st.received / seconds:.1f} msg/s, {st.bytes_received / seconds:.1f} B/s")
    if st.rtt.count:
        lines.append(st.rtt.line())
    elif st.sent:
        lines.append(f"no reply to any message{silence}")
    return lines


def describe(what: str, frame: Frame) -> str:
    preview = repr(frame.payload[:40]) + ("..." if len(frame.payload) > 40 else "")
    return f"{what} fin={int(frame.fin)} len={len(frame.payload)} {preview}"


def close_text(code: int | None) -> str:
    return "close" if code is None else f"close code={code}"


class Output:
    """Where each line goes: replies and notes unless --quiet, details with --verbose, errors to stderr."""

    def __init__(self, *, verbose: bool, quiet: bool) -> None:
        self.verbose = verbose
        self.quiet = quiet

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            print(text, flush=True)

    def head(self, prefix: str, head: bytes) -> None:
        for line in filter(None, head.decode("latin-1").splitlines()):
            self.detail(f"{prefix} {line}")

    @staticmethod
    def always(text: str) -> None:
        print(text, flush=True)

    @staticmethod
    def error(text: str) -> None:
        print(f"{PROG}: {text}", file=sys.stderr, flush=True)
