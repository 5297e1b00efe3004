"""harness.report: every file a run writes, partial reports, escaping, ordering, the summary line."""

from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cases.model import CaseInfo
from harness.report import ReportWriter, Summary
from harness.report.common import case_sort_key, dumps_lines
from harness.report.detail import hexdump
from harness.report.junit import xml_safe
from harness.run.events import CloseIn, CloseOut, MessageIn, Note, Opened, PayloadInfo, TcpClosed
from harness.run.results import (
    Behavior,
    CaseResult,
    CloseBehavior,
    Observation,
    RunInfo,
    Verdict,
    WireChunk,
)

DRAFTS = ("hixie-75", "hybi-08", "rfc6455")
AGENTS = {"python": "3.11.7", "chromium": "120.0.6099"}
EVIL = "<script>alert('x')</script>\x01\x1b end"
BIG = bytes(range(256)) * 800  # 200 KiB in one chunk


def make_result(
    case_id: str,
    draft: str,
    agent: str,
    behavior: Behavior = Behavior.OK,
    close: CloseBehavior = CloseBehavior.OK,
    *,
    title: str = "",
    category: str = "framing",
    reason: str = "as expected",
    wire: list[WireChunk] | None = None,
    remote_close_code: int | None = 1000,
    duration: float = 0.0125,
) -> CaseResult:
    obs = Observation(
        events=[
            Opened(0.001),
            MessageIn(0.002, "text", PayloadInfo.of(b"hello <b>", text=True)),
            CloseOut(0.003, 1000),
            CloseIn(0.003, remote_close_code),
            TcpClosed(0.004, "peer" if close is CloseBehavior.OK else "agent"),
        ],
        wire=wire
        if wire is not None
        else [WireChunk(0.001, "out", b"\x81\x05hello"), WireChunk(0.002, "in", b"\x88\x00")],
        handshake_request="GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\r\n",
        handshake_response="HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        status=101,
    )
    return CaseResult(
        case=CaseInfo(
            id=case_id,
            title=title or f"case {case_id}",
            category=category,
            spec="RFC 6455 5.2",
            description=f"Description of {case_id}.",
            expectation="Echo, then close with 1000.",
            source=f"cases/{category}.case.yaml:1",
        ),
        draft=draft,
        agent=agent,
        verdict=Verdict(behavior, reason, close, f"close {close}"),
        started=1_700_000_000.0,
        duration=duration,
        observation=obs,
        expected={"ok": [{"message": {"text": {"text": "hello"}}}], "close": {"by": "client", "codes": [1000]}},
    )


def sample_results() -> list[CaseResult]:
    """Three categories, ids that sort differently as text and as numbers, every verdict of both axes."""
    out: list[CaseResult] = []
    for draft in DRAFTS:
        for agent in AGENTS:
            out.append(make_result("1.1.2", draft, agent, category="handshake"))
            out.append(make_result("1.1.10", draft, agent, Behavior.NON_STRICT, category="handshake"))
            out.append(make_result("2.1", draft, agent, Behavior.INFORMATIONAL, CloseBehavior.WRONG_CODE, title=EVIL))
    out += [
        make_result(
            "2.2", "hixie-75", "python", Behavior.UNIMPLEMENTED, CloseBehavior.UNIMPLEMENTED, reason="no opcodes"
        ),
        make_result("2.2", "rfc6455", "python", Behavior.FAILED, CloseBehavior.UNCLEAN, reason=EVIL, title=EVIL),
        make_result("2.2", "rfc6455", "chromium", Behavior.OK, CloseBehavior.FAILED_BY_CLIENT),
        make_result("2.2", "hybi-08", "chromium", Behavior.OK, CloseBehavior.FAILED, remote_close_code=None),
        make_result(
            "10.1",
            "rfc6455",
            "python",
            category="big",
            wire=[WireChunk(0.0, "out", b"\x82\x7f" + bytes(8)), WireChunk(0.5, "in", BIG)],
        ),
    ]
    return out


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run_info(run_id: str = "20240101-120000", case_count: int = 23) -> RunInfo:
    return RunInfo(run_id, 1_700_000_000.0, "ws://localhost:8080", DRAFTS, dict(AGENTS), case_count)


