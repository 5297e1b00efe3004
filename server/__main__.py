"""`python -m server`: run the reference server until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import signal
import ssl
import sys
from dataclasses import replace
from pathlib import Path

from wire import HandshakeError
from wire.extensions import PERMESSAGE_DEFLATE, DeflateParams, parse_extensions

from .app import ReferenceServer
from .config import ServerConfig
from .docroot import DEFAULT_DOCROOT
from .tls import check_name, default_names, self_signed


def parse_args(argv: list[str] | None = None) -> ServerConfig:
    defaults = ServerConfig()
    p = argparse.ArgumentParser(
        prog="python -m server",
        description="wsinterop reference server: a docroot with the chat room, and WebSocket upgrades in "
        "every draft (hixie-75, hixie-76, hybi-06, hybi-07, hybi-08, rfc6455) on any path of one port. "
        "Subprotocols: echo, echo-assemble, echo-fragment, echo-broadcast, echo-broadcast-ping (and the "
        "org.ietf.websocket.test-* aliases); none or an unknown one: accepted, silent.",
    )
    p.add_argument("--host", default=defaults.host, help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=defaults.port, help="port; 0 picks a free one (default %(default)s)")
    p.add_argument("--docroot", type=Path, default=DEFAULT_DOCROOT, help="directory to serve (default: the chat room)")
    p.add_argument("--verbose", "-v", action="store_true", help="log every frame and HTTP request")
    p.add_argument("--max-message", type=int, default=defaults.max_message, help="largest message in bytes")
    p.add_argument(
        "--ping-interval",
        type=float,
        default=defaults.ping_interval,
        help="seconds between pings on echo-broadcast-ping (default %(default)s)",
    )
    p.add_argument(
        "--handshake-timeout",
        type=float,
        default=defaults.handshake_timeout,
        help="seconds for a client to send its HTTP head (default %(default)s)",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=defaults.idle_timeout,
        help="seconds without traffic before a WebSocket is closed (default %(default)s)",
    )
    deflate = p.add_argument_group(
        "permessage-deflate (RFC 7692)",
        "Accepted by default on every subprotocol of the hybi drafts: the client's first valid offer, as offered.",
    )
    deflate.add_argument("--no-deflate", action="store_true", help="accept no extension")
    deflate.add_argument(
        "--deflate-force",
        metavar="PARAMS",
        default="",
        help='parameters to answer every offer with, to test clients, e.g. "server_no_context_takeover; '
        "server_max_window_bits=9; client_max_window_bits=8\": flags are added to the offer's, window sizes "
        "are upper limits (client_max_window_bits only where the offer allows it)",
    )
    deflate.add_argument(
        "--deflate-level",
        type=int,
        choices=range(0, 10),
        default=defaults.deflate_level,
        metavar="0-9",
        help="zlib's compression level for what the server sends (default %(default)s, its fastest: an echo "
        "server's time goes into compressing, and any level is deflate to the peer)",
    )
    tls = p.add_argument_group(
        "TLS",
        "With a certificate, --port serves https and wss; --plain-port adds http and ws beside it. "
        "--tls-self-signed makes a CA and a certificate for the host at every start, and prints where they are.",
    )
    tls.add_argument("--tls-cert", type=Path, metavar="PEM", help="certificate chain (PEM) for --port")
    tls.add_argument("--tls-key", type=Path, metavar="PEM", help="the certificate's private key (PEM)")
    tls.add_argument(
        "--tls-self-signed",
        type=Path,
        metavar="DIR",
        help="write a new CA (DIR/ca.pem, for clients to trust) and a certificate it signs (DIR/cert.pem, "
        "DIR/key.pem) and serve TLS with them",
    )
    tls.add_argument(
        "--tls-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name or IP address the self-signed certificate covers (repeatable; default: --host unless "
        "it is a wildcard, localhost, 127.0.0.1, ::1)",
    )
    tls.add_argument(
        "--plain-port",
        type=int,
        metavar="PORT",
        help="with TLS on, also serve plain http and ws on PORT (0 picks a free one)",
    )
    a = p.parse_args(argv)
    if not a.docroot.is_dir():
        p.error(f"--docroot {a.docroot} is not a directory")
    if a.tls_self_signed is not None and (a.tls_cert or a.tls_key):
        p.error("--tls-self-signed makes its own certificate: give it, or --tls-cert and --tls-key, not both")
    if (a.tls_cert is None) != (a.tls_key is None):
        p.error("--tls-cert and --tls-key go together")
    if a.tls_name and a.tls_self_signed is None:
        p.error("--tls-name is for --tls-self-signed")
    if a.plain_port is not None and a.tls_cert is None and a.tls_self_signed is None:
        p.error("--plain-port is the plain port beside a TLS one: give --tls-cert/--tls-key or --tls-self-signed")
    try:
        names = tuple(check_name(n) for n in a.tls_name)
    except ValueError as exc:
        p.error(f"--tls-name: {exc}")
    if a.no_deflate and a.deflate_force:
        p.error("--no-deflate and --deflate-force exclude each other")
    try:
        policy = deflate_policy(a.deflate_force)
    except HandshakeError as exc:
        p.error(f"--deflate-force: {exc.reason}")
    return ServerConfig(
        host=a.host,
        port=a.port,
        docroot=a.docroot,
        verbose=a.verbose,
        max_message=a.max_message,
        ping_interval=a.ping_interval,
        handshake_timeout=a.handshake_timeout,
        idle_timeout=a.idle_timeout,
        tls_cert=a.tls_cert,
        tls_key=a.tls_key,
        plain_port=a.plain_port,
        tls_self_signed=a.tls_self_signed,
        tls_names=names,
        deflate=None if a.no_deflate else policy,
        deflate_level=a.deflate_level,
    )


def deflate_policy(params: str) -> DeflateParams:
    """The parameters of --deflate-force ("server_no_context_takeover; client_max_window_bits=10") with a
    response's rules (every window size has its value); HandshakeError names the broken one."""
    (extension,) = parse_extensions([f"{PERMESSAGE_DEFLATE}; {params}" if params.strip() else PERMESSAGE_DEFLATE])
    return DeflateParams.parse(extension, offer=False)


