"""The browser agents: a WebSocket in a real browser page, driven as a program the page runs itself.

- express.py: what a page can express (anything else is UNIMPLEMENTED, with the reason);
- program.py: a case's steps as the JSON program the page runs (page/agent.js is the interpreter);
- session.py: one case in one page, segment by segment, into the observation;
- driver.py: what every browser agent shares: the agent page, a pool of pages, sessions;
- engines.py: Chromium and Firefox through Playwright;
- webkit.py: WebKitGTK through its WebDriver (W3C WebDriver classic), under a private X server.
"""

from __future__ import annotations

from .driver import PageDriver
from .engines import CHROMIUM, FIREFOX, LAUNCH_ARGS, BrowserDriver, Engine, chromium_path
from .express import unsupported_in_page
from .session import PageProgramError
from .webkit import WebKitDriver

__all__ = [
    "CHROMIUM",
    "FIREFOX",
    "LAUNCH_ARGS",
    "BrowserDriver",
    "Engine",
    "PageDriver",
    "PageProgramError",
    "WebKitDriver",
    "chromium_path",
    "unsupported_in_page",
]
