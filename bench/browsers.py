"""Time the browser agents (Chromium, Firefox, WebKit) on what the issue asked of them:

- echo: the 1,000-round-trip cases (9.7.x text, 9.8.x binary); target: every item under 10 s;
- chat: the chat room scenarios (cases/30-chat-room.case.yaml); target for 30.4 (five pages and a
  hixie-76 Python client): under 3 s.

A script, not a test: it prints figures. It starts the reference server (a child process, as `python -m
harness run` does) and each browser once, runs every case ROUNDS times, one at a time, and prints per
browser and case: echo, the median wall time of the item (what the report shows: page, program, close)
and the time the page measured for its 1,000 round trips (first send to last echo, on performance.now());
chat, the first round, the median and the minimum. A browser's first pages cost most (a context and a
page: 0.3 s in Chromium, 0.6 s in Firefox; a WebKitWebDriver and its MiniBrowser: 1 s); later rounds reuse
the pages earlier ones left, as a run does. Exit status 1 when an item FAILED.

    python bench/browsers.py [--only echo|chat] [--agents chromium,firefox,webkit]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

from harness.agents import REGISTRY
from harness.agents.python import PythonDriver
from harness.cases.loader import load_file
from harness.cases.model import Case
from harness.run.driver import Driver
from harness.run.engine import Item, run_item
from harness.run.refserver import reference_server
from harness.run.results import CaseResult
from harness.run.target import Target
from wire import Draft

ROUNDS = 3
CASES = Path(__file__).resolve().parents[1] / "cases"
BROWSERS = [name for name, agent in REGISTRY.items() if agent.browser]


def round_trips(result: CaseResult) -> float:
    """Seconds from the first send to the last echo, as the page timed them."""
    times = [e.t for e in result.observation.events if e.kind in ("sent", "message")]
    return max(times) - min(times) if times else float("nan")


def verdicts(results: list[CaseResult]) -> str:
    return ",".join(sorted({f"{r.verdict.behavior}/{r.verdict.close}" for r in results}))


def echo_table(case: Case, results: list[CaseResult]) -> str:
    item = statistics.median(r.duration for r in results)
    in_page = statistics.median(round_trips(r) for r in results)
    return f"{case.id:<7} {item:>7.2f} {in_page:>10.2f}  {verdicts(results)}  {case.info.title}"


def chat_table(case: Case, results: list[CaseResult]) -> str:
    times = [r.duration for r in results]
    first, median, least = times[0], statistics.median(times), min(times)
    return f"{case.id:<7} {first:>7.2f} {median:>8.2f} {least:>7.2f}  {verdicts(results)}  {case.info.title}"


SECTIONS = {
    "echo": ("9.7.x, 9.8.x (target: each item under 10 s)", "item s  in page s", "09-limits", echo_table),
    "chat": ("the chat room (target for 30.4: under 3 s)", "first s median s   min s", "30-chat-room", chat_table),
}


async def main(sections: list[str], browsers: list[str]) -> int:
    failed = 0
    async with reference_server() as url:
        target = Target.parse(url)
        for name in browsers:
            browser = REGISTRY[name].make()
            await browser.start()
            drivers: dict[str, Driver] = {name: browser, "python": PythonDriver()}
            try:
                for section in sections:
                    title, columns, file, table = SECTIONS[section]
                    cases = [c for c in load_file(CASES / f"{file}.case.yaml") if c.agents is None or name in c.agents]
                    if section == "echo":
                        cases = [c for c in cases if c.id.startswith(("9.7.", "9.8."))]
                    print(f"{browser.version}: {title}; {ROUNDS} rounds per case")
                    print(f"{'case':<7} {columns}  verdicts  title")
                    for case in cases:
                        item = Item(case, Draft.RFC6455, browser)
                        results = [await run_item(item, target, drivers) for _ in range(ROUNDS)]
                        failed += sum(r.verdict.failed for r in results)
                        print(table(case, results), flush=True)
            finally:
                await browser.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", choices=list(SECTIONS), help="one section (default: both)")
    p.add_argument("--agents", default=",".join(BROWSERS), help=f"browser agents (default: {','.join(BROWSERS)})")
    args = p.parse_args()
    chosen = [a for a in args.agents.split(",") if a]
    unknown = [a for a in chosen if a not in BROWSERS]
    if unknown:
        p.error(f"not a browser agent: {', '.join(unknown)} (browser agents: {', '.join(BROWSERS)})")
    sys.exit(asyncio.run(main([args.only] if args.only else list(SECTIONS), chosen)))
