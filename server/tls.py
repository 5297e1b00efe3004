"""TLS for the reference server: its SSL context, and a CA with a certificate for the host made on the spot.

`self_signed(DIR, names)` writes, with trustme (made for exactly this):
- `ca.pem`: the CA certificate a client trusts (`python -m harness run --ca DIR/ca.pem`, a browser's store);
- `cert.pem`: the server's certificate for `names`, signed by that CA;
- `key.pem`: the server certificate's private key (mode 0600).
The CA's own key is never written: a new CA comes with every start, so that no file in DIR can sign
anything else. Clients trust the ca.pem of the server's current start.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

WILDCARDS = ("0.0.0.0", "::", "")  # listen addresses that name no host
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class CertFiles:
    ca: Path
    cert: Path
    key: Path


def default_names(host: str) -> tuple[str, ...]:
    """The names a self-signed certificate covers when none are given: the listen address (unless it is a
    wildcard) and the loopback names."""
    names = [] if host in WILDCARDS else [host]
    return tuple(dict.fromkeys([*names, *LOCAL_NAMES]))


def check_name(name: str) -> str:
    """`name` as a certificate identity (a DNS name, a *.wildcard or an IP address); ValueError otherwise."""
    try:
        ipaddress.ip_address(name)
        return name
    except ValueError:
        pass
    labels = name.removeprefix("*.").split(".")
    if not name or not all(label and len(label) < 64 and label.replace("-", "").isalnum() for label in labels):
        raise ValueError(f"{name!r} is neither a host name nor an IP address")
    return name


def self_signed(directory: Path, names: Sequence[str]) -> CertFiles:
    """A new CA and a certificate it signs for `names`, written into `directory` (created if missing)."""
    import trustme  # imported only when asked for: it brings cryptography, slow to import

    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="wsinterop reference server")
    leaf = ca.issue_cert(*names, organization_name="wsinterop reference server")
    files = CertFiles(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    ca.cert_pem.write_to_path(files.ca)
    files.cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    files.key.touch(mode=0o600)
    os.chmod(files.key, 0o600)  # an existing key.pem keeps its mode through touch()
    leaf.private_key_pem.write_to_path(files.key)
    return files


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of TLS with this certificate chain and key; ssl.SSLError or OSError when they do not
    load (a missing file, a key that does not match)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
