"""The `wire` subject: wsinterop's own client, in all six drafts (harness/testees/wire.py)."""

from __future__ import annotations

import sys

from wire import Draft

from .subject import Subject


def argv(url: str, agent: str, draft: Draft) -> list[str]:
    return [sys.executable, "-m", "harness.testees.wire", "--url", url, "--agent", agent, "--draft", draft.value]


WIRE = Subject(
    name="wire",
    summary="wsinterop's own client (harness/wire on asyncio streams), strict, in every draft",
    drafts=tuple(Draft),
    argv=argv,
    missing=lambda: None,
)
