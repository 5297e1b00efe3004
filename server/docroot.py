"""The HTTP half of the reference server: `/health`, static files and directory listings.

Behaves like Jetty's ResourceHandler with directory listing on (the seed's TestServer): a directory
without a trailing slash redirects to the slash form, a directory holding `index.html` serves it,
any other directory gets an HTML listing.

Nothing outside the docroot is reachable. The request path is taken raw (`rel_url.raw_path`, before
any normalising by aiohttp or yarl) and decoded one segment at a time; a segment that decodes to `..`,
or holds a slash, a backslash or a NUL byte refuses the whole request (404). The remaining path is
resolved (following symlinks) and must still lie inside the resolved docroot.

The WebSocket upgrade lives elsewhere: pass your own `handler` to `add_docroot_routes` that checks
for an upgrade first and otherwise returns `await serve_docroot(request, request.app[DOCROOT_KEY])`.
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote_to_bytes

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEFAULT_DOCROOT: Final[Path] = Path(__file__).parent / "docroot"
DOCROOT_KEY: Final = web.AppKey("wsinterop.docroot", Path)
"""The resolved docroot, stored on the app by `add_docroot_routes`."""

INDEX_FILE: Final = "index.html"

# Fixed types for what the reference server ships; mimetypes (which reads the host's tables, and
# calls .js application/javascript before Python 3.12) is only the fallback.
_CONTENT_TYPES: Final[dict[str, str]] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
}
_FALLBACK_TYPE: Final = "application/octet-stream"
_FORBIDDEN_IN_SEGMENT: Final = (b"/", b"\\", b"\x00")
_PATH_SAFE: Final = "!$&'()*+,;=:@"  # sub-delims, ':' and '@' stay readable in Location headers


def content_type_for(path: Path) -> str:
    """The Content-Type to send for `path`, with `charset=utf-8` for every text type."""
    ctype = _CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or _FALLBACK_TYPE
    return f"{ctype}; charset=utf-8" if ctype.startswith("text/") else ctype


def request_segments(raw_path: str) -> tuple[str, ...] | None:
    """File-system names for a raw (still percent-encoded) URL path, or None if it must be refused.

    Empty and `.` segments are dropped; `..` (however encoded), and segments holding a slash,
    a backslash or a NUL once decoded refuse the whole path, as does a path not starting with '/'.
    """
    if not raw_path.startswith("/"):
        return None
    names: list[str] = []
    for raw in raw_path.split("/"):
        name = unquote_to_bytes(raw)
        if name in (b"", b"."):
            continue
        if name == b".." or any(bad in name for bad in _FORBIDDEN_IN_SEGMENT):
            return None
        names.append(os.fsdecode(name))
    return tuple(names)


def resolve_inside(root: Path, segments: Sequence[str]) -> Path | None:
    """The existing path `segments` names under the resolved `root`, or None if missing or outside it."""
    try:
        resolved = root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, not a directory, symlink loop, NUL
        return None
    return resolved if resolved.is_relative_to(root) else None


def url_path(segments: Sequence[str], *, directory: bool) -> str:
    """The canonical absolute URL path for `segments` (never protocol-relative)."""
    encoded = "/".join(quote(os.fsencode(name), safe=_PATH_SAFE) for name in segments)
    path = f"/{encoded}"
    return f"{path}/" if directory and segments else path


async def health(request: web.Request) -> web.Response:
    """`GET /health`: 200 "ok", for container health checks."""
    return web.Response(text="ok")


async def serve_docroot(request: web.Request, docroot: Path) -> web.StreamResponse:
    """Answer a GET or HEAD for a file, directory or listing under `docroot`.

    Uses the request's raw path, so `request` must come from a route at the application root.
    """
    raw_path = request.rel_url.raw_path
    raw_query = request.rel_url.raw_query_string
    return await asyncio.to_thread(_respond, docroot, raw_path, raw_query)


async def docroot_handler(request: web.Request) -> web.StreamResponse:
    """The default route handler: `serve_docroot` for the docroot stored under `DOCROOT_KEY`."""
    return await serve_docroot(request, request.app[DOCROOT_KEY])


def add_docroot_routes(app: web.Application, docroot: Path, *, handler: Handler | None = None) -> None:
    """Register `GET /health` and GET/HEAD `/{tail:.*}` (by default `docroot_handler`).

    Stores the resolved docroot under `app[DOCROOT_KEY]`. A `handler` replaces `docroot_handler` on the
    catch-all route, e.g. one that takes WebSocket upgrades and passes everything else to `serve_docroot`.
    """
    root = docroot.resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"docroot is not a directory: {docroot}")
    app[DOCROOT_KEY] = root
    app.router.add_get("/health", health, name="health")
    app.router.add_get("/{tail:.*}", handler or docroot_handler, name="docroot")


def _respond(docroot: Path, raw_path: str, raw_query: str) -> web.StreamResponse:
    """Map a raw path to a response; blocking file-system work, so run it in a thread."""
    root = docroot.resolve()
    segments = request_segments(raw_path)
    target = None if segments is None else resolve_inside(root, segments)
    if segments is None or target is None:
        return _not_found()
    if target.is_dir():
        if not raw_path.endswith("/"):
            return _redirect(url_path(segments, directory=True), raw_query)
        index = resolve_inside(root, (*segments, INDEX_FILE))
        if index is not None and index.is_file():
            return _file(index)
        return _listing(root, target, segments)
    if raw_path.endswith("/") or not target.is_file():
        return _not_found()
    return _file(target)


def _not_found() -> web.Response:
    return web.Response(status=404, text="404: Not Found")


def _redirect(location: str, raw_query: str) -> web.Response:
    if raw_query:
        location = f"{location}?{raw_query}"
    return web.Response(status=302, text=f"302: Found {location}", headers={"Location": location})


def _file(path: Path) -> web.FileResponse:
    headers = {"Content-Type": content_type_for(path), "X-Content-Type-Options": "nosniff"}
    return web.FileResponse(path, headers=headers)


def _listing(root: Path, directory: Path, segments: Sequence[str]) -> web.Response:
    body = render_listing(root, directory, segments)
    return web.Response(text=body, content_type="text/html", charset="utf-8")


def _display(name: str) -> str:
    """A file name as text, whatever bytes it was made of."""
    return os.fsencode(name).decode("utf-8", "replace")


def _listing_rows(root: Path, directory: Path) -> list[tuple[str, bool, os.stat_result]]:
    """(name, is_dir, stat) for each entry a client could fetch, directories first, then by name."""
    rows: list[tuple[str, bool, os.stat_result]] = []
    for entry in os.scandir(directory):
        if "\\" in entry.name:
            continue  # listed names must be fetchable, and a backslash never is
        try:
            resolved = Path(entry.path).resolve(strict=True)
            st = resolved.stat()
        except (OSError, RuntimeError):
            continue
        if resolved.is_relative_to(root):
            rows.append((entry.name, resolved.is_dir(), st))
    return sorted(rows, key=lambda row: (not row[1], row[0]))


def render_listing(root: Path, directory: Path, segments: Sequence[str]) -> str:
    """The HTML listing of `directory`, reached by the URL path `segments` under `root`."""
    title = html.escape("Directory: /" + "".join(f"{_display(name)}/" for name in segments))
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.15em 1em;text-align:left}"
        "td.size{text-align:right}</style>",
        f"</head><body><h1>{title}</h1>",
        "<table><thead><tr><th>Name</th><th>Size</th><th>Last modified</th></tr></thead><tbody>",
    ]
    if segments:
        lines.append('<tr><td><a href="../">Parent directory</a></td><td></td><td></td></tr>')
    for name, is_dir, st in _listing_rows(root, directory):
        suffix = "/" if is_dir else ""
        href = html.escape(quote(os.fsencode(name), safe="") + suffix)
        label = html.escape(_display(name) + suffix)
        size = "-" if is_dir else str(st.st_size)
        mtime = datetime.fromtimestamp(st.st_mtime, tz=UTC)
        when = f'<time datetime="{mtime:%Y-%m-%dT%H:%M:%SZ}">{mtime:%Y-%m-%d %H:%M:%S} UTC</time>'
        lines.append(f'<tr><td><a href="{href}">{label}</a></td><td class="size">{size}</td><td>{when}</td></tr>')
    lines.append("</tbody></table></body></html>")
    return "\n".join(lines) + "\n"
