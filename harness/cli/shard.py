"""`--shard K/N`: a deterministic, balanced slice of a run's case x draft x agent items.

Every shard computes the same partition from the same inputs (the selected items in report order, and
the expected durations, if any), then keeps its own slice. Items are dealt longest first to the shard with
the least expected time so far (ties: the lower shard), which is plain round-robin when no durations are
known. Durations come from an earlier run's index.json (`--durations`); an item it does not list counts
as the median of those it does. All shards must get the same file: each records a fingerprint of the
partition's inputs, and `python -m harness merge` refuses shards whose fingerprints differ.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

Key = tuple[str, str, str]  # (case id, draft, agent)
K = TypeVar("K", bound=Hashable)  # what is dealt: harness items here, interop's servers and clients there

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not K/N (this shard's number and the number of shards, e.g. 2/3)")
        index, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"shard {text!r}: K must be between 1 and N (e.g. 1/3, 2/3, 3/3)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def read_durations(path: Path) -> dict[Key, int]:
    """Milliseconds per item from a run's index.json (or a run directory holding one); ValueError with a
    one-line reason when the file is missing or not an index.json."""
    file = path / "index.json" if path.is_dir() else path
    try:
        data: Any = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"--durations {path}: cannot read an index.json: {exc}") from None
    durations: dict[Key, int] = {}
    try:
        for agent, by_draft in data.items():
            for draft, by_case in by_draft.items():
                for case_id, entry in by_case.items():
                    durations[(case_id, draft, agent)] = max(1, int(entry["duration"]))
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ValueError(
            f"--durations {path}: not a wsinterop index.json (agent -> draft -> case -> duration)"
        ) from None
    return durations


def weights(keys: Sequence[K], durations: Mapping[K, int]) -> list[int]:
    """Expected milliseconds per item: recorded, else the median of the recorded ones (1 when none are)."""
    known = [durations[k] for k in keys if k in durations]
    default = int(statistics.median(known)) if known else 1
    return [durations.get(k, default) for k in keys]


def partition(keys: Sequence[K], count: int, durations: Mapping[K, int]) -> list[list[K]]:
    """The items of each of `count` shards, each list in the order of `keys`."""
    w = weights(keys, durations)
    order = sorted(range(len(keys)), key=lambda i: (-w[i], i))
    loads = [0] * count
    owner = [0] * len(keys)
    for i in order:
        shard = min(range(count), key=lambda s: (loads[s], s))
        loads[shard] += w[i]
        owner[i] = shard
    return [[k for i, k in enumerate(keys) if owner[i] == s] for s in range(count)]


def fingerprint(keys: Sequence[K], count: int, durations: Mapping[K, int]) -> str:
    """What decides the partition, hashed: shards of one run must agree on it."""
    payload = json.dumps([count, list(zip(keys, weights(keys, durations), strict=True))], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def catalogue_fingerprint(files: Sequence[Path]) -> str:
    """The case files' names and contents, hashed: runs of the same catalogue agree on it wherever the
    checkout lives."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        digest.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]
