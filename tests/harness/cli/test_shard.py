"""harness.cli.shard: K/N parsing, a partition that covers every item once, balance, durations, fingerprints."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from harness.cli.shard import (
    Key,
    Shard,
    catalogue_fingerprint,
    fingerprint,
    partition,
    read_durations,
    weights,
)

KEYS: list[Key] = [
    (f"{c}.{i}", d, a)
    for c in range(1, 6)
    for i in range(1, 9)
    for d in ("hixie-76", "rfc6455")
    for a in ("python", "chromium")
]


def test_parse() -> None:
    assert Shard.parse("2/3") == Shard(2, 3)
    assert Shard.parse(" 1 / 1 ") == Shard(1, 1)
    assert str(Shard(3, 4)) == "3/4"
    for bad in ("0/3", "4/3", "1/0", "3", "a/b", "1/2/3", "-1/2"):
        with pytest.raises(ValueError, match="K"):
            Shard.parse(bad)


@pytest.mark.parametrize("count", [1, 2, 3, 7, len(KEYS), len(KEYS) + 5])
def test_every_item_is_in_exactly_one_shard(count: int) -> None:
    durations = {k: random.Random(i).randint(5, 5000) for i, k in enumerate(KEYS[::3])}
    shards = partition(KEYS, count, durations)
    assert len(shards) == count
    flat = [k for shard in shards for k in shard]
    assert sorted(flat) == sorted(KEYS)
    assert len(set(flat)) == len(KEYS)
    for shard in shards:  # each slice keeps the report order
        assert shard == sorted(shard, key=KEYS.index)


def test_the_partition_is_deterministic() -> None:
    durations = {k: (i * 37) % 1000 + 1 for i, k in enumerate(KEYS)}
    assert partition(KEYS, 3, durations) == partition(list(KEYS), 3, dict(reversed(durations.items())))
    assert fingerprint(KEYS, 3, durations) == fingerprint(list(KEYS), 3, dict(durations))


def test_without_durations_shards_differ_by_at_most_one_item() -> None:
    sizes = [len(s) for s in partition(KEYS, 7, {})]
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == len(KEYS)


def test_with_durations_the_expected_times_are_balanced() -> None:
    # a few long items (a 10 s timeout) among many short ones: by count, one shard could get them all
    durations = {k: 10_000 if i % 40 == 0 else 20 for i, k in enumerate(KEYS)}
    shards = partition(KEYS, 4, durations)
    loads = [sum(durations[k] for k in s) for s in shards]
    longest = max(durations.values())
    assert max(loads) - min(loads) <= longest  # greedy, longest first: within one item of each other
    assert sorted(sum(1 for k in s if durations[k] == longest) for s in shards) == [1, 1, 1, 1]


def test_an_item_without_a_recorded_duration_counts_as_the_median() -> None:
    keys = KEYS[:4]
    assert weights(keys, {keys[0]: 10, keys[1]: 30, keys[2]: 1000}) == [10, 30, 1000, 30]
    assert weights(keys, {}) == [1, 1, 1, 1]


def test_the_fingerprint_changes_with_what_decides_the_partition() -> None:
    base = fingerprint(KEYS, 3, {})
    assert fingerprint(KEYS, 4, {}) != base
    assert fingerprint(KEYS[1:], 3, {}) != base
    assert fingerprint(KEYS, 3, {KEYS[0]: 500}) != base


def test_read_durations_from_an_index_json(tmp_path: Path) -> None:
    index = {"python": {"rfc6455": {"1.1": {"behavior": "OK", "duration": 12}, "1.2": {"duration": 0}}}}
    (tmp_path / "index.json").write_text(json.dumps(index))
    expected = {("1.1", "rfc6455", "python"): 12, ("1.2", "rfc6455", "python"): 1}
    assert read_durations(tmp_path / "index.json") == expected
    assert read_durations(tmp_path) == expected  # a run directory
    (tmp_path / "bad.json").write_text('{"python": ["not", "a", "draft map"]}')
    with pytest.raises(ValueError, match=r"not a wsinterop index\.json"):
        read_durations(tmp_path / "bad.json")
    with pytest.raises(ValueError, match=r"cannot read an index\.json"):
        read_durations(tmp_path / "missing.json")


def test_catalogue_fingerprint_follows_names_and_contents_not_places(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "x.case.yaml").write_text("cases: []\n")
        (d / "y.case.yaml").write_text("category: y\n")
    same = catalogue_fingerprint([a / "x.case.yaml", a / "y.case.yaml"])
    assert catalogue_fingerprint([b / "y.case.yaml", b / "x.case.yaml"]) == same
    (b / "y.case.yaml").write_text("category: z\n")
    assert catalogue_fingerprint([b / "x.case.yaml", b / "y.case.yaml"]) != same
