"""`python -m harness catalogue`: docs/catalogue.md, generated from the case files.

`render(cases)` is the Markdown: a summary (distinct ids, ids per draft, per category), then per category a
table id | title | spec | drafts | agents. A case split by `per_draft` is one row with all its drafts.
`python -m harness catalogue > docs/catalogue.md` regenerates the file; `--check` exits 1 when it is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wire import Draft

from ..agents import REGISTRY
from ..cases import schema
from ..cases.loader import CaseFileError, id_key, load_catalogue
from ..cases.model import ALL_DRAFTS, Case

DEFAULT_CASES = Path("cases")
DEFAULT_DOC = Path("docs/catalogue.md")
COMMAND = "python -m harness catalogue > docs/catalogue.md"


@dataclass
class Row:
    """One case id: its first case's description, and the drafts and agents of all its cases."""

    case: Case
    drafts: set[str] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
    unimplemented: set[str] = field(default_factory=set)  # drafts the case marks UNIMPLEMENTED
    page_can: dict[str, bool] = field(default_factory=dict)  # browser agent -> some case of the id it can express

    @property
    def category(self) -> str:
        return self.case.id.split(".")[0]


def _page_can(case: Case, agent: str) -> bool:
    """A browser agent can express the case (in rfc6455, the only draft a page speaks)."""
    if getattr(case, "actors", ()):  # a scenario: its actors say which agents drive it
        return True
    return "rfc6455" in case.drafts and REGISTRY[agent].unsupported(case, Draft.RFC6455, "agent") is None


def rows(cases: Sequence[Case]) -> list[Row]:
    """One row per distinct id, sorted as the runner sorts ids."""
    by_id: dict[str, Row] = {}
    for case in cases:
        row = by_id.setdefault(case.id, Row(case))
        row.drafts.update(case.drafts)
        row.agents.update(REGISTRY if case.agents is None else case.agents)
        row.unimplemented.update(d for d in case.unimplemented if d in case.drafts)
        for agent in (a for a in row.agents if REGISTRY[a].browser):
            row.page_can[agent] = row.page_can.get(agent, False) or _page_can(case, agent)
    return sorted(by_id.values(), key=lambda r: id_key(r.case.id))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _drafts(row: Row) -> str:
    if row.drafts == set(ALL_DRAFTS) and not row.unimplemented:
        return "all"
    names = [d for d in ALL_DRAFTS if d in row.drafts]
    return ", ".join(f"~~{d}~~" if d in row.unimplemented else d for d in names)


def _agents(row: Row) -> str:
    names = [a for a in REGISTRY if a in row.agents]
    return ", ".join(f"~~{a}~~" if not row.page_can.get(a, True) else a for a in names)


def _category_name(group: list[Row]) -> str:
    names = dict.fromkeys(r.case.info.category for r in group)
    return " / ".join(names)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def render(cases: Sequence[Case]) -> str:
    """The catalogue as Markdown."""
    all_rows = rows(cases)
    categories: dict[str, list[Row]] = {}
    for row in all_rows:
        categories.setdefault(row.category, []).append(row)
    out = [
        "# Case catalogue",
        "",
        f"Generated from `cases/*.case.yaml` by `{COMMAND}`; do not edit by hand",
        "(`python -m harness catalogue --check` tells whether it is current). The case format is in",
        "[case-format.md](case-format.md). A draft struck through is listed by the case but UNIMPLEMENTED there",
        "(the reason is in the case file and in every report); a browser agent struck through is one the case",
        "allows but a page cannot express it (a raw frame, a handshake change, a draft other than RFC 6455).",
        "",
        f"**{len(all_rows)} distinct case ids.** Ids that run in each draft:",
        "",
        "| " + " | ".join(ALL_DRAFTS) + " |",
        "|" + "---:|" * len(ALL_DRAFTS),
        "| "
        + " | ".join(str(sum(1 for r in all_rows if d in r.drafts and d not in r.unimplemented)) for d in ALL_DRAFTS)
        + " |",
        "",
        "| category | | ids |",
        "|---:|---|---:|",
    ]
    headings = {number: f"{number} {_cell(_category_name(group))}" for number, group in categories.items()}
    for number, group in categories.items():
        out.append(f"| [{number}](#{_slug(headings[number])}) | {_cell(_category_name(group))} | {len(group)} |")
    autobahn = sum(1 for r in all_rows if "autobahn" in r.case.info.tags)
    out += ["", f"{autobahn} ids are tagged `autobahn`: they carry an Autobahn|Testsuite 25.10.1 id and do its check."]
    out += _moved(all_rows)
    for number, group in categories.items():
        out += [
            "",
            f"## {headings[number]}",
            "",
            "| id | title | spec | drafts | agents |",
            "|---|---|---|---|---|",
        ]
        for row in group:
            info = row.case.info
            out.append(f"| {info.id} | {_cell(info.title)} | {_cell(info.spec)} | {_drafts(row)} | {_agents(row)} |")
    return "\n".join(out) + "\n"


def _moved(all_rows: list[Row]) -> list[str]:
    """The ids whose check came from another id (a case's `formerly`), and why."""
    moved = [r for r in all_rows if r.case.formerly is not None]
    if not moved:
        return []
    out = [
        "",
        "Ids that moved (the check of the second column is now the first's):",
        "",
        "| id | was | why |",
        "|---|---|---|",
    ]
    for row in moved:
        assert row.case.formerly is not None
        old, why = row.case.formerly
        out.append(f"| {row.case.id} | {old} | {_cell(why)} |")
    return out


DESCRIPTION = f"Print docs/catalogue.md, generated from the case files: {COMMAND}"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path, help="case files or directories (default: ./cases)")
    p.add_argument(
        "--check",
        nargs="?",
        const=DEFAULT_DOC,
        type=Path,
        metavar="FILE",
        help="compare with FILE (default docs/catalogue.md) instead of printing; exit 1 when it differs",
    )


def command(args: argparse.Namespace) -> int:
    try:
        text = render(load_catalogue(args.paths or [DEFAULT_CASES], REGISTRY))
    except CaseFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    return _print_or_check(text, args.check, COMMAND)


def _print_or_check(text: str, check: Path | None, command: str) -> int:
    """Print `text`, or (with a file to check) exit 1 when the file is not exactly `text`."""
    if check is None:
        sys.stdout.write(text)
        return 0
    current = check.read_text(encoding="utf-8") if check.is_file() else None
    if current != text:
        state = "is missing" if current is None else "is out of date"
        print(f"{check} {state}: regenerate it with `{command}`", file=sys.stderr)
        return 1
    return 0


SCHEMA_FILE = Path("harness/cases/case.schema.json")
SCHEMA_COMMAND = f"python -m harness schema > {SCHEMA_FILE}"
SCHEMA_DESCRIPTION = (
    f"Print the JSON Schema of case files, generated from harness/cases/schema.py and the model's defaults: "
    f"{SCHEMA_COMMAND}"
)


def add_schema_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--check",
        nargs="?",
        const=SCHEMA_FILE,
        type=Path,
        metavar="FILE",
        help=f"compare with FILE (default {SCHEMA_FILE}) instead of printing; exit 1 when it differs",
    )


def schema_command(args: argparse.Namespace) -> int:
    return _print_or_check(schema.text(), args.check, SCHEMA_COMMAND)
