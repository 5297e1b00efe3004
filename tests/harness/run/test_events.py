"""harness.run.events: typed observations, as JSON and back."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from harness.run import events as ev

SAMPLES = [
    ev.Opened(0.0, "echo"),
    ev.Rejected(0.1, 400, "Bad Request"),
    ev.HandshakeInvalid(0.1, "bad accept"),
    ev.MessageIn(0.2, "binary", ev.PayloadInfo.of(b"\x00" * 300), 3, actor="bob"),
    ev.PingIn(0.2, ev.PayloadInfo.of(b"p")),
    ev.PongIn(0.2, ev.PayloadInfo.of(b"q")),
    ev.CloseIn(0.3, 1000, "bye"),
    ev.CloseOut(0.3, None),
    ev.Failure(0.3, 1002, "reserved bits"),
    ev.IgnoredIn(0.3, 0x80, ev.PayloadInfo.of(b"")),
    ev.MarkSet(0.4, "A"),
    ev.TcpClosed(0.5, "agent", "no close reply"),
    ev.TimedOut(0.6, "message", 5.0, final=True),
    ev.Sent(0.65, "binary", 4, blob=True),
    ev.HarnessError(0.7, "boom", "Traceback ..."),
    ev.ChatShown(0.8, (("Ann", "hi"),)),
    ev.Refused(0.85, "new WebSocket() threw SecurityError: insecure"),
    ev.Note(0.9, "joined as Ann"),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.kind)
def test_every_event_reads_back_from_its_json(event: ev.Event) -> None:
    data = json.loads(json.dumps(event.to_json()))
    assert data["type"] == event.kind and data["t"] == event.t
    assert ev.event_from_json(data) == event


def test_every_kind_is_known_once() -> None:
    assert sorted(ev.KINDS) == sorted({e.kind for e in SAMPLES})


def test_a_payload_keeps_its_size_digest_and_a_preview() -> None:
    info = ev.PayloadInfo.of("é".encode() * 200, text=True)
    assert (info.size, info.truncated, info.preview) == (400, True, "é" * 128)
    assert ev.PayloadInfo.of(b"\xff\x00").preview == "ff00"
    assert ev.Opened(0.0).data() == {"protocol": None}  # an empty actor is left out
    assert info.data() == asdict(info)  # written field by field: every field
