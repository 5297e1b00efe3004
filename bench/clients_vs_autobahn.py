"""Agreement of the fuzzing server's verdicts with Autobahn's own, for the same clients (issue 11: >= 98%).

A script, not a test: it prints figures. Give it Autobahn's fuzzingserver report (`reports/index.json` of
`../shared/tools/autobahn/run_fuzzingserver.sh`, shaped {agent: {id: verdicts}}) and wsinterop's
(`index.json` of `python -m harness fuzzingserver --out DIR`, {agent: {draft: {id: verdicts}}}); for each
agent in both it compares behaviour and close on the ids both have (rfc6455), and lists the differences.

    python bench/clients_vs_autobahn.py AUTOBAHN_INDEX_JSON WSINTEROP_INDEX_JSON
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def verdicts(cases: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {i: (v["behavior"], v["behaviorClose"]) for i, v in cases.items()}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    autobahn = json.loads(Path(argv[0]).read_text())
    ours = json.loads(Path(argv[1]).read_text())
    for agent in sorted(set(autobahn) & set(ours)):
        theirs, mine = verdicts(autobahn[agent]), verdicts(ours[agent].get("rfc6455", {}))
        shared = [i for i in theirs if i in mine]
        differ = [i for i in shared if theirs[i] != mine[i]]
        share = 100 * (len(shared) - len(differ)) / max(len(shared), 1)
        print(f"{agent}: {len(shared)} ids in both, {len(shared) - len(differ)} the same ({share:.1f}%)")
        for i in differ:
            print(f"    {i}: Autobahn {' / '.join(theirs[i])}, wsinterop {' / '.join(mine[i])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
