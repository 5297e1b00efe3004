"""harness.wire.messages: how a message becomes frames, the same way Connection.send_message splits it."""

from __future__ import annotations

import pytest

from wire import Connection, Draft, Family, Frame, Kind, Side, encode, message_frames

HYBI = [d for d in Draft if d.info.family is not Family.HIXIE]
RFC = Draft.RFC6455.info


def test_one_frame_unless_fragmented() -> None:
    assert message_frames(RFC, Kind.TEXT, b"hello") == [Frame(0x1, b"hello")]
    assert message_frames(RFC, Kind.BINARY, b"", 4) == [Frame(0x2, b"")]  # an empty message: one empty frame


def test_fragments_are_continuations_and_only_the_last_is_final() -> None:
    assert message_frames(RFC, Kind.BINARY, b"abcdefg", 3) == [
        Frame(0x2, b"abc", fin=False),
        Frame(0x0, b"def", fin=False),
        Frame(0x0, b"g"),
    ]
    assert message_frames(Draft.HYBI_06.info, Kind.TEXT, b"abcd", 2) == [
        Frame(0x4, b"ab", fin=False),
        Frame(0x0, b"cd"),
    ]


@pytest.mark.parametrize("draft", [Draft.HIXIE_75, Draft.HIXIE_76])
def test_hixie_has_one_text_frame_and_no_binary(draft: Draft) -> None:
    assert message_frames(draft.info, Kind.TEXT, b"hello", 2) == [Frame(0x00, b"hello")]
    with pytest.raises(KeyError):
        message_frames(draft.info, Kind.BINARY, b"hello")


@pytest.mark.parametrize("draft", HYBI)
@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.BINARY])
@pytest.mark.parametrize(("size", "fragment"), [(0, None), (10, None), (10, 3), (9, 3), (5, 1), (4, 10)])
def test_the_same_frames_as_connection_send_message(draft: Draft, kind: Kind, size: int, fragment: int | None) -> None:
    data = bytes(range(size))
    conn = Connection(draft, Side.SERVER)  # a server does not mask: the bytes are the frames'
    conn.send_message(kind, data, fragment_size=fragment)
    frames = message_frames(draft.info, kind, data, fragment)
    assert conn.data_to_send() == b"".join(encode(f, draft.info.family) for f in frames)
