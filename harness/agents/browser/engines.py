"""The browser engines wsinterop drives, each a Debian package: where its binary lives and how Playwright
launches it. Playwright never downloads a browser here (`playwright install` is never run)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any

LAUNCH_ARGS = [
    "--no-sandbox",  # root in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
FIREFOX_PATHS = ("/usr/lib/firefox-esr/firefox-esr",)


@dataclass(frozen=True)
class Engine:
    name: str  # the agent's name: chromium, firefox
    title: str  # for people: Chromium, Firefox
    package: str  # the Debian package that installs it
    paths: tuple[str, ...]  # where its binary may be, in order
    browser_type: str  # Playwright's: playwright.chromium or playwright.firefox
    options: dict[str, Any] = field(default_factory=dict)  # for browser_type.launch()

    def path(self) -> str | None:
        return next((p for p in self.paths if shutil.which(p)), None)

    async def launch(self, playwright: Any, path: str) -> Any:
        """A headless browser from the binary at `path`."""
        browser_type = getattr(playwright, self.browser_type)
        return await browser_type.launch(executable_path=path, headless=True, **self.options)


CHROMIUM = Engine("chromium", "Chromium", "chromium", CHROMIUM_PATHS, "chromium", {"args": LAUNCH_ARGS})
# WebDriver BiDi: Playwright's own protocol for Firefox (Juggler) needs its patched build; Debian's speaks BiDi
FIREFOX = Engine("firefox", "Firefox", "firefox-esr", FIREFOX_PATHS, "firefox", {"channel": "moz-firefox"})


def chromium_path() -> str | None:
    return CHROMIUM.path()
