"""The engine: run one case for one draft and one agent against one target, and judge it."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from .drivers.base import Driver, Recorder, Target
from .judge import judge
from .model import Case
from .results import CaseResult
from .wire import Draft

CEILING_MARGIN = 5.0  # seconds past a case's own timeout before the engine gives up on a driver


@dataclass(frozen=True)
class Item:
    """One unit of work: a case in a draft for an agent."""

    case: Case
    draft: Draft
    driver: Driver


def plan(cases: Sequence[Case], drafts: Sequence[Draft], drivers: Sequence[Driver]) -> list[Item]:
    """Every (case, draft, agent) the selection asks for, in report order."""
    items = []
    for case in cases:
        for draft in drafts:
            if draft.value not in case.drafts:
                continue
            for driver in drivers:
                if driver.name in case.agents:
                    items.append(Item(case, draft, driver))
    return items


async def run_item(item: Item, target: Target) -> CaseResult:
    """Run and judge one item. Every item ends with a verdict: a hung peer meets the ceiling."""
    case, draft, driver = item.case, item.draft, item.driver
    recorder = Recorder()
    obs = recorder.observation
    started = time.time()
    reason = case.unimplemented.get(draft.value) or driver.unsupported(case, draft)
    if reason:
        obs.unimplemented = reason
    else:
        try:
            await asyncio.wait_for(driver.run(case, draft, target, recorder), case.timeout + CEILING_MARGIN)
        except TimeoutError:
            obs.timed_out = True
            recorder.event("timeout", waiting_for="the case to end", seconds=case.timeout + CEILING_MARGIN)
        except Exception as exc:  # a harness bug: keep the traceback in the report
            obs.error = f"harness error: {type(exc).__name__}: {exc}"
            recorder.event("error", traceback=traceback.format_exc())
    return CaseResult(
        case=case.info,
        draft=draft.value,
        agent=driver.name,
        verdict=judge(case, draft, obs),
        started=started,
        duration=recorder.now(),
        observation=obs,
        expected=case.expected_json(),
    )


async def run_items(
    items: Sequence[Item],
    target: Target,
    jobs: int,
    on_result: Callable[[CaseResult], Awaitable[None] | None],
) -> list[CaseResult]:
    """Run items with at most `jobs` at once; `on_result` sees each result as it arrives."""
    semaphore = asyncio.Semaphore(max(jobs, 1))
    results: list[CaseResult] = []

    async def one(item: Item) -> None:
        async with semaphore:
            result = await run_item(item, target)
        results.append(result)
        pending = on_result(result)
        if pending is not None:
            await pending

    await asyncio.gather(*(one(item) for item in items))
    return results
