"""Time the chat room scenarios (cases/30-chat-room.case.yaml) in every browser agent (Chromium, Firefox,
WebKit), the 5-page one above all.

A script, not a test: it prints figures (target for 30.4, five pages and a hixie-76 Python client: under
3 s in each browser). It starts the reference server (a child process, as `python -m harness run` does)
and each browser once, runs each scenario ROUNDS times, and prints the verdicts and the wall time of each:
the first round, the median and the minimum. A browser's first pages cost most (a context and a page:
0.3 s in Chromium, 0.6 s in Firefox, a WebKitWebDriver and its MiniBrowser: 1 s); later rounds reuse the
pages the earlier ones left, as a run does. Exit status 1 when an item FAILED.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from harness.agents import REGISTRY
from harness.agents.python import PythonDriver
from harness.cases.loader import load_file
from harness.run.driver import Driver
from harness.run.engine import Item, run_item
from harness.run.refserver import reference_server
from harness.run.target import Target
from wire import Draft

ROUNDS = 3
BROWSERS = [name for name, agent in REGISTRY.items() if agent.browser]  # chromium, firefox, webkit
CATALOGUE = Path(__file__).resolve().parents[1] / "cases" / "30-chat-room.case.yaml"


async def main() -> int:
    cases = load_file(CATALOGUE)
    failed = 0
    async with reference_server() as url:
        target = Target.parse(url)
        for name in BROWSERS:
            browser = REGISTRY[name].make()
            await browser.start()
            drivers: dict[str, Driver] = {name: browser, "python": PythonDriver()}
            try:
                print(f"{browser.version}; {ROUNDS} rounds per scenario (target for 30.4: under 3 s)")
                print(f"{'case':<6} {'first s':>8} {'median s':>9} {'min s':>7}  verdicts  title")
                for case in cases:
                    times, verdicts = [], set()
                    for _ in range(ROUNDS):
                        result = await run_item(Item(case, Draft.RFC6455, browser), target, drivers)
                        times.append(result.duration)
                        verdicts.add(f"{result.verdict.behavior}/{result.verdict.close}")
                        failed += result.verdict.failed
                    print(
                        f"{case.id:<6} {times[0]:>8.2f} {statistics.median(times):>9.2f} {min(times):>7.2f}  "
                        f"{','.join(sorted(verdicts))}  {case.info.title}"
                    )
            finally:
                await browser.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
