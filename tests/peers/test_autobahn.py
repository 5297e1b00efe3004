"""peers/autobahn.py (`make autobahn-compare`): Autobahn's verdicts beside ours, id by id."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

PEERS = Path(__file__).parents[2] / "peers"
sys.path.insert(0, str(PEERS))
import autobahn  # noqa: E402  (peers/ is a directory of scripts, not a package)


def test_verdicts_read_both_index_shapes() -> None:
    theirs = {"websockets": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK", "duration": 2}}}
    ours = {
        "python": {"rfc6455": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}, "0.1.1": {"behavior": "OK"}}},
        "run": "r1",
    }
    ours["python"]["rfc6455"]["0.1.1"]["behaviorClose"] = "OK"
    assert autobahn.verdicts(theirs) == {"1.1.1": "OK/OK"}
    assert autobahn.verdicts(ours) == {"1.1.1": "OK/OK", "0.1.1": "OK/OK"}


def test_an_id_agrees_when_both_verdicts_are_equal() -> None:
    theirs = {"3.3": "NON-STRICT/OK", "7.9.5": "FAILED/WRONG CODE", "9.3.10": "OK/OK", "2.1": "OK/OK"}
    ours = {"3.3": "OK/OK", "7.9.5": "FAILED/WRONG CODE", "2.1": "OK/OK", "1.3.1": "OK/OK"}
    result = autobahn.compare(theirs, ours)
    assert result.shared == ["2.1", "3.3", "7.9.5"]
    assert result.disagree == [("3.3", "NON-STRICT/OK", "OK/OK")]
    assert result.only_autobahn == ["9.3.10"]
    assert result.line("websockets 17.4") == "websockets 17.4: 2 of 3 shared ids agree (66.7%)"


def test_without_autobahn_it_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(autobahn, "VENV", Path("/nonexistent/venv"))
    assert autobahn.main(["websockets"]) == autobahn.EXIT_NO_PEER
    assert "setup.sh" in capsys.readouterr().err
