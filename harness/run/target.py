"""Where a run points: a ws:// URL, parsed once."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str = "/"
    secure: bool = False

    @classmethod
    def parse(cls, url: str) -> Target:
        """A target from a ws:// URL; ValueError saying what is wrong otherwise."""
        parts = urlsplit(url)
        if parts.scheme == "wss":
            raise ValueError(f"{url}: wss:// (TLS) is not supported; use ws://")
        if parts.scheme != "ws":
            raise ValueError(f"{url!r} is not a WebSocket URL: use ws://host[:port][/path]")
        if not parts.hostname:
            raise ValueError(f"{url!r} has no host: use ws://host[:port][/path]")
        if parts.fragment:
            raise ValueError(f"{url}: a WebSocket URL has no #fragment")
        try:
            port = parts.port or 80
        except ValueError as exc:  # "Port out of range 0-65535", "Port could not be cast to integer value"
            raise ValueError(f"{url}: {exc}") from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(parts.hostname, port, path)

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.secure else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{'wss' if self.secure else 'ws'}://{self.authority}{self.path}"
