"""The engine: run one case for one draft and one agent against one target, and judge it.

A plain case is one connection of the item's agent. A scenario (a case with `actors`) opens one
connection per actor, each with its own agent and draft (by default the item's), performs each step
with the actor it names, and is judged actor by actor; the worst verdict is the case's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from wire import Draft, RemoteProtocolError
from wire.extensions import PERMESSAGE_DEFLATE

from ..cases.model import As, Case, Step
from .driver import Driver
from .events import Failure, HandshakeInvalid, HarnessError, Opened, TimedOut
from .judge import judge, unimplemented
from .recorder import Recorder
from .results import Behavior, CaseResult, CloseBehavior, Observation, Verdict
from .target import Target

_BEHAVIOR_RANK = [Behavior.OK, Behavior.NON_STRICT, Behavior.INFORMATIONAL, Behavior.UNIMPLEMENTED, Behavior.FAILED]
_CLOSE_RANK = [
    CloseBehavior.OK,
    CloseBehavior.INFORMATIONAL,
    CloseBehavior.WRONG_CODE,
    CloseBehavior.UNCLEAN,
    CloseBehavior.UNIMPLEMENTED,
    CloseBehavior.FAILED_BY_CLIENT,
    CloseBehavior.FAILED,
]


@dataclass(frozen=True)
class Item:
    """One unit of work: a case in a draft for an agent."""

    case: Case
    draft: Draft
    driver: Driver


def applies(case: Case, draft: Draft, agent: str) -> bool:
    """Whether the case is an item for this draft and agent, wsinterop being the client (the server's
    side runs through harness.fuzzing)."""
    return "client" in case.sides and draft.value in case.drafts and (case.agents is None or agent in case.agents)


def plan(cases: Sequence[Case], drafts: Sequence[Draft], drivers: Sequence[Driver]) -> list[Item]:
    """Every (case, draft, agent) the selection asks for, in report order."""
    return [Item(c, d, driver) for c in cases for d in drafts for driver in drivers if applies(c, d, driver.name)]


async def drive(driver: Driver, case: Case, draft: Draft, target: Target, recorder: Recorder) -> None:
    """One connection through a case: open, the steps, the closing phase."""
    async with driver.session(case, draft, target, recorder) as session:
        if session is None or not await session.open():
            return
        if not moot(case, recorder.observation):
            await session.perform(case.steps)
        await session.finish()


def moot(case: Case, obs: Observation) -> bool:
    """The case needs permessage-deflate and the server did not accept it: the verdict is UNIMPLEMENTED
    already, and the steps are skipped (Autobahn's 12.* and 13.* close at once then)."""
    wanted = case.expect_handshake.deflate
    accepted = {element.split(";")[0].strip() for element in (obs.extensions or "").split(",")}
    return wanted is not None and wanted is not False and PERMESSAGE_DEFLATE not in accepted


def segments(steps: Sequence[Step]) -> Iterator[tuple[str, tuple[Step, ...]]]:
    """A scenario's steps as runs of one actor's consecutive steps: (actor, steps), in order."""
    for actor, run in itertools.groupby(steps, key=lambda s: s.actor if isinstance(s, As) else ""):
        yield actor, tuple(s.step for s in run if isinstance(s, As))


@dataclass
class _Actor:
    name: str
    case: Case  # the actor's single-connection view
    draft: Draft
    driver: Driver
    page: str
    recorder: Recorder


def _cast(item: Item, drivers: Mapping[str, Driver]) -> list[_Actor] | str:
    """The actors of a scenario, or why one of them cannot play (UNIMPLEMENTED)."""
    actors = []
    for actor in item.case.actors:
        agent = actor.agent or item.driver.name
        driver = drivers.get(agent)
        if driver is None:
            return f"actor {actor.name}: the {agent} agent is not available"
        draft = Draft.parse(actor.draft) if actor.draft else item.draft
        view = item.case.for_actor(actor)
        reason = driver.unsupported(view, draft, actor.page)
        if reason:
            return f"actor {actor.name} ({agent}, {draft.value}): {reason}"
        actors.append(_Actor(actor.name, view, draft, driver, actor.page, Recorder()))
    return actors


async def play(case: Case, actors: list[_Actor], target: Target) -> None:
    """Open every actor's connection in order, perform the steps, then close them all. The sessions are
    set up at once (a browser page loads in a second or so), the connections open one after the other."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            async with asyncio.TaskGroup() as group:
                ready = [
                    group.create_task(
                        stack.enter_async_context(a.driver.session(a.case, a.draft, target, a.recorder, a.page))
                    )
                    for a in actors
                ]
        except ExceptionGroup as errors:  # a session that could not be set up: report its own error
            raise errors.exceptions[0] from errors
        sessions = {}
        for a, task in zip(actors, ready, strict=True):
            session = task.result()
            if session is None or not await session.open():
                return
            sessions[a.name] = session
        for actor, steps in segments(case.steps):  # the loader puts an actor on every scenario step
            session = sessions[actor]
            if not session.ended:
                await session.perform(steps)
        async with asyncio.TaskGroup() as closings:
            for session in sessions.values():
                closings.create_task(session.finish())


def _worst(verdicts: list[tuple[str, Verdict]]) -> Verdict:
    name_b, worst_b = max(verdicts, key=lambda nv: _BEHAVIOR_RANK.index(nv[1].behavior))
    name_c, worst_c = max(verdicts, key=lambda nv: _CLOSE_RANK.index(nv[1].close))
    return Verdict(
        worst_b.behavior,
        f"{name_b}: {worst_b.behavior_reason}",
        worst_c.close,
        f"{name_c}: {worst_c.close_reason}",
    )


def _merge(actors: list[_Actor]) -> Observation:
    """One observation for the report: the first actor's, with every actor's events (tagged with the
    actor's name, on one clock) and attachments."""
    merged = actors[0].recorder.observation
    start = min(a.recorder.start for a in actors)
    events, attachments = [], {}
    for a in actors:
        offset = a.recorder.start - start
        for e in a.recorder.observation.events:
            events.append(replace(e, t=round(e.t + offset, 6), actor=a.name))
        attachments.update({f"{a.name}-{n}": data for n, data in a.recorder.observation.attachments.items()})
    merged.events = sorted(events, key=lambda e: e.t)
    merged.attachments = attachments
    return merged


async def _run_scenario(item: Item, drivers: Mapping[str, Driver], target: Target) -> tuple[Observation, Verdict]:
    cast = _cast(item, drivers)
    if isinstance(cast, str):
        obs = Observation(unimplemented=cast)
        return obs, unimplemented(cast)
    try:
        ceiling = item.case.timeout + max(a.driver.overhead for a in cast)
        async with asyncio.timeout(ceiling):
            await play(item.case, cast, target)
    except TimeoutError:
        for a in cast:
            a.recorder.record(TimedOut(a.recorder.stamp(), "the case to end", ceiling, final=True))
    verdict = _worst([(a.name, judge(a.case, a.draft, a.recorder.observation)) for a in cast])
    return _merge(cast), verdict


def peer_failure(recorder: Recorder, exc: RemoteProtocolError) -> None:
    """Record a protocol error of the peer that reached the engine (a head over 16 KiB, a flood of
    garbage): before an answer to the handshake it is an invalid answer, afterwards the client's failure."""
    obs = recorder.observation
    if obs.status is None and not any(isinstance(e, Opened) for e in obs.events):
        obs.handshake_error = exc.reason
        recorder.record(HandshakeInvalid(recorder.stamp(), exc.reason))
    else:
        recorder.record(Failure(recorder.stamp(), exc.close_code, exc.reason))


async def run_item(item: Item, target: Target, drivers: Mapping[str, Driver] | None = None) -> CaseResult:
    """Run and judge one item. Every item ends with a verdict: a hung peer meets the ceiling.
    `drivers` (by agent name) lets scenario actors use other agents than the item's."""
    case, draft, driver = item.case, item.draft, item.driver
    recorder = Recorder()
    started, clock = time.time(), time.monotonic()
    try:
        if case.actors:
            obs, verdict = await _run_scenario(item, {driver.name: driver, **(drivers or {})}, target)
        else:
            obs = recorder.observation
            reason = case.unimplemented.get(draft.value) or driver.unsupported(case, draft)
            if reason:
                obs.unimplemented = reason
            else:
                async with asyncio.timeout(case.timeout + driver.overhead):
                    await drive(driver, case, draft, target, recorder)
            verdict = judge(case, draft, obs)
    except TimeoutError:
        obs = recorder.observation
        recorder.record(TimedOut(recorder.stamp(), "the case to end", case.timeout + driver.overhead, final=True))
        verdict = judge(case, draft, obs)
    except RemoteProtocolError as exc:  # wire says the peer broke the protocol: the peer's failure
        obs = recorder.observation
        peer_failure(recorder, exc)
        verdict = judge(case, draft, obs)
    except Exception as exc:  # a harness bug: keep the traceback in the report
        obs = recorder.observation
        obs.error = f"harness error: {type(exc).__name__}: {exc}"
        recorder.record(HarnessError(recorder.stamp(), obs.error, traceback.format_exc()))
        verdict = judge(case, draft, obs)
    return CaseResult(
        case=case.info,
        draft=draft.value,
        agent=driver.name,
        verdict=verdict,
        started=started,
        duration=time.monotonic() - clock,
        observation=obs,
        expected=case.expected_json(),
    )


async def run_items(
    items: Sequence[Item],
    target: Target,
    jobs: int,
    on_result: Callable[[CaseResult], Awaitable[None] | None],
    drivers: Mapping[str, Driver] | None = None,
) -> list[CaseResult]:
    """Run items with at most `jobs` at once; `on_result` sees each result as it arrives."""
    semaphore = asyncio.Semaphore(max(jobs, 1))
    results: list[CaseResult] = []

    async def one(item: Item) -> None:
        async with semaphore:
            result = await run_item(item, target, drivers)
        results.append(result)
        pending = on_result(result)
        if pending is not None:
            await pending

    async with asyncio.TaskGroup() as running:
        for item in items:
            running.create_task(one(item))
    return results
