"""Sec-WebSocket-Extensions as data: the RFC 6455 §9.1 grammar, tolerant whitespace, errors with offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wire import HandshakeError
from wire.extensions import Extension, format_extensions, parse_extensions

PMD = "permessage-deflate"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([PMD], (Extension(PMD),)),
        # Chromium's offer
        ([f"{PMD}; client_max_window_bits"], (Extension(PMD, (("client_max_window_bits", None),)),)),
        (
            [f"{PMD}; server_max_window_bits=10; client_no_context_takeover, {PMD}"],
            (
                Extension(PMD, (("server_max_window_bits", "10"), ("client_no_context_takeover", None))),
                Extension(PMD),
            ),
        ),
        # several header fields, whitespace around every separator, empty list elements
        (
            [" x-a ;  p = 1 ,, ", '\tx-b;q\t=\t"2"', ", ,"],
            (Extension("x-a", (("p", "1"),)), Extension("x-b", (("q", "2"),))),
        ),
        (['x; v="1\\0"'], (Extension("x", (("v", "10"),)),)),  # quoted-pair unescaped
        ([""], ()),
        ([], ()),
    ],
)
def test_parse(values: list[str], expected: tuple[Extension, ...]) -> None:
    assert parse_extensions(values) == expected


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (";p", "expected an extension name at offset 0"),
        ("x;", "expected a parameter name at offset 2"),
        ("x; =1", "expected a parameter name at offset 3"),
        ("x; p=", "expected a parameter value at offset 5"),
        ("x y", "expected ',' or ';' at offset 2"),
        ('x; p="10', "expected a closed quoted string at offset 5"),
        ("x; p=1=2", "expected ',' or ';' at offset 6"),
        ("x; p=a b", "expected ',' or ';' at offset 7"),
        ("perm\u00e9ssage", "expected ',' or ';' at offset 4"),
    ],
)
def test_grammar_errors_say_where(value: str, where: str) -> None:
    with pytest.raises(HandshakeError, match=where):
        parse_extensions([value])


def test_a_quoted_value_must_be_a_token_once_unquoted() -> None:
    with pytest.raises(HandshakeError, match="not a token once unquoted"):
        parse_extensions(['x; p="a b"'])
    with pytest.raises(HandshakeError, match="not a token once unquoted"):
        parse_extensions(['x; p=""'])


def test_format_writes_what_it_is_given() -> None:
    extensions = [
        Extension(PMD, (("client_max_window_bits", None), ("server_max_window_bits", "9"))),
        Extension("x", (("p", 'a "b"\\'),)),  # not a token: quoted and escaped
        Extension("bad name;", (("=", None),)),  # no validation on the way out
    ]
    text = format_extensions(extensions)
    assert text == f'{PMD}; client_max_window_bits; server_max_window_bits=9, x; p="a \\"b\\"\\\\", bad name;; ='


TOKEN = st.text(alphabet="abcxyz019_-.!#$%&'*+^`|~", min_size=1, max_size=12)


@given(st.lists(st.builds(Extension, TOKEN, st.lists(st.tuples(TOKEN, st.none() | TOKEN), max_size=4).map(tuple))))
def test_format_then_parse_round_trips(extensions: list[Extension]) -> None:
    assert parse_extensions([format_extensions(extensions)]) == tuple(extensions)
