"""Fakes for the interop tests: a harness report directory and a small Matrix."""

from __future__ import annotations

import json
from pathlib import Path

from interop.model import ClientResult, DraftRun, Matrix, NonOk, PeerResult, Probe


def fake_report(run_dir: Path, results: dict[str, tuple[str, str, str]], draft: str = "rfc6455") -> Path:
    """A harness run directory: index.json with `results` (case -> behaviour, close, reason) and detail files."""
    cases = run_dir / "cases"
    cases.mkdir(parents=True)
    index: dict[str, dict[str, dict[str, object]]] = {"python": {draft: {}}}
    for case, (behavior, close, reason) in results.items():
        key = f"{case}_{draft}_python"
        index["python"][draft][case] = {
            "behavior": behavior,
            "behaviorClose": close,
            "remoteCloseCode": None,
            "duration": 3,
            "reportfile": f"cases/{key}.json",
        }
        detail = {"id": case, "title": f"title of {case}", "behaviorReason": reason, "behaviorCloseReason": "closed"}
        (cases / f"{key}.json").write_text(json.dumps(detail), encoding="utf-8")
        (cases / f"{key}.html").write_text("<html></html>", encoding="utf-8")
    (run_dir / "index.json").write_text(json.dumps(index), encoding="utf-8")
    (run_dir / "index.html").write_text("<html></html>", encoding="utf-8")
    return run_dir


def matrix() -> Matrix:
    """Two peers (one that ran, one that failed to install) and three clients (one that ran in two drafts,
    one that failed to install, one that cannot run on this machine)."""
    ran = PeerResult(
        "ws",
        "ws (Node.js)",
        version="ws 8.23.0 (Node v20)",
        command="node interop/peers/node/ws_echo.js --port 1234",
        url="ws://127.0.0.1:1234/",
        probes=[
            Probe("hixie-76", "rejected", 400, "Bad Request", detail="Missing or invalid Sec-WebSocket-Key header"),
            Probe("hybi-06", "rejected", 426, "Upgrade Required", versions="13, 8"),
            Probe("rfc6455", "accepted", 101, "Switching Protocols", protocol="echo", echo="echoed"),
            Probe("hybi-07", "accepted", 101, "Switching Protocols", echo="no echo within 3 s"),
        ],
        runs=[
            DraftRun(
                "rfc6455",
                counts={"OK": 10, "FAILED": 2},
                close_not_ok=1,
                exit_code=1,
                wall=2.5,
                report="runs/ws/20260101-000000/index.html",
                non_ok=(
                    NonOk("7.9.1", "Close with invalid code 0", "OK", "", "WRONG CODE", "peer closed with 1000"),
                    NonOk("0.2.1", "Bad <key>", "FAILED", "handshake answered 101 | expected 400", "OK", ""),
                ),
            ),
            DraftRun("hybi-07", note="not run: accepted, no echo within 3 s"),
        ],
        excluded=[("20.*", "the reference server's subprotocols")],
    )
    broken = PeerResult("jetty", "Jetty 9 (Java, Debian)", error="install failed: libjetty9-java: not root")
    clients = [
        ClientResult(
            "ws",
            "ws client (Node.js)",
            version="ws 8.23.0",
            command="python -m harness clients --subjects ws --drafts hybi-08,rfc6455 --out runs/clients/ws",
            drafts=("hybi-08", "rfc6455"),
            runs=[
                DraftRun(
                    "hybi-08", counts={"OK": 300, "UNIMPLEMENTED": 20}, wall=20.0, report="runs/clients/ws/a/index.html"
                ),
                DraftRun(
                    "rfc6455",
                    counts={"OK": 380, "NON-STRICT": 3, "FAILED": 1},
                    close_not_ok=1,
                    exit_code=1,
                    wall=30.0,
                    report="runs/clients/ws/b/index.html",
                    non_ok=(NonOk("5.19", "Fragments with pings", "FAILED", "no echo within 10 s", "OK", ""),),
                ),
            ],
        ),
        ClientResult("chromium", "Chromium", error="install failed: chromium: no network"),
        ClientResult(
            "firefox",
            "Firefox ESR",
            drafts=("rfc6455",),
            runs=[
                DraftRun(
                    "rfc6455",
                    counts={"UNIMPLEMENTED": 391},
                    report="runs/clients/firefox/c/index.html",
                    note="cannot run here: no /usr/lib/firefox-esr/firefox-esr",
                )
            ],
        ),
    ]
    return Matrix(
        started="2026-01-01T00:00:00Z",
        wall=12.0,
        host="Linux, 2 cores",
        peers=[ran, broken],
        clients=clients,
    )
