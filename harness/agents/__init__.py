"""The agents: every kind of WebSocket peer wsinterop can play, by name.

`REGISTRY` is the one list of agents: the command line, the runner, the catalogue page and interop read it.
Each entry says how to make a driver (not started) and, without starting anything, why the agent cannot
express a case in a draft (its UNIMPLEMENTED reason). To add an agent: write a module with a class that
implements harness.run.driver.Driver, and add an `Agent` here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from wire import Draft

from ..cases.model import Case
from ..run.driver import Driver
from .browser import CHROMIUM, FIREFOX, BrowserDriver, Engine, WebKitDriver, unsupported_in_page
from .python import PythonDriver, unsupported


@dataclass(frozen=True)
class Agent:
    name: str
    summary: str  # one line for --help and the docs
    browser: bool  # a web page drives the WebSocket (only what a page can express)
    make: Callable[[], Driver]  # a new driver, not started
    unsupported: Callable[[Case, Draft, str], str | None]  # (case, draft, page) -> why not, or None


def playwright_agent(engine: Engine, summary: str) -> Agent:
    """A browser Playwright drives (harness.agents.browser.engines)."""
    return Agent(
        engine.name,
        summary,
        True,
        partial(BrowserDriver, engine),
        partial(unsupported_in_page, title=engine.title),
    )


REGISTRY: dict[str, Agent] = {
    agent.name: agent
    for agent in (
        Agent("python", "the raw Python client: any draft, any bytes", False, PythonDriver, unsupported),
        playwright_agent(CHROMIUM, "Debian's Chromium, headless, through Playwright"),
        playwright_agent(FIREFOX, "Debian's Firefox ESR, headless, through Playwright over WebDriver BiDi"),
        Agent(
            "webkit",
            "Debian's WebKitGTK (MiniBrowser) under Xvfb, through WebKitWebDriver (WebDriver classic)",
            True,
            WebKitDriver,
            partial(unsupported_in_page, title="WebKit", maps_names=WebKitDriver.maps_names),
        ),
    )
}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def parse_names(value: str | Iterable[str]) -> tuple[str, ...]:
    """Agent names from "python,chromium" (or a list); ValueError naming the unknown one and the known ones."""
    items = value.split(",") if isinstance(value, str) else value
    agents = tuple(dict.fromkeys(v.strip() for v in items if v.strip()))
    unknown = [a for a in agents if a not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown agent {unknown[0]!r}; agents: {', '.join(REGISTRY)}")
    if not agents:
        raise ValueError(f"no agent given; agents: {', '.join(REGISTRY)}")
    return agents
