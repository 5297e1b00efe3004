"""Autobahn's testee contract, for the Python testees: the URLs, the command line and the case loop.

A library brings two coroutines: `first_message(url)`, the first message a connection receives (the case
count), and `echo(url)`, which echoes every message back with its type until the connection is closed and
says how many it echoed. The loop runs every case even when one fails: a library's exception is its
verdict on that case (the fuzzing server records what happened on the wire), printed and passed over.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

# the largest message a testee accepts: Autobahn's 9.* cases send up to 16 MiB in one message, and no
# library default should fail them by size alone (websockets' is 1 MiB, aiohttp's 4 MiB, Tornado's 10 MiB)
MAX_MESSAGE = 2**25


def count_url(url: str) -> str:
    return f"{url}/getCaseCount"


def case_url(url: str, case: int, agent: str) -> str:
    return f"{url}/runCase?case={case}&agent={quote(agent, safe='')}"


def reports_url(url: str, agent: str) -> str:
    return f"{url}/updateReports?agent={quote(agent, safe='')}"


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Library:
    name: str  # with its version, for the progress lines: "websockets 17.4"
    first_message: Callable[[str], Awaitable[str]]
    echo: Callable[[str], Awaitable[int]]


async def run(library: Library, url: str, agent: str) -> int:
    """getCaseCount, every case, updateReports; the number of cases run."""
    count = int(json.loads(await library.first_message(count_url(url))))
    say(f"{library.name}: {count} cases from {url}, agent {agent}")
    started = time.monotonic()
    for case in range(1, count + 1):
        try:
            echoed = await library.echo(case_url(url, case, agent))
        except Exception as exc:  # the library's own verdict on this case: the server saw it on the wire
            say(f"case {case}/{count}: {type(exc).__name__}: {exc}")
        else:
            say(f"case {case}/{count}: echoed {echoed}")
    say(f"ran {count} cases in {time.monotonic() - started:.1f} s")
    await library.echo(reports_url(url, agent))
    say("reports updated")
    return count


def arguments(
    description: str, argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None
) -> argparse.Namespace:
    """--url and --agent, added to `parser` (a testee's own options) or to a new one."""
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--url", required=True, help="the fuzzing server, ws://HOST:PORT")
    parser.add_argument("--agent", required=True, help="the agent name the reports use")
    return parser.parse_args(argv)


def main(library: Library, argv: Sequence[str] | None = None) -> int:
    """A testee's command line: --url, --agent; 0 when the loop completed."""
    return complete(library, arguments(f"Autobahn testee: {library.name}", argv))


def complete(library: Library, args: argparse.Namespace) -> int:
    """Run the loop for `args.url` and `args.agent`; 0 when it completed."""
    try:
        asyncio.run(run(library, args.url.rstrip("/"), args.agent))
    except Exception as exc:  # no case count, or no report: the loop did not complete
        say(f"{library.name}: {type(exc).__name__}: {exc}")
        return 1
    return 0
