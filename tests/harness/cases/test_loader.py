"""harness.cases.loader: YAML case files -> Case objects, and problems that name file, line and key path."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from harness.cases.loader import CaseFileError, case_files, id_key, load_catalogue, load_file, load_schema, select
from harness.cases.model import (
    As,
    BeginFrame,
    Chat,
    ExpectClose,
    ExpectEvent,
    FrameData,
    Mark,
    Pause,
    Payload,
    Repeat,
    Rule,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Wait,
    Write,
    resolve_opcode,
)
from wire import Draft

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[3]

HEAD = """\
category: test
cases:
"""


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(DATA)
    return DATA


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(directory: Path, text: str, name: str = "x.case.yaml") -> list[str]:
    """The problem lines of one file with `text`, read from `directory` (the current directory)."""
    path = write(directory, name, text)
    with pytest.raises(CaseFileError) as caught:
        load_file(Path(path.name))
    return str(caught.value).splitlines()


def entry(case_id: str, body: str = "") -> str:
    """A valid case entry (7 lines) plus `body` (case keys indented by 4)."""
    return f'  - id: "{case_id}"\n    title: t\n    description: d\n    expectation: e\n    spec: s\n' + body


def case(body: str, case_id: str = "1") -> str:
    """A file with one valid case plus `body`: the case starts on line 3, `body` on line 8."""
    return HEAD + entry(case_id, body)


# --- valid files -------------------------------------------------------------------------------------


def test_valid_file_gives_cases_with_every_field(in_data: Path) -> None:
    first, second = load_file(Path("valid.case.yaml"))

    assert first.id == "5.1"
    assert first.info.title == "Send ping in 2 fragments"
    assert first.info.category == "fragmentation"
    assert first.info.spec == "RFC 6455 §5.5"  # its own, not the file default
    assert first.info.source == "valid.case.yaml:6"
    assert first.drafts == ("hybi-07", "hybi-08", "rfc6455")
    assert first.agents is None  # the default: every agent
    assert first.timeout == 5.0  # from defaults
    assert first.steps == (
        SendFrame(opcode="ping", fin=False, payload=Payload("text", text="fragment1")),
        SendFrame(
            opcode="continuation",
            payload=Payload("hex", text="6672"),
            rsv1=True,
            masked=False,
            mask_key=b"\x01\x02\x03\x04",
            declared_length=10,
            chop=1,
        ),
        Wait(for_="tcp_closed", timeout=2.0),
    )
    assert first.close == ExpectClose(by="peer", codes=(1002,), clean=False)
    assert first.ok == ()
    assert first.non_strict is None
    assert first.informational is None

    assert second.info.category == "echo"
    assert second.info.spec == "RFC 6455 §5.4"  # from defaults
    assert second.info.source == "valid.case.yaml:17"
    assert second.drafts == ("hybi-06", "hybi-07", "hybi-08", "rfc6455")  # the default
    assert second.agents == ("python", "chromium")
    assert second.exclusive is True


def test_steps_of_every_kind(in_data: Path) -> None:
    steps = load_file(Path("valid.case.yaml"))[1].steps

    assert steps[0] == SendMessage("text", Payload("text", text="Hello"), fragment_size=2, chop=1)
    assert steps[1] == SendMessage("binary", Payload("repeat", byte=42, count=2048), as_blob=True)
    assert steps[2:5] == (
        SendPing(),
        SendPong(Payload("hex", text="00ff")),
        SendClose(1000, Payload("text", text="bye")),
    )
    assert steps[5:7] == (SendClose(raw=Payload("hex", text="03")), SendClose())
    assert steps[7:9] == (SendRaw(Payload("hex", text="8100"), chop=1), SendRaw(Payload("random", count=16, seed=7)))
    assert steps[9] == Pause(0.5)
    assert steps[10] == Repeat(3, (SendFrame(opcode="reserved:1"), Wait(for_="pong")))
    assert steps[11] == SendMessage("text", Payload("hex", text="cebae1bdb9cf83cebcceb5"))  # 0 = not split


def test_payload_bytes(in_data: Path) -> None:
    steps = load_file(Path("valid.case.yaml"))[1].steps
    assert isinstance(steps[1], SendMessage)
    assert steps[1].payload.to_bytes() == b"*" * 2048
    assert isinstance(steps[8], SendRaw)
    assert steps[8].payload.to_bytes() == random.Random(7).randbytes(16)
    assert isinstance(steps[11], SendMessage)
    assert steps[11].payload.to_bytes().decode() == "\u03ba\u1f79\u03c3\u03bc\u03b5"  # Autobahn's κόσμε


def test_opcode_references_resolve_per_draft(in_data: Path) -> None:
    repeat = load_file(Path("valid.case.yaml"))[1].steps[10]
    assert isinstance(repeat, Repeat)
    frame = repeat.steps[0]
    assert isinstance(frame, SendFrame)
    assert resolve_opcode(frame.opcode, Draft.RFC6455) == 4  # reserved: 3, 4, 5, 6, 7, 11 ...
    assert resolve_opcode(frame.opcode, Draft.HYBI_06) == 7  # reserved: 6, 7, 8 ...
    assert resolve_opcode(frame.opcode, Draft.HIXIE_75) is None


def test_handshake_and_expectations(in_data: Path) -> None:
    second = load_file(Path("valid.case.yaml"))[1]

    hs = second.handshake
    assert hs.protocols == ("echo",)  # a string is a one-item list
    assert hs.origin is None
    assert hs.headers == (("Sec-WebSocket-Version", "99"), ("Origin", None))
    assert hs.extra_headers == (("Sec-WebSocket-Key", "x"),)
    assert hs.key3 is not None and hs.key3.to_bytes() == bytes(range(8))
    assert hs.path is None and hs.method == "GET" and hs.http_version == "HTTP/1.1"

    assert second.expect_handshake.status == (400,)
    assert second.expect_handshake.headers == (("Sec-WebSocket-Version", "13, 8, 7, 6"),)
    assert second.expect_handshake.protocol is None
    assert second.ok == (
        ExpectEvent("message", "text", Payload("text", text="Hello"), fragments=3),
        ExpectEvent("pong", payload=Payload("text", text="x")),
        ExpectEvent("pong"),
    )
    assert second.non_strict == ()
    assert second.informational is None
    assert second.unimplemented == {"hixie-75": "hixie-75 has no binary frames"}


def test_family_expands_one_case_per_row_with_typed_values(in_data: Path) -> None:
    one, two, *_ = load_file(Path("family.case.yaml"))

    assert [one.id, two.id] == ["7.7.1", "7.7.2"]
    assert one.info.title == "Close with code 1000"
    assert two.info.description == "Send a close frame with code 1001 and reason going away; costs ${dollars}."
    assert one.info.source == two.info.source == "family.case.yaml:7"
    assert one.handshake.headers == (("X-Row-1", "1000"),)  # keys are substituted too
    assert one.steps[0] == SendClose(code=1000, reason=Payload("text", text="bye"))
    assert one.steps[1] == SendPing(Payload("hex", text="00ff"))  # a row value may be a mapping
    assert two.steps[1] == SendPing(Payload("text", text="p"))
    assert one.close == ExpectClose(codes=(1000,), clean=True)  # "${code}" alone keeps the int
    assert two.close == ExpectClose(codes=(1001,), clean=False)


def test_per_draft_splits_into_cases_with_the_same_id(in_data: Path) -> None:
    rest, hybi06, rfc = load_file(Path("family.case.yaml"))[2:]

    assert [c.id for c in (rest, hybi06, rfc)] == ["7.8", "7.8", "7.8"]
    assert (rest.drafts, hybi06.drafts, rfc.drafts) == (("hybi-07", "hybi-08"), ("hybi-06",), ("rfc6455",))
    assert rest.close == rfc.close == ExpectClose(by="peer", codes=(1002,), clean=False)
    assert hybi06.close == ExpectClose(by="peer", codes=(1002, 1004), clean=False)  # mappings merge deeply
    assert hybi06.steps == (SendClose(code=1005),)  # lists are replaced
    assert len(rest.steps) == len(rfc.steps) == 2
    assert rfc.info.title == "Close with an invalid code (RFC 6455)"
    assert rest.info.title == hybi06.info.title == "Close with an invalid code"


def test_drafts_all_and_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = "    drafts: all\n    steps:\n      - send_raw: {repeat: {byte: 0x2a, count: 1M}}\n"
    write(tmp_path, "x.case.yaml", case(body))
    (only,) = load_file(Path("x.case.yaml"))
    assert only.drafts == ("hixie-75", "hixie-76", "hybi-06", "hybi-07", "hybi-08", "rfc6455")
    assert only.steps == (SendRaw(Payload("repeat", byte=0x2A, count=1024 * 1024)),)


def test_catalogue_searches_directories_for_case_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/02-b.case.yaml", case("", "2"))
    write(tmp_path, "01-a.case.yaml", case("", "1"))
    write(tmp_path, "notes.yaml", "not: a case file\n")
    assert [str(p) for p in case_files([tmp_path])] == [
        str(tmp_path / "01-a.case.yaml"),
        str(tmp_path / "sub/02-b.case.yaml"),
    ]
    cases = load_catalogue([Path("."), Path("01-a.case.yaml")])  # each file once
    assert [(c.id, c.info.source) for c in cases] == [("1", "01-a.case.yaml:3"), ("2", "sub/02-b.case.yaml:3")]


# --- problems ----------------------------------------------------------------------------------------


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_bad_opcode_names_line_and_key_path(here: Path) -> None:
    body = "    steps:\n      - send_frame: {opcode: text}\n      - send_frame: {opcode: txt}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:10: cases[0].steps[1].send_frame.opcode: "
        "'txt' is not one of ['continuation', 'text', 'binary', 'close', 'ping', 'pong']"
    ]


def test_float_id_asks_for_quotes(here: Path) -> None:
    text = HEAD + "  - id: 5.10\n    title: t\n    description: d\n    expectation: e\n    spec: s\n"
    assert problems(here, text) == [
        'x.case.yaml:3: cases[0].id: 5.10 is read as a number, not a string: quote it ("5.10")'
    ]


def test_missing_title_and_category(here: Path) -> None:
    text = 'cases:\n  - id: "1"\n    description: d\n    expectation: e\n    spec: s\n'
    assert problems(here, text) == [
        "x.case.yaml:2: cases[0]: 'title' is a required property",
        "x.case.yaml:2: cases[0]: 'category' is a required property",
    ]


def test_every_problem_of_a_file_is_reported(here: Path) -> None:
    body = """\
    drafts: [rfc6455, hybi-9]
    timeout: 0
    bogus: 1
    steps:
      - send_fram: {opcode: text}
      - {send_ping: "", send_pong: ""}
      - send_message: {text: a, binary: b}
      - send_frame: {opcode: "reserved:x", mask_key: 01020304}
      - send_ping: {hex: "abc"}
      - wait: {count: 2}
      - send_close: {raw: "x", code: 1000}