def make_certificate(config: ServerConfig) -> ServerConfig:
    """With --tls-self-signed: the CA and certificate written, said on stderr, and the config serving them."""
    if config.tls_self_signed is None:
        return config
    names = config.tls_names or default_names(config.host)
    files = self_signed(config.tls_self_signed, names)
    print(
        f"server: TLS certificate for {', '.join(names)} in {files.cert} (key {files.key}), signed by a new CA: "
        f"clients trust {files.ca}",
        file=sys.stderr,
        flush=True,
    )
    return replace(config, tls_cert=files.cert, tls_key=files.key)


async def serve(config: ServerConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = ReferenceServer(config)
    await server.start()
    plain = f"; plain: {server.plain_ws_url}" if server.plain_ws_url else ""
    print(f"wsinterop reference server ready on {server.url} (WebSocket: {server.ws_url}{plain})", flush=True)
    await stop.wait()
    logging.getLogger("server").info("shutting down: closing WebSockets with 1001")
    await server.stop()


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if config.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    if not config.verbose:
        logging.getLogger("aiohttp").setLevel(logging.WARNING)
    try:
        config = make_certificate(config)
    except OSError as exc:
        print(f"server: cannot write the certificate into {config.tls_self_signed}: {exc}", file=sys.stderr)
        return 1
    try:
        asyncio.run(serve(config))
    except ssl.SSLError as exc:
        print(f"server: cannot use the certificate {config.tls_cert} with key {config.tls_key}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{config.host}:{config.port}" + (f" and {config.plain_port}" if config.plain_port is not None else "")
        if config.tls_cert is not None and exc.errno in (errno.ENOENT, errno.EACCES):
            print(f"server: cannot read the certificate or key: {exc}", file=sys.stderr)
        else:
            print(f"server: cannot listen on {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
