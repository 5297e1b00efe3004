"""docs/ci.md: its GitHub Actions workflow and GitLab snippet are valid YAML of the right shape, and every
`python -m harness` / `python -m interop` command in the page parses with the real argument parsers."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import harness.cli
from harness.cli.shard import Shard
from interop import __main__ as interop_cli

DOC = Path(__file__).parents[1] / "docs" / "ci.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`(python -m (?:harness|interop) [^`]+)`")
GH_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if kind == lang]


def workflows() -> tuple[dict[Any, Any], dict[str, Any]]:
    """(the GitHub Actions workflow, the GitLab snippet)."""
    docs = [yaml.safe_load(body) for body in blocks("yaml")]
    github = [d for d in docs if "jobs" in d]
    gitlab = [d for d in docs if "stages" in d]
    assert len(github) == 1 and len(gitlab) == 1, "docs/ci.md holds one workflow of each"
    return github[0], gitlab[0]


class ParseError(Exception):
    pass


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse `python -m harness|interop ARGS` as the program would; ParseError with argparse's message."""
    assert argv[:2] == ["python", "-m"], argv
    module, args = argv[2], argv[3:]
    if module == "harness":
        p = harness.cli.parser()
    elif args[:1] == ["merge"]:
        p, args = interop_cli.merge_parser(), args[1:]
    else:
        p = interop_cli.parser()
    for action in p._actions:  # subparsers inherit nothing: make them raise too
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.error = _raise  # type: ignore[method-assign]
    p.error = _raise  # type: ignore[method-assign]
    return p.parse_args(args)


def _raise(message: str) -> Any:
    raise ParseError(message)


def commands(script: str, env: dict[str, str]) -> list[list[str]]:
    """The python -m harness|interop commands of a shell script, variables put in (quotes kept as shell does)."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        text = line.strip()
        for name, value in env.items():
            text = text.replace(f"${name}", value).replace(f"${{{name}}}", value)
        if text.startswith("python -m "):
            found.append(shlex.split(text, comments=True))
    return found


def gh_script(step: dict[str, Any], values: dict[str, str]) -> str:
    return GH_EXPR.sub(lambda m: values.get(m.group(1), "x"), str(step.get("run", "")))


@pytest.mark.parametrize(("index", "schema"), [(0, "vendor.github-workflows"), (1, "vendor.gitlab-ci")])
def test_the_yaml_blocks_follow_the_ci_schemas(tmp_path: Path, index: int, schema: str) -> None:
    """GitHub's workflow schema and GitLab's CI schema, as check-jsonschema ships them (no network)."""
    path = tmp_path / "ci.yml"
    path.write_text(blocks("yaml")[index], encoding="utf-8")
    argv = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_github_workflow() -> None:
    github, _ = workflows()
    assert True in github or "on" in github  # YAML 1.1 reads the key `on` as True
    jobs = github["jobs"]
    assert set(jobs) == {"plan", "shard", "merge"}
    shard, merge = jobs["shard"], jobs["merge"]
    ks = shard["strategy"]["matrix"]["shard"]
    assert ks == list(range(1, len(ks) + 1)) and len(ks) > 1
    assert shard["needs"] == "plan" and merge["needs"] == "shard"
    image = shard["container"]["image"]
    assert merge["container"]["image"] == image and image.endswith("wsinterop:harness")
    env = {"GITHUB_WORKSPACE": "/ws"}
    for k in ks:
        runs = [c for step in shard["steps"] for c in commands(gh_script(step, {"matrix.shard": str(k)}), env)]
        (run,) = runs
        args = parse(run)
        assert (args.command, args.shard, args.durations) == ("run", Shard(k, len(ks)), Path("/ws/durations.json"))
        assert args.out == Path(f"/ws/shard-{k}")
    merges = [c for step in merge["steps"] for c in commands(gh_script(step, {}), env)]
    (merge_cmd,) = merges
    args = parse(merge_cmd)
    assert args.command == "merge" and args.out == Path("/ws/report")
    uses = {step.get("uses", "").split("@")[0]: step for step in merge["steps"]}
    assert uses["actions/upload-artifact"]["with"]["path"] == "report/"  # the HTML report
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == "report/junit.xml"
    assert uses["actions/download-artifact"]["with"]["pattern"] == "shard-*"


def test_the_gitlab_snippet() -> None:
    _, gitlab = workflows()
    shard, report = gitlab["wsinterop"], gitlab["wsinterop-report"]
    n = shard["parallel"]
    assert shard["image"] == report["image"] and shard["image"]["entrypoint"] == [""]
    assert report["needs"] == ["wsinterop"] and report["artifacts"]["reports"]["junit"] == "report/junit.xml"
    for k in range(1, n + 1):
        env = {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(n), "CI_PROJECT_DIR": "/p"}
        (run,) = [c for line in shard["script"] for c in commands(line, env)]
        args = parse(run)
        assert (args.shard, args.out) == (Shard(k, n), Path(f"/p/shards/{k}"))
    (merge,) = [c for line in report["script"] for c in commands(line, {"CI_PROJECT_DIR": "/p"})]
    args = parse(merge)
    assert args.runs == [Path("/p/shards/*")] and args.out == Path("/p/report")


def subcommands() -> set[str]:
    (sub,) = [a for a in harness.cli.parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_every_command_in_the_page_parses() -> None:
    text = DOC.read_text(encoding="utf-8")
    found = [shlex.split(c.replace("K/N", "2/3")) for c in INLINE.findall(text)]  # the page's placeholder
    for body in blocks("sh"):
        found += commands(body, {})
    assert len(found) >= 8
    for argv in found:
        if len(argv) == 4 and argv[3] in subcommands() | {"merge"}:
            continue  # the name of a command in a sentence ("`python -m harness merge` refuses ...")
        parse(argv)
    assert {"run", "merge"} <= subcommands()


def test_the_checker_catches_an_unknown_option() -> None:
    with pytest.raises(ParseError, match="unrecognized arguments: --shards"):
        parse(["python", "-m", "harness", "run", "--shards", "1/3"])
    with pytest.raises(ParseError, match="K must be between 1 and N"):
        parse(["python", "-m", "harness", "run", "--shard", "4/3"])
    with pytest.raises(ParseError, match="invalid choice: 'mrege'"):
        parse(["python", "-m", "harness", "mrege", "a", "--out", "b"])
    with pytest.raises(ParseError, match="the following arguments are required: --out"):
        parse(["python", "-m", "interop", "merge", "a"])