"""
    assert problems(here, case(body)) == [
        "x.case.yaml:8: cases[0].drafts[1]: 'hybi-9' is not one of "
        "['hixie-75', 'hixie-76', 'hybi-06', 'hybi-07', 'hybi-08', 'rfc6455']",
        "x.case.yaml:9: cases[0].timeout: 0 is less than or equal to the minimum of 0",
        "x.case.yaml:10: cases[0].bogus: unknown key 'bogus'; expected one of: id, title, description, expectation, "
        "spec, category, tags, drafts, agents, sides, timeout, close_timeout, exclusive, answer_closes, handshake, "
        "answer, steps, expect, expect_handshake, close, rules, unimplemented, per_draft, params, actors, formerly",
        "x.case.yaml:12: cases[0].steps[0].send_fram: unknown key 'send_fram'; expected one of: send_frame, "
        "send_message, send_ping, send_pong, send_close, send_raw, begin_frame, frame_data, write, wait, pause, "
        "mark, repeat, chat, actor",
        "x.case.yaml:13: cases[0].steps[1]: a step has exactly one of: send_frame, send_message, send_ping, "
        "send_pong, send_close, send_raw, begin_frame, frame_data, write, wait, pause, mark, repeat, chat, "
        "plus `actor` in a scenario",
        "x.case.yaml:14: cases[0].steps[2].send_message: give text or binary, not both",
        'x.case.yaml:15: cases[0].steps[3].send_frame.opcode: "reserved:x" is not an opcode reference: '
        "write reserved:N with N a number from 0",
        "x.case.yaml:15: cases[0].steps[3].send_frame.mask_key: 01020304 is read as a number, not a string: "
        'quote it ("01020304")',
        'x.case.yaml:16: cases[0].steps[4].send_ping.hex: "abc" is not hex bytes: pairs of hex digits, '
        'spaces allowed, e.g. "de ad be ef"',
        "x.case.yaml:17: cases[0].steps[5].wait: a wait needs for (what to wait for); a quiet period is pause: SECONDS",
        "x.case.yaml:18: cases[0].steps[6].send_close.code: raw is the whole close payload: give raw alone, "
        "or code and reason",
    ]


def test_duplicate_yaml_key(here: Path) -> None:
    assert problems(here, case("    title: again\n")) == ["x.case.yaml:8: cases[0].title: duplicate key 'title'"]


def test_defaults_problem_is_reported_once_where_it_is_written(here: Path) -> None:
    text = "category: c\ndefaults:\n  id: '9'\n  timeout: soon\ncases:\n" + entry("1") + entry("2")
    assert problems(here, text) == [
        "x.case.yaml:3: defaults.id: not allowed here",
        'x.case.yaml:4: defaults.timeout: expected a number, got a string ("soon")',
    ]


def test_unknown_parameter(here: Path) -> None:
    text = (
        HEAD
        + """\
  - id: "7.${n}"
    title: "Close ${code}"
    description: d
    expectation: e
    spec: s
    steps:
      - send_close: {code: "${cod}"}
    params:
      - {n: 1, code: 1000}
      - {n: 2, code: 1001}
