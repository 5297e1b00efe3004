"""`python -m harness clients`: listing subjects, running them, and a subject that cannot run or breaks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from harness import subjects
from harness.cli import main
from harness.subjects import Subject
from wire import Draft

CASES = Path(__file__).parents[3] / "cases"


def report(out: Path) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    (run,) = [d for d in out.iterdir() if d.is_dir() and not d.is_symlink()]
    index: dict[str, dict[str, dict[str, dict[str, str]]]] = json.loads((run / "index.json").read_text())
    return index


def test_subjects_without_a_value_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["clients", "--subjects"], ["clients", "--list"]):
        assert main(argv) == 0
        listed = capsys.readouterr().out
        assert listed.startswith("wire ") and "(available)" in listed


def test_an_unknown_subject_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clients", "--subjects", "nosuch"]) == 2
    assert "unknown subject 'nosuch'" in capsys.readouterr().err


def test_the_wire_subject_gets_a_report(tmp_path: Path) -> None:
    argv = ["clients", "--subjects", "wire", "--drafts", "rfc6455,hixie-76", "--cases", "1.1.1", "2.1", "40.2.8"]
    assert main([*argv, "--catalogue", str(CASES), "--out", str(tmp_path)]) == 0
    index = report(tmp_path)["wire"]
    assert {draft: sorted(cases) for draft, cases in index.items()} == {
        "hixie-76": ["1.1.1", "40.2.8"],
        "rfc6455": ["1.1.1", "2.1"],
    }
    assert {v["behavior"] for cases in index.values() for v in cases.values()} == {"OK"}


def test_a_subject_that_breaks_is_a_red_row_and_one_not_here_unimplemented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crashing(url: str, agent: str, draft: Draft) -> list[str]:
        return [sys.executable, "-c", "import sys; sys.exit('no such library')"]

    broken = Subject("broken", "exits at once", (Draft.RFC6455,), crashing, lambda: None)
    absent = Subject("absent", "not installed", (Draft.RFC6455,), crashing, lambda: "no absent package")
    monkeypatch.setitem(subjects.REGISTRY, "broken", broken)
    monkeypatch.setitem(subjects.REGISTRY, "absent", absent)
    argv = ["clients", "--subjects", "broken,absent", "--cases", "1.1.1", "--catalogue", str(CASES)]
    assert main([*argv, "--out", str(tmp_path)]) == 1
    index = report(tmp_path)
    red = index["broken"]["rfc6455"]["1.1.1"]
    assert (red["behavior"], red["behaviorClose"]) == ("FAILED", "FAILED")
    assert index["absent"]["rfc6455"]["1.1.1"]["behavior"] == "UNIMPLEMENTED"


SKIPS_CASE_2 = """
import sys
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

url, agent = sys.argv[1], sys.argv[2]
with connect(f"{url}/getCaseCount") as ws:
    count = int(ws.recv())
for n in range(1, count + 1):
    if n == 2:
        continue  # the case this testee leaves out
    with connect(f"{url}/runCase?case={n}&agent={agent}") as ws:
        try:
            for message in ws:
                ws.send(message)
        except ConnectionClosed:
            pass
with connect(f"{url}/updateReports?agent={agent}"):
    pass
"""


def test_a_case_the_testee_never_ran_is_failed_not_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def skipping(url: str, agent: str, draft: Draft) -> list[str]:
        return [sys.executable, "-c", SKIPS_CASE_2, url, agent]

    monkeypatch.setitem(subjects.REGISTRY, "skipper", Subject("skipper", "", (Draft.RFC6455,), skipping, lambda: None))
    argv = ["clients", "--subjects", "skipper", "--cases", "1.1.1", "2.1", "--catalogue", str(CASES)]
    assert main([*argv, "--out", str(tmp_path)]) == 1
    index = report(tmp_path)["skipper"]["rfc6455"]
    assert index["1.1.1"]["behavior"] == "OK"
    assert (index["2.1"]["behavior"], index["2.1"]["behaviorClose"]) == ("FAILED", "FAILED")
    page = json.loads((tmp_path / "latest" / index["2.1"]["reportfile"]).read_text())
    assert "never ran this case" in page["behaviorReason"]
