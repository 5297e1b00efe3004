"""interop.runs: reading a harness report back, the harness command line, and the time ceiling."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from interop.runs import harness_argv, read_run, run_draft

from .support import fake_report


def test_read_run_counts_behaviours_and_lists_what_is_not_ok(tmp_path: Path) -> None:
    run_dir = fake_report(
        tmp_path / "runs" / "ws" / "r1",
        {
            "1.1.1": ("OK", "OK", "received text"),
            "2.1": ("OK", "WRONG CODE", "received pong"),
            "3.1": ("FAILED", "OK", "expected a close"),
            "6.1": ("UNIMPLEMENTED", "UNIMPLEMENTED", "no rule in this draft"),
            "7.1": ("NON-STRICT", "OK", "late close"),
        },
    )
    counts, close_not_ok, non_ok = read_run(run_dir, tmp_path)
    assert counts == {"OK": 2, "NON-STRICT": 1, "UNIMPLEMENTED": 1, "FAILED": 1}
    assert list(counts) == ["OK", "NON-STRICT", "UNIMPLEMENTED", "FAILED"]  # the verdicts' order
    assert close_not_ok == 1
    assert [n.case for n in non_ok] == ["2.1", "3.1", "7.1"]
    failed = non_ok[1]
    assert (failed.title, failed.behavior_reason) == ("title of 3.1", "expected a close")
    assert failed.report == "runs/ws/r1/cases/3.1_rfc6455_python.html"


def test_harness_argv_puts_the_exclusions_last(tmp_path: Path) -> None:
    argv = harness_argv(
        "py", "ws://127.0.0.1:1/", "hybi-08", tmp_path / "cases", tmp_path / "out", 2, ["--exclude", "9.*"]
    )
    assert argv[:4] == ["py", "-m", "harness", "run"]
    assert argv[argv.index("--drafts") + 1] == "hybi-08"
    assert argv[argv.index("--agents") + 1] == "python"
    assert argv[-2:] == ["--exclude", "9.*"]
    assert "--exclude" not in harness_argv("py", "u", "rfc6455", tmp_path, tmp_path, 1)


FAKE_HARNESS = """\
import json, pathlib, sys, time
out = pathlib.Path(sys.argv[1]) / "run1"
(out / "cases").mkdir(parents=True)
(out / "index.json").write_text(json.dumps({"python": {"rfc6455": {"1.1": {
    "behavior": "OK", "behaviorClose": "OK", "reportfile": "cases/x.json"}}}}))
(out / "index.html").write_text("")
print(f"report: {out}/index.html (summary: {out}/summary.md)")
"""


def test_run_draft_reads_the_report_the_child_names(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", FAKE_HARNESS, str(tmp_path / "runs")]
    run = run_draft(argv, "rfc6455", tmp_path / "runs", tmp_path, tmp_path, ceiling=30)
    assert run.counts == {"OK": 1}
    assert run.exit_code == 0
    assert run.report == "runs/run1/index.html"
    assert (tmp_path / "runs" / "rfc6455.log").read_text().startswith("report:")


def test_a_run_that_stopped_itself_says_why(tmp_path: Path) -> None:
    script = FAKE_HARNESS + "(out / 'run.json').write_text(json.dumps({'stopped': 'ws://x/ stopped answering'}))\n"
    run = run_draft([sys.executable, "-c", script, str(tmp_path / "runs")], "rfc6455", tmp_path, tmp_path, tmp_path, 30)
    assert run.counts == {"OK": 1}
    assert run.note == "stopped: ws://x/ stopped answering"


def test_run_draft_without_a_report_says_why(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import sys; print('the reference server did not start'); sys.exit(3)"]
    run = run_draft(argv, "hixie-76", tmp_path, tmp_path, tmp_path, ceiling=30)
    assert run.counts == {}
    assert run.exit_code == 3
    assert "exit 3" in run.note and "did not start" in run.note


def test_run_draft_interrupts_a_run_past_the_ceiling(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """\
        import time
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print("interrupted")
        """
    )
    run = run_draft([sys.executable, "-c", script], "rfc6455", tmp_path, tmp_path, tmp_path, ceiling=0.5)
    assert run.note.startswith("stopped after 0.5 s")
    assert run.wall < 30
    assert "interrupted" in (tmp_path / "rfc6455.log").read_text()
