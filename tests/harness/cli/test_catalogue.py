"""The case catalogue (cases/*.case.yaml) and its generated page (harness/cli/catalogue.py -> docs/catalogue.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import textwrap
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pytest

from harness.cases.loader import load_catalogue
from harness.cases.model import Case, Payload
from harness.cli import main as cli_main
from harness.cli.catalogue import COMMAND, render, rows

ROOT = Path(__file__).parents[3]
CASES = ROOT / "cases"
DOC = ROOT / "docs" / "catalogue.md"
MIN_IDS = 350
LARGE = 1 << 20  # payloads above this are compared by their description, not their bytes


@pytest.fixture(scope="module")
def catalogue() -> list[Case]:
    return load_catalogue([CASES])


def main(argv: list[str]) -> int:
    return cli_main(["catalogue", *argv])


# --- the catalogue itself ----------------------------------------------------------------------------


def test_docs_catalogue_is_current(catalogue: list[Case]) -> None:
    assert DOC.read_text(encoding="utf-8") == render(catalogue), f"docs/catalogue.md is stale: run `{COMMAND}`"


def test_at_least_350_distinct_ids(catalogue: list[Case]) -> None:
    assert len({case.id for case in catalogue}) >= MIN_IDS


def test_every_case_has_a_spec_and_an_expectation(catalogue: list[Case]) -> None:
    missing = [c.id for c in catalogue if not c.info.spec.strip() or not c.info.expectation.strip()]
    assert missing == []


def test_unimplemented_reasons_name_drafts_the_case_runs_in(catalogue: list[Case]) -> None:
    drafts: dict[str, set[str]] = {}
    for case in catalogue:  # a case split by per_draft keeps the whole mapping in every part
        drafts.setdefault(case.id, set()).update(case.drafts)
    wrong = [(c.id, d) for c in catalogue for d, why in c.unimplemented.items() if d not in drafts[c.id] or not why]
    assert wrong == []


def _normal(value: Any) -> Hashable:
    """A value with every payload replaced by what goes on the wire (its bytes' digest), so that two
    spellings of the same bytes ({text: ""} and {repeat: {count: 0}}) compare equal."""
    if isinstance(value, Payload):
        if value.kind in ("repeat", "random", "pattern") and value.count > LARGE:
            return ("payload", value.kind, value.byte, value.text, value.count, value.seed)
        return ("payload", hashlib.sha256(value.to_bytes()).hexdigest())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, _normal(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normal(v)) for k, v in value.items()))
    return value  # type: ignore[no-any-return]


def signature(case: Case) -> Hashable:
    """What a case does and expects, in which drafts: everything but its words, agents and timeout."""
    return _normal(
        (
            case.drafts,
            case.sides,
            case.handshake,
            case.answer,
            case.answer_closes,
            case.steps,
            case.expect_handshake,
            case.ok,
            case.non_strict,
            case.informational,
            case.close,
            case.rules,
            getattr(case, "actors", ()),
        )
    )


def test_no_two_ids_are_copies(catalogue: list[Case]) -> None:
    """Except where Autobahn itself gives the same bytes two ids (6.6.11 is 6.5.5 again, ...): a case that
    carries an Autobahn id keeps it, so that its verdict can be set beside Autobahn's."""
    first: dict[Hashable, Case] = {}
    copies = []
    for case in catalogue:
        other = first.setdefault(signature(case), case)
        autobahn = "autobahn" in case.info.tags and "autobahn" in other.info.tags
        if other.id != case.id and not autobahn:
            copies.append(f"{case.id} ({case.info.source}) does what {other.id} does")
    assert copies == []


# --- the generator -----------------------------------------------------------------------------------

TWO_CASES = """\
category: sample
defaults:
  handshake: {protocols: [echo]}
cases:
  - id: "1.${n}"
    title: "Echo ${n} | pipe"
    description: d
    expectation: e
    spec: "RFC 6455 §5.${n}"
    drafts: [hybi-07, rfc6455]
    unimplemented: {hybi-07: "not there"}
    steps:
      - send_message: {text: "x"}
    per_draft:
      rfc6455: {close: {codes: [1001]}}
    params:
      - {n: 2}
      - {n: 10}
  - id: "0.1"
    title: Handshake only
    description: d
    expectation: e
    spec: "RFC 6455 §4"
    drafts: all
    agents: [python]
    handshake: {headers: {X-Test: "1"}}
"""


def write_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "01-sample.case.yaml").write_text(textwrap.dedent(TWO_CASES), encoding="utf-8")
    return folder


def test_rows_merge_per_draft_splits_and_sort_ids_as_numbers(tmp_path: Path) -> None:
    cases = load_catalogue([write_sample(tmp_path)])
    assert len(cases) == 5  # 1.2 and 1.10 each split by per_draft, plus 0.1
    table = rows(cases)
    assert [r.case.id for r in table] == ["0.1", "1.2", "1.10"]
    assert table[1].drafts == {"hybi-07", "rfc6455"}
    assert table[1].unimplemented == {"hybi-07"}


def test_render_tables(tmp_path: Path) -> None:
    text = render(load_catalogue([write_sample(tmp_path)]))
    assert "**3 distinct case ids.**" in text
    assert "| 1 | 1 | 1 | 1 | 1 | 3 |" in text  # ids per draft: 1.x are UNIMPLEMENTED in hybi-07
    assert "## 1 sample" in text and "| [1](#1-sample) | sample | 2 |" in text
    row = "| 1.2 | Echo 2 \\| pipe | RFC 6455 §5.2 | ~~hybi-07~~, rfc6455 | python, chromium, firefox, webkit |"
    assert row in text
    # a page cannot change the handshake: the browsers are struck through; `all` drafts stay short
    assert "| 0.1 | Handshake only | RFC 6455 §4 | all | python |" in text
    assert text.index("| 1.2 |") < text.index("| 1.10 |")


def test_main_prints_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_sample(tmp_path)
    assert main([str(folder)]) == 0
    printed = capsys.readouterr().out
    doc = tmp_path / "catalogue.md"
    assert main([str(folder), "--check", str(doc)]) == 1
    assert "is missing" in capsys.readouterr().err
    doc.write_text(printed + "stale\n", encoding="utf-8")
    assert main([str(folder), "--check", str(doc)]) == 1
    assert COMMAND in capsys.readouterr().err
    doc.write_text(printed, encoding="utf-8")
    assert main([str(folder), "--check", str(doc)]) == 0


def test_main_reports_broken_case_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "x.case.yaml").write_text("cases:\n  - id: 5.10\n", encoding="utf-8")
    assert main([str(folder)]) == 2
    assert "x.case.yaml" in capsys.readouterr().err


COPIES = """\
category: sample
cases:
  - id: "1.1"
    title: a
    description: d
    expectation: e
    spec: s
    steps: [{send_message: {text: ""}}]
  - id: "6.1.1"
    title: b
    description: other words
    expectation: other words
    spec: s
    agents: [python]
    steps: [{send_message: {text: {repeat: {byte: "*", count: 0}}}}]
  - id: "6.1.2"
    title: c
    description: d
    expectation: e
    spec: s
    drafts: [rfc6455]
    steps: [{send_message: {text: ""}}]
"""


def test_the_copy_detector_sees_through_spelling_but_not_drafts(tmp_path: Path) -> None:
    (tmp_path / "x.case.yaml").write_text(COPIES, encoding="utf-8")
    one, two, three = load_catalogue([tmp_path])
    assert signature(one) == signature(two)  # the same bytes, other words and agents: a copy
    assert signature(one) != signature(three)  # other drafts: not a copy
