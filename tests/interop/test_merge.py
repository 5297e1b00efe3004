"""interop.merge and `python -m interop --shard K/N` / `merge`: shards of the matrix, joined."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from interop import main as main_module
from interop.__main__ import main
from interop.main import Options, Slice, run, shard_of, unit_durations, write
from interop.merge import MergeError, merge
from interop.model import ClientResult, PeerResult
from interop.spec import CLIENTS, SERVERS, ClientSpec, Context, Need, ServerSpec

from .support import matrix


def fake_server(ctx: Context, spec: ServerSpec, errors: dict[Need, str], options: Options, say: object) -> PeerResult:
    (ctx.out / "runs" / spec.name).mkdir(parents=True)
    (ctx.out / "runs" / spec.name / "index.html").write_text(spec.name)
    return PeerResult(spec.name, spec.title, version="1.0")


def fake_clients(
    ctx: Context, specs: list[ClientSpec], errors: dict[Need, str], options: Options, say: object
) -> list[ClientResult]:
    for spec in specs:
        (ctx.out / "runs" / "clients" / spec.name).mkdir(parents=True)
        (ctx.out / "runs" / "clients" / spec.name / "index.html").write_text(spec.name)
    return [ClientResult(s.name, s.title) for s in specs]


def test_shards_cover_the_servers_and_clients_once() -> None:
    servers, clients = list(SERVERS), list(CLIENTS)
    slices = [shard_of(servers, clients, Options(shard=main_module.Shard(k, 4))) for k in (1, 2, 3, 4)]
    names = [f"s:{s.name}" for part in slices for s in part.servers] + [
        f"c:{c.name}" for part in slices for c in part.clients
    ]
    assert sorted(names) == sorted([f"s:{s.name}" for s in servers] + [f"c:{c.name}" for c in clients])
    assert len({part.partition for part in slices}) == 1
    assert shard_of(servers, clients, Options()) == Slice(servers, clients)


def test_unit_durations_from_an_earlier_matrix(tmp_path: Path) -> None:
    write(matrix(), tmp_path)
    assert unit_durations(tmp_path / "matrix.json") == {"server:ws": 2500, "client:ws": 50000, "client:firefox": 1}
    # a matrix.json from before the client half ran the catalogue (smoke-script cells) still balances the servers
    old = json.loads((tmp_path / "matrix.json").read_text())
    old["clients"] = [{"name": "ws", "title": "ws", "cells": [{"draft": "rfc6455", "outcome": "OK", "wall": 0.3}]}]
    (tmp_path / "matrix.json").write_text(json.dumps(old))
    assert unit_durations(tmp_path / "matrix.json") == {"server:ws": 2500}
    with pytest.raises(ValueError, match=r"cannot read a matrix\.json"):
        unit_durations(tmp_path / "missing.json")


def test_three_shards_merge_into_the_whole_matrix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(main_module, "run_server", fake_server)
    monkeypatch.setattr(main_module, "run_clients", fake_clients)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "a.case.yaml").write_text("cases: []\n")
    for k in (1, 2, 3):
        assert main(["--shard", f"{k}/3", "--no-install", "--out", f"shard{k}"]) == 0
        assert json.loads((tmp_path / f"shard{k}" / "matrix.json").read_text())["shard"] == f"{k}/3"
    assert main(["merge", "shard1", "shard2", "shard3", "--out", "merged"]) == 0
    data = json.loads((tmp_path / "merged" / "matrix.json").read_text())
    assert [p["name"] for p in data["peers"]] == [s.name for s in SERVERS]  # the matrix's own order
    assert [c["name"] for c in data["clients"]] == [c.name for c in CLIENTS]
    assert (data["shard"], data["incomplete"]) == ("", [])
    for spec in SERVERS:  # each shard's catalogue runs came along
        assert (tmp_path / "merged" / "runs" / spec.name / "index.html").read_text() == spec.name
    for client in CLIENTS:  # and their clients' reports, beside the servers' (a client and a server may share a name)
        assert (tmp_path / "merged" / "runs" / "clients" / client.name / "index.html").read_text() == client.name
    assert "Merged from shard1, shard2, shard3" in (tmp_path / "merged" / "index.html").read_text()

    assert main(["merge", "shard1", "shard3", "--out", "partial"]) == 3
    assert "shard 2/3 is missing" in (tmp_path / "partial" / "summary.md").read_text()


def test_matrices_that_do_not_belong_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = replace(matrix(), catalogue="c1", shard="1/2", partition="p")
    write(base, tmp_path / "a")
    write(replace(base, catalogue="c2", shard="2/2", peers=[], clients=[]), tmp_path / "b")
    with pytest.raises(MergeError, match="different catalogues"):
        merge([tmp_path / "a", tmp_path / "b"], tmp_path / "out")
    write(replace(base, shard="2/2", partition="q", peers=[], clients=[]), tmp_path / "c")
    with pytest.raises(MergeError, match="not shards of one split"):
        merge([tmp_path / "a", tmp_path / "c"], tmp_path / "out")
    write(replace(base, shard="2/2", clients=[]), tmp_path / "d")
    with pytest.raises(MergeError, match="the server jetty is in more than one"):
        merge([tmp_path / "a", tmp_path / "d"], tmp_path / "out")
    assert main(["merge", str(tmp_path / "a"), str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "cannot merge: " in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_a_bad_durations_file_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    options = Options(out=Path("out"), shard=main_module.Shard(1, 2), durations=tmp_path / "x.json", install=False)
    assert run(options, said.append) == 2
    (line,) = said  # one line, and nothing was run
    assert line.startswith(f"--durations {tmp_path / 'x.json'}: cannot read a matrix.json: ")
    assert not (tmp_path / "out").exists()


def test_merged_matrix_round_trips(tmp_path: Path) -> None:
    m = replace(matrix(), merged=("a", "b"), incomplete=("shard 2/2 is missing",))
    write(m, tmp_path)
    assert main_module.from_json(json.loads((tmp_path / "matrix.json").read_text())) == m
