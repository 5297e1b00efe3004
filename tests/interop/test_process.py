"""interop.process: a peer is ready when its port accepts, stopped by its process group."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from interop.process import PeerProcess, StartError, command_text, free_port, port_open, running

LISTEN = """\
import socket, sys, time
s = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
time.sleep(60)
"""


def test_start_waits_for_the_port_and_stop_ends_the_process(tmp_path: Path) -> None:
    port = free_port()
    peer = PeerProcess([sys.executable, "-c", LISTEN, str(port)], port, tmp_path / "peer.log", tmp_path)
    with running(peer):
        assert port_open(port)
        assert peer.proc is not None and peer.proc.poll() is None
    assert peer.proc.poll() is not None
    assert not port_open(port)
    assert "ready" in (tmp_path / "peer.log").read_text()


def test_a_peer_that_exits_is_a_start_error(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "import sys; print('no such option --port'); sys.exit(2)"]
    peer = PeerProcess(argv, free_port(), tmp_path / "peer.log", tmp_path)
    with pytest.raises(StartError, match="exited with status 2 before listening: no such option --port"):
        peer.start()


def test_a_missing_program_is_a_start_error(tmp_path: Path) -> None:
    peer = PeerProcess(["/nonexistent/peer"], free_port(), tmp_path / "peer.log", tmp_path)
    with pytest.raises(StartError, match="cannot run /nonexistent/peer"):
        peer.start()


def test_a_peer_that_never_listens_is_stopped(tmp_path: Path) -> None:
    peer = PeerProcess([sys.executable, "-c", "import time; time.sleep(60)"], free_port(), tmp_path / "p.log", tmp_path)
    with pytest.raises(StartError, match="not listening"):
        peer.start(timeout=0.5)
    assert peer.proc is not None and peer.proc.poll() is not None


def test_command_text_shows_paths_from_the_root(tmp_path: Path) -> None:
    argv = [str(tmp_path / "interop" / "x.js"), "--port", "1", "a b"]
    assert command_text(argv, tmp_path) == "interop/x.js --port 1 'a b'"
