"""wire imports only the standard library (design rule 1), and its optional accelerator when installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import wire

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
before = set(sys.modules)
import wire
print(json.dumps({"all": sorted(sys.modules), "new": sorted(set(sys.modules) - before)}))
"""


ACCELERATOR = "websockets"  # the `accel` extra: wire.masking takes websockets.speedups.apply_mask


def _allowed(name: str, accelerator: bool = False) -> bool:
    top = name.split(".", maxsplit=1)[0]
    return top in sys.stdlib_module_names or name == "__main__" or top == "wire" or (accelerator and top == ACCELERATOR)


@pytest.mark.parametrize("flags", [["-S"], []], ids=["no-site", "with-site"])
def test_import_loads_only_stdlib(flags: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, *flags, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    modules = json.loads(out.stdout)
    assert "wire.connection" in modules["new"]
    # with -S nothing but the interpreter's own modules is loaded before, so every module must pass;
    # with site, .pth hooks of the venv may load modules first, so only what the import added counts
    checked = modules["all"] if flags else modules["new"]
    offenders = [name for name in checked if not _allowed(name, accelerator=not flags)]
    assert offenders == []


BLOCKED = """
import json, sys
sys.modules["websockets.speedups"] = None  # an accelerator that cannot be imported
before = set(sys.modules)
import wire, wire.masking
from wire import ClientHandshake, Connection, Draft
client = Connection.client(ClientHandshake.build(Draft.RFC6455, "h"))
server = Connection.server()
server.receive_data(client.data_to_send())
server.events()
server.accept()
client.receive_data(server.data_to_send())
client.send_binary(bytes(range(256)) * 300)
server.receive_data(client.data_to_send())
(message,) = server.events()
print(json.dumps({"fast": wire.masking.FAST is not None, "ok": message.data == bytes(range(256)) * 300,
                  "new": sorted(set(sys.modules) - before)}))
"""


def test_without_the_accelerator_everything_is_stdlib_and_works() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCKED], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    assert (result["fast"], result["ok"]) == (False, True)
    assert [name for name in result["new"] if not _allowed(name)] == []


def test_the_accelerator_is_installed_for_development() -> None:
    """The dev environment has the `accel` extra: its speed is what the benchmarks and tests measure."""
    import wire.masking

    assert wire.masking.FAST is not None


def test_allowed_rejects_third_party_and_project_modules() -> None:
    assert _allowed("json") and _allowed("collections.abc") and _allowed("wire.frames")
    assert not _allowed("yaml") and not _allowed("aiohttp.web") and not _allowed("harness.cases.model")
    assert not _allowed("websockets.speedups") and _allowed("websockets.speedups", accelerator=True)
    assert not _allowed("wirex") and not _allowed("server.app")


def test_public_names_resolve() -> None:
    for name in wire.__all__:
        assert getattr(wire, name) is not None, name
    assert len(set(wire.__all__)) == len(wire.__all__)
