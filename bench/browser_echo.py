"""Time the 1,000-round-trip cases (9.7.x text, 9.8.x binary) in every browser agent (Chromium, Firefox, WebKit).

A script, not a test: it prints figures (target: every item under 10 s in every browser). It starts the
reference server (a child process, as `python -m harness run` does) and each browser once, runs each case
ROUNDS times one at a time, and prints per case and browser the median wall time of the item (what the
report shows: page, program, close), the time the page itself measured for the 1,000 round trips (first
send to last echo, on performance.now()), and the verdicts. Exit status 1 when an item FAILED.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from harness.agents import REGISTRY
from harness.cases.loader import load_file
from harness.run.engine import Item, run_item
from harness.run.refserver import reference_server
from harness.run.results import CaseResult
from harness.run.target import Target
from wire import Draft

ROUNDS = 3
BROWSERS = [name for name, agent in REGISTRY.items() if agent.browser]  # chromium, firefox, webkit
CATALOGUE = Path(__file__).resolve().parents[1] / "cases" / "09-limits.case.yaml"


def round_trips(result: CaseResult) -> float:
    """Seconds from the first send to the last echo, as the page timed them."""
    times = [e.t for e in result.observation.events if e.type in ("sent", "message")]
    return max(times) - min(times) if times else float("nan")


async def main() -> int:
    cases = [c for c in load_file(CATALOGUE) if c.id.startswith(("9.7.", "9.8."))]
    failed = 0
    async with reference_server() as url:
        target = Target.parse(url)
        for name in BROWSERS:
            driver = REGISTRY[name].make()
            await driver.start()
            try:
                print(f"{driver.version}; {ROUNDS} rounds per case, median (target: each item under 10 s)")
                print(f"{'case':<7} {'item s':>7} {'in page s':>10}  verdicts  title")
                for case in cases:
                    results = [await run_item(Item(case, Draft.RFC6455, driver), target) for _ in range(ROUNDS)]
                    failed += sum(r.verdict.failed for r in results)
                    verdicts = {f"{r.verdict.behavior}/{r.verdict.close}" for r in results}
                    item = statistics.median(r.duration for r in results)
                    in_page = statistics.median(round_trips(r) for r in results)
                    print(
                        f"{case.id:<7} {item:>7.2f} {in_page:>10.2f}  {','.join(sorted(verdicts))}  {case.info.title}"
                    )
            finally:
                await driver.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
