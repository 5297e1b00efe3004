"""`make autobahn-compare`: Autobahn|Testsuite and wsinterop on the same echo servers, verdict by verdict.

For each NAME (default: websockets aiohttp): start `peers/NAME_echo.py`, run Autobahn's fuzzingclient on it
(cases 1.* to 10.*; the spec offers the subprotocol echo, as every wsinterop case does, since the websockets
peer refuses a client that offers none), stop it; start it again and run wsinterop's cases tagged `autobahn`
(rfc6455, python agent); then compare the two index.json files id by id. An id agrees when both the
behaviour and the close verdict are equal. Prints the agreement per peer and every disagreement; writes
reports/autobahn/NAME/{autobahn,wsinterop}/ and NAME/compare.txt.

With `--deflate` the comparison is on permessage-deflate instead: the peers start with compression on
(`--deflate`), Autobahn runs its 12.* and 13.* (216 cases; some 7 to 9 minutes per peer here) and we run
ours with those ids; `--autobahn-reports DIR` takes Autobahn's verdicts from DIR/NAME/reports/index.json
(a run made earlier, as ../shared/tools/autobahn/README.md shows) instead of running it again.

Autobahn is the Python 3 build of ../shared/tools/autobahn (its setup.sh makes the venv
~/.cache/autobahn-testsuite/venv; AUTOBAHN_VENV names another). Exit status: 0 when every run finished,
3 when Autobahn is not installed or a peer did not start.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import EXIT_NO_PEER, PEERS, NoPeer, harness_run, started_peer

VENV = Path(os.environ.get("AUTOBAHN_VENV", Path.home() / ".cache" / "autobahn-testsuite" / "venv"))
CASES_TIMEOUT = 2400.0  # a ceiling for Autobahn's run (1.* to 10.*: about 20 s here; 12.* and 13.*: 7 to 9 min)
PLAIN = (["*"], ["12.*", "13.*"])  # Autobahn's cases and exclusions: all but permessage-deflate
DEFLATE: tuple[list[str], list[str]] = (["12.*", "13.*"], [])  # permessage-deflate alone


@dataclass
class Comparison:
    shared: list[str] = field(default_factory=list)
    disagree: list[tuple[str, str, str]] = field(default_factory=list)  # (id, Autobahn's, ours)
    only_autobahn: list[str] = field(default_factory=list)

    @property
    def agree(self) -> int:
        return len(self.shared) - len(self.disagree)

    def line(self, label: str) -> str:
        share = 100 * self.agree / len(self.shared) if self.shared else 0.0
        return f"{label}: {self.agree} of {len(self.shared)} shared ids agree ({share:.1f}%)"


def id_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in case_id.split("."))


def verdicts(index: dict[str, Any]) -> dict[str, str]:
    """{id: "BEHAVIOR/CLOSE"} of an index.json: Autobahn's {agent: {id: ...}} or ours {agent: {draft: {id: ...}}}."""
    (by_agent,) = [v for v in index.values() if isinstance(v, dict)][:1]
    cases = by_agent.get("rfc6455", by_agent)
    return {i: f"{v['behavior']}/{v['behaviorClose']}" for i, v in cases.items() if isinstance(v, dict)}


def compare(autobahn: dict[str, str], ours: dict[str, str]) -> Comparison:
    result = Comparison(shared=sorted(set(autobahn) & set(ours), key=id_key))
    result.disagree = [(i, autobahn[i], ours[i]) for i in result.shared if autobahn[i] != ours[i]]
    result.only_autobahn = sorted(set(autobahn) - set(ours), key=id_key)
    return result


def run_autobahn(url: str, agent: str, out: Path, selection: tuple[list[str], list[str]] = PLAIN) -> Path:
    """Autobahn's fuzzingclient against `url` on `selection` (cases, exclusions); its index.json."""
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()  # wstest runs in `out` and reads the spec's paths from there
    spec = {
        "outdir": str(out / "reports"),
        "servers": [{"agent": agent, "url": url, "protocols": ["echo"]}],
        "cases": selection[0],
        "exclude-cases": selection[1],
        "exclude-agent-cases": {},
    }
    (out / "spec.json").write_text(json.dumps(spec, indent=2))
    with (out / "wstest.log").open("wb") as log:
        command = [str(VENV / "bin" / "wstest"), "-m", "fuzzingclient", "-s", str(out / "spec.json")]
        subprocess.run(command, cwd=out, stdout=log, stderr=subprocess.STDOUT, timeout=CASES_TIMEOUT, check=False)
    return out / "reports" / "index.json"


def latest_index(out: Path) -> Path:
    return (out / "latest").resolve() / "index.json"


def compare_peer(name: str, out: Path, deflate: bool = False, reports: Path | None = None) -> Comparison:
    options = ["--deflate"] if deflate else []
    if reports is not None:
        autobahn = reports / name / "reports" / "index.json"
    else:
        with started_peer(name, out / "autobahn" / "server.log", *options) as (line, url):
            print(f"== {line}: Autobahn|Testsuite", flush=True)
            autobahn = run_autobahn(url, name, out / "autobahn", DEFLATE if deflate else PLAIN)
    with started_peer(name, out / "wsinterop" / "server.log", *options) as (line, url):
        print(f"== {line}: wsinterop", flush=True)
        selection = ["--cases", *DEFLATE[0]] if deflate else ["--exclude-tag", "compression"]
        harness_run(url, out / "wsinterop", "--tag", "autobahn", *selection)
    ours = latest_index(out / "wsinterop")
    result = compare(verdicts(json.loads(autobahn.read_text())), verdicts(json.loads(ours.read_text())))
    lines = [result.line(line.split(" echo server")[0])]
    lines += [f"  {i}: Autobahn {ab} | wsinterop {ws}" for i, ab, ws in result.disagree]
    if result.only_autobahn:
        lines.append(f"  only in Autobahn: {' '.join(result.only_autobahn)}")
    (out / "compare.txt").write_text("\n".join(lines) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(PEERS), help=f"peers (default: {' '.join(PEERS)})")
    parser.add_argument("--out", type=Path, default=Path("reports/autobahn"), help="reports/autobahn/NAME (default)")
    parser.add_argument("--deflate", action="store_true", help="compare on 12.* and 13.*, the peers compressing")
    parser.add_argument(
        "--autobahn-reports", type=Path, metavar="DIR", help="Autobahn's verdicts from DIR/NAME/reports/index.json"
    )
    args = parser.parse_args(argv)
    if not (VENV / "bin" / "wstest").is_file():
        print(f"Autobahn|Testsuite is not installed in {VENV}: run ../shared/tools/autobahn/setup.sh", file=sys.stderr)
        return EXIT_NO_PEER
    summary = []
    for name in args.names:
        try:
            compare_peer(name, args.out / name, args.deflate, args.autobahn_reports)
        except NoPeer as exc:
            print(exc, file=sys.stderr)
            return EXIT_NO_PEER
        summary.append((args.out / name / "compare.txt").read_text())
    print("".join(summary), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