"""
    )
    assert problems(here, text) == [
        "x.case.yaml:9: cases[0].steps[0].send_close.code: unknown parameter ${cod}; the params rows define: n, code",
        'x.case.yaml:9: cases[0].steps[0].send_close.code: expected an integer, got a string ("${cod}")',
    ]


def test_problem_of_some_family_rows_names_them(here: Path) -> None:
    text = (
        HEAD
        + """\
  - id: "7.${n}"
    title: t
    description: d
    expectation: e
    spec: s
    close: {codes: ["${code}"]}
    params:
      - {n: 1, code: 1000}
      - {n: 2, code: abc}
      - {n: 3, code: def}
"""
    )
    assert problems(here, text) == [
        'x.case.yaml:8: cases[0].close.codes[0]: "abc" is not a close code: a number, or one of normal, going-away, '
        "protocol-error, unsupported-data, invalid-data, policy-violation, too-big, valid, invalid (in params[1])",
        'x.case.yaml:8: cases[0].close.codes[0]: "def" is not a close code: a number, or one of normal, going-away, '
        "protocol-error, unsupported-data, invalid-data, policy-violation, too-big, valid, invalid (in params[2])",
    ]


def test_family_rows_need_the_same_keys(here: Path) -> None:
    text = HEAD + '  - id: "7.${n}"\n    title: t\n    params:\n      - {n: 1}\n      - {m: 1}\n'
    assert problems(here, text) == [
        "x.case.yaml:7: cases[0].params[1]: params[1] has keys m but params[0] has n: every row needs the same keys"
    ]


def test_family_without_distinct_ids(here: Path) -> None:
    text = HEAD + '  - id: "7"\n    title: t\n    description: d\n    expectation: e\n    spec: s\n'
    text += "    params: [{n: 1}, {n: 2}]\n"
    assert problems(here, text) == [
        "x.case.yaml:3: cases[0].id: duplicate id '7' (params[1]): already defined at x.case.yaml:3 (params[0])"
    ]


def test_duplicate_ids_across_files_name_both_places(here: Path) -> None:
    write(here, "a.case.yaml", case("", "5.1"))
    write(here, "b.case.yaml", HEAD + entry("5.2") + entry("5.1"))
    with pytest.raises(CaseFileError) as caught:
        load_catalogue([Path(".")])
    assert str(caught.value) == "b.case.yaml:8: cases[1].id: duplicate id '5.1': already defined at a.case.yaml:3"


def test_problems_of_several_files_are_collected(here: Path) -> None:
    write(here, "a.case.yaml", "cases: [\n")
    write(here, "b.case.yaml", "- 1\n")
    write(here, "c.case.yaml", "")
    with pytest.raises(CaseFileError) as caught:
        load_catalogue([Path("."), Path("missing.case.yaml")])
    lines = str(caught.value).splitlines()
    assert lines[:3] == [
        "a.case.yaml:2: YAML syntax: expected the node content, but found '<stream end>'",
        "b.case.yaml:1: expected a mapping, got a list",
        "c.case.yaml:1: expected a mapping, got null (an empty value)",
    ]
    assert lines[3].startswith("missing.case.yaml: cannot read the file: [Errno 2]")
    assert len(caught.value.problems) == 4


def test_per_draft_must_name_drafts_of_the_case(here: Path) -> None:
    body = "    drafts: [hybi-07, rfc6455]\n    per_draft:\n      hixie-75: {title: x}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:10: cases[0].per_draft.hixie-75: hixie-75 is not one of the case's drafts (hybi-07, rfc6455)"
    ]
    body = "    per_draft:\n      rfc6455: {id: '2', drafts: all}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:9: cases[0].per_draft.rfc6455.id: not allowed here",
        "x.case.yaml:9: cases[0].per_draft.rfc6455.drafts: not allowed here",
    ]


def test_unimplemented_names_known_drafts(here: Path) -> None:
    assert problems(here, case("    unimplemented: {hybi-5: why}\n")) == [
        "x.case.yaml:8: cases[0].unimplemented.hybi-5: 'hybi-5' is not one of "
        "['hixie-75', 'hixie-76', 'hybi-06', 'hybi-07', 'hybi-08', 'rfc6455']"
    ]


def test_hixie_type_byte_on_a_hybi_draft(here: Path) -> None:
    body = """\
    drafts: [hixie-76, hybi-07]
    steps:
      - repeat: {count: 2, steps: [{send_frame: {opcode: 128}}]}
    per_draft:
      hybi-07: {steps: [{send_frame: {opcode: 0x81}}]}
