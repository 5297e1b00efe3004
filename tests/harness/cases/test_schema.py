"""harness.cases.schema: the case files' JSON Schema, generated, with every default taken from the model."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from harness.cases import model, schema
from harness.cases.codes import NAMES
from harness.cli import main

ROOT = Path(__file__).parents[3]


def test_the_generated_schema_is_a_valid_schema() -> None:
    Draft202012Validator.check_schema(schema.build())


def test_the_shipped_file_is_the_generated_one() -> None:
    shipped = (ROOT / "harness" / "cases" / "case.schema.json").read_text(encoding="utf-8")
    assert shipped == schema.text(), "regenerate it: python -m harness schema > harness/cases/case.schema.json"


def test_defaults_come_from_the_model() -> None:
    defs = schema.build()["$defs"]
    fields = defs["fields"]["properties"]
    case = {f.name: f.default for f in dataclasses.fields(model.Case)}
    assert fields["timeout"]["default"] == case["timeout"] == 10.0
    assert fields["close_timeout"]["default"] == case["close_timeout"] == 1.0
    assert defs["step"]["properties"]["wait"]["properties"]["timeout"]["default"] == model.Wait("message").timeout
    assert defs["close"]["else"]["properties"]["codes"]["default"] == list(model.ExpectClose().codes)
    assert defs["handshake"]["properties"]["origin"]["default"] == model.Handshake().origin
    assert defs["step"]["properties"]["send_frame"]["properties"]["fin"]["default"] is True
    assert defs["drafts"]["default"] == list(model.HYBI_DRAFTS)


def test_names_come_from_the_code() -> None:
    defs = schema.build()["$defs"]
    assert defs["closeCode"]["then"]["enum"] == list(NAMES)
    assert defs["fields"]["properties"]["rules"]["items"]["enum"] == [str(r) for r in model.Rule]
    assert defs["draft"]["enum"] == list(model.ALL_DRAFTS)


def test_the_schema_command_prints_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == schema.build()
    stale = tmp_path / "case.schema.json"
    stale.write_text("{}\n")
    assert main(["schema", "--check", str(stale)]) == 1
    stale.write_text(printed)
    assert main(["schema", "--check", str(stale)]) == 0
