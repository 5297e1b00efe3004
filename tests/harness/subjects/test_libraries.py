"""harness.subjects.libraries: each library's testee, started from its command line, runs the loop against a
stub fuzzing server in every draft it speaks; and `missing()` says why one cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.subjects import Subject, libraries
from harness.subjects.libraries import LIBRARIES
from wire import Draft

from .run import assert_fails_without_a_server, assert_runs

BY_NAME = {subject.name: subject for subject in LIBRARIES}
RUNS = [(subject, draft) for subject in LIBRARIES for draft in subject.drafts]


def test_the_libraries() -> None:
    assert list(BY_NAME) == [
        "websockets",
        "aiohttp",
        "tornado",
        "aiohttp+deflate",
        "tornado+deflate",
        "ws",
        "websocket-driver",
        "websocket-node",
    ]
    assert BY_NAME["aiohttp+deflate"].argv("ws://127.0.0.1:1", "a", Draft.RFC6455)[3:5] == ["--compress", "15"]
    assert "--deflate" in BY_NAME["tornado+deflate"].argv("ws://127.0.0.1:1", "a", Draft.RFC6455)
    assert BY_NAME["ws"].drafts == (Draft.RFC6455, Draft.HYBI_08)
    assert BY_NAME["websocket-driver"].drafts == (Draft.RFC6455,)


@pytest.mark.parametrize(("subject", "draft"), RUNS, ids=[f"{s.name}-{d.value}" for s, d in RUNS])
async def test_the_testee_echoes_every_case(subject: Subject, draft: Draft) -> None:
    err = await assert_runs(subject, draft)
    assert "case 2/2: echoed 1" in err


@pytest.mark.parametrize("subject", LIBRARIES, ids=[s.name for s in LIBRARIES])
async def test_a_case_the_client_fails_does_not_stop_the_loop(subject: Subject) -> None:
    err = await assert_runs(subject, invalid_utf8=True)
    assert "case 3/3: " in err
    assert "case 3/3: echoed 1" not in err


@pytest.mark.parametrize("subject", LIBRARIES, ids=[s.name for s in LIBRARIES])
async def test_without_a_server_the_exit_status_is_not_0(subject: Subject) -> None:
    await assert_fails_without_a_server(subject)


def test_a_draft_the_testee_does_not_speak_is_refused() -> None:
    with pytest.raises(ValueError, match="websocket-driver's testee does not speak hybi-08"):
        BY_NAME["websocket-driver"].argv("ws://127.0.0.1:1", "a", Draft.HYBI_08)
    with pytest.raises(ValueError, match="aiohttp's testee does not speak hixie-76"):
        BY_NAME["aiohttp"].argv("ws://127.0.0.1:1", "a", Draft.HIXIE_76)


def test_the_node_testee_asks_the_draft_it_is_given() -> None:
    argv = BY_NAME["websocket-node"].argv("ws://127.0.0.1:1", "a", Draft.HYBI_08)
    assert argv[argv.index("--lib") + 1] == "websocket"
    assert argv[argv.index("--draft") + 1] == "hybi-08"
    assert argv[-4:] == ["--url", "ws://127.0.0.1:1", "--agent", "a"]


def test_missing_node_modules_say_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libraries, "NODE_MODULES", tmp_path)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    assert BY_NAME["ws"].missing() == f"ws is not in {tmp_path} (npm ci in interop/, or make interop)"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "package.json").write_text("{}")
    assert BY_NAME["ws"].missing() is None


def test_missing_node_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert BY_NAME["websocket-driver"].missing() == "node is not installed (apt-get install -y nodejs)"


def test_a_missing_python_package_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert BY_NAME["tornado"].missing() == "the Python package tornado is not installed (pip install -e '.[dev]')"
