"""The implementations in the matrix: how to install, start and name each server, and each client.

Requirements are by registry: pip (into the running interpreter's environment), npm (interop/package.json,
`npm ci` into interop/node_modules), apt (Debian packages; root). Versions are read from what is
installed, never assumed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.cases.loader import LONG_CASES
from harness.run.refserver import HARNESS_OPTIONS  # the options the catalogue expects (a 1 s ping interval)

# cases every peer but the reference server leaves out, by tag, and why (docs/interop.md says more)
PEER_EXCLUDES: tuple[tuple[str, str], ...] = (
    (
        "tag:reference-server",
        "behaviours of the reference server, not of RFC 6455: its version list, its subprotocols "
        "(echo-assemble, echo-fragment, aliases, silence without one), its echo-broadcast room, its chat page",
    ),
)
# The compression rows: a peer started with --deflate (permessage-deflate on, with the settings its own docs
# give), probed with DEFLATE_OFFER on rfc6455 only, and run on the cases tagged `compression` (Autobahn's
# 12.* and 13.*, our 14.*). By default the long 12/13 cases are left out, as make report leaves them out;
# `python -m interop --deflate-full` keeps them.
COMPRESSION_TAG = "compression"
DEFLATE_OFFER = "permessage-deflate; client_max_window_bits"  # the probe's offer: Chromium's, every peer takes it
LONG_COMPRESSION_CASES: tuple[tuple[str, str], ...] = tuple(
    (
        pattern,
        "compression rows: 12.x.5-18 and 13.x.5-18 (4 KiB to 128 KiB messages, 1,000 each) take minutes per "
        "peer; make report leaves them out too, `python -m interop --deflate-full` runs them",
    )
    for pattern in LONG_CASES
)
JETTY_JARS = (
    "jetty9-server",
    "jetty9-servlet",
    "jetty9-http",
    "jetty9-io",
    "jetty9-util",
    "jetty9-security",
    "jetty9-xml",
    "jetty9-websocket-api",
    "jetty9-websocket-common",
    "jetty9-websocket-client",
    "jetty9-websocket-server",
    "jetty9-websocket-servlet",
    "servlet-api",
)
JAVA_DIR = Path("/usr/share/java")


@dataclass(frozen=True)
class Context:
    root: Path  # the repository
    out: Path  # reports/interop
    build: Path  # build/interop: compiled and generated files
    python: str = sys.executable

    @property
    def node_dir(self) -> Path:
        return self.root / "interop"

    @property
    def node_peers(self) -> Path:
        return self.root / "interop" / "peers" / "node"

    @property
    def py_peers(self) -> Path:
        return self.root / "interop" / "peers"

    @property
    def shared_peers(self) -> Path:
        """peers/: the project's own echo servers (websockets, aiohttp), shared with make conformance-peers."""
        return self.root / "peers"


@dataclass(frozen=True)
class Need:
    registry: str  # pip | npm | apt
    package: str
    module: str = ""  # pip: the import name when it differs


def jetty_classpath(ctx: Context) -> str:
    jars = [str(JAVA_DIR / f"{jar}.jar") for jar in JETTY_JARS]
    return ":".join([str(ctx.build / "jetty"), *jars])


@dataclass(frozen=True)
class ServerSpec:
    name: str
    title: str
    needs: tuple[Need, ...]
    command: Callable[[Context, int], list[str]]
    version: tuple[Need, ...]  # whose installed versions make the version text
    path: str = "/"
    protocol: str = "echo"  # the subprotocol the echo is on
    jobs: int = 2
    reference: bool = False  # the whole catalogue, no exclusions
    prepare: str = ""  # a build step: "jetty"
    notes: tuple[str, ...] = field(default_factory=tuple)
    exclude: tuple[tuple[str, str], ...] = ()  # more cases to leave out for this peer: (id pattern or tag:NAME, why)
    deflate: bool = False  # a compression row (COMPRESSION_TAG above): started with --deflate, rfc6455 only


@dataclass(frozen=True)
class ClientSpec:
    """A client under test: `name` is its harness/subjects subject (its testee, its drafts, what it lacks);
    interop adds what to install for it and whose versions to show."""

    name: str
    title: str
    needs: tuple[Need, ...]
    version: tuple[Need, ...]


PIP = {name: Need("pip", name) for name in ("websockets", "aiohttp", "tornado")}
NPM = {name: Need("npm", name) for name in ("ws", "websocket-driver", "websocket")}
LWS = Need("apt", "libwebsockets-test-server")
JETTY = (Need("apt", "libjetty9-java"), Need("apt", "libjetty9-extra-java"))


def _node(script: str) -> Callable[[Context, int], list[str]]:
    return lambda ctx, port: ["node", str(ctx.node_peers / script), "--port", str(port)]


def _python(script: str, shared: bool = False) -> Callable[[Context, int], list[str]]:
    def command(ctx: Context, port: int) -> list[str]:
        return [ctx.python, str((ctx.shared_peers if shared else ctx.py_peers) / script), "--port", str(port)]

    return command


