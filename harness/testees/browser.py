"""The browser testee: Debian's Chromium or Firefox ESR, headless, started on its own with a fresh profile,
runs the whole case loop in a page (browser.html) and posts its progress and its end to the small HTTP
server on 127.0.0.1 (an ephemeral port) that served the page. Chromium blocks WebSockets to loopback from
about:blank and from public pages, hence the page from loopback.

No Playwright here: its protocols (CDP for Chromium) carry every WebSocket frame the page sends or receives
to the driver and on to the Python client, payload and all (base64 for binary). Over the 11 GB of 12.* and
13.* that cost as much CPU as the fuzzing server itself, and the driver grew to 5 GB. The browser under
test runs as a user's would, watched by nothing but its page.

    python -m harness.testees.browser --engine chromium|firefox --url ws://HOST:PORT --agent NAME
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from ..agents.browser import CHROMIUM, FIREFOX, LAUNCH_ARGS, Engine
from .contract import say

ENGINES = {engine.name: engine for engine in (CHROMIUM, FIREFOX)}
PAGE = files(__package__).joinpath("browser.html").read_text(encoding="utf-8")
# a fresh Firefox profile's first-run chores, which would only try the network
FIRST_RUN_PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
}
STOP_TIMEOUT = 10.0  # seconds a browser has to end after SIGTERM before SIGKILL


async def _serve_page(done: asyncio.Future[dict[str, Any]]) -> tuple[web.AppRunner, str]:
    """The page on http://127.0.0.1:PORT/ (an ephemeral port), whose progress lines (POST /log) are printed
    and whose outcome (POST /done: {count} or {error}) completes `done`; the runner to clean up, the URL."""

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def log(request: web.Request) -> web.Response:
        say(await request.text())
        return web.Response()

    async def end(request: web.Request) -> web.Response:
        if not done.done():
            done.set_result(json.loads(await request.text()))
        return web.Response()

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_post("/log", log)
    app.router.add_post("/done", end)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/"


def command(engine: Engine, path: str, profile: Path, url: str) -> list[str]:
    """The command line that opens `url` in a headless browser with the profile directory `profile`."""
    if engine.name == CHROMIUM.name:
        return [path, "--headless", *LAUNCH_ARGS, f"--user-data-dir={profile}", url]
    prefs = "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in FIRST_RUN_PREFS.items())
    (profile / "user.js").write_text(prefs, encoding="utf-8")
    return [path, "--headless", "--no-remote", "--profile", str(profile), url]


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """End the browser and every process it started (its own session): SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
            return


def _last_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "nothing on stderr"


async def run(engine: Engine, url: str, agent: str) -> int:
    """The loop in the page of a fresh headless browser; the number of cases run."""
    path = engine.path()
    if path is None:
        raise RuntimeError(f"{engine.title} not found at {' or '.join(engine.paths)}")
    done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    runner, page_url = await _serve_page(done)
    try:
        with tempfile.TemporaryDirectory(prefix="wsinterop-testee-", ignore_cleanup_errors=True) as tmp:
            profile, stderr = Path(tmp) / "profile", Path(tmp) / "stderr.txt"
            profile.mkdir()
            argv = command(engine, path, profile, f"{page_url}?{urlencode({'url': url, 'agent': agent})}")
            with open(stderr, "wb") as err:
                proc = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True
                )
            try:
                exited = asyncio.ensure_future(proc.wait())
                await asyncio.wait((done, exited), return_when=asyncio.FIRST_COMPLETED)
            finally:
                await _stop(proc)
            if not done.done():
                why = _last_line(stderr)
                raise RuntimeError(f"{engine.title} ended ({proc.returncode}) before its page did: {why}")
    finally:
        await runner.cleanup()
    outcome = done.result()
    if "error" in outcome:
        raise RuntimeError(f"the page's loop failed: {outcome['error']}")
    count = int(outcome["count"])
    say(f"{engine.title}: {count} cases, reports updated")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Autobahn testee: a page in a headless browser started on its own")
    parser.add_argument("--engine", required=True, choices=sorted(ENGINES))
    parser.add_argument("--url", required=True, help="the fuzzing server, ws://HOST:PORT")
    parser.add_argument("--agent", required=True, help="the agent name the reports use")
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(ENGINES[args.engine], args.url.rstrip("/"), args.agent))
    except Exception as exc:
        say(f"{args.engine}: {type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
