"""Client libraries under test: Python (websockets, aiohttp, Tornado) and Node (ws, websocket-driver,
WebSocket-Node), each with its testee in harness/testees. websockets, ws and the browsers offer
permessage-deflate by default; aiohttp and Tornado do not, so `aiohttp+deflate` and `tornado+deflate` are
the same testees with it offered (for 12.* and 13.*).

The Python testees run in the harness's own interpreter (the libraries are in the dev extras). The Node
testee is one file with a switch; the packages come from interop/node_modules, which `npm ci` in
interop/ installs (interop/package-lock.json pins them; `make interop` runs it).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from wire import Draft

from ..testees import contract
from .subject import Subject

TESTEES = Path(contract.__file__).parent
NODE_TESTEE = TESTEES / "node" / "testee.js"
NODE_MODULES = Path(__file__).resolve().parents[2] / "interop" / "node_modules"


def contract_args(subject: str, drafts: tuple[Draft, ...], url: str, agent: str, draft: Draft) -> list[str]:
    """Every testee's last arguments, --url and --agent, once it is sure the testee speaks `draft`."""
    if draft not in drafts:
        raise ValueError(f"{subject}'s testee does not speak {draft.value}")
    return ["--url", url, "--agent", agent]


def _python(name: str, module: str, package: str, summary: str, options: tuple[str, ...] = ()) -> Subject:
    drafts = (Draft.RFC6455,)

    def argv(url: str, agent: str, draft: Draft) -> list[str]:
        testee = [sys.executable, "-m", f"harness.testees.{module}", *options]
        return [*testee, *contract_args(name, drafts, url, agent, draft)]

    def missing() -> str | None:
        if importlib.util.find_spec(package) is None:
            return f"the Python package {package} is not installed (pip install -e '.[dev]')"
        return None

    return Subject(name, summary, drafts, argv, missing)


def _node(name: str, lib: str, drafts: tuple[Draft, ...], summary: str) -> Subject:
    def argv(url: str, agent: str, draft: Draft) -> list[str]:
        where = ["--lib", lib, "--modules", str(NODE_MODULES), "--draft", draft.value]
        return ["node", str(NODE_TESTEE), *where, *contract_args(name, drafts, url, agent, draft)]

    def missing() -> str | None:
        if shutil.which("node") is None:
            return "node is not installed (apt-get install -y nodejs)"
        if not (NODE_MODULES / lib / "package.json").is_file():
            return f"{lib} is not in {NODE_MODULES} (npm ci in interop/, or make interop)"
        return None

    return Subject(name, summary, drafts, argv, missing)


NODE_DRAFTS = (Draft.RFC6455, Draft.HYBI_08)  # protocol versions 13 and 8, the two ws and WebSocket-Node offer

LIBRARIES: tuple[Subject, ...] = (
    _python("websockets", "websockets_client", "websockets", "websockets (asyncio client), as its compliance client"),
    _python("aiohttp", "aiohttp_client", "aiohttp", "aiohttp's ClientSession.ws_connect"),
    _python("tornado", "tornado_client", "tornado", "Tornado's websocket_connect"),
    # with permessage-deflate offered (websockets, ws and the browsers offer it by default; these do not)
    _python("aiohttp+deflate", "aiohttp_client", "aiohttp", "aiohttp with compress=15", ("--compress", "15")),
    _python("tornado+deflate", "tornado_client", "tornado", "Tornado with compression_options={}", ("--deflate",)),
    _node("ws", "ws", NODE_DRAFTS, "ws (Node), its WebSocket client"),
    # its client is hybi-13 only: the hixie-75/76 drivers in the package are server-side
    _node("websocket-driver", "websocket-driver", (Draft.RFC6455,), "websocket-driver (Node), its client driver"),
    _node("websocket-node", "websocket", NODE_DRAFTS, "WebSocket-Node (npm websocket), its WebSocketClient"),
)