"""
    assert problems(here, case(body)) == [
        "x.case.yaml:12: cases[0].per_draft.hybi-07.steps[0].send_frame.opcode: "
        "opcode 129 is a hixie frame type byte; hybi opcodes are 0..15 (drafts: hybi-07)"
    ]


def test_counts_must_be_positive(here: Path) -> None:
    body = "    steps:\n      - wait: {for: pong, count: 0}\n      - repeat: {count: 0K, steps: [{send_ping: x}]}\n"
    body += "    expect: {ok: [{message: {text: x, fragments: 0}}]}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:9: cases[0].steps[0].wait.count: 0 is less than the minimum of 1",
        'x.case.yaml:10: cases[0].steps[1].repeat.count: "0K" is not a positive count: an integer >= 1, '
        'or a string like "64K"',
        "x.case.yaml:11: cases[0].expect.ok[0].message.fragments: 0 is less than the minimum of 1",
    ]


# --- selection ---------------------------------------------------------------------------------------


def test_id_key_sorts_numerically() -> None:
    ids = ["2.10", "10.1", "2.9", "2.9.1", "1.a", "1.2", "2"]
    assert sorted(ids, key=id_key) == ["1.2", "1.a", "2", "2.9", "2.9.1", "2.10", "10.1"]


def test_select_with_patterns_and_excludes(here: Path) -> None:
    text = HEAD + "".join(entry(i) for i in ["2.10", "7.7.1", "2.9", "7.7", "5.1", "7.70"])
    write(here, "x.case.yaml", text)
    cases = load_file(Path("x.case.yaml"))

    assert [c.id for c in select(cases, [], [])] == ["2.9", "2.10", "5.1", "7.7", "7.7.1", "7.70"]
    assert [c.id for c in select(cases, ["2.*"], [])] == ["2.9", "2.10"]
    assert [c.id for c in select(cases, ["7.7"], [])] == ["7.7", "7.7.1"]  # the id and those below it
    assert [c.id for c in select(cases, ["7.7.1", "5.1"], [])] == ["5.1", "7.7.1"]
    assert [c.id for c in select(cases, ["*"], ["7.*", "2.10"])] == ["2.9", "5.1"]
    assert select(cases, ["9.*"], []) == []


# --- the schema, the docs and the shipped catalogue --------------------------------------------------


def test_schema_is_valid_and_every_case_key_is_documented() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    doc = (ROOT / "docs" / "case-format.md").read_text()
    missing = [key for key in schema["$defs"]["fields"]["properties"] if f"`{key}`" not in doc]
    steps = [key for key in schema["$defs"]["step"]["properties"] if f"`{key}`" not in doc]
    assert missing == steps == []


def test_shipped_catalogue_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    cases = load_catalogue([Path("cases")])
    assert cases and all(c.info.source.startswith("cases/") for c in cases)


def test_agents_must_be_known_when_the_caller_names_them(here: Path) -> None:
    body = (
        "    agents: [python, chromum]\n"
        "    actors: [{name: ann, agent: netscape}]\n"
        "    steps: [{actor: ann, pause: 1}]\n"
    )
    path = write(here, "x.case.yaml", case(body))
    assert load_file(Path(path.name))[0].agents == ("python", "chromum")  # no names given: not checked
    with pytest.raises(CaseFileError) as caught:
        load_file(Path(path.name), agents=("python", "chromium"))
    assert str(caught.value).splitlines() == [
        "x.case.yaml:3: agents: unknown agent 'chromum'; agents: python, chromium",
        "x.case.yaml:3: agents: unknown agent 'netscape'; agents: python, chromium",
    ]


def test_scenario_steps_name_known_actors(here: Path) -> None:
    body = """\
    actors: [{name: ann, page: chat}, {name: bob}]
    steps:
      - {actor: ann, chat: {join: Ann}}
      - {actor: eve, wait: {for: message}}
      - wait: {for: message}
