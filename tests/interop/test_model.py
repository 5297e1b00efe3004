"""interop.model: probe labels and the matrix.json round trip."""

from __future__ import annotations

import json

from interop.model import Probe, from_json, to_json

from .support import matrix


def test_labels_say_how_a_handshake_was_answered() -> None:
    assert Probe("rfc6455", "accepted", 101, echo="echoed").label() == "accepted"
    assert Probe("hybi-06", "accepted", 101, echo="no echo: TCP closed").label() == "accepted, no echo: TCP closed"
    assert Probe("hybi-06", "rejected", 426, versions="13").label() == "426 listing 13"
    assert Probe("hybi-06", "rejected", 400).label() == "400"
    assert Probe("hixie-76", "closed").label() == "closed without an answer"
    assert Probe("hixie-76", "timeout").label() == "no answer"
    assert Probe("hixie-76", "invalid", 101, detail="bad accept").label() == "101 with an invalid answer (bad accept)"
    assert Probe("hixie-76", "refused", detail="cannot connect").label() == "cannot connect"


def test_accepted_and_echoed() -> None:
    assert Probe("rfc6455", "accepted", 101, echo="echoed").echoed
    assert Probe("rfc6455", "invalid", 101).accepted
    assert not Probe("rfc6455", "rejected", 400).accepted


def test_matrix_json_round_trip() -> None:
    original = matrix()
    data = json.loads(json.dumps(to_json(original)))
    assert from_json(data) == original


def test_peer_lookup_by_draft() -> None:
    peer = matrix().peers[0]
    assert peer.probe("rfc6455") is not None
    assert peer.probe("hixie-75") is None
    run = peer.run("rfc6455")
    assert run is not None and run.total == 12 and run.failed == 2