def with_deflate(spec: ServerSpec, setting: str) -> ServerSpec:
    """The compression row of `spec`: the same echo server started with --deflate; `setting` says what that
    turns on in the library (for the report)."""
    command = spec.command
    return replace(
        spec,
        name=f"{spec.name}-deflate",
        title=f"{spec.title} + permessage-deflate",
        command=lambda ctx, port: [*command(ctx, port), "--deflate"],
        deflate=True,
        notes=(*spec.notes, f"permessage-deflate: {setting}"),
    )


PLAIN_SERVERS: tuple[ServerSpec, ...] = (
    ServerSpec(
        "reference",
        "wsinterop reference server",
        (),
        lambda ctx, port: [ctx.python, "-m", "server", "--host", "127.0.0.1", "--port", str(port), *HARNESS_OPTIONS],
        (Need("pip", "wsinterop"), PIP["aiohttp"]),
        reference=True,
    ),
    ServerSpec(
        "websockets",
        "websockets (Python)",
        (PIP["websockets"],),
        _python("websockets_echo.py", True),
        (PIP["websockets"],),
    ),
    ServerSpec("aiohttp", "aiohttp (Python)", (PIP["aiohttp"],), _python("aiohttp_echo.py", True), (PIP["aiohttp"],)),
    ServerSpec("tornado", "Tornado (Python)", (PIP["tornado"],), _python("tornado_echo.py"), (PIP["tornado"],)),
    ServerSpec("ws", "ws (Node.js)", (NPM["ws"],), _node("ws_echo.js"), (NPM["ws"],)),
    ServerSpec(
        "websocket-driver",
        "websocket-driver (Node.js, allowDrafts)",
        (NPM["websocket-driver"],),
        _node("driver_echo.js"),
        (NPM["websocket-driver"],),
    ),
    ServerSpec(
        "websocket-node",
        "websocket / WebSocket-Node (Node.js)",
        (NPM["websocket"],),
        _node("websocket_node_echo.js"),
        (NPM["websocket"],),
    ),
    ServerSpec(
        "libwebsockets",
        "libwebsockets test server (C)",
        (LWS,),
        lambda ctx, port: ["libwebsockets-test-server", "-p", str(port), "-i", "lo"],
        (LWS,),
        protocol="lws-mirror-protocol",
        jobs=1,
        exclude=(
            (
                "9.*",
                "limits (libwebsockets only): lws-mirror-protocol relays what it reads in 4 KiB pieces, so every "
                "large-message case fails, and at one case at a time they take minutes (time budget)",
            ),
        ),
        notes=(
            "lws-mirror-protocol sends every message to every connection of the protocol, so the cases run "
            "one at a time (--jobs 1), and the catalogue's subprotocol echo is renamed lws-mirror-protocol.",
        ),
    ),
    ServerSpec(
        "jetty",
        "Jetty 9 (Java, Debian)",
        JETTY,
        lambda ctx, port: ["java", "-cp", jetty_classpath(ctx), "JettyEcho", "--port", str(port)],
        (JETTY[0],),
        prepare="jetty",
    ),
)
_PLAIN = {spec.name: spec for spec in PLAIN_SERVERS}
COMPRESSION_SERVERS: tuple[ServerSpec, ...] = (
    with_deflate(_PLAIN["websockets"], 'compression="deflate" (its default; the plain row sets None)'),
    with_deflate(_PLAIN["aiohttp"], "compress=True (its default; the plain row sets False)"),
    with_deflate(_PLAIN["tornado"], "get_compression_options returns {} (enabled, default options)"),
    with_deflate(_PLAIN["ws"], "perMessageDeflate: true (ws's default settings; off by default on a server)"),
    with_deflate(
        _PLAIN["jetty"],
        "Jetty's own extension factory as it comes (permessage-deflate registered by default; the plain row "
        "unregisters it)",
    ),
)
SERVERS: tuple[ServerSpec, ...] = PLAIN_SERVERS + COMPRESSION_SERVERS


def _client(name: str, title: str, need: Need) -> ClientSpec:
    return ClientSpec(name, title, (need,), (need,))


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("wire", "wsinterop's own client (wire)", (), (Need("pip", "wsinterop"),)),
    _client("websockets", "websockets client (Python)", PIP["websockets"]),
    _client("aiohttp", "aiohttp client (Python)", PIP["aiohttp"]),
    _client("tornado", "tornado client (Python)", PIP["tornado"]),
    # with permessage-deflate offered (harness/subjects/libraries.py): 12.* and 13.* from the server's side
    _client("aiohttp+deflate", "aiohttp client, compress=15 (Python)", PIP["aiohttp"]),
    _client("tornado+deflate", "tornado client, compression_options={} (Python)", PIP["tornado"]),
    _client("ws", "ws client (Node.js)", NPM["ws"]),
    _client("websocket-driver", "websocket-driver client (Node.js)", NPM["websocket-driver"]),
    _client("websocket-node", "websocket / WebSocket-Node client (Node.js)", NPM["websocket"]),
    _client("chromium", "Chromium (headless)", Need("apt", "chromium")),
    _client("firefox", "Firefox ESR (headless)", Need("apt", "firefox-esr")),
)
