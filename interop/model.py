"""What the interop matrix records: plain dataclasses, written to and read from matrix.json."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

BEHAVIORS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
DRAFTS = ("hixie-75", "hixie-76", "hybi-06", "hybi-07", "hybi-08", "rfc6455")


@dataclass(frozen=True)
class Probe:
    """One opening handshake in one draft, sent with wire, and what came back."""

    draft: str
    outcome: str  # accepted | invalid (101 with a wrong answer) | rejected | closed | timeout | refused
    status: int | None = None
    reason: str = ""  # the status line's reason phrase
    versions: str | None = None  # Sec-WebSocket-Version of the answer
    protocol: str | None = None  # the subprotocol the answer selected
    detail: str = ""  # first line of a rejection's body, or what went wrong
    echo: str | None = None  # after a 101: "echoed", or what happened to the one test message
    extensions: str | None = None  # the probe offered permessage-deflate: the answer's Sec-WebSocket-Extensions

    @property
    def accepted(self) -> bool:
        return self.status == 101

    @property
    def echoed(self) -> bool:
        return self.echo == "echoed"

    @property
    def deflate_refused(self) -> bool:
        """permessage-deflate was offered, and the 101 did not accept it."""
        return self.extensions is not None and "permessage-deflate" not in self.extensions.lower()

    def label(self) -> str:
        """Short text for a matrix cell: "accepted", "426 listing 13", "closed without an answer"..."""
        if self.outcome == "accepted":
            if self.deflate_refused:
                return "accepted, without permessage-deflate"
            return "accepted" if self.echoed or self.echo is None else f"accepted, {self.echo}"
        if self.outcome == "invalid":
            return f"101 with an invalid answer ({self.detail})"
        if self.outcome == "rejected":
            listing = f" listing {self.versions}" if self.versions else ""
            return f"{self.status}{listing}"
        if self.outcome == "closed":
            return "closed without an answer"
        if self.outcome == "timeout":
            return "no answer"
        return self.detail or self.outcome


@dataclass(frozen=True)
class NonOk:
    """A case whose behaviour or close was not OK (UNIMPLEMENTED is not listed)."""

    case: str
    title: str
    behavior: str
    behavior_reason: str
    close: str
    close_reason: str
    report: str = ""  # the case's page, relative to reports/interop/


@dataclass(frozen=True)
class DraftRun:
    """The catalogue in one draft against one peer: a `python -m harness run`."""

    draft: str
    counts: dict[str, int] = field(default_factory=dict)  # behaviour -> count
    close_not_ok: int = 0
    exit_code: int | None = None
    wall: float = 0.0
    report: str = ""  # that run's index.html, relative to reports/interop/
    note: str = ""  # why it did not run, or how it ended early
    non_ok: tuple[NonOk, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.counts.get("FAILED", 0)


@dataclass
class PeerResult:
    """One server implementation: how it was started, its probes, and a run per draft."""

    name: str
    title: str
    version: str = ""
    command: str = ""
    url: str = ""
    error: str | None = None  # install or start failure: nothing else was done
    probes: list[Probe] = field(default_factory=list)
    runs: list[DraftRun] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (case pattern, why)
    notes: list[str] = field(default_factory=list)

    def probe(self, draft: str) -> Probe | None:
        return next((p for p in self.probes if p.draft == draft), None)

    def run(self, draft: str) -> DraftRun | None:
        return next((r for r in self.runs if r.draft == draft), None)


@dataclass
class ClientResult:
    """One client under test (a harness/subjects subject): the server-side catalogue against it, a
    `python -m harness clients` run per draft it speaks."""

    name: str
    title: str
    version: str = ""
    command: str = ""
    error: str | None = None  # install failure: nothing was run
    drafts: tuple[str, ...] = ()  # the drafts its testee speaks
    runs: list[DraftRun] = field(default_factory=list)

    def run(self, draft: str) -> DraftRun | None:
        return next((r for r in self.runs if r.draft == draft), None)


@dataclass
class Matrix:
    started: str
    wall: float = 0.0
    host: str = ""
    drafts: tuple[str, ...] = DRAFTS
    peers: list[PeerResult] = field(default_factory=list)
    clients: list[ClientResult] = field(default_factory=list)
    catalogue: str = ""  # fingerprint of the case files (python -m interop merge checks it)
    shard: str = ""  # "K/N" when this matrix is one slice of N
    partition: str = ""  # fingerprint of what decided the slices: the shards of one split agree on it
    merged: tuple[str, ...] = ()  # a merged matrix: the directories it was made of
    incomplete: tuple[str, ...] = ()  # a merged matrix: the shards it lacks


def to_json(matrix: Matrix) -> dict[str, Any]:
    return dataclasses.asdict(matrix)


def _runs(result: dict[str, Any]) -> list[DraftRun]:
    return [DraftRun(**{**r, "non_ok": tuple(NonOk(**n) for n in r.get("non_ok", []))}) for r in result.get("runs", [])]


def from_json(data: dict[str, Any]) -> Matrix:
    """The inverse of to_json (matrix.json back into objects)."""
    peers = []
    for p in data.get("peers", []):
        runs = _runs(p)
        peers.append(
            PeerResult(
                **{
                    **p,
                    "probes": [Probe(**x) for x in p.get("probes", [])],
                    "runs": runs,
                    "excluded": [tuple(e) for e in p.get("excluded", [])],
                }
            )
        )
    clients = [
        # a matrix.json from before the client half ran the catalogue has smoke-script "cells": left out
        ClientResult(
            **{k: v for k, v in c.items() if k != "cells"} | {"drafts": tuple(c.get("drafts", ())), "runs": _runs(c)}
        )
        for c in data.get("clients", [])
    ]
    return Matrix(
        started=data["started"],
        wall=data.get("wall", 0.0),
        host=data.get("host", ""),
        drafts=tuple(data.get("drafts", DRAFTS)),
        peers=peers,
        clients=clients,
        catalogue=data.get("catalogue", ""),
        shard=data.get("shard", ""),
        partition=data.get("partition", ""),
        merged=tuple(data.get("merged", ())),
        incomplete=tuple(data.get("incomplete", ())),
    )