"""
    assert problems(here, case(body)) == [
        "x.case.yaml:11: cases[0].steps[1]: unknown actor 'eve': one of ann, bob",
        "x.case.yaml:12: cases[0].steps[2]: a scenario step needs an actor: one of ann, bob",
    ]


def test_actor_steps_outside_a_scenario(here: Path) -> None:
    body = "    steps:\n      - {actor: ann, send_message: {text: hi}}\n      - chat: {say: hi}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:9: cases[0].steps[0]: actor and chat steps belong to scenarios: define `actors`",
        "x.case.yaml:10: cases[0].steps[1]: actor and chat steps belong to scenarios: define `actors`",
    ]


def test_scenario_loads_actors_and_wraps_steps(here: Path) -> None:
    body = """\
    actors:
      - {name: ann, page: chat, expect_chat: [[Ann, has joined!]]}
      - {name: py, agent: python, draft: hixie-76, expect: [{message: {text: "Ann:has joined!"}}]}
    steps:
      - {actor: ann, chat: {join: Ann}}
      - {actor: py, wait: {for: message}}
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    ann, py = loaded.actors
    assert (ann.page, ann.expect_chat, ann.agent) == ("chat", (("Ann", "has joined!"),), None)
    assert (py.agent, py.draft, py.expect) == (
        "python",
        "hixie-76",
        (ExpectEvent("message", "text", Payload(text="Ann:has joined!")),),
    )
    assert loaded.steps == (As("ann", Chat("join", "Ann")), As("py", Wait(for_="message")))
    assert loaded.for_actor(py).steps == (Wait(for_="message"),)


