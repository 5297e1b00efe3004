"""interop.spec: the compression rows are their plain rows started with --deflate."""

from __future__ import annotations

from pathlib import Path

from interop.spec import COMPRESSION_SERVERS, PLAIN_SERVERS, SERVERS, Context

CTX = Context(root=Path("/repo"), out=Path("/repo/reports/interop"), build=Path("/repo/build/interop"))


def test_the_compression_rows_are_the_five_of_issue_13() -> None:
    assert [s.name for s in COMPRESSION_SERVERS] == [
        "websockets-deflate",
        "aiohttp-deflate",
        "tornado-deflate",
        "ws-deflate",
        "jetty-deflate",
    ]
    assert SERVERS == PLAIN_SERVERS + COMPRESSION_SERVERS
    assert len({s.name for s in SERVERS}) == len(SERVERS)
    assert not any(s.deflate for s in PLAIN_SERVERS)


def test_a_compression_row_is_its_plain_row_with_deflate_on() -> None:
    plain = {s.name: s for s in PLAIN_SERVERS}
    for row in COMPRESSION_SERVERS:
        base = plain[row.name.removesuffix("-deflate")]
        assert row.deflate
        assert row.command(CTX, 1234) == [*base.command(CTX, 1234), "--deflate"]
        assert (row.needs, row.version, row.protocol, row.prepare, row.jobs) == (
            base.needs,
            base.version,
            base.protocol,
            base.prepare,
            base.jobs,
        )
        assert row.title == f"{base.title} + permessage-deflate"
        assert row.notes[-1].startswith("permessage-deflate: ")
