"""`python -m harness merge`: shards of a real run merge into the report of the unsplit run; refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.cli.runner import EXIT_NO_RUN, EXIT_OK, EXIT_USAGE

from .test_runner import ECHO, WRONG, catalogue, harness_cli

SELECTION = ("--cases", "2.*", "3.*", "4.*", "5.*", "21.*")  # 21.*: exclusive cases (a shared broadcast room)
COUNTS = re.compile(r'<table id="counts">.*?</table>', re.DOTALL)


def verdicts(run_dir: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    index = json.loads((run_dir / "index.json").read_text())
    return {
        (case, draft, agent): (r["behavior"], r["behaviorClose"])
        for agent, by_draft in index.items()
        for draft, by_case in by_draft.items()
        for case, r in by_case.items()
    }


def test_three_shards_merged_give_the_verdicts_of_one_unsplit_run(tmp_path: Path) -> None:
    whole = harness_cli("run", *SELECTION, "--out", str(tmp_path / "whole"), "--jobs", "4")
    assert whole.returncode == EXIT_OK, whole.stderr
    unsplit = (tmp_path / "whole" / "latest").resolve()
    durations = str(unsplit / "index.json")  # balance the shards by the unsplit run's durations
    for k in (1, 2, 3):
        done = harness_cli(
            "run", *SELECTION, "--shard", f"{k}/3", "--durations", durations, "--out", str(tmp_path / "shards" / str(k))
        )
        assert done.returncode == EXIT_OK, done.stderr
        assert f"shard {k}/3: " in done.stderr and f"balanced by the durations in {durations}" in done.stderr
    parts = [str(tmp_path / "shards" / str(k)) for k in (1, 2, 3)]  # directories of runs, `latest` beside them
    merged = harness_cli("merge", *parts, "--out", str(tmp_path / "merged"))
    assert merged.returncode == EXIT_OK, merged.stderr
    assert merged.stdout.splitlines()[-1].startswith(f"PASSED: {len(verdicts(unsplit))} cases x drafts x agents")

    out = tmp_path / "merged"
    assert verdicts(out) == verdicts(unsplit)  # item for item
    shard_items = [verdicts(next(p for p in Path(d).iterdir() if p.name != "latest")) for d in parts]
    assert sum(len(s) for s in shard_items) == len(verdicts(unsplit))  # nothing ran twice
    assert all(s for s in shard_items)
    html, unsplit_html = (out / "index.html").read_text(), (unsplit / "index.html").read_text()
    counts, unsplit_counts = COUNTS.search(html), COUNTS.search(unsplit_html)
    assert counts is not None and unsplit_counts is not None
    assert counts.group() == unsplit_counts.group()
    assert html.count('<td class="v ') == unsplit_html.count('<td class="v ')  # the same matrix cells
    run = json.loads((out / "run.json").read_text())
    assert len(run["mergedFrom"]) == 3 and run["referenceServer"] is True


def test_runs_of_different_catalogues_are_refused(tmp_path: Path) -> None:
    for name, files in (("a", {"echo": ECHO}), ("b", {"echo": ECHO, "wrong": WRONG})):
        cases = catalogue(tmp_path / f"cases-{name}", **files)
        done = harness_cli("run", "--catalogue", str(cases), "--drafts", "rfc6455", "--out", str(tmp_path / name))
        assert done.returncode in (0, 1), done.stderr
    done = harness_cli("merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "merged"))
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("cannot merge: different catalogues: ")
    assert not (tmp_path / "merged").exists()


def test_a_missing_shard_gives_an_incomplete_report(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    args = ("run", "--catalogue", str(cases), "--shard", "1/2", "--out", str(tmp_path / "s1"))
    assert harness_cli(*args).returncode == EXIT_OK
    done = harness_cli("merge", str(tmp_path / "s1"), "--out", str(tmp_path / "merged"))
    assert done.returncode == EXIT_NO_RUN
    assert "incomplete: shard 2/2 is missing" in done.stderr
    assert done.stdout.splitlines()[-1].startswith("INCOMPLETE: ")
    assert (tmp_path / "merged" / "index.html").is_file()
