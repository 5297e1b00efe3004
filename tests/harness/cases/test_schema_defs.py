"""harness.cases.schema_defs: the schema's building blocks read their defaults from the model."""

from __future__ import annotations

from harness.cases import model
from harness.cases.schema_defs import SCALARS, default, payload, prop, ref


def test_a_default_is_the_model_fields_in_yaml_form() -> None:
    assert default(model.Case, "timeout") == 10.0
    assert default(model.SendFrame, "payload") is None  # the empty payload is written null
    assert default(model.Handshake, "protocols") == []  # tuples are lists
    assert default(model.Case, "handshake") == model.Handshake()  # a factory's value
    assert prop({"type": "number"}, model.Wait, "timeout") == {"type": "number", "default": 5.0}


def test_payload_and_scalars() -> None:
    assert ref("payload") == {"$ref": "#/$defs/payload"}
    assert set(payload()["then"]["properties"]) == {"text", "hex", "repeat", "random", "corpus"}
    assert SCALARS["draft"]["enum"] == list(model.ALL_DRAFTS)
