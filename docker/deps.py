"""Print the project's runtime dependencies from pyproject.toml, one requirement a line, for
`pip install -r`. Used by the Dockerfile so that the image installs exactly what pyproject declares,
before the source is copied (the dependency layers then stay cached while the code changes).

    python3 docker/deps.py pyproject.toml --without playwright   # everything but the browser driver
    python3 docker/deps.py pyproject.toml --only playwright      # only the browser driver
    python3 docker/deps.py pyproject.toml --without playwright --extra accel   # and an optional group
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib


def name(requirement: str) -> str:
    """The normalized distribution name of a PEP 508 requirement (`PyYAML>=6` -> `pyyaml`)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise SystemExit(f"deps.py: cannot read the requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match[1]).lower()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pyproject")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--without", nargs="+", default=[], metavar="NAME", help="leave these out")
    group.add_argument("--only", nargs="+", default=[], metavar="NAME", help="keep only these")
    p.add_argument("--extra", action="append", default=[], metavar="GROUP", help="add an optional-dependencies group")
    args = p.parse_args(argv)
    with open(args.pyproject, "rb") as f:
        project = tomllib.load(f)["project"]
    requirements: list[str] = list(project["dependencies"])
    for extra in args.extra:
        if extra not in project.get("optional-dependencies", {}):
            print(f"deps.py: no optional-dependencies group {extra!r} in {args.pyproject}", file=sys.stderr)
            return 1
        requirements += project["optional-dependencies"][extra]
    without = {name(n) for n in args.without}
    only = {name(n) for n in args.only}
    chosen = [r for r in requirements if name(r) not in without and (not only or name(r) in only)]
    missing = only - {name(r) for r in chosen}
    if missing:
        print(f"deps.py: not a dependency in {args.pyproject}: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    print("\n".join(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
