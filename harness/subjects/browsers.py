"""Browsers under test: Debian's Chromium and Firefox ESR, headless, started on their own (no Playwright;
harness/testees/browser.py says why), each running the testee page harness/testees/browser.html."""

from __future__ import annotations

import sys

from wire import Draft

from ..agents.browser import CHROMIUM, FIREFOX, Engine
from .libraries import contract_args
from .subject import Subject


def _browser(engine: Engine) -> Subject:
    drafts = (Draft.RFC6455,)

    def argv(url: str, agent: str, draft: Draft) -> list[str]:
        testee = [sys.executable, "-m", "harness.testees.browser", "--engine", engine.name]
        return [*testee, *contract_args(engine.name, drafts, url, agent, draft)]

    def missing() -> str | None:
        if engine.path() is None:
            return f"{engine.title} not found at {' or '.join(engine.paths)} (apt-get install -y {engine.package})"
        return None

    return Subject(engine.name, f"{engine.title} (Debian's), a page in a headless browser", drafts, argv, missing)


BROWSERS: tuple[Subject, ...] = (_browser(CHROMIUM), _browser(FIREFOX))
