"""interop.main and `python -m interop`: option checks, and an empty run still writes the three files."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from harness import subjects
from interop.__main__ import main
from interop.cells import client_cell
from interop.main import Options, probed_drafts, run, run_ceiling, run_clients, run_server, selected
from interop.spec import CLIENTS, LONG_COMPRESSION_CASES, SERVERS, Context
from wire import Draft


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


def test_every_client_is_a_subject_of_harness_clients() -> None:
    assert [c.name for c in CLIENTS] == list(subjects.REGISTRY)


def test_a_client_that_cannot_run_here_is_a_red_unimplemented_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ws subject without node on PATH: `harness clients` reports every case UNIMPLEMENTED, in both drafts
    its testee speaks; the matrix keeps the reason and links each cell to its report."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no node (the harness runs by the interpreter's own path)
    root = Path(__file__).resolve().parents[2]
    ctx = Context(root=root, out=tmp_path / "out", build=tmp_path / "build")
    (ws,) = [c for c in CLIENTS if c.name == "ws"]
    (result,) = run_clients(ctx, [ws], {}, Options(), lambda text: None)
    assert result.drafts == ("hybi-08", "rfc6455") and [r.draft for r in result.runs] == ["hybi-08", "rfc6455"]
    for draft in result.drafts:
        cell = client_cell(result, draft)
        assert (cell.kind, cell.headline) == ("error", "UNIMPLEMENTED")
        assert cell.detail == "cannot run here: node is not installed (apt-get install -y nodejs)"
        assert (ctx.out / cell.link).is_file() and cell.link.startswith("runs/clients/ws/")
        run_ = result.run(draft)
        assert run_ is not None and run_.counts["UNIMPLEMENTED"] > 100 and set(run_.counts) == {"UNIMPLEMENTED"}
    assert client_cell(result, "hixie-76").kind == "none"


def test_deflate_full_reaches_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from interop import __main__ as cli

    seen: list[Options] = []

    def fake_run(options: Options) -> int:
        seen.append(options)
        return 0

    monkeypatch.setattr(cli, "run", fake_run)
    assert main(["--servers", "ws-deflate", "--no-clients"]) == 0
    assert main(["--servers", "ws-deflate", "--deflate-full"]) == 0
    assert [(o.servers, o.deflate_full) for o in seen] == [(("ws-deflate",), False), (("ws-deflate",), True)]


def test_a_compression_row_probes_rfc6455_only_and_gets_a_longer_ceiling_when_full() -> None:
    by_name = {s.name: s for s in SERVERS}
    plain, deflate = by_name["ws"], by_name["ws-deflate"]
    assert probed_drafts(plain) == tuple(Draft) and probed_drafts(deflate) == (Draft.RFC6455,)
    full = Options(deflate_full=True)
    assert run_ceiling(deflate, Options()) == run_ceiling(plain, full) == Options().ceiling
    assert run_ceiling(deflate, full) == full.full_ceiling > Options().ceiling
    assert run_ceiling(deflate, Options(ceiling=5000.0, deflate_full=True)) == 5000.0


def test_a_compression_row_whose_server_declines_the_offer_is_not_run(tmp_path: Path) -> None:
    """websockets' echo started without --deflate, as a compression row: the probe (RFC 6455 only) offers
    permessage-deflate, the 101 comes without it, and no catalogue runs (it would be all UNIMPLEMENTED)."""
    root = Path(__file__).resolve().parents[2]
    ctx = Context(root=root, out=tmp_path / "out", build=tmp_path / "build")
    plain = {s.name: s for s in SERVERS}["websockets"]
    spec = replace(plain, name="declines", deflate=True)
    result = run_server(ctx, spec, {}, Options(), lambda text: None)
    assert result.error is None
    (probe,) = result.probes
    assert (probe.draft, probe.extensions, probe.label()) == ("rfc6455", "", "accepted, without permessage-deflate")
    (run_,) = result.runs
    assert (run_.note, run_.counts) == ("not run: accepted, without permessage-deflate", {})
    assert ("1[23].*.1?", LONG_COMPRESSION_CASES[1][1]) in result.excluded