@pytest.fixture
def finished(tmp_path: Path) -> tuple[ReportWriter, Summary, list[CaseResult]]:
    results = sample_results()
    writer = ReportWriter(tmp_path, run_info())
    for r in results:
        writer.add(r)
    return writer, writer.finish(41.23), results


def html_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.rglob("*.html"))


def test_every_file_is_written(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, summary, results = finished
    run_dir = writer.run_dir
    assert run_dir == summary.run_dir
    for name in ("index.json", "run.json", "index.html", "junit.xml", "summary.md", *(f"{d}.html" for d in DRAFTS)):
        assert (run_dir / name).is_file(), name
    for r in results:
        assert json.loads((run_dir / "cases" / f"{r.key}.json").read_text())["id"] == r.case.id
        assert (run_dir / "cases" / f"{r.key}.html").is_file()
    assert not list(run_dir.rglob("*.tmp")), "temporary files left behind"


def test_index_json_has_autobahn_shape_with_draft_level(
    finished: tuple[ReportWriter, Summary, list[CaseResult]],
) -> None:
    writer, _, results = finished
    index = json.loads((writer.run_dir / "index.json").read_text())
    assert list(index) == list(AGENTS)
    assert list(index["python"]) == list(DRAFTS)
    assert list(index["python"]["rfc6455"]) == ["1.1.2", "1.1.10", "2.1", "2.2", "10.1"]
    assert index["chromium"]["hybi-08"]["2.2"] == {
        "behavior": "OK",
        "behaviorClose": "FAILED",
        "remoteCloseCode": None,
        "duration": 12,
        "reportfile": "cases/2.2_hybi-08_chromium.json",
    }
    assert index["python"]["hixie-75"]["2.1"]["behaviorClose"] == "WRONG CODE"
    assert index["python"]["hixie-75"]["2.1"]["remoteCloseCode"] == 1000
    assert sum(len(cases) for by_draft in index.values() for cases in by_draft.values()) == len(results)
    for by_draft in index.values():
        for cases in by_draft.values():
            for entry in cases.values():
                assert (writer.run_dir / entry["reportfile"]).is_file()


def test_run_json(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, results = finished
    run = json.loads((writer.run_dir / "run.json").read_text())
    assert run["runId"] == "20240101-120000"
    assert run["target"] == "ws://localhost:8080"
    assert run["drafts"] == list(DRAFTS)
    assert run["agents"] == AGENTS
    assert run["caseCount"] == 23
    assert run["resultCount"] == len(results)
    assert run["finished"] is not None
    assert run["wallTime"] == 41.23
    assert run["interrupted"] is False
    assert run["failed"] == 2  # FAILED, close FAILED (FAILED BY CLIENT is shown, tolerated: RFC 6455 §7.1.1 SHOULD)
    assert run["counts"]["FAILED"] == 1
    assert run["counts"]["UNIMPLEMENTED"] == 1
    assert run["countsByDraft"]["rfc6455"]["python"]["OK"] == 2


def test_junit_xml_counts_and_messages(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, results = finished
    root = ET.parse(writer.run_dir / "junit.xml").getroot()
    suites = {s.get("name", ""): s for s in root.iter("testsuite")}
    assert list(suites) == [f"{d}.{a}" for d in DRAFTS for a in AGENTS]
    for name, suite in suites.items():
        draft, agent = name.split(".")
        mine = [r for r in results if r.draft == draft and r.agent == agent]
        assert suite.get("tests") == str(len(mine)) == str(len(suite.findall("testcase")))
        assert suite.get("failures") == str(sum(r.verdict.failed for r in mine))
        assert suite.get("skipped") == str(sum(r.verdict.behavior is Behavior.UNIMPLEMENTED for r in mine))
    assert root.get("tests") == str(len(results))
    assert root.get("failures") == "2"
    assert root.get("skipped") == "1"

    by_name = {c.get("name"): c for c in suites["rfc6455.python"].iter("testcase")}
    failed = by_name["2.2 " + xml_safe(EVIL)]
    assert failed.get("classname") == "framing"
    failure = failed.find("failure")
    assert failure is not None
    assert "<script>alert('x')</script>\\x01\\x1b end" in (failure.get("message") or "")
    assert "expected:" in (failure.text or "") and "observed:" in (failure.text or "")
    close_failed = suites["hybi-08.chromium"].find("testcase[@name='2.2 case 2.2']/failure")
    assert close_failed is not None and close_failed.get("message") == "close: close FAILED"
    skipped = suites["hixie-75.python"].find("testcase[@name='2.2 case 2.2']/skipped")
    assert skipped is not None and skipped.get("message") == "no opcodes"
    ok = suites["rfc6455.python"].find("testcase[@name='1.1.2 case 1.1.2']")
    assert ok is not None and ok.get("time") == "0.013" and len(ok) == 0


def test_html_escapes_data(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, _ = finished
    files = html_files(writer.run_dir)
    assert len(files) > 20
    for path in files:
        text = path.read_text()
        assert "<script>alert" not in text, path
        assert "\x01" not in text and "\x1b" not in text, path  # HTML parse errors: shown as \\x01
    detail = (writer.run_dir / "cases" / "2.2_rfc6455_python.html").read_text()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in detail
    assert "hello &lt;b&gt;" in detail
    assert "\\x01\\x1b end" in detail
    assert "<script>" not in (writer.run_dir / "summary.md").read_text()


def test_index_html_matrix(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, _ = finished
    index = (writer.run_dir / "index.html").read_text()
    assert index.index(">1.1.2<") < index.index(">1.1.10<") < index.index(">2.1<") < index.index(">10.1<")
    assert index.index("handshake (2)") < index.index("framing (2)") < index.index("big (1)")
    assert 'href="cases/2.2_hybi-08_chromium.html"' in index
    assert '<td class="v ok cf"' in index  # OK behaviour, FAILED close
    assert "<small>WRONG CODE</small>" in index
    assert 'class="v unimpl"' in index and 'class="v failed"' in index and 'class="v info"' in index
    assert 'href="rfc6455.html"' in index
    assert 'id="q"' in index and 'data-hide="ok"' in index
    assert "src=" not in index and "<link" not in index  # no external resources
    draft = (writer.run_dir / "hixie-75.html").read_text()
    assert "2.2_hixie-75_python.html" in draft and "_rfc6455_" not in draft
    assert ">10.1<" not in draft  # no hixie-75 result for that case


def test_detail_page_shows_wire_log_readably(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, _ = finished
    page = (writer.run_dir / "cases" / "1.1.2_rfc6455_python.html").read_text()
    assert "00000000  81 05 68 65 6c 6c 6f" in page and "|..hello|" in page
    assert "→" in page and "←" in page
    assert "GET /echo HTTP/1.1" in page and "HTTP/1.1 101 Switching Protocols" in page
    assert 'href="../index.html"' in page and 'href="../rfc6455.html"' in page
    big = (writer.run_dir / "cases" / "10.1_rfc6455_python.html").read_text()
    assert f"{len(BIG)} bytes" in big
    assert "more bytes of this chunk not shown" in big
    assert len(big) < 200_000  # capped display
    detail = json.loads((writer.run_dir / "cases" / "10.1_rfc6455_python.json").read_text())
    assert bytes.fromhex(detail["wirelog"][1]["hex"]) == BIG


def test_summary_md(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    writer, _, _ = finished
    md = (writer.run_dir / "summary.md").read_text()
    assert "| rfc6455 | python | 5 | 2 | 1 | 1 | 0 | 1 | 2 |" in md
    assert "## Failed (2)" in md
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in md
    assert "41.2 s" in md and "20240101-120000" in md and "ws://localhost:8080" in md


def test_summary_line(finished: tuple[ReportWriter, Summary, list[CaseResult]]) -> None:
    _, summary, results = finished
    assert summary.total == len(results) == 23
    assert summary.failed == 2
    assert summary.counts[Behavior.OK] == 9
    assert summary.line() == (
        "23 cases x drafts x agents: 9 OK, 6 NON-STRICT, 6 INFORMATIONAL, 1 UNIMPLEMENTED, 1 FAILED,"
        " 1 FAILED closes in 41.2 s"
    )
    quiet = Summary(
        412,
        {b: 0 for b in Behavior} | {Behavior.OK: 398, Behavior.INFORMATIONAL: 10, Behavior.UNIMPLEMENTED: 4},
        0,
        Path("r"),
        41.23,
    )
    assert quiet.line() == "412 cases x drafts x agents: 398 OK, 10 INFORMATIONAL, 4 UNIMPLEMENTED, 0 FAILED in 41.2 s"


def test_latest_symlink_points_at_newest_run(tmp_path: Path) -> None:
    first = ReportWriter(tmp_path, run_info("run-1"))
    latest = tmp_path / "latest"
    assert latest.is_symlink() and os.readlink(latest) == "run-1"
    assert latest.resolve() == first.run_dir.resolve()
    second = ReportWriter(tmp_path, run_info("run-2"))
    assert os.readlink(latest) == "run-2"
    assert (latest / "index.json").is_file()
    assert latest.resolve() == second.run_dir.resolve()
    assert first.run_dir.is_dir()


def test_latest_txt_when_symlinks_are_impossible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_symlink(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks not supported")

    monkeypatch.setattr(os, "symlink", no_symlink)
    ReportWriter(tmp_path, run_info("run-3"))
    assert (tmp_path / "latest.txt").read_text().strip() == "run-3"
    assert not (tmp_path / "latest").exists()


def test_partial_report_is_readable_and_throttled(tmp_path: Path) -> None:
    clock = FakeClock()
    writer = ReportWriter(tmp_path, run_info(), flush_interval=1.0, clock=clock)
    index_path = writer.run_dir / "index.json"

    def index() -> dict[str, dict[str, dict[str, object]]]:
        data: dict[str, dict[str, dict[str, object]]] = json.loads(index_path.read_text())
        return data

    assert index() == {}
    assert (writer.run_dir / "index.html").is_file()
    results = sample_results()
    writer.add(results[0])
    writer.add(results[1])
    assert (writer.run_dir / "cases" / f"{results[1].key}.json").is_file()  # detail files at once
    assert index() == {}  # aggregates wait for the throttle
    clock.now += 1.5
    writer.add(results[2])
    assert list(index()["python"]["hixie-75"]) == ["1.1.2", "1.1.10", "2.1"]
    run = json.loads((writer.run_dir / "run.json").read_text())
    assert run["finished"] is None and run["resultCount"] == 3
    assert "running" in (writer.run_dir / "summary.md").read_text()
    assert "1.1.10" in (writer.run_dir / "index.html").read_text()
    assert not (writer.run_dir / "junit.xml").exists()

    summary = writer.finish(2.0, interrupted=True)
    assert summary.line() == (
        "3 cases x drafts x agents: 1 OK, 1 NON-STRICT, 1 INFORMATIONAL, 0 FAILED in 2.0 s"
        " (interrupted: 3 of 23 planned)"
    )
    assert json.loads((writer.run_dir / "run.json").read_text())["interrupted"] is True
    junit = ET.parse(writer.run_dir / "junit.xml").getroot()
    # the three results, and an <error> saying the run is incomplete, so that CI does not show it green
    assert (junit.get("tests"), junit.get("errors"), junit.get("failures")) == ("4", "1", "0")
    error = junit.find("testsuite[@name='wsinterop']/testcase/error")
    assert error is not None and error.get("message") == "interrupted"
    assert "3 of 23 planned items have results" in (error.text or "")
    assert "interrupted after 2.0 s" in (writer.run_dir / "summary.md").read_text()
    with pytest.raises(RuntimeError):
        writer.add(results[3])


def test_output_does_not_depend_on_arrival_order(tmp_path: Path) -> None:
    def write(name: str, order: Callable[[list[CaseResult]], None]) -> Path:
        results = sample_results()
        order(results)
        writer = ReportWriter(tmp_path / name, run_info())
        for r in results:
            writer.add(r)
        writer.finish(1.0)
        return writer.run_dir

    a = write("a", lambda rs: None)
    b = write("b", lambda rs: random.Random(7).shuffle(rs))
    for name in ("index.json", "index.html", "rfc6455.html", "junit.xml", "summary.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_failed_list_is_capped(tmp_path: Path) -> None:
    writer = ReportWriter(tmp_path, run_info())
    for i in range(60):
        writer.add(make_result(f"3.{i}", "rfc6455", "python", Behavior.FAILED, reason=f"reason {i}"))
    writer.finish(1.0)
    md = (writer.run_dir / "summary.md").read_text()
    assert "## Failed (60)" in md
    assert md.count("\n- [3.") == 50
    assert "and 10 more" in md
    assert "reason 49" in md and "reason 50" not in md


def test_bad_run_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ReportWriter(tmp_path, run_info("../escape"))


def test_case_sort_key() -> None:
    ids = ["10.1", "2.10", "2.9", "2.9.1", "1.a", "1.2"]
    assert sorted(ids, key=case_sort_key) == ["1.2", "1.a", "2.9", "2.9.1", "2.10", "10.1"]


def test_dumps_lines_is_json_with_an_object_per_line() -> None:
    value = {"id": "1.1", "tags": ["a"], "empty": {}, "data": b"\x01", "events": [{"t": 0.5, "x": [1, 2]}, {"t": 1}]}
    text = dumps_lines(value)
    assert json.loads(text) == {**value, "data": "01"}
    assert text.splitlines() == [
        "{",
        ' "id": "1.1",',
        ' "tags": ["a"],',
        ' "empty": {},',
        ' "data": "01",',
        ' "events": [',
        '  {"t": 0.5, "x": [1, 2]},',
        '  {"t": 1}',
        " ]",
        "}",
    ]


def test_xml_safe_and_hexdump() -> None:
    assert xml_safe("a\x00b\x1fc\td\ne\ud800") == "a\\x00b\\x1fc\td\ne\\ud800"
    assert hexdump(b"AB\x00" * 6) == (
        "00000000  41 42 00 41 42 00 41 42  00 41 42 00 41 42 00 41  |AB.AB.AB.AB.AB.A|\n"
        "00000010  42 00                                             |B.|"
    )


def test_surrogates_and_bytes_in_data_are_written(tmp_path: Path) -> None:
    result = make_result("4.1", "rfc6455", "python", Behavior.FAILED, reason="bad \ud800 and \udcff")
    result.observation.events.append(Note(0.1, "bad \ud800 text"))
    writer = ReportWriter(tmp_path, run_info())
    writer.add(result)
    writer.finish(1.0)
    detail = json.loads((writer.run_dir / "cases" / f"{result.key}.json").read_text())
    assert detail["behaviorReason"] == "bad \ud800 and \udcff"
    assert detail["observed"]["events"][-1] == {"t": 0.1, "type": "note", "text": "bad \ud800 text"}
    failure = ET.parse(writer.run_dir / "junit.xml").getroot().find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad \\ud800 and \\udcff"
    assert "bad \\ud800 and \\udcff" in (writer.run_dir / "cases" / f"{result.key}.html").read_text()
