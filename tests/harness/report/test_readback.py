"""harness.report.readback: a written result reads back as the result that wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.report import ReportWriter
from harness.report.readback import ReportReadError, read_results, run_info
from harness.run.events import ChatShown

from .test_writer import make_result, sample_results
from .test_writer import run_info as writer_run_info


def test_every_result_reads_back_as_it_was_written(tmp_path: Path) -> None:
    results = sample_results()
    shot = make_result("2.3", "rfc6455", "chromium")
    shot.observation.attachments = {"screenshot.png": b"\x89PNG\r\n\x1a\n fake"}
    shot.observation.events.append(ChatShown(0.5, (("alice", "hi"),), actor="ann"))
    shot.observation.response_headers = [("Upgrade", "websocket"), ("X-Twice", "1"), ("X-Twice", "2")]
    results.append(shot)
    writer = ReportWriter(tmp_path, writer_run_info(case_count=len(results)))
    for r in results:
        writer.add(r)
    writer.finish(1.0)
    back = {r.key: r for r in read_results(writer.run_dir)}
    assert sorted(back) == sorted(r.key for r in results)
    for original in results:
        again = back[original.key]
        assert again.to_json() == original.to_json()
        assert again.observation.attachments == original.observation.attachments
        assert again.verdict == original.verdict


def test_run_info_reads_back(tmp_path: Path) -> None:
    info = writer_run_info()
    writer = ReportWriter(tmp_path, info)
    writer.finish(1.0)
    assert run_info(json.loads((writer.run_dir / "run.json").read_text())) == info


def test_a_missing_detail_file_is_a_read_error(tmp_path: Path) -> None:
    writer = ReportWriter(tmp_path, writer_run_info())
    result = make_result("1.1", "rfc6455", "python")
    writer.add(result)
    writer.finish(1.0)
    (writer.run_dir / "cases" / f"{result.key}.json").unlink()
    with pytest.raises(ReportReadError, match=result.key):
        list(read_results(writer.run_dir))
