"""Throughput of harness.wire framing: parse and encode, per draft, 64 B and 1 MiB frames.

Run with `make bench` (or `.venv/bin/python bench/wire_throughput.py`). Prints a table; asserts nothing
about time. Each figure comes from one run sized to take about TARGET seconds after a short calibration,
so the whole script takes some 10-15 s. MB is 10**6 bytes of payload.

Parse feeds a batch of frames to a fresh FrameParser in one call (1 MiB frames: one frame per call);
masked rows are frames a client sends (hybi-06: whole-frame mask, hybi-07+: payload mask), unmasked rows
are frames a server sends. The hixie drafts have no masking, so they get one row per size.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from wire import Draft, Family, Frame, FrameParser, Kind, apply_mask, encode

TARGET = 0.2  # seconds per measurement
SMALL, LARGE = 64, 1 << 20
BATCH = {SMALL: 2048, LARGE: 1}  # frames per parse call / per encode round
MB = 1e6


def timed(run: Callable[[int], None]) -> tuple[float, int]:
    """(seconds, rounds) of `run(rounds)`, with rounds chosen so the run takes about TARGET seconds."""
    rounds = 1
    while True:
        start = time.perf_counter()
        run(rounds)
        elapsed = time.perf_counter() - start
        if elapsed >= TARGET / 10:
            break
        rounds *= 4
    rounds = max(1, round(rounds * TARGET / elapsed))
    start = time.perf_counter()
    run(rounds)
    return time.perf_counter() - start, rounds


@dataclass(frozen=True)
class Row:
    draft: Draft
    size: int
    masked: bool | None  # None: the draft has no masking

    def frame(self, rng: random.Random) -> Frame:
        family = self.draft.info.family
        if family is Family.HIXIE:
            payload = bytes(rng.randrange(0x00, 0xFF) for _ in range(min(self.size, 4096)))  # no 0xFF byte
            return Frame(0x00, (payload * (self.size // len(payload) + 1))[: self.size])
        key = rng.randbytes(4) if self.masked else None
        return Frame(self.draft.info.opcode(Kind.BINARY), rng.randbytes(self.size), mask=key)


def bench_row(row: Row, rng: random.Random) -> tuple[float, float, float, float]:
    """(parse MB/s, parse frames/s, encode MB/s, encode frames/s) for one row."""
    family = row.draft.info.family
    batch = BATCH[row.size]
    frame = row.frame(rng)
    wire = encode(frame, family) * batch
    parser_masked = bool(row.masked) and family is Family.HYBI06

    def parse(rounds: int) -> None:
        for _ in range(rounds):
            frames = FrameParser(row.draft, masked=parser_masked, max_frame_size=2 * LARGE).feed(wire)
            if len(frames) != batch or frames[-1].payload != frame.payload:
                raise SystemExit(f"{row.draft.value}: parse gave back something else")

    def encode_rounds(rounds: int) -> None:
        for _ in range(rounds * batch):
            encode(frame, family)

    results: list[float] = []
    for run in (parse, encode_rounds):
        seconds, rounds = timed(run)
        frames_per_second = rounds * batch / seconds
        results += [frames_per_second * row.size / MB, frames_per_second]
    return results[0], results[1], results[2], results[3]


def mask_time(rng: random.Random) -> float:
    """Median seconds for apply_mask over 1 MiB (runs of about TARGET seconds in total)."""
    data, key = rng.randbytes(LARGE), rng.randbytes(4)
    samples: list[float] = []
    deadline = time.perf_counter() + TARGET
    while time.perf_counter() < deadline or len(samples) < 5:
        start = time.perf_counter()
        apply_mask(data, key, 1)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def rows() -> list[Row]:
    out: list[Row] = []
    for draft in Draft:
        for size in (SMALL, LARGE):
            if draft.info.family is Family.HIXIE:
                out.append(Row(draft, size, None))
            else:
                out += [Row(draft, size, False), Row(draft, size, True)]
    return out


def size_label(size: int) -> str:
    return "1 MiB" if size == LARGE else f"{size} B"


def main() -> None:
    rng = random.Random(6455)
    started = time.perf_counter()
    print(f"harness.wire framing throughput - Python {sys.version.split()[0]}, MB = 10^6 payload bytes")
    print(f"(each figure from a run of ~{TARGET} s; parse feeds {BATCH[SMALL]} small frames per call)")
    print()
    header = f"{'draft':<9} {'frame':>6} {'mask':<7} {'parse MB/s':>11} {'parse frames/s':>15} "
    header += f"{'encode MB/s':>12} {'encode frames/s':>16}"
    print(header)
    print("-" * len(header))
    for row in rows():
        parse_mb, parse_fps, encode_mb, encode_fps = bench_row(row, rng)
        mask = "n/a" if row.masked is None else ("masked" if row.masked else "none")
        print(
            f"{row.draft.value:<9} {size_label(row.size):>6} {mask:<7} {parse_mb:>11,.1f} {parse_fps:>15,.0f} "
            f"{encode_mb:>12,.1f} {encode_fps:>16,.0f}",
            flush=True,
        )
    print()
    seconds = mask_time(rng)
    print(
        f"apply_mask over 1 MiB: {seconds * 1e3:.2f} ms (median; target about 1 ms) = {LARGE / seconds / MB:,.0f} MB/s"
    )
    print(f"total time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
