"""harness.cases.codes: close codes named by meaning, resolved per draft from wire's DraftInfo."""

from __future__ import annotations

import pytest

from harness.cases import codes
from wire import Draft

RFC, HYBI_07, HYBI_08 = Draft.RFC6455, Draft.HYBI_07, Draft.HYBI_08


@pytest.mark.parametrize(
    ("name", "draft", "number"),
    [
        ("normal", HYBI_07, 1000),
        ("protocol-error", RFC, 1002),
        ("invalid-data", RFC, 1007),
        ("invalid-data", HYBI_08, 1007),
        ("invalid-data", HYBI_07, None),  # no code, and no rule, before hybi-10
        ("too-big", RFC, 1009),
        ("too-big", HYBI_08, 1004),
        ("policy-violation", HYBI_08, None),
        ("policy-violation", RFC, 1008),
    ],
)
def test_single_names(name: str, draft: Draft, number: int | None) -> None:
    assert codes.code_of(name, draft.info) == number


def test_a_name_the_draft_lacks_makes_the_case_unimplemented_there() -> None:
    assert codes.missing(("invalid-data",), HYBI_07) == (
        "hybi-07 has no close code for invalid-data "
        "(1007, data inconsistent with its type (invalid UTF-8); none before hybi-10)"
    )
    assert codes.missing(("invalid-data", 1002), HYBI_08) is None
    assert codes.missing(("invalid-data",), Draft.HIXIE_76) is None  # no codes at all: nothing to check


def test_sets_follow_the_drafts_list() -> None:
    valid = codes.resolve(("valid",), RFC)
    assert 1000 in valid and 1012 in valid and 4999 in valid and 1004 not in valid and 1005 not in valid
    assert 1004 in codes.resolve(("valid",), HYBI_07) and 1011 not in codes.resolve(("valid",), HYBI_07)
    invalid = codes.resolve(("invalid",), RFC)
    assert 999 in invalid and 1004 in invalid and 1000 not in invalid
    both = codes.resolve(("normal", 3000, "too-big"), HYBI_08)
    assert both.describe() == "1000, 1004, 3000"
    assert codes.resolve(("valid",), RFC).describe() == "any valid code"


@pytest.mark.parametrize(
    ("code", "draft", "allowed", "clean"),
    [
        (1000, RFC, "1000", True),
        (1001, RFC, "1000, 1001", True),
        (None, RFC, "1000", True),
        (1004, RFC, "1002", False),
        (1004, HYBI_07, "1000, 1004", True),
        (1007, HYBI_07, "1002", False),
        (1007, HYBI_08, "1000, 1007", True),
        (1016, RFC, "1002", False),
        (5000, RFC, "1002", False),
    ],
)
def test_answer(code: int | None, draft: Draft, allowed: str, clean: bool) -> None:
    got, got_clean = codes.answer(code, draft)
    assert (got.describe(), got_clean) == (allowed, clean)
