"""harness.cli.runner and `python -m harness`: a tiny catalogue, run end to end, exit statuses and reports."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.agents.python import PythonDriver
from harness.cli import runner as cli_run
from harness.cli.runner import EXIT_FAILED, EXIT_NO_RUN, EXIT_OK, EXIT_USAGE, RunOptions, run
from harness.cli.shard import Shard
from harness.run.refserver import ServerStartError
from harness.run.target import Trust
from server.tls import self_signed
from wire import Draft

from ...server.support import tls_reference
from .. import peers
from ..peers import Peer

ROOT = Path(__file__).parents[3]
DRAFTS = (Draft.HIXIE_76, Draft.RFC6455)

ECHO = """\
category: tiny
defaults:
  drafts: [hixie-76, rfc6455]
  handshake: {protocols: [echo]}
  timeout: 5
cases:
  - id: "1.1"
    title: Echo of a text message
    description: Send Hello.
    expectation: The echo comes back.
    spec: "RFC 6455 §5.6"
    steps:
      - send_message: {text: "Hello"}
      - wait: {for: message}
    expect:
      ok: [{message: {text: "Hello"}}]
  - id: "1.2"
    title: Ping
    description: Send a ping.
    expectation: A pong with the same payload.
    spec: "RFC 6455 §5.5.2"
    drafts: [rfc6455]
    steps:
      - send_ping: "abc"
      - wait: {for: pong}
    expect:
      ok: [{pong: {payload: "abc"}}]
"""

WRONG = """\
category: tiny
cases:
  - id: "2.1"
    title: An expectation that is wrong on purpose
    description: Send Hello.
    expectation: The echo is Goodbye (it is not).
    spec: "RFC 6455 §5.6"
    drafts: [rfc6455]
    handshake: {protocols: [echo]}
    timeout: 5
    steps:
      - send_message: {text: "Hello"}
      - wait: {for: message}
    expect:
      ok: [{message: {text: "Goodbye"}}]
"""

BROKEN = """\
category: tiny
cases:
  - id: "3.1"
    title: t
    description: d
    expectation: e
    spec: s
    steps:
      - send_frame: {opcode: txt}
