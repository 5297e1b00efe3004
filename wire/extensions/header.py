"""Sec-WebSocket-Extensions as data (RFC 6455 §9.1): parsing into Extensions, and formatting them back.

    Sec-WebSocket-Extensions = 1#extension
    extension = token *( ";" extension-param )
    extension-param = token [ "=" ( token | quoted-string ) ]

A quoted value must be a token once unescaped (§9.1). Parsing is tolerant where HTTP is (optional
whitespace around the separators, empty list elements, several header fields) and strict on the grammar;
it says where a header broke it. Formatting writes what it is given: a value that is not a token is
quoted, an invalid name is written as it is (encoders never validate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import HandshakeError

HEADER = "Sec-WebSocket-Extensions"

_TOKEN = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_QUOTED = re.compile(r'"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\t\x20-\x7e\x80-\xff])*)"')
_ESCAPE = re.compile(r"\\(.)")
_OWS = re.compile(r"[ \t]*")


@dataclass(frozen=True)
class Extension:
    """One element of the header: an extension name and its parameters in order (value None: no value)."""

    name: str
    params: tuple[tuple[str, str | None], ...] = ()

    def __str__(self) -> str:
        parts = [self.name]
        for name, value in self.params:
            parts.append(name if value is None else f"{name}={_value(value)}")
        return "; ".join(parts)


def _value(value: str) -> str:
    if _TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_extensions(extensions: Iterable[Extension]) -> str:
    """The header value for `extensions`, in order."""
    return ", ".join(str(e) for e in extensions)


def parse_extensions(values: Iterable[str]) -> tuple[Extension, ...]:
    """The extensions of every Sec-WebSocket-Extensions field value, in order; HandshakeError saying
    where a value breaks the grammar."""
    return tuple(extension for value in values for extension in _Parser(value).extensions())


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str) -> HandshakeError:
        found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
        return HandshakeError(f"{HEADER}: expected {expected} at offset {self.pos}, found {found} in {self.text!r}")

    def skip(self) -> None:
        self.pos = _OWS.match(self.text, self.pos).end()  # type: ignore[union-attr]  # [ \t]* always matches

    def take(self, char: str) -> bool:
        self.skip()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            self.skip()
            return True
        return False

    def token(self, what: str) -> str:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise self.fail(what)
        self.pos = match.end()
        return match.group()

    def value(self) -> str:
        if not self.text.startswith('"', self.pos):
            return self.token("a parameter value")
        match = _QUOTED.match(self.text, self.pos)
        if match is None:
            raise self.fail("a closed quoted string")
        value = _ESCAPE.sub(r"\1", match.group(1))
        if not _TOKEN.fullmatch(value):
            raise HandshakeError(f"{HEADER}: quoted value {match.group()} is not a token once unquoted (RFC 6455 §9.1)")
        self.pos = match.end()
        return value

    def extensions(self) -> list[Extension]:
        found: list[Extension] = []
        while True:
            while self.take(","):  # empty list elements are allowed (RFC 9110 §5.6.1)
                pass
            if self.pos >= len(self.text):
                return found
            name = self.token("an extension name")
            params: list[tuple[str, str | None]] = []
            while self.take(";"):
                param = self.token("a parameter name")
                params.append((param, self.value() if self.take("=") else None))
            found.append(Extension(name, tuple(params)))
            if self.pos < len(self.text) and not self.take(","):
                raise self.fail("',' or ';'")
