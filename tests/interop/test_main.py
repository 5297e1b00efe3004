"""interop.main and `python -m interop`: option checks, and an empty run still writes the three files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from interop.__main__ import main
from interop.main import Options, run, selected
from interop.spec import CLIENTS, SERVERS


def test_selected() -> None:
    assert selected(SERVERS, (), False) == list(SERVERS)
    assert [s.name for s in selected(SERVERS, ("ws", "jetty"), False)] == ["ws", "jetty"]
    assert selected(CLIENTS, ("ws",), True) == []


def test_unknown_names_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--servers", "nginx"]) == 2
    assert "unknown implementation 'nginx'" in capsys.readouterr().err


def test_an_empty_run_writes_the_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    assert run(Options(out=Path("out"), skip_servers=True, skip_clients=True, install=False), said.append) == 0
    assert json.loads((tmp_path / "out" / "matrix.json").read_text())["peers"] == []
    assert (tmp_path / "out" / "summary.md").read_text().startswith("# wsinterop interop matrix")
    assert (tmp_path / "out" / "index.html").exists()
    assert said[0].startswith("interop matrix: 0 servers")
    assert os.path.basename(said[-1]).startswith("index.html") or "wall time" in said[-1]


def test_a_peer_that_breaks_the_tooling_is_an_error_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interop import main as main_module

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(main_module, "run_server", broken)
    options = Options(out=Path("out"), servers=("ws",), skip_clients=True, install=False)
    assert run(options, lambda text: None) == 0
    (peer,) = json.loads((tmp_path / "out" / "matrix.json").read_text())["peers"]
    assert (peer["name"], peer["error"]) == ("ws", "interop error: RuntimeError('boom')")
