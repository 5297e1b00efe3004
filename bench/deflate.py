"""Wall time of the compression cases 12.* and 13.* (216 cases, 1,000 messages each) against the reference
server: `.venv/bin/python bench/deflate.py [--shards N] [--jobs J]`.

It starts one reference server (harness.run.refserver, as `python -m harness run` does), then runs two
`python -m harness run --target URL --drafts rfc6455 --agents python` at once, one per category (`--cases
12.*` and `--cases 13.*`: one harness process per core, each with J cases at a time), and prints the wall
time from the first start to the last end, start-up and report writing included, the CPU seconds (user +
system) of the harness processes and of the server, and the verdict counts. With `--shards N` it runs
`--cases 12.* 13.*` as N shards instead (`--shard K/N`, which deals the cases round-robin).

Why by category: the harness keeps the messages it compressed (harness/agents/python.py,
KEPT_COMPRESSIONS), one memo per process, and a category's cases send the same corpus slices again and
again (12.x.10 and 12.x.15-18, the same 128 KiB slices of one data set). Round-robin shards deal
neighbouring cases to different processes, so both compress most slices. The two categories take about
the same time (docs/compression.md).

The CPU seconds are the figure that a busy machine does not change much; two cores cannot finish in less
than half their sum. Target: under 120 s of wall time on this machine (2 cores). The reports go to a
temporary directory. Asserts nothing: the figures are for reading (docs/compression.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from harness.run.refserver import reference_server

ROOT = Path(__file__).resolve().parents[1]

CASES = ("12.*", "13.*")
TARGET = 120.0
CEILING = 1800.0  # seconds for the whole run: a ceiling, never a wait


def slices(shards: int | None) -> list[list[str]]:
    """The `--cases` (and `--shard`) arguments of each harness process: one per category, or N shards."""
    if shards is None:
        return [["--cases", category] for category in CASES]
    return [["--cases", *CASES, "--shard", f"{k}/{shards}"] for k in range(1, shards + 1)]


async def harness_run(url: str, selection: list[str], jobs: int, out: Path) -> Counter[str]:
    """One `python -m harness run`; the behaviour/close counts of its report (and the ids of any case that
    is not OK/OK, counted under their own name, so that a failure says which case it was)."""
    argv = ["-m", "harness", "run", "--target", url, "--drafts", "rfc6455", "--agents", "python"]
    argv += [*selection, "--jobs", str(jobs), "--out", str(out)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *argv, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await proc.wait()
    index = json.loads((out / "latest" / "index.json").read_text())
    cases = index["python"]["rfc6455"]
    verdicts = {case: f"{c['behavior']}/{c['behaviorClose']}" for case, c in cases.items()}
    return Counter(v if v == "OK/OK" else f"{v} ({case})" for case, v in verdicts.items())


def children_cpu() -> float:
    """User + system seconds of this process's children that have ended so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def run(shards: int | None, jobs: int) -> tuple[float, float, float, Counter[str]]:
    """Wall seconds, CPU seconds of the harness processes and of the server, verdict counts."""
    before = children_cpu()
    with tempfile.TemporaryDirectory() as tmp:
        async with reference_server() as url:
            started = time.perf_counter()
            async with asyncio.timeout(CEILING):
                tallies = await asyncio.gather(
                    *(harness_run(url, s, jobs, Path(tmp) / str(k)) for k, s in enumerate(slices(shards)))
                )
            seconds = time.perf_counter() - started
            harness = children_cpu() - before  # the harness processes have ended; the server has not
        server = children_cpu() - before - harness  # it has now
    return seconds, harness, server, sum(tallies, Counter())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--shards", type=int, help="N round-robin shards of both categories at once (default: a process per category)"
    )
    parser.add_argument("--jobs", type=int, default=3, help="cases at once in each (default %(default)s)")
    args = parser.parse_args()
    seconds, harness, server, tally = asyncio.run(run(args.shards, args.jobs))
    counts = ", ".join(f"{n} {verdict}" for verdict, n in tally.most_common())
    print(f"12.* and 13.* against the reference server: {sum(tally.values())} cases ({counts})")
    layout = "a process per category" if args.shards is None else f"{args.shards} shards"
    print(f"wall time {seconds:.1f} s with {layout} x {args.jobs} jobs (target: under {TARGET:g} s)")
    print(f"CPU time {harness + server:.1f} s: harness {harness:.1f} s, server {server:.1f} s (user + system)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
