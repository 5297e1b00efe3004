"""server.docroot: /health, static files, listings, and no way out of the docroot."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from server.docroot import (
    DEFAULT_DOCROOT,
    DOCROOT_KEY,
    add_docroot_routes,
    content_type_for,
    request_segments,
    serve_docroot,
)

TIMEOUT = 5.0  # a ceiling, never a wait
SECRET = b"TOP-SECRET outside the docroot"
ODD_NAME = "<b>x<b> & \"q\" 'r'.txt"  # a POSIX name cannot hold '/', so no "</b>"
MTIME = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    root: Path
    outside: Path


def make_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A docroot with files, directories and symlinks, and a secret directory beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "index.html").write_bytes(SECRET)
    root = tmp_path / "root"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "site").mkdir()
    (root / "a.txt").write_text("hello\n")
    (root / "page.html").write_text("<!DOCTYPE html><p>page</p>\n")
    (root / "app.js").write_text("console.log(1);\n")
    (root / "style.css").write_text("p{}\n")
    (root / "data.json").write_text("{}\n")
    (root / "blob.zzzunknown").write_bytes(b"\x00\x01")
    (root / "é x.txt").write_text("accent\n")
    (root / "sub" / "b.txt").write_text("0123456789")
    os.utime(root / "sub" / "b.txt", (MTIME, MTIME))
    (root / "sub" / ODD_NAME).write_text("odd\n")
    (root / "site" / "index.html").write_text("<p>site index</p>\n")
    (root / "inner-link.txt").symlink_to(root / "a.txt")
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "escape").symlink_to(outside)
    (root / "looped").symlink_to(root / "looped")
    (root / "sub" / "index-leak").mkdir()
    (root / "sub" / "index-leak" / "index.html").symlink_to(outside / "index.html")
    return root, outside


@asynccontextmanager
async def running(app: web.Application) -> AsyncIterator[int]:
    """Serve `app` on 127.0.0.1 at a free port, yielding the port."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    root, outside = make_tree(tmp_path)
    app = web.Application()
    add_docroot_routes(app, root)
    async with running(app) as port:
        yield Served(f"http://127.0.0.1:{port}", port, root, outside)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as client:
        yield client


