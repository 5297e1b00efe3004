"""The browser agents: a WebSocket in a real browser page, driven as a program the page runs itself.

- engines.py: the engines (Debian's Chromium and Firefox ESR) and how Playwright launches them;
- express.py: what a page can express (anything else is UNIMPLEMENTED, with the reason);
- program.py: a case's steps as the JSON program the page runs (page/agent.js is the interpreter);
- session.py: one case in one page, segment by segment, into the observation;
- driver.py: the Playwright driver: one browser per run, one context per connection.
"""

from __future__ import annotations

from .driver import BrowserDriver
from .engines import CHROMIUM, FIREFOX, LAUNCH_ARGS, Engine, chromium_path
from .express import unsupported_in_page
from .session import PageProgramError

__all__ = [
    "CHROMIUM",
    "FIREFOX",
    "LAUNCH_ARGS",
    "BrowserDriver",
    "Engine",
    "PageProgramError",
    "chromium_path",
    "unsupported_in_page",
]
