"""The draft table (drafts.md §1, §3.2, §3.5)."""

from __future__ import annotations

import pytest

from wire import DRAFTS, SUPPORTED_VERSIONS, Closing, Draft, Family, Kind, Masking

from .support import HYBI07_DRAFTS


def test_every_draft_has_info() -> None:
    assert set(DRAFTS) == set(Draft)
    for draft in Draft:
        assert draft.info is DRAFTS[draft]
        assert draft.info.name == draft.value


@pytest.mark.parametrize(
    ("draft", "family", "version", "masking", "closing"),
    [
        (Draft.HIXIE_75, Family.HIXIE, None, Masking.NONE, Closing.TCP),
        (Draft.HIXIE_76, Family.HIXIE, None, Masking.NONE, Closing.SENTINEL),
        (Draft.HYBI_06, Family.HYBI06, 6, Masking.WHOLE_FRAME, Closing.CLOSE_FRAME),
        (Draft.HYBI_07, Family.HYBI07, 7, Masking.PAYLOAD, Closing.CLOSE_FRAME),
        (Draft.HYBI_08, Family.HYBI07, 8, Masking.PAYLOAD, Closing.CLOSE_FRAME),
        (Draft.RFC6455, Family.HYBI07, 13, Masking.PAYLOAD, Closing.CLOSE_FRAME),
    ],
)
def test_draft_facts(draft: Draft, family: Family, version: int | None, masking: Masking, closing: Closing) -> None:
    info = draft.info
    assert (info.family, info.version, info.masking, info.closing) == (family, version, masking, closing)
    hybi = family is not Family.HIXIE
    assert info.has_binary is hybi
    assert info.has_ping is hybi
    assert info.has_fragmentation is hybi


def test_hybi06_opcode_table() -> None:
    info = Draft.HYBI_06.info
    expected = {
        0x0: Kind.CONTINUATION,
        0x1: Kind.CLOSE,
        0x2: Kind.PING,
        0x3: Kind.PONG,
        0x4: Kind.TEXT,
        0x5: Kind.BINARY,
    }
    for opcode in range(16):
        assert info.kind(opcode) is expected.get(opcode)
    assert info.reserved_opcodes() == tuple(range(6, 16))
    assert [op for op in range(16) if info.is_control(op)] == [1, 2, 3]
    assert info.opcode(Kind.PONG) == 0x3


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_hybi07_opcode_table(draft: Draft) -> None:
    info = draft.info
    expected = {
        0x0: Kind.CONTINUATION,
        0x1: Kind.TEXT,
        0x2: Kind.BINARY,
        0x8: Kind.CLOSE,
        0x9: Kind.PING,
        0xA: Kind.PONG,
    }
    for opcode in range(16):
        assert info.kind(opcode) is expected.get(opcode)
    assert info.kind(0x3) is None  # pong in hybi-06, reserved here
    assert info.reserved_opcodes() == (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF)
    assert [op for op in range(16) if info.is_control(op)] == list(range(8, 16))


def test_hixie_opcodes() -> None:
    assert Draft.HIXIE_75.info.opcode(Kind.TEXT) == 0x00
    with pytest.raises(KeyError):
        Draft.HIXIE_75.info.opcode(Kind.CLOSE)
    assert Draft.HIXIE_76.info.opcode(Kind.CLOSE) == 0xFF
    assert Draft.HIXIE_76.info.reserved_opcodes() == ()
    assert not any(Draft.HIXIE_76.info.is_control(op) for op in range(256))


def test_kind_is_control() -> None:
    assert {k for k in Kind if k.is_control} == {Kind.CLOSE, Kind.PING, Kind.PONG}


@pytest.mark.parametrize(
    ("draft", "too_big", "invalid_data"),
    [
        (Draft.HIXIE_75, None, None),
        (Draft.HIXIE_76, None, None),
        (Draft.HYBI_06, 1004, 1002),
        (Draft.HYBI_07, 1004, 1002),
        (Draft.HYBI_08, 1004, 1007),
        (Draft.RFC6455, 1009, 1007),
    ],
)
def test_failure_codes(draft: Draft, too_big: int | None, invalid_data: int | None) -> None:
    assert draft.info.too_big_code == too_big
    assert draft.info.invalid_data_code == invalid_data


@pytest.mark.parametrize("code", [0, 999, 1005, 1006, 1015, 1016, 2999, 5000])
@pytest.mark.parametrize("draft", [Draft.HYBI_06, *HYBI07_DRAFTS])
def test_never_valid_close_codes(draft: Draft, code: int) -> None:
    assert code not in draft.info.close_codes


def test_close_code_sets() -> None:
    rfc, h07, h08 = Draft.RFC6455.info.close_codes, Draft.HYBI_07.info.close_codes, Draft.HYBI_08.info.close_codes
    assert 1004 not in rfc and 1004 in h07 and 1004 in h08
    assert {1007, 1008, 1009, 1010, 1011} <= rfc
    assert 1007 not in h07 and 1007 in h08
    assert 1009 not in h08
    assert {1000, 3000, 4999} <= rfc & h07 & Draft.HYBI_06.info.close_codes
    assert not Draft.HIXIE_76.info.close_codes


@pytest.mark.parametrize(
    ("name", "draft"),
    [
        ("rfc6455", Draft.RFC6455),
        ("RFC6455", Draft.RFC6455),
        (" hybi-07 ", Draft.HYBI_07),
        ("hybi-00", Draft.HIXIE_76),
        ("hybi-13", Draft.RFC6455),
        ("13", Draft.RFC6455),
        ("rfc-6455", Draft.RFC6455),
        ("hixie-75", Draft.HIXIE_75),
    ],
)
def test_draft_parse(name: str, draft: Draft) -> None:
    assert Draft.parse(name) is draft


def test_draft_parse_unknown_lists_known() -> None:
    with pytest.raises(ValueError, match="hixie-75, hixie-76, hybi-06, hybi-07, hybi-08, rfc6455"):
        Draft.parse("hybi-05")


def test_versions() -> None:
    assert SUPPORTED_VERSIONS == (13, 8, 7, 6)
    assert Draft.from_version(13) is Draft.RFC6455
    assert Draft.from_version(8) is Draft.HYBI_08
    assert Draft.from_version(7) is Draft.HYBI_07
    assert Draft.from_version(6) is Draft.HYBI_06
    assert Draft.from_version(0) is None
    assert Draft.from_version(12) is None
