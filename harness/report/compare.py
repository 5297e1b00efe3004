"""Compare the verdicts of two runs item by item: `python -m harness.report.compare BEFORE AFTER`.

BEFORE and AFTER are run directories (or their index.json; a directory of runs means its `latest`). An
index.json of Autobahn|Testsuite itself ({agent: {id: ...}}, no draft level) reads as rfc6455, so a run
can be set beside Autobahn's on the same server or client. An item is (agent, draft, case id); it agrees
when both its behaviour and its close behaviour are equal. Prints every item that differs or that only
one run has (with --shared: only the items both have), then one line of counts. Exit status 0 when every
compared item agrees and (without --shared) both runs have the same items, 1 otherwise, 2 for a path that
is no run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

Item = tuple[str, str, str]  # agent, draft, case id
Verdicts = dict[Item, tuple[str, str]]


def index_path(path: Path) -> Path:
    """The index.json a path names: itself, the run's, or the latest run's of a reports directory."""
    for candidate in (path, path / "index.json", path / "latest" / "index.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{path}: no index.json there, nor in {path / 'latest'}")


def load(path: Path) -> Verdicts:
    index: dict[str, dict[str, Any]] = json.loads(index_path(path).read_text())
    verdicts: Verdicts = {}
    for agent, entries in index.items():
        autobahn = any("behavior" in entry for entry in entries.values())  # Autobahn's own: RFC 6455 only
        for draft, cases in ({"rfc6455": entries} if autobahn else entries).items():
            for case, entry in cases.items():
                verdicts[(agent, draft, case)] = (entry["behavior"], entry["behaviorClose"])
    return verdicts


def _key(item: Item) -> tuple[object, ...]:
    agent, draft, case = item
    return (agent, draft, *(int(p) if p.isdigit() else p for p in case.split(".")))


def compare(before: Verdicts, after: Verdicts) -> tuple[list[str], int, int]:
    """The lines that tell the differences, the items that agree, and those that do not."""
    lines, agree, differ = [], 0, 0
    for item in sorted(before.keys() | after.keys(), key=_key):
        name = " ".join(item)
        old, new = before.get(item), after.get(item)
        if old == new:
            agree += 1
            continue
        differ += 1
        if old is None or new is None:
            lines.append(f"{name}: only {'after' if old is None else 'before'}")
        else:
            lines.append(f"{name}: {'/'.join(old)} -> {'/'.join(new)}")
    return lines, agree, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.report.compare", description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--shared", action="store_true", help="compare only the items both runs have")
    args = parser.parse_args(argv)
    try:
        before, after = load(args.before), load(args.after)
    except (OSError, ValueError, KeyError) as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    if args.shared:
        both = before.keys() & after.keys()
        before, after = {i: before[i] for i in both}, {i: after[i] for i in both}
    lines, agree, differ = compare(before, after)
    for line in lines:
        print(line)
    share = f", {100 * agree / (agree + differ):.1f}% agree" if args.shared and agree + differ else ""
    print(f"{agree} items agree, {differ} differ ({len(before)} before, {len(after)} after{share})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
