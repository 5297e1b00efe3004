"""`python -m interop merge DIR... --out DIR`: one matrix from the shards of `python -m interop --shard K/N`
(or from runs of other servers and clients), with their catalogue runs and logs copied beside it.

As `python -m harness merge` does for runs: matrices of different catalogues, shards of different splits,
and a server or client in two of them are refused; a missing shard gives a matrix marked incomplete.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .model import Matrix, from_json
from .spec import CLIENTS, SERVERS


class MergeError(ValueError):
    """Matrices that cannot be merged, in one line."""


def read(path: Path) -> Matrix:
    try:
        return from_json(json.loads((path / "matrix.json").read_text(encoding="utf-8")))
    except OSError as exc:
        raise MergeError(f"{path}: no matrix.json ({exc.strerror or exc}): not a python -m interop directory") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise MergeError(f"{path / 'matrix.json'}: not an interop matrix ({exc!r})") from None


def check(parts: Sequence[tuple[Path, Matrix]]) -> list[str]:
    """MergeError when the matrices cannot be one; else what is missing."""
    first_path, first = parts[0]
    for path, m in parts:
        if m.catalogue != first.catalogue or not m.catalogue:
            raise MergeError(
                f"different catalogues: {first_path} ran {first.catalogue or 'an unrecorded catalogue'}, "
                f"{path} ran {m.catalogue or 'an unrecorded catalogue'}"
            )
        if bool(m.shard) != bool(first.shard) or m.partition != first.partition:
            raise MergeError(f"{first_path} and {path} are not shards of one split (other N, selection or --durations)")
    for kind, names in (
        ("server", [p.name for _, m in parts for p in m.peers]),
        ("client", [c.name for _, m in parts for c in m.clients]),
    ):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise MergeError(f"the {kind} {twice[0]} is in more than one of the matrices")
    if not first.shard:
        return []
    count = int(first.shard.split("/")[1])
    seen = [m.shard for _, m in parts]
    for shard in seen:
        if seen.count(shard) > 1:
            raise MergeError(f"shard {shard} given twice")
    return [f"shard {k}/{count} is missing" for k in range(1, count + 1) if f"{k}/{count}" not in seen]


def merge(paths: Sequence[Path], out: Path) -> tuple[Matrix, list[str]]:
    """The merged matrix (not yet written: interop.main.write does that) with its runs and logs copied
    into `out`, and what is missing."""
    parts = [(path, read(path)) for path in paths]
    if not parts:
        raise MergeError("no matrix to merge")
    missing = check(parts)
    if any(out.resolve() == path.resolve() for path in paths):
        raise MergeError(f"--out {out} is one of the matrices to merge")
    server_order = {s.name: i for i, s in enumerate(SERVERS)}
    client_order = {c.name: i for i, c in enumerate(CLIENTS)}
    matrices = [m for _, m in parts]
    merged = replace(
        matrices[0],
        started=min(m.started for m in matrices),
        wall=max(m.wall for m in matrices),
        host="; ".join(dict.fromkeys(m.host for m in matrices)),
        peers=sorted((p for m in matrices for p in m.peers), key=lambda p: server_order.get(p.name, len(server_order))),
        clients=sorted(
            (c for m in matrices for c in m.clients), key=lambda c: client_order.get(c.name, len(client_order))
        ),
        shard="",
        merged=tuple(str(path) for path, _ in parts),
        incomplete=tuple(missing),
    )
    for path, _ in parts:
        for sub in ("runs", "logs"):
            if (path / sub).is_dir():
                shutil.copytree(path / sub, out / sub, dirs_exist_ok=True)
    return merged, missing
