"""Where a run points: a ws:// or wss:// URL, parsed once, and how a wss:// target's certificate is checked."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Trust:
    """How the certificate of a wss:// target is checked: against the system's CAs (the default), against
    the CA in `ca` (a private or self-signed one: --ca FILE), or not at all (`insecure`: --insecure)."""

    ca: Path | None = None
    insecure: bool = False

    def __post_init__(self) -> None:
        if self.ca is not None and self.insecure:
            raise ValueError("--ca and --insecure contradict each other: give one")

    @classmethod
    def of_options(cls, ca: Path | None, insecure: bool, secure: bool) -> Trust:
        """The trust --ca and --insecure ask for, for a target that is `secure` (wss://) or not; ValueError
        saying what is wrong (either for a ws:// target, both at once, a CA file that cannot be read)."""
        if not secure and (ca is not None or insecure):
            raise ValueError(f"{'--ca' if ca is not None else '--insecure'} is for a wss:// target")
        trust = cls(ca, insecure)
        if ca is not None:
            try:
                trust.context()
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"--ca {ca}: cannot load a CA certificate from it: {exc.strerror or exc}") from None
        return trust

    def context(self) -> ssl.SSLContext:
        """The client side of TLS under this trust (one per Trust, shared: contexts are made for that).
        OSError or ssl.SSLError when the CA file cannot be read."""
        return _context(self)

    def describe(self) -> str:
        if self.insecure:
            return "not checked (--insecure)"
        if self.ca is not None:
            return f"checked against the CA in {self.ca}"
        return "checked against the system's CAs"


@cache
def _context(trust: Trust) -> ssl.SSLContext:
    if trust.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=trust.ca)


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str = "/"
    secure: bool = False
    trust: Trust = field(default_factory=Trust)  # for a secure target

    @classmethod
    def parse(cls, url: str, trust: Trust | None = None) -> Target:
        """A target from a ws:// or wss:// URL; ValueError saying what is wrong otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss"):
            raise ValueError(f"{url!r} is not a WebSocket URL: use ws://host[:port][/path] or wss://...")
        if not parts.hostname:
            raise ValueError(f"{url!r} has no host: use {parts.scheme}://host[:port][/path]")
        if parts.fragment:
            raise ValueError(f"{url}: a WebSocket URL has no #fragment")
        secure = parts.scheme == "wss"
        try:
            port = parts.port or (443 if secure else 80)
        except ValueError as exc:  # "Port out of range 0-65535", "Port could not be cast to integer value"
            raise ValueError(f"{url}: {exc}") from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.hostname, port, path, secure, trust or Trust())

    def tls_context(self) -> ssl.SSLContext | None:
        """The TLS context to connect with (None for ws://)."""
        return self.trust.context() if self.secure else None

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.secure else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        """The web origin of the target's own pages: https://authority for wss, http:// for ws."""
        return f"{'https' if self.secure else 'http'}://{self.authority}"

    @property
    def url(self) -> str:
        return f"{'wss' if self.secure else 'ws'}://{self.authority}{self.path}"

    def connect_error(self, exc: OSError) -> str:
        """Why connecting failed, in one line: TCP's reason, or what went wrong with TLS and what to do."""
        if isinstance(exc, ssl.SSLCertVerificationError):
            return (
                f"the TLS certificate of {self.authority} is not trusted: {exc.verify_message} "
                f"(certificate {self.trust.describe()}; trust its CA with --ca FILE, or skip the check with --insecure)"
            )
        if isinstance(exc, ssl.SSLEOFError):
            return f"{self.authority} ended the connection during the TLS handshake (does it speak TLS?)"
        if isinstance(exc, ssl.SSLError):
            return f"the TLS handshake with {self.authority} failed: {exc.reason or exc} (does it speak TLS?)"
        reason = os.strerror(exc.errno) if exc.errno else str(exc) or type(exc).__name__
        return f"cannot connect to {self.authority}: {reason}"
