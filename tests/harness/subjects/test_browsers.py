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

from .run import assert_fails_without_a_server, assert_runs


@pytest.mark.parametrize("subject", BROWSERS, ids=[s.name for s in BROWSERS])
async def test_the_page_echoes_every_case(subject: Subject) -> None:
    err = await assert_runs(subject)
    assert "case 1/2: echoed 1, close 1000" in err
    assert "case 2/2: echoed 1, close 1000" in err


@pytest.mark.parametrize("subject", BROWSERS, ids=[s.name for s in BROWSERS])
async def test_a_case_the_browser_fails_does_not_stop_the_loop(subject: Subject) -> None:
    err = await assert_runs(subject, invalid_utf8=True)
    assert "case 3/3: echoed 0, close 1006 clean=false" in err  # a failed WebSocket reports 1006


@pytest.mark.parametrize("subject", BROWSERS, ids=[s.name for s in BROWSERS])
async def test_without_a_server_the_exit_status_is_not_0(subject: Subject) -> None:
    err = await assert_fails_without_a_server(subject)
    assert "no case count (close 1006)" in err


def test_browsers_speak_rfc6455_only() -> None:
    assert [s.name for s in BROWSERS] == ["chromium", "firefox"]
    with pytest.raises(ValueError, match="chromium's testee does not speak hybi-08"):
        BROWSERS[0].argv("ws://127.0.0.1:1", "a", Draft.HYBI_08)


def test_a_browser_that_is_not_installed_says_which_package(tmp_path: Path) -> None:
    absent = browsers._browser(replace(CHROMIUM, paths=(str(tmp_path / "none"),)))
    assert absent.missing() == f"Chromium not found at {tmp_path / 'none'} (apt-get install -y chromium)"
