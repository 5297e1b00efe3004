"""interop.clients: a client script's JSON line becomes a matrix cell."""

from __future__ import annotations

from interop.clients import cell_from, parse_result


def test_parse_result_takes_the_last_json_line() -> None:
    out = 'noise\n{"ok": false}\nmore noise\n{"ok": true, "steps": []}\n'
    assert parse_result(out) == {"ok": True, "steps": []}
    assert parse_result("no json here\n{broken") is None
    assert parse_result("[1, 2]") is None


def test_cells() -> None:
    ok = cell_from("rfc6455", {"ok": True, "steps": [["echo", True, "fine"]]}, 0.5)
    assert (ok.outcome, ok.steps) == ("OK", (("echo", True, "fine"),))
    rejected = cell_from("hybi-08", {"ok": False, "rejected": True, "error": "handshake refused: 426"}, 0.1)
    assert (rejected.outcome, rejected.detail) == ("rejected", "handshake refused: 426")
    error = cell_from("rfc6455", {"ok": False, "steps": [["chat", False, "timeout"], ["bad"]]}, 0.1)
    assert (error.outcome, error.detail, error.steps) == ("error", "failed", (("chat", False, "timeout"),))
    nothing = cell_from("rfc6455", None, 1.0, "exit 1: Traceback")
    assert (nothing.outcome, nothing.detail) == ("error", "exit 1: Traceback")
