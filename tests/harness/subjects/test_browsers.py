"""harness.subjects.browsers: Chromium and Firefox ESR run the testee page's loop against a stub fuzzing
server, started from the subject's command line (skipped, with the reason, when a browser is missing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.agents.browser import CHROMIUM
from harness.subjects import Subject, browsers
from harness.subjects.browsers import BROWSERS
from wire import Draft

from .run import assert_runs


@pytest.mark.parametrize("subject", BROWSERS, ids=[s.name for s in BROWSERS])
async def test_the_page_echoes_every_case(subject: Subject) -> None:
    err = await assert_runs(subject)
    assert "case 1/2: echoed 1, close 1000" in err
    assert "case 2/2: echoed 1, close 1000" in err


def test_browsers_speak_rfc6455_only() -> None:
    assert [s.name for s in BROWSERS] == ["chromium", "firefox"]
    with pytest.raises(ValueError, match="chromium's testee does not speak hybi-08"):
        BROWSERS[0].argv("ws://127.0.0.1:1", "a", Draft.HYBI_08)


def test_a_browser_that_is_not_installed_says_which_package(tmp_path: Path) -> None:
    absent = browsers._browser(replace(CHROMIUM, paths=(str(tmp_path / "none"),)))
    assert absent.missing() == f"Chromium not found at {tmp_path / 'none'} (apt-get install -y chromium)"
