"""Version texts: of an implementation (its packages as installed, and its runtime) and of the host."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys

from .install import version_of
from .spec import ClientSpec, Context, ServerSpec


@functools.cache
def _first_line(*argv: str) -> str:
    try:
        done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else ""


def node() -> str:
    found = _first_line("node", "--version")
    return f"Node {found}" if found else ""


def java() -> str:
    return _first_line("java", "-version").replace('"', "")


def python() -> str:
    return f"Python {platform.python_version()}"


def runtime(registry: str) -> str:
    return {"pip": python(), "npm": node()}.get(registry, "")


def describe(ctx: Context, spec: ServerSpec | ClientSpec) -> str:
    """e.g. "ws 8.23.0 (Node v20.20.2)", "libwebsockets-test-server 4.1.6-3"."""
    parts = [f"{n.package} {version_of(ctx, n) or '(not installed)'}" for n in spec.version]
    registries = {n.registry for n in spec.version}
    extra = [runtime(r) for r in sorted(registries) if runtime(r)]
    if isinstance(spec, ServerSpec) and spec.prepare == "jetty" and java():
        extra.append(java())
    return ", ".join(parts) + (f" ({', '.join(extra)})" if extra else "")


def host() -> str:
    bits = [f"{platform.system()} {platform.release()}", f"{os.cpu_count()} cores", python()]
    bits += [v for v in (node(), java()) if v]
    return ", ".join(bits) + f"; {sys.executable}"
