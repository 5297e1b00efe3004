"""Peer processes: a free loopback port, start (ready when the port accepts), stop (by process group)."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


class StartError(RuntimeError):
    """A peer did not come up; the message is one line for the matrix."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect((host, port))
        except OSError:
            return False
        return True


def tail(path: Path, lines: int = 3) -> str:
    """The last lines of a log, joined, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def command_text(argv: Sequence[str], root: Path) -> str:
    """The command as a person would type it from the repository root."""
    shown = []
    for arg in argv:
        path = Path(arg)
        shown.append(str(path.relative_to(root)) if path.is_absolute() and path.is_relative_to(root) else arg)
    return shlex.join(shown)


class PeerProcess:
    """A child in its own session (so its whole process group can be stopped), logging to a file."""

    def __init__(self, argv: Sequence[str], port: int, log: Path, cwd: Path, env: dict[str, str] | None = None):
        self.argv = list(argv)
        self.port = port
        self.log = log
        self.cwd = cwd
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start, and return once the port accepts connections; StartError otherwise (the child is stopped)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            try:
                self.proc = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    env=self.env,
                )
            except OSError as exc:
                raise StartError(f"cannot run {self.argv[0]}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"exited with status {self.proc.returncode} before listening: {tail(self.log)}")
            if port_open(self.port):
                return
            time.sleep(0.1)
        self.stop()
        raise StartError(f"not listening on port {self.port} after {timeout:g} s: {tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM to the child's process group, SIGKILL after STOP_TIMEOUT."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def running(process: PeerProcess) -> Iterator[PeerProcess]:
    process.start()
    try:
        yield process
    finally:
        process.stop()