"""


def catalogue(directory: Path, **files: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.case.yaml").write_text(textwrap.dedent(text))
    return directory


def options(cases: Path, out: Path, target: str | None = None, drafts: tuple[Draft, ...] = DRAFTS) -> RunOptions:
    return RunOptions(
        catalogue=(cases,),
        target=target,
        drafts=drafts,
        agents=("python",),
        cases=(),
        exclude=(),
        jobs=4,
        out=out,
    )


async def run_captured(opts: RunOptions) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await run(opts, out, err)
    return status, out.getvalue(), err.getvalue()


def latest_run(out: Path) -> Path:
    latest = out / "latest"
    assert latest.is_symlink()
    run_dir = latest.resolve()
    assert run_dir.parent == out.resolve()
    return run_dir


def index(run_dir: Path) -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    data: dict[str, dict[str, dict[str, dict[str, object]]]] = json.loads((run_dir / "index.json").read_text())
    return data


# --- run() ---------------------------------------------------------------------------------------------


async def test_all_ok_against_the_reference_server_it_starts(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    status, out, err = await run_captured(options(cases, tmp_path / "reports"))
    assert status == EXIT_OK, err
    run_dir = latest_run(tmp_path / "reports")
    for name in ("index.json", "junit.xml", "summary.md", "index.html", "run.json"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "server.log").is_file()  # the reference server's log moved into the run
    assert not list((tmp_path / "reports").glob(".server-*.log"))
    results = index(run_dir)["python"]
    assert set(results) == {"hixie-76", "rfc6455"}
    assert {case: r["behavior"] for case, r in results["rfc6455"].items()} == {"1.1": "OK", "1.2": "OK"}
    assert {case: r["behaviorClose"] for case, r in results["rfc6455"].items()} == {"1.1": "OK", "1.2": "OK"}
    assert list(results["hixie-76"]) == ["1.1"]
    for result in results["rfc6455"].values():
        assert (run_dir / str(result["reportfile"])).is_file()
    assert f"report: {tmp_path / 'reports' / run_dir.name}/index.html" in out
    assert "3 cases x drafts x agents: 3 OK, 0 FAILED" in out
    assert "running 2 cases as 3 case x draft x agent items against ws://127.0.0.1:" in err
    assert "<failure" not in (run_dir / "junit.xml").read_text()


async def test_a_failed_case_exits_1(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO, wrong=WRONG)
    status, out, err = await run_captured(options(cases, tmp_path / "reports"))
    assert status == EXIT_FAILED
    run_dir = latest_run(tmp_path / "reports")
    rfc = index(run_dir)["python"]["rfc6455"]
    assert (rfc["2.1"]["behavior"], rfc["2.1"]["behaviorClose"]) == ("FAILED", "OK")
    assert rfc["1.1"]["behavior"] == "OK"
    assert "2.1 rfc6455 python: FAILED/OK expected text message of 7 bytes" in err
    assert "1 FAILED" in out
    junit = (run_dir / "junit.xml").read_text()
    assert junit.count("<failure") == 1
    assert "FAILED" in (run_dir / "summary.md").read_text()


async def test_a_broken_case_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO, broken=BROKEN)
    out_dir = tmp_path / "reports"
    status, out, err = await run_captured(options(cases, out_dir))
    assert status == EXIT_USAGE
    assert "broken.case.yaml:9:" in err
    assert "cases[0].steps[0].send_frame.opcode" in err
    assert out == ""
    assert not out_dir.exists()  # nothing was run, nothing written


async def test_no_matching_case_exits_2(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    opts = options(cases, tmp_path / "reports")
    opts = RunOptions(**{**opts.__dict__, "cases": ("9.*",)})
    status, _, err = await run_captured(opts)
    assert status == EXIT_USAGE
    assert "no case matches" in err


async def test_a_reference_server_that_cannot_start_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    @contextlib.asynccontextmanager
    async def broken(*args: object, **kwargs: object) -> AsyncIterator[str]:
        raise ServerStartError("the reference server did not start: it printed b''")
        yield "ws://unused/"  # pragma: no cover

    monkeypatch.setattr(cli_run, "reference_server", broken)
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    status, _, err = await run_captured(options(cases, tmp_path / "reports"))
    assert status == EXIT_NO_RUN
    assert "the reference server did not start" in err


async def test_a_target_that_breaks_the_protocol(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    async with Peer(peers.utf8_breaker) as peer:
        opts = options(cases, tmp_path / "reports", f"ws://127.0.0.1:{peer.port}/", (Draft.RFC6455,))
        status, _, err = await run_captured(opts)
    assert status == EXIT_FAILED, err
    rfc = index(latest_run(tmp_path / "reports"))["python"]["rfc6455"]
    assert (rfc["1.1"]["behavior"], rfc["1.1"]["behaviorClose"]) == ("FAILED", "FAILED")
    assert f"against ws://127.0.0.1:{peer.port}/" in err


INVALID_CODE = """\
category: close
cases:
  - id: "7.9.6"
    title: Close with invalid code 1016
    description: Send a close frame with status code 1016.
    expectation: A protocol error (1002).
    spec: "RFC 6455 §7.4.2"
    drafts: [rfc6455]
    tags: [autobahn]
    steps:
      - send_close: {code: 1016}
    close: answer
    rules: [wrong-code-fails]
"""


async def test_a_peer_that_answers_an_invalid_close_code_with_1000_fails_the_run(tmp_path: Path) -> None:
    """Autobahn's 7.9.x rule, end to end: WRONG CODE is a FAILED behaviour, and the run exits 1."""
    cases = catalogue(tmp_path / "cases", close=INVALID_CODE)
    async with Peer(peers.wrong_code(1000)) as peer:
        status, out, err = await run_captured(options(cases, tmp_path / "reports", peer.target.url, (Draft.RFC6455,)))
    assert status == EXIT_FAILED, err
    result = index(latest_run(tmp_path / "reports"))["python"]["rfc6455"]["7.9.6"]
    assert (result["behavior"], result["behaviorClose"], result["remoteCloseCode"]) == ("FAILED", "WRONG CODE", 1000)
    assert "1 FAILED" in out


async def test_tags_select_cases(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO, close=INVALID_CODE)
    opts = options(cases, tmp_path / "reports", drafts=(Draft.RFC6455,))
    status, _, err = await run_captured(RunOptions(**{**opts.__dict__, "exclude_tags": ("autobahn",)}))
    assert status == EXIT_OK, err
    assert set(index(latest_run(tmp_path / "reports"))["python"]["rfc6455"]) == {"1.1", "1.2"}
    status, _, err = await run_captured(RunOptions(**{**opts.__dict__, "tags": ("nothing-has-it",)}))
    assert status == EXIT_USAGE and "no case matches" in err


