"""HTTP/1.1 heads: tolerant, bounded parsing and exact serialising.

Tolerant of what real peers send (bare LF line ends, any header case, repeated headers, optional
whitespace); bounded in head size, line length and header count, with errors that say which limit or
which line was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import overload

from .errors import HttpError

MAX_HEAD = 16 * 1024
MAX_LINE = 8 * 1024
MAX_HEADERS = 128


class Headers:
    """An ordered, case-insensitive multi-map of header fields, kept as sent."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = list(items)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(k.lower() == name.lower() for k, _ in self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self._items == other._items

    __hash__ = None  # type: ignore[assignment]  # mutable: equal by value, so not hashable

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of `name`; repeated fields are joined with ', ' as RFC 9110 allows."""
        values = self.get_all(name)
        return ", ".join(values) if values else default

    def get_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self._items if k.lower() == lname]

    def tokens(self, name: str) -> list[str]:
        """Comma-separated tokens of every `name` field, stripped and lower-cased."""
        return [t.strip().lower() for v in self.get_all(name) for t in v.split(",") if t.strip()]

    def fold(self, more: str) -> None:
        """Append an obsolete continuation line to the last field."""
        name, value = self._items[-1]
        self._items[-1] = (name, f"{value} {more}")

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def set(self, name: str, value: str | None) -> None:
        """Replace every `name` field with one (in the first one's place), or remove them all (None)."""
        lname = name.lower()
        index = next((i for i, (k, _) in enumerate(self._items) if k.lower() == lname), None)
        self._items = [(k, v) for k, v in self._items if k.lower() != lname]
        if value is not None:
            self._items.insert(len(self._items) if index is None else index, (name, value))

    def copy(self) -> Headers:
        return Headers(self._items)


@dataclass
class Request:
    method: str
    target: str
    headers: Headers = field(default_factory=Headers)
    version: str = "HTTP/1.1"

    def serialize(self) -> bytes:
        return _serialize(f"{self.method} {self.target} {self.version}", self.headers)


@dataclass
class Response:
    status: int
    reason: str
    headers: Headers = field(default_factory=Headers)
    version: str = "HTTP/1.1"

    def serialize(self) -> bytes:
        return _serialize(f"{self.version} {self.status} {self.reason}", self.headers)


def _serialize(start: str, headers: Headers) -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


class HeadReader:
    """Bytes up to the blank line that ends an HTTP head (CRLF CRLF, or bare LF LF), at most `max_head`
    of them. Each search starts where the last one stopped, so a head fed byte by byte costs no rescans."""

    __slots__ = ("_buf", "_scan", "max_head")

    def __init__(self, max_head: int = MAX_HEAD) -> None:
        self.max_head = max_head
        self._buf = bytearray()
        self._scan = 0

    def feed(self, data: bytes) -> tuple[bytes, bytes] | None:
        """The head (blank line included) and the bytes after it, once complete; HttpError (431) when
        `max_head` bytes have come without an end."""
        buf = self._buf
        buf += data
        start = self._scan
        crlf, lf = buf.find(b"\r\n\r\n", start), buf.find(b"\n\n", start)
        ends = [i + 4 for i in (crlf,) if i >= 0] + [i + 2 for i in (lf,) if i >= 0]
        if not ends:
            if len(buf) > self.max_head:
                raise HttpError(f"HTTP head longer than {self.max_head} bytes", status=431)
            self._scan = max(len(buf) - 3, 0)
            return None
        end = min(ends)
        if end > self.max_head:
            raise HttpError(f"HTTP head longer than {self.max_head} bytes", status=431)
        return bytes(buf[:end]), bytes(buf[end:])


def _split_head(head: bytes) -> tuple[str, Headers]:
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes every byte
        raise HttpError(str(exc)) from exc
    lines = text.split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    while lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0]:
        raise HttpError("empty HTTP head")
    headers = Headers()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise HttpError(f"line {number} of the HTTP head is longer than {MAX_LINE} bytes", status=431)
    for number, line in enumerate(lines[1:], start=2):
        if line[:1] in (" ", "\t"):
            if not len(headers):
                raise HttpError(f"line {number}: continuation line before any header")
            headers.fold(line.strip())
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(f"line {number}: header line without a colon: {line[:60]!r}")
        if not name or name != name.strip() or any(c in name for c in ' \t"(),/;<=>?@[\\]{}'):
            raise HttpError(f"line {number}: invalid header name {name[:60]!r}")
        headers.add(name, value.strip(" \t"))
        if len(headers) > MAX_HEADERS:
            raise HttpError(f"more than {MAX_HEADERS} header fields", status=431)
    return lines[0], headers


def parse_request(head: bytes) -> Request:
    """Parse a complete request head (request line, fields, blank line)."""
    start, headers = _split_head(head)
    parts = start.split(" ")
    if len(parts) != 3 or not all(parts):
        raise HttpError(f"malformed request line: {start[:80]!r}")
    method, target, version = parts
    if not version.startswith("HTTP/"):
        raise HttpError(f"request line has no HTTP version: {start[:80]!r}")
    return Request(method, target, headers, version)


def parse_response(head: bytes) -> Response:
    """Parse a complete response head (status line, fields, blank line)."""
    start, headers = _split_head(head)
    version, _, rest = start.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or len(code) != 3 or not (code.isascii() and code.isdigit()):
        raise HttpError(f"malformed status line: {start[:80]!r}")
    return Response(int(code), reason, headers, version)
