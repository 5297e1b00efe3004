"""The client half in Chromium: peers/node/scenario.js in a page of the reference server's own origin (so
that Local Network Access checks allow the loopback WebSocket), with the page's native WebSocket.

`python -m interop.browser_client --url ws://127.0.0.1:PORT/ --page http://127.0.0.1:PORT/` prints one
JSON line, as the other client scripts do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from harness.agents.browser import LAUNCH_ARGS, chromium_path

SCENARIO = Path(__file__).parent / "peers" / "node" / "scenario.js"
RUN = "([url, count]) => wsinteropScenario((protocol) => new WebSocket(url, protocol), count)"


async def run(url: str, page_url: str, count: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    path = chromium_path()
    if path is None:
        return {"ok": False, "rejected": False, "steps": [], "error": "Chromium is not installed"}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(bypass_csp=True)  # the page's CSP forbids an added inline script
            await page.goto(page_url)
            await page.add_script_tag(content=SCENARIO.read_text(encoding="utf-8"))
            result: dict[str, Any] = await page.evaluate(RUN, [url, count])
            return {"library": "chromium", "version": str(browser.version), **result}
        finally:
            await browser.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--page", required=True, help="a page of the server's origin to run the scenario in")
    p.add_argument("--count", type=int, default=8)
    args = p.parse_args()
    try:
        result = asyncio.run(run(args.url, args.page, args.count))
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        result = {"ok": False, "rejected": False, "steps": [], "error": f"Chromium: {first}"}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
