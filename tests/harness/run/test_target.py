"""harness.run.target: the Target every driver and `ping` share."""

from __future__ import annotations

import pytest

from harness.run.target import Target


def test_parse() -> None:
    assert Target.parse("ws://Example.org") == Target("example.org", 80, "/")
    assert Target.parse("ws://[::1]:9000/a/b?c=d") == Target("::1", 9000, "/a/b?c=d")


def test_authority_and_url_leave_out_the_default_port() -> None:
    assert (Target("h", 80).authority, Target("h", 80).url) == ("h", "ws://h/")
    assert (Target("::1", 9000, "/x").authority, Target("::1", 9000, "/x").url) == ("[::1]:9000", "ws://[::1]:9000/x")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/", "'http://127.0.0.1:8080/' is not a WebSocket URL: use ws://host[:port][/path]"),
        ("127.0.0.1:8080", "'127.0.0.1:8080' is not a WebSocket URL: use ws://host[:port][/path]"),
        ("wss://example.org/", "wss://example.org/: wss:// (TLS) is not supported; use ws://"),
        ("ws:///path", "'ws:///path' has no host: use ws://host[:port][/path]"),
        ("ws://h/#top", "ws://h/#top: a WebSocket URL has no #fragment"),
        ("ws://h:99999/", "ws://h:99999/: Port out of range 0-65535"),
        ("ws://h:x/", "ws://h:x/: Port could not be cast to integer value as 'x'"),
    ],
)
def test_parse_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        Target.parse(url)
    assert str(error.value) == message