async def test_a_target_nobody_listens_on_stops_the_run_before_any_item(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    port = peers.closed_port()
    status, out, err = await run_captured(options(cases, tmp_path / "reports", f"ws://127.0.0.1:{port}/"))
    assert status == EXIT_NO_RUN
    assert f"error: cannot connect to 127.0.0.1:{port}: Connection refused: nothing was run" in err.splitlines()
    assert out.splitlines()[-1].startswith("STOPPED: 0 cases x drafts x agents")
    run_dir = latest_run(tmp_path / "reports")  # a report all the same, saying why it is empty
    assert index(run_dir) == {}
    run = json.loads((run_dir / "run.json").read_text())
    assert run["stopped"].startswith(f"cannot connect to 127.0.0.1:{port}")
    assert run["caseCount"] == 3 and run["resultCount"] == 0
    assert '<error message="cannot connect' in (run_dir / "junit.xml").read_text()


async def test_two_runs_in_the_same_second_keep_both_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Frozen:
            return cls(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

    monkeypatch.setattr(cli_run, "datetime", Frozen)
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    port = peers.closed_port()  # quick: the run stops at its preflight, with a report
    opts = options(cases, tmp_path / "reports", f"ws://127.0.0.1:{port}/")
    assert (await run_captured(opts))[0] == EXIT_NO_RUN
    first = latest_run(tmp_path / "reports")
    assert (await run_captured(opts))[0] == EXIT_NO_RUN
    second = latest_run(tmp_path / "reports")
    assert first.name == "20240102-030405"
    assert second != first
    assert second.name.startswith("20240102-030405")
    assert (first / "index.json").is_file()


# --- the command line --------------------------------------------------------------------------------


def harness_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_cli_list(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO, wrong=WRONG)
    done = harness_cli("list", "--catalogue", str(cases), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["1.1", "1.2", "2.1"]
    assert "Echo of a text message" in lines[0]
    assert "[hixie-76, rfc6455]" in lines[0]
    assert "3 cases" in done.stderr


def test_cli_list_of_a_broken_catalogue(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", broken=BROKEN)
    done = harness_cli("list", "--catalogue", str(cases), cwd=tmp_path)
    assert done.returncode == EXIT_USAGE
    assert "broken.case.yaml:9:" in done.stderr


def test_cli_run_help_documents_the_exit_statuses() -> None:
    done = harness_cli("run", "--help")
    assert done.returncode == 0, done.stderr
    for option in ("--target", "--drafts", "--agents", "--catalogue", "--jobs", "--out"):
        assert option in done.stdout
    for line in ("0    nothing FAILED", "1    at least one", "2    bad options or case files"):
        assert line in done.stdout


def test_cli_run_against_a_closed_port(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    port = peers.closed_port()
    target = f"ws://127.0.0.1:{port}/"
    args = ("run", "--catalogue", str(cases), "--target", target, "--drafts", "rfc6455", "--out", "out")
    done = harness_cli(*args, cwd=tmp_path)
    assert done.returncode == EXIT_NO_RUN, done.stderr
    assert f"error: cannot connect to 127.0.0.1:{port}: Connection refused: nothing was run" in done.stderr
    assert done.stdout.splitlines()[-1].startswith("STOPPED: ")
    assert (tmp_path / "out" / "latest" / "junit.xml").is_file()


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    done = harness_cli("run", "--drafts", "hybi-99", cwd=tmp_path)
    assert done.returncode == EXIT_USAGE
    assert "unknown draft 'hybi-99'" in done.stderr
    done = harness_cli("run", "--jobs", "0", "--catalogue", str(catalogue(tmp_path / "c", echo=ECHO)), cwd=tmp_path)
    assert done.returncode == EXIT_USAGE
    assert "--jobs must be at least 1" in done.stderr


# --- a target that stops answering, shards, --junit-only ----------------------------------------------

SLOW = """\
category: tiny
defaults:
  drafts: [rfc6455]
  handshake: {protocols: [echo]}
  timeout: 1
cases:
"""


def quick_cases(count: int) -> str:
    one = """\
  - id: "4.{n}"
    title: Echo {n}
    description: Send Hello.
    expectation: The echo comes back.
    spec: "RFC 6455 §5.6"
    steps:
      - send_message: {{text: "Hello"}}
      - wait: {{for: message}}
    expect:
      ok: [{{message: {{text: "Hello"}}}}]
"""
    return SLOW + "".join(one.format(n=n) for n in range(1, count + 1))


async def test_a_target_that_stops_answering_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PythonDriver, "overhead", 0.2)  # each unanswered item ends at its case's 1 s timeout

    async def answers_once(link: peers.Link) -> None:
        await (peers.not_http if len(peer.links) == 1 else peers.mute)(link)

    cases = catalogue(tmp_path / "cases", slow=quick_cases(8))
    async with Peer(answers_once) as peer:  # the preflight gets its answer, no item does
        opts = options(cases, tmp_path / "reports", f"ws://127.0.0.1:{peer.port}/", (Draft.RFC6455,))
        opts = replace(opts, jobs=1, give_up_after=3)
        status, out, err = await run_captured(opts)
    assert status == EXIT_NO_RUN
    reason = f"ws://127.0.0.1:{peer.port}/ stopped answering: 3 items in a row got no answer to their opening handshake"
    assert f"error: {reason}" in err.splitlines()
    assert out.splitlines()[-1].startswith("STOPPED: 3 cases x drafts x agents: 3 FAILED in ")
    assert out.splitlines()[-1].endswith("(stopped: 3 of 8 planned)")
    run_dir = latest_run(tmp_path / "reports")
    assert list(index(run_dir)["python"]["rfc6455"]) == ["4.1", "4.2", "4.3"]  # the partial report
    assert json.loads((run_dir / "run.json").read_text())["stopped"] == reason
    assert "stopped after" in (run_dir / "index.html").read_text()


def test_cli_a_target_that_never_answers_exits_3_within_a_minute(tmp_path: Path) -> None:
    """The whole catalogue against a port that accepts TCP (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        target = f"ws://127.0.0.1:{listener.getsockname()[1]}/"
        done = harness_cli("run", "--target", target, "--out", str(tmp_path / "out"))  # 60 s ceiling
    assert done.returncode == EXIT_NO_RUN, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {target} accepted a TCP connection but answered no opening handshake (rfc6455) within 10 s: "
        "nothing was run"
    ]
    run_dir = tmp_path / "out" / "latest"
    assert json.loads((run_dir / "run.json").read_text())["caseCount"] > 1000  # every item was planned
    assert "answered no opening handshake" in (run_dir / "junit.xml").read_text()
    assert done.stdout.splitlines()[-1].startswith("STOPPED: 0 cases x drafts x agents")


async def test_shards_run_disjoint_slices_that_cover_the_run(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO, slow=quick_cases(4))
    every = {("1.1", "hixie-76"), ("1.1", "rfc6455"), ("1.2", "rfc6455")} | {(f"4.{n}", "rfc6455") for n in range(1, 5)}
    seen: list[set[tuple[str, str]]] = []
    for k in (1, 2, 3):
        opts = replace(options(cases, tmp_path / f"s{k}"), shard=Shard(k, 3))
        status, _, err = await run_captured(opts)
        assert status == EXIT_OK, err
        assert f"shard {k}/3: {3 if k == 1 else 2} of 7 items (balanced by count)" in err
        run_dir = latest_run(tmp_path / f"s{k}")
        seen.append({(c, d) for d, by_case in index(run_dir)["python"].items() for c in by_case})
        run = json.loads((run_dir / "run.json").read_text())
        assert (run["shard"], run["caseCount"], run["resultCount"]) == (f"{k}/3", len(seen[-1]), len(seen[-1]))
    assert seen[0].isdisjoint(seen[1]) and seen[0].isdisjoint(seen[2]) and seen[1].isdisjoint(seen[2])
    assert seen[0] | seen[1] | seen[2] == every


async def test_a_shard_with_an_unreadable_durations_file_exits_2(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    opts = replace(options(cases, tmp_path / "reports"), shard=Shard(1, 2), durations=tmp_path / "nope.json")
    status, _, err = await run_captured(opts)
    assert status == EXIT_USAGE
    assert f"--durations {tmp_path / 'nope.json'}: cannot read an index.json" in err
    assert not (tmp_path / "reports").exists()


async def test_junit_only_writes_just_the_xml(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    status, out, err = await run_captured(replace(options(cases, tmp_path / "reports"), junit_only=True))
    assert status == EXIT_OK, err
    run_dir = tmp_path / "reports" / latest_run(tmp_path / "reports").name
    assert sorted(p.name for p in run_dir.iterdir()) == ["junit.xml"]
    first, last = out.splitlines()
    assert first == f"junit: {run_dir}/junit.xml"
    assert last.startswith("PASSED: 3 cases x drafts x agents: 3 OK, 0 FAILED in ")
    junit = ET.parse(run_dir / "junit.xml").getroot()
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("3", "0", "0")


# --- wss:// targets ---------------------------------------------------------------------------------------


def tls_options(
    cases: Path, out: Path, target: str | None, trust: Trust | None = None, tls: bool = False
) -> RunOptions:
    return replace(options(cases, out, target, (Draft.RFC6455,)), trust=trust or Trust(), tls=tls)


async def test_a_wss_target_with_its_ca(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    async with tls_reference(tmp_path / "certs") as (server, ca):
        status, _, err = await run_captured(tls_options(cases, tmp_path / "r", server.ws_url, Trust(ca=ca)))
        assert status == EXIT_OK, err
        assert f"TLS certificate, python: checked against the CA in {ca}" in err.splitlines()
        run = json.loads((latest_run(tmp_path / "r") / "run.json").read_text())
        assert run["target"] == server.ws_url
        assert run["certificates"] == {"python": f"checked against the CA in {ca}"}
        assert (
            "TLS certificate</dt><dd>python: checked against the CA in"
            in (latest_run(tmp_path / "r") / "index.html").read_text()
        )

        status, _, err = await run_captured(tls_options(cases, tmp_path / "i", server.ws_url, Trust(insecure=True)))
        assert status == EXIT_OK, err
        assert json.loads((latest_run(tmp_path / "i") / "run.json").read_text())["certificates"] == {
            "python": "not checked (--insecure)"
        }


async def test_a_wss_target_whose_ca_is_not_trusted_stops_the_run_with_one_clear_line(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    other = self_signed(tmp_path / "other", ("127.0.0.1",)).ca
    async with tls_reference(tmp_path / "certs") as (server, _):
        for trust in (Trust(ca=other), Trust()):
            status, out, err = await run_captured(tls_options(cases, tmp_path / "r", server.ws_url, trust))
            assert status == EXIT_NO_RUN
            assert f"error: the TLS certificate of 127.0.0.1:{server.port} is not trusted: " in err
            assert "trust its CA with --ca FILE, or skip the check with --insecure): nothing was run" in err
            assert "Traceback" not in err
            assert out.splitlines()[-1].startswith("STOPPED: 0 cases x drafts x agents")


async def test_a_wss_target_that_speaks_no_tls_stops_the_run(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)

    async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")  # at once: not a TLS handshake
        await reader.read()
        writer.close()

    server = await asyncio.start_server(plain_http, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        status, _, err = await run_captured(tls_options(cases, tmp_path / "r", f"wss://127.0.0.1:{port}/"))
    assert status == EXIT_NO_RUN
    assert f"error: the TLS handshake with 127.0.0.1:{port} failed: " in err
    assert "(does it speak TLS?): nothing was run" in err


async def test_tls_starts_the_reference_server_with_a_ca_of_its_own(tmp_path: Path) -> None:
    cases = catalogue(tmp_path / "cases", echo=ECHO)
    status, out, err = await run_captured(tls_options(cases, tmp_path / "r", None, tls=True))
    assert status == EXIT_OK, err
    run = json.loads((latest_run(tmp_path / "r") / "run.json").read_text())
    assert run["target"].startswith("wss://127.0.0.1:") and run["referenceServer"]
    assert run["certificates"]["python"].startswith("checked against the CA in ")
    assert "2 cases x drafts x agents: 2 OK, 0 FAILED" in out


def test_cli_tls_options(tmp_path: Path) -> None:
    cases = str(catalogue(tmp_path / "c", echo=ECHO))
    for args, message in [
        (("--ca", "ca.pem"), "--ca is for a wss:// target"),
        (("--target", "ws://127.0.0.1:1/", "--insecure"), "--insecure is for a wss:// target"),
        (("--target", "wss://127.0.0.1:1/", "--insecure", "--ca", "x"), "--ca and --insecure contradict each other"),
        (("--target", "wss://127.0.0.1:1/", "--ca", "missing.pem"), "--ca missing.pem: cannot load a CA certificate"),
        (("--tls", "--target", "wss://127.0.0.1:1/"), "--tls starts the reference server with TLS"),
    ]:
        done = harness_cli("run", "--catalogue", cases, *args, cwd=tmp_path)
        assert done.returncode == EXIT_USAGE, args
        assert message in done.stderr, done.stderr
