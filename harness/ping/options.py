"""The command line of `ping`: arguments, the Options they make, and the numbered messages they ask for."""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import string
from collections.abc import Callable
from pathlib import Path

from wire import Draft, Kind

from ..run.target import Target, Trust

DESCRIPTION = "Send numbered messages to a WebSocket echo endpoint and time the replies, like ping."
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
NO_PROTOCOL = "none"
PADDING = b"abcdefghijklmnopqrstuvwxyz0123456789"


class UsageError(Exception):
    """Options that cannot work together (exit status 2)."""


# --- argument types ------------------------------------------------------------------------------------


def parse_url(text: str) -> Target:
    """A ws:// or wss:// URL as a Target (an argparse type: Target.parse's errors become ArgumentTypeError)."""
    try:
        return Target.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and <= {maximum}" if maximum is not None else ""
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= {minimum}{upper}")
        return value

    return convert


def _seconds(*, zero: bool) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds {'>=' if zero else '>'} 0")
        return value

    return convert


def _draft(text: str) -> Draft:
    try:
        return Draft.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _path(text: str) -> str:
    if not text.startswith("/"):
        raise argparse.ArgumentTypeError(f"{text!r} does not start with /")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    a = parser.add_argument
    a("url", nargs="?", type=parse_url, help="ws://host:port/path or wss://... (instead of --host/--port/--path)")
    a("--host", help=f"server host (default {DEFAULT_HOST})")
    a("--port", type=_whole(1, 65535), help=f"server port (default {DEFAULT_PORT})")
    a("--path", type=_path, help="request path (default /)")
    a("--protocol", default="echo", help="subprotocol to ask for; 'none' asks for none (default %(default)s)")
    a("--draft", type=_draft, default=Draft.RFC6455, metavar="|".join(d.value for d in Draft), help="(default rfc6455)")
    a("--count", "-c", type=_whole(0), default=10, help="messages per client, 0: until Ctrl-C (default %(default)s)")
    a("--size", "-s", type=_whole(0), default=64, help="message size in bytes, at least the header (default 64)")
    a("--fragment", "-f", type=_whole(1), help="send each message in frames of this many bytes")
    a("--binary", action="store_true", help="send binary messages (default text)")
    a("--clients", "-C", type=_whole(1), default=1, help="parallel connections (default %(default)s)")
    a("--delay", "-d", type=_seconds(zero=True), default=1.0, help="seconds between messages (default 1)")
    a("--timeout", "-W", type=_seconds(zero=False), default=5.0, help="seconds to wait for each reply (default 5)")
    a("--ca", type=Path, metavar="PEM", help="wss://: trust this CA (e.g. the server's --tls-self-signed ca.pem)")
    a("--insecure", "-k", action="store_true", help="wss://: do not check the server's certificate")
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("--verbose", "-v", action="store_true", help="print the handshake and every frame")
    talk.add_argument("--quiet", "-q", action="store_true", help="print only the summary")


# --- options -------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Options:
    target: Target
    draft: Draft
    protocol: str | None  # None: ask for no subprotocol
    count: int  # 0: until stopped
    size: int
    fragment: int | None
    binary: bool
    clients: int
    delay: float
    timeout: float
    tag: str  # random per run: tells this run's messages from anyone else's

    @property
    def kind(self) -> Kind:
        return Kind.BINARY if self.binary else Kind.TEXT

    def label(self, client: int) -> str:
        return f"{self.tag}-{client}"


def resolve_target(args: argparse.Namespace) -> Target:
    url: Target | None = args.url
    if url is None:
        if args.ca is not None or args.insecure:
            raise UsageError("--ca and --insecure are for a wss:// URL")
        return Target(args.host or DEFAULT_HOST, args.port or DEFAULT_PORT, args.path or "/")
    if args.host is not None or args.port is not None or args.path is not None:
        raise UsageError("give either a URL or --host/--port/--path, not both")
    try:
        return dataclasses.replace(url, trust=Trust.of_options(args.ca, args.insecure, url.secure))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def options_from_args(args: argparse.Namespace) -> tuple[Options, list[str]]:
    """The options, and notes to print (a --size raised to fit the header)."""
    draft: Draft = args.draft
    if args.binary and not draft.info.has_binary:
        raise UsageError(f"--binary: {draft.value} has no binary messages (text only)")
    if args.fragment is not None and not draft.info.has_fragmentation:
        raise UsageError(f"--fragment: {draft.value} has no fragmentation (one frame per message)")
    protocol = None if args.protocol in (NO_PROTOCOL, "") else args.protocol
    tag = "".join(random.choices(string.ascii_lowercase, k=4))
    opts = Options(
        target=resolve_target(args),
        draft=draft,
        protocol=protocol,
        count=args.count,
        size=args.size,
        fragment=args.fragment,
        binary=args.binary,
        clients=args.clients,
        delay=args.delay,
        timeout=args.timeout,
        tag=tag,
    )
    widest = header(opts.label(opts.clients), opts.count or 1)
    if opts.size >= len(widest):
        return opts, []
    note = (
        f"--size {opts.size} is smaller than the {len(widest)}-byte header {widest.decode()!r}: sending {len(widest)}"
    )
    return dataclasses.replace(opts, size=len(widest)), [note]


# --- messages ------------------------------------------------------------------------------------------


def header(label: str, seq: int) -> bytes:
    return f"{label}:{seq}:".encode("ascii")


def make_payload(label: str, seq: int, size: int) -> bytes:
    """`<label>:<seq>:` padded to `size` bytes (never cut: an outgrown header makes a longer message)."""
    head = header(label, seq)
    pad = max(size - len(head), 0)
    return head + (PADDING * (pad // len(PADDING) + 1))[:pad]


def parse_header(data: bytes) -> tuple[str, int] | None:
    """(label, seq) of a message that starts like ours, else None."""
    parts = data.split(b":", 2)
    if len(parts) < 3 or not parts[1].isdigit() or len(parts[1]) > 18:
        return None
    return parts[0].decode("ascii", "replace"), int(parts[1])
