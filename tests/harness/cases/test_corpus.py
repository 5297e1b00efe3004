"""harness.cases.corpus: the compression cases' data sets, and Autobahn's walk through them."""

from __future__ import annotations

import hashlib
import zlib

import pytest

from harness.cases.corpus import GENERATORS, SIZES, corpus, corpus_slice
from harness.cases.model import ExpectEvent, Payload, Repeat, SendMessage, Wait, expand, nth

# The data sets are part of what the cases check: a change to a generator changes every 12.* and 13.* case.
DIGESTS = {
    "json": "0eb2d07cdbcca7a9",
    "image": "2358e7a2cd2bc45b",
    "text": "2fed6e7fc27dfbfa",
    "html": "64f3f00940bdf982",
    "pdf": "3b68e3af5c796567",
}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_data_sets_are_fixed(name: str) -> None:
    data = corpus(name)
    assert len(data) == SIZES[name]
    assert hashlib.sha256(data).hexdigest()[:16] == DIGESTS[name]


@pytest.mark.parametrize("name", ["json", "html", "text"])
def test_text_sets_are_ascii(name: str) -> None:
    """A slice of N bytes is N characters, as Autobahn slices its text data sets."""
    assert corpus(name).isascii()


def test_sets_compress_like_their_kinds() -> None:
    """Structured text compresses well, the image and the PDF (with deflated streams) much less."""
    ratio = {name: len(zlib.compress(corpus(name))) / len(corpus(name)) for name in GENERATORS}
    assert ratio["json"] < 0.15 and ratio["html"] < 0.15 and ratio["text"] < 0.4
    assert ratio["image"] > 0.5 and ratio["pdf"] > 0.5


def test_slices_walk_the_file_and_wrap() -> None:
    data = corpus("json")
    n = len(data)
    assert corpus_slice("json", 16, 0) == data[:16]
    assert corpus_slice("json", 16, 3) == data[48:64]
    size = 131072
    second = corpus_slice("json", size, 1)  # from 131072, past the end (194,056), on from the start
    assert second == data[size:] + data[: 2 * size - n]
    # Autobahn's pointer: message k starts where message k-1 ended, modulo the length
    start = 0
    for k in range(5):
        assert corpus_slice("json", size, k)[:10] == (data + data)[start : start + 10]
        start = (start + size) % n


def test_nth_moves_a_corpus_slice_on_and_nothing_else() -> None:
    piece = Payload("corpus", text="html", count=64)
    assert piece.nth(0) is piece
    assert piece.nth(5).to_bytes() == corpus("html")[320:384]
    assert Payload(text="x").nth(5) == Payload(text="x")
    step = Repeat(2, (SendMessage("text", piece), Wait("message")))
    moved = nth(step, 3)
    assert isinstance(moved, Repeat) and isinstance(moved.steps[0], SendMessage)
    assert moved.steps[0].payload.index == 3


def test_times_expands_to_consecutive_slices() -> None:
    event = ExpectEvent("message", "binary", Payload("corpus", text="pdf", count=10, index=2), times=3)
    assert [e.payload.to_bytes() for e in expand((event,))] == [corpus_slice("pdf", 10, k) for k in (2, 3, 4)]
    plain = ExpectEvent("message", payload=Payload(text="a"), times=2)
    assert list(expand((plain,))) == [plain, plain]


def test_describe() -> None:
    assert Payload("corpus", text="json", count=16, index=4).describe() == {
        "corpus": {"name": "json", "size": 16, "index": 4}
    }