# --- the primitives (docs/case-format.md shows each) -------------------------------------------------


def test_a_count_in_expectations(here: Path) -> None:
    body = """\
    steps:
      - repeat: {count: 1000, steps: [{send_message: {text: "*"}}, {wait: {for: message}}]}
    expect:
      ok: [{message: {text: "*"}, times: 1000}]
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    assert loaded.ok == (ExpectEvent("message", "text", Payload(text="*"), times=1000),)


def test_echo_expects_back_what_was_sent(here: Path) -> None:
    body = """\
    steps:
      - send_frame: {opcode: text, fin: false, payload: "Hel"}
      - send_ping: "p"
      - send_frame: {opcode: continuation, payload: "lo"}
      - repeat: {count: 3, steps: [{send_message: {binary: {hex: "00"}}}, {wait: {for: message}}]}
    expect: {ok: echo, non_strict: []}
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    assert loaded.ok is not None
    pong, hello, zeros = loaded.ok
    assert pong == ExpectEvent("pong", payload=Payload(text="p"))
    assert (hello.kind, hello.payload.to_bytes(), zeros.times) == ("text", b"Hello", 3)
    assert loaded.non_strict == ()


def test_echo_where_an_echo_cannot_say_what_comes_back(here: Path) -> None:
    body = "    steps: [{send_raw: {hex: '8100'}}]\n    expect: {ok: echo}\n"
    assert problems(here, case(body)) == [
        "x.case.yaml:9: cases[0].expect: echo cannot be used here: the steps send a SendRaw step; list the events"
    ]


