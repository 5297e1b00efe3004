"""wire.close: named close codes, unnamed ones kept as ints, and the Close value."""

from __future__ import annotations

import json

from wire import Close, CloseCode, close_code


def test_named_codes_are_their_ints() -> None:
    assert int(CloseCode.NORMAL_CLOSURE) == 1000 and int(CloseCode.MESSAGE_TOO_BIG) == 1009
    assert close_code(1002) is CloseCode.PROTOCOL_ERROR
    assert json.dumps({"code": close_code(1001)}) == '{"code": 1001}'
    assert f"{CloseCode.GOING_AWAY}" == "1001"


def test_unnamed_codes_stay_ints() -> None:
    for value in (999, 3000, 4999, 5000):
        code = close_code(value)
        assert code == value and type(code) is int


def test_close_describes_itself() -> None:
    assert str(Close()) == "close without a code"
    assert str(Close(close_code(1000), "bye")) == "close 1000 (NORMAL_CLOSURE) 'bye'"
    assert str(Close(4000)) == "close 4000"
    assert Close(1000, "") == Close(CloseCode.NORMAL_CLOSURE)
