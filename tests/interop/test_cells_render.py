"""interop.cells, render_md, render_html: what the matrix says, from a fake matrix."""

from __future__ import annotations

from dataclasses import replace

from interop.cells import client_cell, exclusions, probe_tip, server_cell
from interop.model import DraftRun, PeerResult, Probe
from interop.render_html import index_html
from interop.render_md import summary_md

from .support import matrix


def test_server_cells() -> None:
    m = matrix()
    ws, jetty = m.peers
    ran = server_cell(ws, "rfc6455")
    assert (ran.kind, ran.headline) == ("failed", "accepted")
    assert ran.detail == "10 OK, 2 FAILED, 1 close not OK"
    assert ran.link == "runs/ws/20260101-000000/index.html"
    listing = server_cell(ws, "hybi-06")
    assert (listing.kind, listing.headline) == ("rejected", "426 listing 13, 8")
    assert "Sec-WebSocket-Version: 13, 8" in listing.tip
    refused = server_cell(ws, "hixie-76")
    assert (refused.kind, refused.headline, refused.detail) == (
        "rejected",
        "400",
        "Missing or invalid Sec-WebSocket-Key header",
    )
    silent = server_cell(ws, "hybi-07")
    assert (silent.kind, silent.headline, silent.detail) == (
        "broken",
        "accepted, no echo within 3 s",
        "catalogue not run",
    )
    assert (server_cell(ws, "hixie-75").kind, server_cell(ws, "hixie-75").headline) == ("none", "—")
    assert server_cell(jetty, "rfc6455").kind == "error"
    assert server_cell(jetty, "hixie-75").kind == "error"


def test_a_compression_row_whose_peer_declines_the_offer() -> None:
    """The probe offered permessage-deflate and the 101 came without it: amber, the catalogue not run."""
    probe = Probe("rfc6455", "accepted", 101, "Switching Protocols", echo="echoed", extensions="")
    peer = PeerResult(
        "ws-deflate",
        "ws + permessage-deflate",
        probes=[probe],
        runs=[DraftRun("rfc6455", note=f"not run: {probe.label()}")],
    )
    cell = server_cell(peer, "rfc6455")
    assert (cell.kind, cell.headline, cell.detail) == (
        "broken",
        "accepted, without permessage-deflate",
        "catalogue not run",
    )
    assert "Sec-WebSocket-Extensions: (none)" in cell.tip
    accepted = replace(probe, extensions="permessage-deflate; client_max_window_bits=15")
    assert accepted.label() == "accepted" and "Sec-WebSocket-Extensions: permessage-deflate;" in probe_tip(accepted)


def test_client_cells() -> None:
    ws, chromium, firefox = matrix().clients
    assert client_cell(ws, "hixie-75").headline == "—"
    assert client_cell(ws, "hixie-76").kind == "none"
    ok = client_cell(ws, "hybi-08")
    assert (ok.kind, ok.headline, ok.detail, ok.link) == (
        "ok",
        "OK",
        "300 OK, 20 UNIMPL",
        "runs/clients/ws/a/index.html",
    )
    failed = client_cell(ws, "rfc6455")
    assert (failed.kind, failed.headline) == ("failed", "FAILED")
    assert failed.detail == "380 OK, 3 NON-STRICT, 1 FAILED, 1 close not OK"
    assert client_cell(chromium, "rfc6455").kind == "error"
    # a client that cannot run here: a red UNIMPLEMENTED cell that says why, linked to its report
    absent = client_cell(firefox, "rfc6455")
    assert (absent.kind, absent.headline) == ("error", "UNIMPLEMENTED")
    assert absent.detail == "cannot run here: no /usr/lib/firefox-esr/firefox-esr"
    assert (absent.tip, absent.link) == ("391 UNIMPL", "runs/clients/firefox/c/index.html")
    stopped = replace(ws.runs[0], counts={"OK": 10}, note="stopped after 600 s (time ceiling): partial results")
    assert client_cell(replace(ws, runs=[stopped]), "hybi-08").kind == "failed"
    assert client_cell(replace(ws, runs=[]), "hybi-08").kind == "error"
    assert client_cell(replace(ws, runs=[replace(stopped, counts={})]), "hybi-08").headline == "no report"


def test_summary_md() -> None:
    text = summary_md(matrix())
    assert text.startswith("# wsinterop interop matrix\n")
    assert "| ws (Node.js) | ws 8.23.0 (Node v20) |" in text
    assert "[accepted: 10 OK, 2 FAILED, 1 close not OK](runs/ws/20260101-000000/index.html)" in text
    assert "426 listing 13, 8" in text
    assert "error: install failed: libjetty9-java: not root" in text
    assert "`node interop/peers/node/ws_echo.js --port 1234`" in text
    assert "- `20.*` (all peers): the reference server's subprotocols" in text
    assert "0.2.1 Bad <key>: FAILED: handshake answered 101 | expected 400" in text
    assert "7.9.1 Close with invalid code 0: OK / close WRONG CODE: peer closed with 1000" in text
    assert "[OK: 300 OK, 20 UNIMPL](runs/clients/ws/a/index.html)" in text
    assert (
        "[UNIMPLEMENTED: cannot run here: no /usr/lib/firefox-esr/firefox-esr](runs/clients/firefox/c/index.html)"
        in text
    )
    assert (
        "### ws client (Node.js)\n\n- rfc6455: 1 not OK\n  - 5.19 Fragments with pings: FAILED: no echo within 10 s"
        in text
    )


def test_index_html_escapes_and_links() -> None:
    html = index_html(matrix())
    assert html.startswith("<!doctype html>")
    assert '<a href="runs/ws/20260101-000000/index.html">accepted</a>' in html
    assert "Bad &lt;key&gt;" in html and "Bad <key>" not in html
    assert 'class="cell rejected"' in html and 'class="cell error"' in html and 'class="cell broken"' in html
    assert "<script" not in html
    assert '<a href="runs/clients/ws/b/index.html">FAILED</a>' in html
    assert "5.19</a>" not in html and "5.19 Fragments with pings" in html


def test_exclusions_say_which_peers() -> None:
    m = matrix()
    m.peers[1].excluded = [("20.*", "the reference server's subprotocols"), ("9.*", "slow")]
    assert exclusions(m) == [
        ("20.*", "the reference server's subprotocols", "all peers"),
        ("9.*", "slow", "Jetty 9 (Java, Debian)"),
    ]