def test_a_write_group_and_write_options(here: Path) -> None:
    body = """\
    steps:
      - write:
          - send_message: {text: "a"}
          - send_close: {code: 1000}
      - send_frame: {opcode: text, payload: "b", sync: true}
      - send_message: {text: {repeat: {text: "ab", size: 5}}, fragment_size: 1, empty_final_frame: true, chop: 2}
      - send_close: {code: 1000, reason: "bye", mask_key: "00000000", chop: 1}
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    group, sync, message, close = loaded.steps
    assert group == Write((SendMessage("text", Payload(text="a")), SendClose(1000)))
    assert sync == SendFrame("text", Payload(text="b"), sync=True)
    assert isinstance(message, SendMessage) and message.payload.to_bytes() == b"ababa"
    assert (message.fragment_size, message.empty_final_frame, message.chop) == (1, True, 2)
    assert close == SendClose(1000, Payload(text="bye"), mask_key=bytes(4), chop=1)


def test_frames_written_in_pieces_pauses_and_marks(here: Path) -> None:
    body = """\
    steps:
      - begin_frame: {opcode: text, fin: false, length: 21}
      - frame_data: {hex: "ce ba"}
      - pause: 1
      - mark: A
    expect: {ok: [{mark: A}]}
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    assert loaded.steps == (
        BeginFrame("text", 21, fin=False),
        FrameData(Payload("hex", text="ceba")),
        Pause(1.0),
        Mark("A"),
    )
    assert loaded.ok == (ExpectEvent("mark", name="A"),)


