"""The reference server's settings, with the defaults `python -m server --help` shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wire.extensions import DeflateParams

from .docroot import DEFAULT_DOCROOT

AS_OFFERED = DeflateParams()  # the default deflate policy: accept an offer as it is


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    docroot: Path = DEFAULT_DOCROOT
    verbose: bool = False
    max_message: int = 16 * 2**20 + 1024  # any message (and frame) on any subprotocol
    assemble_limit: int = 64 * 1024  # echo-assemble and echo-fragment buffer at most this much
    handshake_timeout: float = 10.0  # from TCP accept to a complete HTTP head (slowloris)
    max_head: int = 16 * 1024  # bytes of HTTP head before the blank line
    idle_timeout: float = 300.0  # a WebSocket with no traffic either way is closed after this
    close_timeout: float = 5.0  # how long to wait for the peer's close frame before dropping TCP
    ping_interval: float = 10.0  # echo-broadcast-ping
    tls_cert: Path | None = None  # with tls_key: `port` serves TLS (https, wss)
    tls_key: Path | None = None
    plain_port: int | None = None  # with TLS on: a second port without it (http, ws); 0 picks a free one
    tls_self_signed: Path | None = None  # make a CA and a certificate into this directory at start (tls.py)
    tls_names: tuple[str, ...] = ()  # the names that certificate covers (none: tls.default_names(host))
    # permessage-deflate on every subprotocol of the hybi drafts: what the server insists on (flags added to
    # the offer's, window sizes as upper limits: negotiation.accept_offer); None: accept no extension
    deflate: DeflateParams | None = AS_OFFERED
    deflate_level: int = 1  # zlib's compression level for what the server sends: its fastest (see __main__)
