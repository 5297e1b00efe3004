"""harness.report.compare: two runs' verdicts item by item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.report.compare import compare, load, main


def write_run(root: Path, verdicts: dict[str, tuple[str, str]], draft: str = "rfc6455") -> Path:
    run = root / "20260101-000000"
    run.mkdir(parents=True)
    cases = {case: {"behavior": b, "behaviorClose": c, "duration": 1} for case, (b, c) in verdicts.items()}
    (run / "index.json").write_text(json.dumps({"python": {draft: cases}}))
    (root / "latest").symlink_to(run.name)
    return root


def test_equal_runs_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    verdicts = {"1.1.1": ("OK", "OK"), "1.1.2": ("FAILED", "UNCLEAN")}
    before = write_run(tmp_path / "a", verdicts)
    after = write_run(tmp_path / "b", verdicts)
    assert main([str(before), str(after / "latest")]) == 0
    assert capsys.readouterr().out == "2 items agree, 0 differ (2 before, 2 after)\n"


def test_differences_and_missing_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = write_run(tmp_path / "a", {"1.1.1": ("OK", "OK"), "9.10.1": ("OK", "OK"), "9.2.1": ("OK", "OK")})
    after = write_run(tmp_path / "b", {"1.1.1": ("OK", "WRONG CODE"), "9.2.1": ("OK", "OK"), "10.1.1": ("OK", "OK")})
    assert main([str(before), str(after / "latest" / "index.json")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "python rfc6455 1.1.1: OK/OK -> OK/WRONG CODE",
        "python rfc6455 9.10.1: only before",
        "python rfc6455 10.1.1: only after",
        "1 items agree, 3 differ (3 before, 3 after)",
    ]


def test_drafts_are_items_of_their_own(tmp_path: Path) -> None:
    before = load(write_run(tmp_path / "a", {"1.1.1": ("OK", "OK")}, draft="hixie-76"))
    after = load(write_run(tmp_path / "b", {"1.1.1": ("OK", "OK")}))
    lines, agree, differ = compare(before, after)
    assert (agree, differ) == (0, 2)
    assert lines == ["python hixie-76 1.1.1: only before", "python rfc6455 1.1.1: only after"]


def test_not_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), str(tmp_path)]) == 2
    assert "no index.json" in capsys.readouterr().err


def test_autobahn_index_reads_as_rfc6455_and_shared_leaves_out_what_one_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    autobahn = tmp_path / "autobahn.json"  # Autobahn|Testsuite's own shape: {agent: {id: ...}}
    entry = {"behavior": "OK", "behaviorClose": "OK", "duration": 1, "remoteCloseCode": 1000, "reportfile": "x"}
    autobahn.write_text(json.dumps({"python": {"1.1.1": entry, "3.4": entry}}))
    ours = write_run(tmp_path / "b", {"1.1.1": ("OK", "OK"), "3.4": ("NON-STRICT", "OK"), "40.1.1": ("OK", "OK")})
    assert load(autobahn) == {("python", "rfc6455", "1.1.1"): ("OK", "OK"), ("python", "rfc6455", "3.4"): ("OK", "OK")}
    assert main(["--shared", str(autobahn), str(ours)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "python rfc6455 3.4: OK/OK -> NON-STRICT/OK",
        "1 items agree, 1 differ (2 before, 2 after, 50.0% agree)",
    ]