def test_close_codes_by_name_and_answer(here: Path) -> None:
    body = """\
    drafts: [hybi-07, hybi-08, rfc6455]
    close: {by: server, codes: [invalid-data, protocol-error], clean: false}
"""
    loaded = load_file(write(here, "x.case.yaml", case(body)))[0]
    assert loaded.close.codes == ("invalid-data", "protocol-error")
    # the name exists from hybi-10 on: the case cannot be expressed before, and says why
    assert loaded.unimplemented == {
        "hybi-07": "hybi-07 has no close code for invalid-data "
        "(1007, data inconsistent with its type (invalid UTF-8); none before hybi-10)"
    }
    answer = load_file(
        write(here, "y.case.yaml", case("    steps: [{send_close: {code: 1016}}]\n    close: answer\n"))
    )[0]
    assert answer.close == ExpectClose(answer=True) and answer.sent_close_code() == 1016


def test_rules_tags_and_formerly(here: Path) -> None:
    body = """\
    tags: [autobahn]
    rules: [wrong-code-fails, wrong-closer-fails]
    formerly: {id: "7.9.13", why: "Autobahn numbers it 7.9.9"}
"""
    (loaded,) = load_file(write(here, "x.case.yaml", case(body)))
    assert loaded.info.tags == ("autobahn",)
    assert loaded.rules == (Rule.WRONG_CODE_FAILS, Rule.WRONG_CLOSER_FAILS)
    assert loaded.formerly == ("7.9.13", "Autobahn numbers it 7.9.9")


def test_select_by_tags(here: Path) -> None:
    text = HEAD + entry("1", "    tags: [autobahn]\n") + entry("2", "    tags: [reference-server]\n") + entry("3")
    cases = load_file(write(here, "x.case.yaml", text))
    assert [c.id for c in select(cases, tags=["autobahn"])] == ["1"]
    assert [c.id for c in select(cases, exclude_tags=["reference-server"])] == ["1", "3"]
    assert [c.id for c in select(cases, ["*"], ["1"], exclude_tags=["reference-server"])] == ["3"]


def test_steps_never_come_whole_from_a_parameter(here: Path) -> None:
    text = (
        HEAD
        + """\
  - id: "5.${n}"
    title: t
    description: d
    expectation: e
    spec: s
    steps: "${steps}"
    params:
      - {n: 1, steps: [{send_ping: "a"}]}
"""
    )
    assert problems(here, text) == [
        "x.case.yaml:8: cases[0].steps: ${steps}: steps and per_draft cannot come from a parameter; write them out",
        'x.case.yaml:8: cases[0].steps: expected a list, got a string ("${steps}")',
    ]


def test_a_tls_rule_and_a_refusal_go_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (loaded,) = load_file(
        write(
            tmp_path, "ok.case.yaml", case("    handshake: {tls: untrusted}\n    expect_handshake: {refused: true}\n")
        )
    )
    assert (loaded.handshake.tls, loaded.expect_handshake.refused) == ("untrusted", True)
    assert loaded.expected_json()["handshake"] == {"refused": True}
    assert problems(tmp_path, case("    handshake: {tls: mixed-content}\n")) == [
        "x.case.yaml:8: cases[0].handshake.tls: a TLS rule to test needs expect_handshake: {refused: true}"
    ]
    assert problems(tmp_path, case("    expect_handshake: {refused: true}\n")) == [
        "x.case.yaml:8: cases[0].expect_handshake.refused: only a browser's TLS rule refuses a WebSocket: "
        "give handshake.tls (mixed-content or untrusted)"
    ]
    assert (
        "tls" in problems(tmp_path, case("    handshake: {tls: sometimes}\n    expect_handshake: {refused: true}\n"))[0]
    )
