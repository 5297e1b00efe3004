"""The browser agents' own server on loopback: the agent page, over http and over https, and a plain WebSocket
endpoint for the mixed-content case.

The agent page is served by the driver itself, so any target works: Chromium's Local Network Access checks
refuse WebSockets to loopback from a page of any other origin (a routed or data: page included). It is
served cross-origin isolated (COOP + COEP), which gives the page a fine clock (Firefox and WebKit clamp
performance.now() to 1 ms otherwise).

Mixed content (a page loaded over https opening ws://) needs a ws:// URL that is not loopback's: browsers
treat 127.0.0.1 and localhost as potentially trustworthy and let an https page reach them. MIXED_HOST is a
name under .test (reserved: never a real host) that the browsers are told to resolve to 127.0.0.1, so a
browser that did not refuse it would reach the endpoint here and open.
"""

from __future__ import annotations

import ssl
from importlib.resources import files

from aiohttp import web

ISOLATED = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
MIXED_HOST = "mixed.wsinterop.test"


def _self_signed() -> ssl.SSLContext:
    """TLS for the https agent page: a certificate of a CA made for the run (pages ignore its errors)."""
    import trustme  # imported only here: it brings cryptography, slow to import

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA(organization_name="wsinterop browser agents").issue_cert("127.0.0.1").configure_cert(context)
    return context


async def _plain(request: web.Request) -> web.WebSocketResponse:
    """The mixed-content case's ws:// endpoint: it accepts (so a browser that did not refuse opens) and
    waits for the page to close."""
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for _ in ws:
        pass
    return ws


class PageServer:
    """http://127.0.0.1:P/agent.html, https://127.0.0.1:S/agent.html and ws://MIXED_HOST:P/plain."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.agent_url = ""
        self.secure_agent_url = ""
        self.mixed_url = ""

    async def start(self) -> None:
        html = (files("harness.agents") / "page" / "agent.html").read_text(encoding="utf-8")

        async def agent(request: web.Request) -> web.Response:
            return web.Response(text=html, content_type="text/html", headers=ISOLATED)

        app = web.Application()
        app.router.add_get("/agent.html", agent)
        app.router.add_get("/plain", _plain)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=_self_signed()).start()
        (_, plain), (_, secure) = (address[:2] for address in self._runner.addresses)
        self.agent_url = f"http://127.0.0.1:{plain}/agent.html"
        self.secure_agent_url = f"https://127.0.0.1:{secure}/agent.html"
        self.mixed_url = f"ws://{MIXED_HOST}:{plain}/plain"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
