"""interop.install: what counts as missing, and the errors kept per requirement (nothing is installed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interop import install
from interop.spec import Context, Need


def ctx(tmp_path: Path) -> Context:
    (tmp_path / "interop").mkdir(exist_ok=True)
    return Context(root=tmp_path, out=tmp_path / "out", build=tmp_path / "build")


def test_npm_missing_compares_with_the_lock(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    lock = {"packages": {"node_modules/ws": {"version": "8.23.0"}}}
    (tmp_path / "interop" / "package-lock.json").write_text(json.dumps(lock))
    need = Need("npm", "ws")
    assert install.missing(c, need)
    package = tmp_path / "interop" / "node_modules" / "ws"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"version": "8.22.0"}))
    assert install.missing(c, need)  # not the locked version
    (package / "package.json").write_text(json.dumps({"version": "8.23.0"}))
    assert not install.missing(c, need)
    assert install.version_of(c, need) == "8.23.0"


def test_pip_missing_by_import_name(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    assert not install.missing(c, Need("pip", "aiohttp"))
    assert install.missing(c, Need("pip", "no-such-package-wsinterop", module="no_such_module_wsinterop"))
    assert install.version_of(c, Need("pip", "no-such-package-wsinterop")) is None


def test_install_keeps_one_error_per_requirement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = ctx(tmp_path)
    said: list[str] = []
    calls: list[list[str]] = []

    def fake_run(argv: list[str], cwd: Path | None = None, timeout: float = 0) -> str | None:
        calls.append(list(argv))
        return "npm ci failed (1): E404"

    monkeypatch.setattr(install, "_run", fake_run)
    errors = install.install(c, [Need("npm", "ws"), Need("npm", "ws"), Need("pip", "aiohttp")], said.append)
    assert errors == {Need("npm", "ws"): "npm ci failed (1): E404"}
    assert calls == [["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]]
    assert said == ["npm ci (interop/package-lock.json) into interop/node_modules"]
