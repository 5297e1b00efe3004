"""Time the chat room scenarios (cases/30-chat-room.case.yaml) in Chromium and Firefox, the 5-page one
above all.

A script, not a test: it prints figures (target for 30.4, five pages and a hixie-76 Python client: under
3 s in each browser). It starts the reference server (a child process, as `python -m harness run` does)
and each browser once, runs each scenario ROUNDS times, and prints the verdicts and the median and
minimum wall time of each. Exit status 1 when an item FAILED.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from harness.agents.browser import CHROMIUM, FIREFOX, BrowserDriver
from harness.agents.python import PythonDriver
from harness.cases.loader import load_file
from harness.run.driver import Driver
from harness.run.engine import Item, run_item
from harness.run.refserver import reference_server
from harness.run.target import Target
from wire import Draft

ROUNDS = 3
CATALOGUE = Path(__file__).resolve().parents[1] / "cases" / "30-chat-room.case.yaml"


async def main() -> int:
    cases = load_file(CATALOGUE)
    failed = 0
    async with reference_server() as url:
        target = Target.parse(url)
        for engine in (CHROMIUM, FIREFOX):
            browser = BrowserDriver(engine)
            await browser.start()
            drivers: dict[str, Driver] = {engine.name: browser, "python": PythonDriver()}
            try:
                print(f"{browser.version}; {ROUNDS} rounds per scenario (target for 30.4: under 3 s)")
                print(f"{'case':<6} {'median s':>9} {'min s':>7}  verdicts  title")
                for case in cases:
                    times, verdicts = [], set()
                    for _ in range(ROUNDS):
                        result = await run_item(Item(case, Draft.RFC6455, browser), target, drivers)
                        times.append(result.duration)
                        verdicts.add(f"{result.verdict.behavior}/{result.verdict.close}")
                        failed += result.verdict.failed
                    print(
                        f"{case.id:<6} {statistics.median(times):>9.2f} {min(times):>7.2f}  "
                        f"{','.join(sorted(verdicts))}  {case.info.title}"
                    )
            finally:
                await browser.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
