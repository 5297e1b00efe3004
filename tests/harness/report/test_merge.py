"""harness.report.merge: which runs merge, which are refused (and why), and what the merged report holds."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness.report import ReportWriter
from harness.report.merge import MergeError, merge
from harness.run.results import Behavior, CaseResult, CloseBehavior, RunInfo

from .test_writer import make_result

CATALOGUE = "0123456789abcdef"


def info(run_id: str, shard: str = "", *, count: int = 2, **changes: object) -> RunInfo:
    base = RunInfo(
        run_id,
        1_700_000_000.0,
        "ws://127.0.0.1:9001/",
        ("rfc6455",),
        {"python": "3.11"},
        count,
        catalogue=CATALOGUE,
        shard=shard,
        partition="p1" if shard else "",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def write(out: Path, run: RunInfo, results: list[CaseResult], *, stopped: str = "") -> Path:
    writer = ReportWriter(out, run)
    for r in results:
        writer.add(r)
    writer.finish(3.0, stopped=stopped)
    return writer.run_dir


def shards(tmp_path: Path) -> list[Path]:
    ok, failed = make_result("1.1", "rfc6455", "python"), make_result("1.2", "rfc6455", "python", Behavior.FAILED)
    return [
        write(tmp_path / "s1", info("r1", "1/3"), [ok, make_result("1.4", "rfc6455", "python")]),
        write(tmp_path / "s2", info("r2", "2/3", count=1), [failed]),
        write(
            tmp_path / "s3",
            info("r3", "3/3", count=1, started=1_699_999_000.0),
            [make_result("1.3", "rfc6455", "python")],
        ),
    ]


def test_shards_merge_into_one_report(tmp_path: Path) -> None:
    summary, incomplete = merge(shards(tmp_path), tmp_path / "merged")
    assert incomplete == []
    assert (summary.total, summary.failed, summary.counts[Behavior.OK]) == (4, 1, 3)
    out = tmp_path / "merged"
    index = json.loads((out / "index.json").read_text())
    assert list(index["python"]["rfc6455"]) == ["1.1", "1.2", "1.3", "1.4"]
    run = json.loads((out / "run.json").read_text())
    assert run["mergedFrom"] == ["r1 (shard 1/3)", "r2 (shard 2/3)", "r3 (shard 3/3)"]
    assert (run["caseCount"], run["resultCount"], run["started"]) == (4, 4, 1_699_999_000.0)
    assert (run["catalogue"], run["shard"], run["stopped"]) == (CATALOGUE, None, None)
    for name in ("index.html", "rfc6455.html", "junit.xml", "summary.md", "cases/1.2_rfc6455_python.html"):
        assert (out / name).is_file(), name
    assert "merged from" in (out / "index.html").read_text()
    assert not (tmp_path / "latest").exists()  # a merge points no `latest` anywhere


def test_a_directory_of_runs_and_an_earlier_merge(tmp_path: Path) -> None:
    shards(tmp_path)
    (tmp_path / "s1" / "stray.txt").write_text("not a run")
    first, _ = merge([tmp_path / "s1", tmp_path / "s2", tmp_path / "s3"], tmp_path / "merged")
    again, _ = merge([tmp_path / "s1", tmp_path / "s2", tmp_path / "s3"], tmp_path / "merged")  # replaces it
    assert (first.total, again.total) == (4, 4)


def test_a_missing_or_stopped_shard_makes_an_incomplete_report(tmp_path: Path) -> None:
    one, _, _ = shards(tmp_path)
    stopped = write(tmp_path / "s2b", info("r2b", "2/3"), [], stopped="ws://x/ stopped answering")
    summary, incomplete = merge([one, stopped], tmp_path / "merged")
    assert incomplete == ["shard 3/3 is missing", "r2b (shard 2/3) stopped: ws://x/ stopped answering"]
    assert summary.stopped == "; ".join(incomplete)
    junit = (tmp_path / "merged" / "junit.xml").read_text()
    assert 'type="incomplete run"' in junit and "shard 3/3 is missing" in junit


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (info("x", "3/3", catalogue="fedcba9876543210"), "different catalogues: "),
        (info("x", "3/3", target="ws://elsewhere:80/"), "different targets: "),
        (info("x", "3/3", catalogue=""), "records no catalogue fingerprint"),
        (info("x", "3/4"), "slices of different splits"),
        (info("x", "3/3", partition="p2"), "slices of different splits"),
        (info("x", "2/3"), "shard 2/3 given twice"),
        (info("x"), "is a whole run"),
    ],
)
def test_runs_that_do_not_belong_together_are_refused(tmp_path: Path, other: RunInfo, message: str) -> None:
    one, two, _ = shards(tmp_path)
    odd = write(tmp_path / "odd", other, [make_result("9.9", "rfc6455", "python")])
    with pytest.raises(MergeError, match=message):
        merge([one, two, odd], tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_an_item_in_two_runs_is_refused(tmp_path: Path) -> None:
    a = write(tmp_path / "a", info("a"), [make_result("1.1", "rfc6455", "python")])
    b = write(tmp_path / "b", info("b"), [make_result("1.1", "rfc6455", "python", close=CloseBehavior.UNCLEAN)])
    with pytest.raises(MergeError, match=r"1\.1 rfc6455 python has a result in both"):
        merge([a, b], tmp_path / "merged")


def test_whole_runs_of_other_drafts_merge(tmp_path: Path) -> None:
    a = write(tmp_path / "a", info("a", reference=True), [make_result("1.1", "rfc6455", "python")])
    b_info = info("b", drafts=("hixie-76",), target="ws://127.0.0.1:9002/", reference=True)
    b = write(tmp_path / "b", b_info, [make_result("1.1", "hixie-76", "python")])
    summary, incomplete = merge([a, b], tmp_path / "merged")  # each against its own reference server
    assert (summary.total, incomplete) == (2, [])
    run = json.loads((tmp_path / "merged" / "run.json").read_text())
    assert run["drafts"] == ["hixie-76", "rfc6455"]
    assert run["target"] == "the reference server, started by each run: ws://127.0.0.1:9001/, ws://127.0.0.1:9002/"


def test_what_is_not_a_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(MergeError, match="neither a run directory"):
        merge([tmp_path / "empty"], tmp_path / "merged")
    with pytest.raises(MergeError, match="no such directory"):
        merge([tmp_path / "nowhere"], tmp_path / "merged")
    one = shards(tmp_path)[0]
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(MergeError, match="not an earlier merged report"):
        merge([one], tmp_path / "busy")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_how_certificates_were_checked_is_kept_in_a_merge(tmp_path: Path) -> None:
    how = {"python": "checked against the CA in ca.pem", "chromium": "not checked: its pages ignore errors (<x>)"}
    ok = make_result("1.1", "rfc6455", "python")
    runs = [
        write(tmp_path / "s1", info("r1", "1/2", count=1, target="wss://h:8443/", certificates=how), [ok]),
        write(tmp_path / "s2", info("r2", "2/2", count=1, target="wss://h:8443/", certificates=how), []),
    ]
    assert json.loads((runs[0] / "run.json").read_text())["certificates"] == how
    merge(runs, tmp_path / "merged")
    assert json.loads((tmp_path / "merged" / "run.json").read_text())["certificates"] == how
    html = (tmp_path / "merged" / "index.html").read_text()
    assert "<dt>TLS certificate</dt><dd>python: checked against the CA in ca.pem; chromium: not checked" in html
    assert "(&lt;x&gt;)" in html
    summary = (tmp_path / "merged" / "summary.md").read_text()
    assert "- TLS certificate: python: checked against the CA in ca.pem; chromium: not checked" in summary
    assert json.loads((runs[0] / "run.json").read_text())["certificates"] is not None
    plain = write(tmp_path / "plain", info("r3"), [ok])
    assert json.loads((plain / "run.json").read_text())["certificates"] is None
    assert "TLS certificate" not in (plain / "index.html").read_text()
