"""`python -m harness merge RUN_DIR... --out DIR`: one report (index.json, HTML, JUnit, summary) from the
reports of several runs, typically the N shards of a run split across CI jobs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..report.merge import MergeError, merge
from .runner import EXIT_FAILED, EXIT_NO_RUN, EXIT_OK, EXIT_USAGE, final_word

HELP = "merge the reports of several runs (the shards of a split run) into one"
DESCRIPTION = (
    "Build one report (index.html, index.json, junit.xml, summary.md, the case pages) from the reports of "
    "several runs: the N shards of `python -m harness run --shard K/N`, or runs of other drafts or agents. "
    "Runs of different catalogues or against different targets are refused, and so are shards of different "
    "splits and an item reported twice. A missing shard, or a run that was stopped or interrupted, still "
    "gives a report, marked incomplete."
)
EXIT_CODES = """exit status:
  0    merged; nothing FAILED
  1    merged; at least one case x draft x agent FAILED
  2    refused: the runs do not belong together or cannot be read (nothing written)
  3    merged, but incomplete: a shard is missing, or a run was stopped or interrupted
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "runs",
        nargs="+",
        type=Path,
        metavar="RUN_DIR",
        help="a run's report directory (reports/<run-id>), or a directory of them",
    )
    p.add_argument("--out", type=Path, required=True, help="directory of the merged report (new, or an earlier merge)")


def command(args: argparse.Namespace) -> int:
    try:
        summary, incomplete = merge(args.runs, args.out)
    except MergeError as exc:
        print(f"cannot merge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for reason in incomplete:
        print(f"incomplete: {reason}", file=sys.stderr)
    print(f"report: {summary.run_dir}/index.html (summary: {summary.run_dir}/summary.md)")
    print(f"{'INCOMPLETE' if incomplete else final_word(summary)}: {summary.line()}")
    if incomplete:
        return EXIT_NO_RUN
    return EXIT_FAILED if summary.failed else EXIT_OK
