"""Install what a peer needs from its registry when it is missing, and read installed versions.

pip installs into the running interpreter's environment (the project's .venv); npm runs `npm ci` in
interop/ (package-lock.json pins the versions); apt installs Debian packages (root only, one
`apt-get update` first when a package cannot be found). Every failure is one line, kept per requirement,
so that a peer whose install failed is shown with its error and the others still run.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .spec import JAVA_DIR, JETTY_JARS, Context, Need

Say = Callable[[str], None]
INSTALL_TIMEOUT = 600.0


def _run(argv: Sequence[str], cwd: Path | None = None, timeout: float = INSTALL_TIMEOUT) -> str | None:
    """Run a command; None when it succeeded, else its last output line."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            argv,
            check=False,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return f"{argv[0]} is not installed"
    except subprocess.TimeoutExpired:
        return f"{' '.join(argv[:3])} took more than {timeout:g} s"
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return f"{' '.join(argv[:3])} failed ({done.returncode}): {lines[-1] if lines else 'no output'}"


def pip_missing(need: Need) -> bool:
    return importlib.util.find_spec(need.module or need.package) is None


def npm_version(ctx: Context, package: str) -> str | None:
    try:
        data = json.loads((ctx.node_dir / "node_modules" / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version")
    return str(version) if version else None


def npm_locked(ctx: Context, package: str) -> str | None:
    """The version package-lock.json pins."""
    try:
        lock = json.loads((ctx.node_dir / "package-lock.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = lock.get("packages", {}).get(f"node_modules/{package}", {}).get("version")
    return str(version) if version else None


def apt_version(package: str) -> str | None:
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Status}\t${Version}", package],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    status, _, version = done.stdout.partition("\t")
    return version if done.returncode == 0 and status.endswith(" installed") else None


def version_of(ctx: Context, need: Need) -> str | None:
    if need.registry == "pip":
        try:
            return importlib.metadata.version(need.package)
        except importlib.metadata.PackageNotFoundError:
            return None
    if need.registry == "npm":
        return npm_version(ctx, need.package)
    return apt_version(need.package)


def missing(ctx: Context, need: Need) -> bool:
    if need.registry == "pip":
        return pip_missing(need)
    if need.registry == "npm":
        current = npm_version(ctx, need.package)
        return current is None or current != npm_locked(ctx, need.package)
    return apt_version(need.package) is None


def install(ctx: Context, needs: Iterable[Need], say: Say) -> dict[Need, str]:
    """Install the missing requirements; {requirement: error} for those that are still missing."""
    todo = [n for n in dict.fromkeys(needs) if missing(ctx, n)]
    errors: dict[Need, str] = {}
    pip = [n for n in todo if n.registry == "pip"]
    if pip:
        say(f"pip install {' '.join(n.package for n in pip)}")
        error = _run(
            [ctx.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *(n.package for n in pip)]
        )
        errors.update({n: error for n in pip if error and pip_missing(n)})
    if any(n.registry == "npm" for n in todo):
        say("npm ci (interop/package-lock.json) into interop/node_modules")
        error = _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ctx.node_dir)
        errors.update({n: error or "not installed by npm ci" for n in todo if n.registry == "npm" and missing(ctx, n)})
    apt = [n for n in todo if n.registry == "apt"]
    if apt:
        errors.update(_apt(apt, say))
    return errors


def _apt(needs: list[Need], say: Say) -> dict[Need, str]:
    if os.geteuid() != 0:
        return {n: f"not root: apt-get install {n.package} by hand" for n in needs}
    packages = [n.package for n in needs]
    argv = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    say(" ".join(argv))
    error = _run(argv)
    if error:
        say("apt-get update, then again")
        error = _run(["apt-get", "update", "-q"]) or _run(argv)
    return {n: error or "not installed" for n in needs if apt_version(n.package) is None}


def build_jetty(ctx: Context, say: Say) -> str | None:
    """Compile interop/peers/java/JettyEcho.java against Debian's Jetty 9 jars; an error line or None."""
    if shutil.which("javac") is None:
        return "javac is not installed (apt-get install default-jdk-headless)"
    absent = [jar for jar in JETTY_JARS if not (JAVA_DIR / f"{jar}.jar").exists()]
    if absent:
        return f"missing {', '.join(absent)} in {JAVA_DIR}"
    source = ctx.root / "interop" / "peers" / "java" / "JettyEcho.java"
    target = ctx.build / "jetty"
    if (target / "JettyEcho.class").exists() and (target / "JettyEcho.class").stat().st_mtime >= source.stat().st_mtime:
        return None
    target.mkdir(parents=True, exist_ok=True)
    classpath = ":".join(str(JAVA_DIR / f"{jar}.jar") for jar in JETTY_JARS)
    say(f"javac JettyEcho.java -> {target}")
    return _run(["javac", "-d", str(target), "-cp", classpath, str(source)], timeout=300)