async def raw_request(port: int, target: str, method: str = "GET") -> Raw:
    """Send a literal request line (no client-side URL normalising) and read the whole answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        request = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        writer.write(request.encode("latin-1"))
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (f.partition(":") for f in fields)}
    return Raw(int(status_line.split()[1]), headers, body)


# --- /health and content types -------------------------------------------------------------------


async def test_health(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/health") as resp:
        assert resp.status == 200
        assert await resp.text() == "ok"
        assert resp.content_type == "text/plain"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/a.txt", "text/plain; charset=utf-8"),
        ("/page.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/blob.zzzunknown", "application/octet-stream"),
    ],
)
async def test_content_types(served: Served, session: aiohttp.ClientSession, path: str, content_type: str) -> None:
    async with session.get(served.url + path) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == content_type
        assert await resp.read() == (served.root / path.lstrip("/")).read_bytes()


def test_content_type_for_is_case_insensitive() -> None:
    assert content_type_for(Path("INDEX.HTML")) == "text/html; charset=utf-8"


async def test_non_ascii_name(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/%C3%A9%20x.txt") as resp:
        assert resp.status == 200
        assert await resp.text() == "accent\n"


async def test_head_sends_headers_without_body(served: Served) -> None:
    raw = await raw_request(served.port, "/sub/b.txt", method="HEAD")
    assert raw.status == 200
    assert raw.headers["content-length"] == "10"
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.body == b""


async def test_head_health_and_listing(served: Served) -> None:
    for target in ("/health", "/sub/"):
        raw = await raw_request(served.port, target, method="HEAD")
        assert raw.status == 200, target
        assert raw.body == b"", target


async def test_missing_file_is_404(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/nope.txt") as resp:
        assert resp.status == 404


async def test_file_with_trailing_slash_is_404(served: Served) -> None:
    assert (await raw_request(served.port, "/a.txt/")).status == 404


async def test_other_methods_are_not_allowed(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{served.url}/a.txt") as resp:
        assert resp.status == 405


async def test_symlink_inside_docroot_is_served(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/inner-link.txt") as resp:
        assert resp.status == 200
        assert await resp.text() == "hello\n"


# --- directories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/sub", "/sub/"),
        ("/sub/deeper", "/sub/deeper/"),
        ("/sub?x=1&y=%20", "/sub/?x=1&y=%20"),
        ("//sub", "/sub/"),  # never a protocol-relative Location
        ("/./sub", "/sub/"),
        ("/site", "/site/"),
    ],
)
async def test_directory_without_slash_redirects(served: Served, target: str, location: str) -> None:
    raw = await raw_request(served.port, target)
    assert raw.status == 302
    assert raw.headers["location"] == location


async def test_directory_with_index_serves_it(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/site/") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert await resp.text() == "<p>site index</p>\n"


async def test_listing_escapes_names_and_encodes_links(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/sub/") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        body = await resp.text()
    assert "<b>" not in body
    assert "&lt;b&gt;x&lt;b&gt; &amp; &quot;q&quot; &#x27;r&#x27;.txt" in body
    href = "%3Cb%3Ex%3Cb%3E%20%26%20%22q%22%20%27r%27.txt"
    assert f'href="{href}"' in body
    async with session.get(f"{served.url}/sub/{href}") as resp:
        assert resp.status == 200
        assert await resp.text() == "odd\n"


async def test_listing_has_parent_size_and_mtime(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/sub/") as resp:
        body = await resp.text()
    assert "<title>Directory: /sub/</title>" in body
    assert 'href="../"' in body
    row = next(line for line in body.splitlines() if 'href="b.txt"' in line)
    assert '<td class="size">10</td>' in row
    assert "2001-02-03 04:05:06 UTC" in row
    assert 'href="deeper/"' in body
    assert body.index('href="deeper/"') < body.index('href="b.txt"')  # directories first


async def test_root_listing_has_no_parent_and_hides_escapes(served: Served, session: aiohttp.ClientSession) -> None:
    async with session.get(f"{served.url}/") as resp:
        assert resp.status == 200
        body = await resp.text()
    assert "<title>Directory: /</title>" in body
    assert 'href="../"' not in body
    assert 'href="a.txt"' in body
    assert 'href="inner-link.txt"' in body
    assert 'href="%C3%A9%20x.txt"' in body
    for hidden in ("leak.txt", "escape", "looped"):
        assert hidden not in body


# --- nothing outside the docroot ----------------------------------------------------------------

TRAVERSALS = [
    "/../outside/secret.txt",
    "/sub/../../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/%2E%2E/outside/secret.txt",
    "/%2e%2E/outside/secret.txt",
    "/.%2e/outside/secret.txt",
    "/%2e./outside/secret.txt",
    "/sub/%2e%2e/%2e%2e/outside/secret.txt",
    "/..%2foutside%2fsecret.txt",
    "/..%2Foutside%2Fsecret.txt",
    "/sub%2f..%2f..%2foutside%2fsecret.txt",
    "/%2e%2e%2foutside%2fsecret.txt",
    "/..\\outside\\secret.txt",
    "/sub\\..\\..\\outside\\secret.txt",
    "/%5c..%5coutside%5csecret.txt",
    "/..%5Coutside%5Csecret.txt",
    "/a.txt%00",
    "/sub/%00/../../outside/secret.txt",
    "/%00",
    "http://127.0.0.1/../outside/secret.txt",
    "http://127.0.0.1/%2e%2e/outside/secret.txt",
    "/leak.txt",
    "/escape/secret.txt",
    "/escape/",
    "/escape",
    "/looped",
]


@pytest.mark.parametrize("target", TRAVERSALS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_traversal_is_refused(served: Served, target: str, method: str) -> None:
    raw = await raw_request(served.port, target, method=method)
    assert raw.status in (403, 404), (target, raw.status, raw.headers)
    assert SECRET not in raw.body
    assert "location" not in raw.headers


async def test_index_html_linking_outside_is_not_served(served: Served) -> None:
    raw = await raw_request(served.port, "/sub/index-leak/")
    assert raw.status == 200  # the directory itself is inside: its listing, without the link
    assert SECRET not in raw.body
    assert b"index.html" not in raw.body


async def test_absolute_paths_are_refused(served: Served) -> None:
    secret = (served.outside / "secret.txt").as_posix()
    for target in (f"/{secret}", f"/%2F{secret.lstrip('/')}", f"/%2f{secret.lstrip('/')}"):
        raw = await raw_request(served.port, target)
        assert raw.status in (403, 404), target
        assert SECRET not in raw.body


async def test_dot_dot_is_refused_even_when_it_stays_inside(served: Served) -> None:
    assert (await raw_request(served.port, "/sub/../a.txt")).status == 404


@pytest.mark.parametrize(
    ("raw_path", "expected"),
    [
        ("/", ()),
        ("/a//b/./c/", ("a", "b", "c")),
        ("/%C3%A9%20x.txt", ("é x.txt",)),
        ("/%ff", (os.fsdecode(b"\xff"),)),
        ("/%2e%2e", None),
        ("/a/%2E./b", None),
        ("/a%2Fb", None),
        ("/a%5cb", None),
        ("/a\\b", None),
        ("/a%00", None),
        ("a.txt", None),
        ("*", None),
    ],
)
def test_request_segments(raw_path: str, expected: tuple[str, ...] | None) -> None:
    assert request_segments(raw_path) == expected


# --- wiring -------------------------------------------------------------------------------------


def test_add_docroot_routes_rejects_a_missing_docroot(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        add_docroot_routes(web.Application(), tmp_path / "missing")


async def test_custom_handler_can_wrap_serve_docroot(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    root, _ = make_tree(tmp_path)
    seen: list[str] = []

    async def wrapper(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers.get("Upgrade", ""))
        return await serve_docroot(request, request.app[DOCROOT_KEY])

    app = web.Application()
    add_docroot_routes(app, root, handler=wrapper)
    async with running(app) as port:
        async with session.get(f"http://127.0.0.1:{port}/a.txt") as resp:
            assert await resp.text() == "hello\n"
        async with session.get(f"http://127.0.0.1:{port}/health") as resp:
            assert await resp.text() == "ok"
    assert seen == [""]
    assert app[DOCROOT_KEY] == root.resolve()


# --- the packaged chat room ---------------------------------------------------------------------

HOOK_IDS = [
    "join-name",
    "join-button",
    "chat-input",
    "send-button",
    "leave-button",
    "messages",
    "status",
    "no-websocket",
]


def test_packaged_docroot_has_the_chat_room() -> None:
    for name in ("index.html", "chat.js", "chat.css"):
        assert (DEFAULT_DOCROOT / name).is_file(), name


def test_index_references_its_assets_and_hooks() -> None:
    index = (DEFAULT_DOCROOT / "index.html").read_text(encoding="utf-8")
    assert 'src="chat.js"' in index
    assert 'href="chat.css"' in index
    for hook in HOOK_IDS:
        assert f'id="{hook}"' in index, hook
    assert 'data-state="idle"' in index


def test_chat_room_uses_no_external_resources() -> None:
    for name in ("index.html", "chat.js", "chat.css"):
        text = (DEFAULT_DOCROOT / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), name
        assert "@import" not in text and "url(" not in text, name


def test_chat_js_speaks_the_broadcast_subprotocol_and_never_injects_markup() -> None:
    script = (DEFAULT_DOCROOT / "chat.js").read_text(encoding="utf-8")
    assert '"org.ietf.websocket.test-echo-broadcast"' in script
    assert '"has joined!"' in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


async def test_packaged_docroot_serves_the_chat_room(session: aiohttp.ClientSession) -> None:
    app = web.Application()
    add_docroot_routes(app, DEFAULT_DOCROOT)
    async with running(app) as port:
        url = f"http://127.0.0.1:{port}"
        async with session.get(f"{url}/") as resp:
            assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
            assert 'id="join-name"' in await resp.text()
        async with session.get(f"{url}/chat.js") as resp:
            assert resp.headers["Content-Type"] == "text/javascript; charset=utf-8"
        async with session.get(f"{url}/chat.css") as resp:
            assert resp.headers["Content-Type"] == "text/css; charset=utf-8"
