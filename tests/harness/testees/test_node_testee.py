"""harness/testees/node/testee.js: what it refuses, with exit status 1 and one line (the loop itself runs in
tests/harness/subjects/test_libraries.py, for every library and draft)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from harness.subjects.libraries import NODE_MODULES, NODE_TESTEE


def node(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (apt-get install -y nodejs)")
    if not (NODE_MODULES / "websocket-driver" / "package.json").is_file():
        pytest.skip(f"websocket-driver is not in {NODE_MODULES} (npm ci in interop/)")
    argv = ["node", str(NODE_TESTEE), "--modules", str(NODE_MODULES), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_websocket_driver_has_no_client_for_version_8() -> None:
    done = node("--lib", "websocket-driver", "--draft", "hybi-08", "--url", "ws://127.0.0.1:1", "--agent", "a")
    assert done.returncode == 1
    assert done.stderr == "testee: websocket-driver's client speaks only version 13, not 8\n"


def test_an_unknown_draft_or_library_is_refused() -> None:
    done = node("--lib", "ws", "--draft", "hixie-76", "--url", "ws://127.0.0.1:1", "--agent", "a")
    assert (done.returncode, done.stderr) == (1, "testee: unknown draft hixie-76\n")
    done = node("--lib", "faye", "--url", "ws://127.0.0.1:1", "--agent", "a")
    assert (done.returncode, done.stderr) == (1, "testee: unknown library faye\n")
