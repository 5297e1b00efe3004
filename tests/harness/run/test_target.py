"""harness.run.target: the Target every driver and `ping` share."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from harness.run.target import Target, Trust
from server.tls import self_signed


def test_parse() -> None:
    assert Target.parse("ws://Example.org") == Target("example.org", 80, "/")
    assert Target.parse("ws://[::1]:9000/a/b?c=d") == Target("::1", 9000, "/a/b?c=d")


def test_parse_wss() -> None:
    trust = Trust(insecure=True)
    assert Target.parse("wss://Example.org/x", trust) == Target("example.org", 443, "/x", True, trust)
    assert Target.parse("wss://h:8443").url == "wss://h:8443/"
    assert Target.parse("wss://h:443/").authority == "h"
    assert (Target.parse("wss://h:8443/").origin, Target.parse("ws://h/").origin) == ("https://h:8443", "http://h")
    assert Target.parse("ws://h/").tls_context() is None


def test_trust_contexts(tmp_path: Path) -> None:
    system = Target.parse("wss://h/").tls_context()
    assert system is not None and system.verify_mode is ssl.CERT_REQUIRED and system.check_hostname
    insecure = Trust(insecure=True).context()
    assert (insecure.verify_mode, insecure.check_hostname) == (ssl.CERT_NONE, False)
    ca = self_signed(tmp_path, ("localhost",)).ca
    private = Trust(ca=ca).context()
    assert private.verify_mode is ssl.CERT_REQUIRED and len(private.get_ca_certs()) == 1
    assert Trust(ca=ca).context() is private  # made once, shared by every connection
    assert (Trust().describe(), Trust(ca=ca).describe(), Trust(insecure=True).describe()) == (
        "checked against the system's CAs",
        f"checked against the CA in {ca}",
        "not checked (--insecure)",
    )


def test_trust_of_options(tmp_path: Path) -> None:
    ca = self_signed(tmp_path, ("localhost",)).ca
    assert Trust.of_options(ca, False, secure=True) == Trust(ca)
    assert Trust.of_options(None, True, secure=True) == Trust(insecure=True)
    assert Trust.of_options(None, False, secure=False) == Trust()
    for ca_arg, insecure, secure, message in [
        (ca, False, False, "--ca is for a wss:// target"),
        (None, True, False, "--insecure is for a wss:// target"),
        (ca, True, True, "--ca and --insecure contradict each other: give one"),
        (tmp_path / "none.pem", False, True, f"--ca {tmp_path / 'none.pem'}: cannot load a CA certificate from it: "),
        (tmp_path / "key.pem", False, True, f"--ca {tmp_path / 'key.pem'}: cannot load a CA certificate from it: "),
    ]:
        with pytest.raises(ValueError) as error:
            Trust.of_options(ca_arg, insecure, secure)
        assert str(error.value).startswith(message)


def test_connect_error_says_what_to_do() -> None:
    target = Target.parse("wss://h:8443/")
    unknown = ssl.SSLCertVerificationError(1, "certificate verify failed")
    unknown.verify_message = "unable to get local issuer certificate"
    assert target.connect_error(unknown) == (
        "the TLS certificate of h:8443 is not trusted: unable to get local issuer certificate (certificate checked "
        "against the system's CAs; trust its CA with --ca FILE, or skip the check with --insecure)"
    )
    assert target.connect_error(ssl.SSLEOFError(8, "EOF")) == (
        "h:8443 ended the connection during the TLS handshake (does it speak TLS?)"
    )
    wrong = ssl.SSLError(1, "wrong version")
    wrong.reason = "WRONG_VERSION_NUMBER"
    assert target.connect_error(wrong) == (
        "the TLS handshake with h:8443 failed: WRONG_VERSION_NUMBER (does it speak TLS?)"
    )
    assert target.connect_error(ConnectionRefusedError(111, "x")) == "cannot connect to h:8443: Connection refused"
    assert target.connect_error(TimeoutError()) == "cannot connect to h:8443: TimeoutError"


def test_authority_and_url_leave_out_the_default_port() -> None:
    assert (Target("h", 80).authority, Target("h", 80).url) == ("h", "ws://h/")
    assert (Target("::1", 9000, "/x").authority, Target("::1", 9000, "/x").url) == ("[::1]:9000", "ws://[::1]:9000/x")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://127.0.0.1:8080/",
            "'http://127.0.0.1:8080/' is not a WebSocket URL: use ws://host[:port][/path] or wss://...",
        ),
        ("127.0.0.1:8080", "'127.0.0.1:8080' is not a WebSocket URL: use ws://host[:port][/path] or wss://..."),
        ("wss:///x", "'wss:///x' has no host: use wss://host[:port][/path]"),
        ("ws:///path", "'ws:///path' has no host: use ws://host[:port][/path]"),
        ("ws://h/#top", "ws://h/#top: a WebSocket URL has no #fragment"),
        ("ws://h:99999/", "ws://h:99999/: Port out of range 0-65535"),
        ("ws://h:x/", "ws://h:x/: Port could not be cast to integer value as 'x'"),
    ],
)
def test_parse_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        Target.parse(url)
    assert str(error.value) == message
