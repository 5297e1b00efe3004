"""What a client under test is: how to start its testee, in which drafts, and why it may not run here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wire import Draft


@dataclass(frozen=True)
class Subject:
    name: str
    summary: str  # one line for --help and the docs
    drafts: tuple[Draft, ...]  # the drafts its testee can speak
    # (fuzzing server URL "ws://127.0.0.1:PORT", agent name, draft) -> the testee's command line
    argv: Callable[[str, str, Draft], list[str]]
    # why the testee cannot run on this machine (a missing package or browser), or None
    missing: Callable[[], str | None]
