"""The webkit agent: Debian's WebKitGTK (its MiniBrowser) through WebKitWebDriver, W3C WebDriver classic.

Playwright cannot drive it: Playwright's WebKit backend speaks its own protocol (`--inspector-pipe`) to
the WebKit build it downloads, which stock WebKitGTK lacks, and WebKitGTK here has no WebDriver BiDi.
WebDriver classic is enough for what a page session needs: load a URL, run a function in the page
(`execute/sync` awaits the promise it returns), take a screenshot. Two limits shape this driver:

- WebKitGTK has no headless mode: MiniBrowser needs an X display, so the driver runs a private Xvfb
  (without a display, WebKitWebDriver never answers a new session: its creation has a ceiling);
- one session per WebKitWebDriver process, and a session runs one script at a time: every page is a
  WebKitWebDriver process of its own (MiniBrowser and its web and network processes in its process group).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import glob
import os
import shutil
import signal
import socket
from typing import Any

import aiohttp

from ...run.driver import AgentStartError
from .driver import OwnTab, PageDriver

MINIBROWSER = "/usr/lib/*/webkit2gtk-4.*/MiniBrowser"  # a pattern: the directory names the architecture
PACKAGES = "webkit2gtk-driver xvfb"
START_TIMEOUT = 30.0  # seconds for Xvfb, a WebKitWebDriver and its new session (a ceiling)


class WebDriverError(RuntimeError):
    """An error WebKitWebDriver answered (a script that threw is 'javascript error: ...')."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class WebDriverTab:
    """One MiniBrowser window: a WebKitWebDriver process with its one session."""

    def __init__(self, http: aiohttp.ClientSession, process: asyncio.subprocess.Process, base: str) -> None:
        self.http = http
        self.process = process
        self.base = base  # http://127.0.0.1:PORT/session/ID once the session exists
        self.url = ""
        self.capabilities: dict[str, Any] = {}

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, display: str, browser: str, checking: bool = False
    ) -> WebDriverTab:
        port = _free_port()
        process = await asyncio.create_subprocess_exec(
            "WebKitWebDriver",
            "--host=127.0.0.1",
            f"--port={port}",
            env={**os.environ, "DISPLAY": display},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # its own process group: MiniBrowser and its helpers join it
        )
        tab = cls(http, process, f"http://127.0.0.1:{port}")
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await tab._until_listening()
                options = {"binary": browser, "args": ["--automation"]}
                timeouts = {"script": None, "pageLoad": int(START_TIMEOUT * 1000)}  # scripts: the case's own
                # acceptInsecureCerts: a wss:// target's certificate may be signed by a CA of its own
                insecure = not checking
                match = {"webkitgtk:browserOptions": options, "timeouts": timeouts, "acceptInsecureCerts": insecure}
                caps = {"alwaysMatch": match}
                value = await tab._call("POST", "/session", {"capabilities": caps})
        except BaseException:
            await tab.close()
            raise
        tab.base += f"/session/{value['sessionId']}"
        tab.capabilities = value["capabilities"]
        return tab

    async def _until_listening(self) -> None:
        """WebKitWebDriver prints nothing when it is ready: try its port until it answers (or it exits)."""
        while True:
            with contextlib.suppress(aiohttp.ClientConnectionError):
                await self._call("GET", "/status")
                return
            if self.process.returncode is not None:
                raise AgentStartError(f"WebKitWebDriver exited with status {self.process.returncode}")
            await asyncio.sleep(0.02)

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, self.base + path, json=body) as response:
            answer = await response.json(content_type=None)
        value = answer["value"]
        if response.status >= 400:
            raise WebDriverError(f"{value.get('error')}: {value.get('message')}")
        return value

    async def goto(self, url: str) -> None:
        self.url = url
        await self._call("POST", "/url", {"url": url})

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        script = f"return Promise.resolve(({function})(arguments[0]));"
        return await self._call("POST", "/execute/sync", {"script": script, "args": [arg]})

    async def screenshot(self) -> bytes:
        return base64.b64decode(await self._call("GET", "/screenshot"))

    async def close(self) -> None:
        """End the session (MiniBrowser quits), then the driver's whole process group, and wait until none of
        its processes runs: MiniBrowser's helpers would outlive their driver otherwise."""
        if "/session/" in self.base:
            with contextlib.suppress(aiohttp.ClientError, WebDriverError, TimeoutError):
                async with asyncio.timeout(5):
                    await self._call("DELETE", "")
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        await self.process.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while running_in_group(group):  # no event tells when a process we did not start ends
                    await asyncio.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def running_in_group(group: int) -> list[int]:
    """The processes of a process group that still run (zombies, which no longer run, left out)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rpartition(")")[2].split()  # after "pid (comm)": state, ppid, pgrp, ...
                if int(fields[2]) == group and fields[0] != "Z":
                    pids.append(int(entry.name))
    return pids


class WebKitDriver(PageDriver):
    """WebKitGTK through WebKitWebDriver, under a private Xvfb."""

    ignoring = "WebDriver's acceptInsecureCerts, for every session"
    maps_names = False  # WebKitGTK has no host resolver rules: the mixed-content case is beyond it

    def __init__(self) -> None:
        super().__init__("webkit", "WebKit")
        self._xvfb: asyncio.subprocess.Process | None = None
        self._display = ""
        self._http: aiohttp.ClientSession | None = None
        self._browser_version = ""
        self._minibrowser = ""

    def _version(self) -> str:
        return f"{self._browser_version} (WebKitGTK MiniBrowser)"

    async def _launch(self) -> None:
        browsers = sorted(glob.glob(MINIBROWSER))
        missing = [p for p in ("WebKitWebDriver", "Xvfb") if shutil.which(p) is None] + (
            [] if browsers else [MINIBROWSER]
        )
        if missing:
            raise AgentStartError(f"WebKit not found: no {', '.join(missing)} (apt-get install -y {PACKAGES})")
        self._minibrowser = browsers[-1]
        # -displayfd 1: Xvfb picks a free display and prints its number on stdout once it is ready
        self._xvfb = await asyncio.create_subprocess_exec(
            "Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert self._xvfb.stdout is not None
        async with asyncio.timeout(START_TIMEOUT):
            number = (await self._xvfb.stdout.readline()).decode().strip()
        if not number.isdigit():
            raise AgentStartError(f"Xvfb did not start (it printed {number!r})")
        self._display = f":{number}"
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        first = await WebDriverTab.open(
            self._http, self._display, self._minibrowser
        )  # tells the version; serves the first session
        self._browser_version = str(first.capabilities.get("browserVersion", "?"))
        self._idle.append(first)

    async def _new_tab(self, checking: bool = False) -> OwnTab:
        assert self._http is not None
        return await WebDriverTab.open(self._http, self._display, self._minibrowser, checking)

    async def _shutdown(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._xvfb is not None:
            with contextlib.suppress(ProcessLookupError):
                self._xvfb.terminate()
            await self._xvfb.wait()
            self._xvfb = None
