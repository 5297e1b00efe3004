"""permessage-deflate negotiation (RFC 7692 §5, §7.1): the four parameters, the rules an offer and a
response must follow, the server's choice among offers and the client's check of the response.

Both sides end with an Agreement: what each end applies to what it sends and what it receives.
An offer that breaks a rule is declined (the server tries the next one); a response that breaks a rule,
or does not answer an offer the client made, fails the connection (NegotiationError).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Literal

from ..errors import HandshakeError
from .header import Extension

PERMESSAGE_DEFLATE = "permessage-deflate"
DEFAULT_WINDOW_BITS = 15

# RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive"
_WINDOW_BITS = re.compile(r"[89]|1[0-5]")
_FLAGS = ("server_no_context_takeover", "client_no_context_takeover")
_BITS = ("server_max_window_bits", "client_max_window_bits")


class NegotiationError(HandshakeError):
    """An offer or a response that breaks a rule of RFC 7692, or a response that answers no offer."""


@dataclass(frozen=True)
class DeflateParams:
    """The parameters of one permessage-deflate offer or response; None: absent. `client_max_window_bits`
    is True when an offer carries it without a value ("I can limit my window if you ask")."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int | None = None
    client_max_window_bits: int | Literal[True] | None = None

    @classmethod
    def parse(cls, extension: Extension, *, offer: bool) -> DeflateParams:
        """The parameters of a permessage-deflate element; NegotiationError names the first broken rule:
        an unknown or repeated parameter, a value on a flag, a window size that is not 8..15, a missing
        value (only an offer's client_max_window_bits may have none)."""
        where = "an offer" if offer else "a response"
        found: dict[str, bool | int] = {}
        for name, value in extension.params:
            if name in found:
                raise NegotiationError(f"{PERMESSAGE_DEFLATE}: duplicate parameter {name} in {where}")
            if name in _FLAGS:
                if value is not None:
                    raise NegotiationError(f"{PERMESSAGE_DEFLATE}: {name} takes no value, got {value!r}")
                found[name] = True
            elif name in _BITS:
                if value is None:
                    if offer and name == "client_max_window_bits":
                        found[name] = True
                        continue
                    raise NegotiationError(f"{PERMESSAGE_DEFLATE}: {name} without a value in {where}")
                if not _WINDOW_BITS.fullmatch(value):
                    raise NegotiationError(f"{PERMESSAGE_DEFLATE}: {name}={value!r} is not a window size from 8 to 15")
                found[name] = int(value)
            else:
                raise NegotiationError(f"{PERMESSAGE_DEFLATE}: unknown parameter {name!r} in {where}")
        return cls(**found)  # type: ignore[arg-type]  # the names and value types are checked above

    def extension(self) -> Extension:
        """The element that carries these parameters (in the order of RFC 7692 §7.1)."""
        params: list[tuple[str, str | None]] = []
        for field in fields(self):
            value = getattr(self, field.name)
            if value is True:
                params.append((field.name, None))
            elif value:
                params.append((field.name, str(value)))
        return Extension(PERMESSAGE_DEFLATE, tuple(params))

    def __str__(self) -> str:
        return str(self.extension())


@dataclass(frozen=True)
class Agreement:
    """What both ends apply once permessage-deflate is agreed: whether each direction starts every message
    with a fresh window, and each direction's window size (15 when not limited)."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = DEFAULT_WINDOW_BITS
    client_max_window_bits: int = DEFAULT_WINDOW_BITS

    @property
    def echoes_verbatim(self) -> bool:
        """Whether a server may send the client's compressed messages back as they came, compressed data
        and all, provided it sends every one of them, in order, and compresses nothing of its own: the
        client's inflater then reads exactly the stream its compressor wrote. That holds when the client's
        window fits the one its inflater keeps, and when the client keeps no context across messages
        wherever its inflater must not (server_no_context_takeover)."""
        return self.client_max_window_bits <= self.server_max_window_bits and (
            self.client_no_context_takeover or not self.server_no_context_takeover
        )


def _limit(bits: int | Literal[True] | None) -> int | None:
    return None if bits is True else bits


def _smallest(*bits: int | None) -> int | None:
    return min((b for b in bits if b is not None), default=None)


# --- server ------------------------------------------------------------------------------------------


def accept_offer(offer: DeflateParams, policy: DeflateParams = DeflateParams()) -> tuple[DeflateParams, Agreement]:
    """The server's response to a valid offer and the resulting Agreement. `policy` holds what the server
    insists on: its flags are added to the offer's, and its window sizes are upper limits (a client
    window limit only where the offer allows one, RFC 7692 §7.1.2.2). Every valid offer can be accepted:
    a server window of 8 bits is honoured (see deflate.py)."""
    client_bits = None
    if offer.client_max_window_bits is not None:
        client_bits = _smallest(_limit(offer.client_max_window_bits), _limit(policy.client_max_window_bits))
    response = DeflateParams(
        server_no_context_takeover=offer.server_no_context_takeover or policy.server_no_context_takeover,
        client_no_context_takeover=offer.client_no_context_takeover or policy.client_no_context_takeover,
        server_max_window_bits=_smallest(offer.server_max_window_bits, policy.server_max_window_bits),
        client_max_window_bits=client_bits,
    )
    return response, _agreement(response, client_bits)


def _agreement(response: DeflateParams, client_bits: int | None, client_no_context_takeover: bool = False) -> Agreement:
    return Agreement(
        server_no_context_takeover=response.server_no_context_takeover,
        client_no_context_takeover=response.client_no_context_takeover or client_no_context_takeover,
        server_max_window_bits=response.server_max_window_bits or DEFAULT_WINDOW_BITS,
        client_max_window_bits=client_bits or DEFAULT_WINDOW_BITS,
    )


@dataclass(frozen=True)
class ServerNegotiation:
    """The server's choice: the response element and Agreement of the accepted offer (None: no
    permessage-deflate), and the permessage-deflate offers it declined with the rule each broke."""

    response: DeflateParams | None = None
    agreement: Agreement | None = None
    declined: tuple[tuple[Extension, str], ...] = ()


def negotiate(offers: Iterable[Extension], policy: DeflateParams = DeflateParams()) -> ServerNegotiation:
    """Accept the first valid permessage-deflate offer, in the client's order of preference; offers of
    other extensions are left alone."""
    declined: list[tuple[Extension, str]] = []
    for extension in offers:
        if extension.name != PERMESSAGE_DEFLATE:
            continue
        try:
            offer = DeflateParams.parse(extension, offer=True)
        except NegotiationError as exc:
            declined.append((extension, exc.reason))
            continue
        response, agreement = accept_offer(offer, policy)
        return ServerNegotiation(response, agreement, tuple(declined))
    return ServerNegotiation(declined=tuple(declined))


def insist(offers: Iterable[Extension], policies: Sequence[DeflateParams]) -> ServerNegotiation:
    """A server that insists on its parameters (Autobahn's fuzzing server in 12.* and 13.*): each policy in
    turn takes the first valid offer that allows all of it, and none may accept nothing. An offer allows a
    client window limit only when it carries client_max_window_bits (RFC 7692 §7.1.2.2). The response holds
    the offer's server_* requests (limited by the policy's) and the policy's client_* parameters, and
    never repeats the client's own hints (client_no_context_takeover, a client_max_window_bits value)."""
    valid: list[DeflateParams] = []
    declined: list[tuple[Extension, str]] = []
    for extension in offers:
        if extension.name != PERMESSAGE_DEFLATE:
            continue
        try:
            valid.append(DeflateParams.parse(extension, offer=True))
        except NegotiationError as exc:
            declined.append((extension, exc.reason))
    for policy in policies:
        for offer in valid:
            if policy.client_max_window_bits is not None and offer.client_max_window_bits is None:
                continue
            response = DeflateParams(
                server_no_context_takeover=offer.server_no_context_takeover or policy.server_no_context_takeover,
                client_no_context_takeover=policy.client_no_context_takeover,
                server_max_window_bits=_smallest(offer.server_max_window_bits, policy.server_max_window_bits),
                client_max_window_bits=_limit(policy.client_max_window_bits),
            )
            client_bits = _smallest(_limit(offer.client_max_window_bits), response.client_max_window_bits)
            agreement = _agreement(response, client_bits, offer.client_no_context_takeover)
            return ServerNegotiation(response, agreement, tuple(declined))
    return ServerNegotiation(declined=tuple(declined))


# --- client ------------------------------------------------------------------------------------------


def check_response(offer: DeflateParams, response: DeflateParams) -> Agreement:
    """The Agreement when `response` validly answers `offer`; NegotiationError otherwise. The client
    keeps to its own hints: its offered client_max_window_bits=N and client_no_context_takeover hold
    even when the response does not repeat them."""
    name = PERMESSAGE_DEFLATE
    if offer.server_no_context_takeover and not response.server_no_context_takeover:
        raise NegotiationError(f"{name}: server_no_context_takeover was offered; the response does not accept it")
    offered_server_bits = offer.server_max_window_bits
    if offered_server_bits is not None:
        # No server_max_window_bits in the response means the default, 15 bits: a configuration the client
        # supports when it offered 15 (§7: the client fails a response whose configuration it does not
        # support); below 15 it asked for a smaller window, which the response does not grant.
        if response.server_max_window_bits is None and offered_server_bits < DEFAULT_WINDOW_BITS:
            raise NegotiationError(
                f"{name}: server_max_window_bits={offered_server_bits} was offered; the response does not accept it"
            )
        if response.server_max_window_bits is not None and response.server_max_window_bits > offered_server_bits:
            raise NegotiationError(
                f"{name}: server_max_window_bits={response.server_max_window_bits} in the response is larger "
                f"than the {offered_server_bits} offered"
            )
    if response.client_max_window_bits is not None and offer.client_max_window_bits is None:
        raise NegotiationError(f"{name}: client_max_window_bits in the response, but the offer did not include it")
    client_bits = _smallest(_limit(response.client_max_window_bits), _limit(offer.client_max_window_bits))
    return _agreement(response, client_bits, offer.client_no_context_takeover)


def agree(
    offered: Sequence[Extension], accepted: Sequence[Extension], *, as_answered: bool = False
) -> Agreement | None:
    """The client's view of the server's Sec-WebSocket-Extensions: None when permessage-deflate is not
    in it; its Agreement when it validly answers one of the client's valid offers (tried in order);
    NegotiationError (fail the connection) otherwise.

    `as_answered` takes a valid permessage-deflate response that answers no offer as it reads (its own
    parameters, both directions) instead of failing: Autobahn's client does so in 12.* and 13.*, and
    judges only the echoes. A response to a request that offered no permessage-deflate still fails."""
    responses = [e for e in accepted if e.name == PERMESSAGE_DEFLATE]
    if not responses:
        return None
    if len(responses) > 1:
        raise NegotiationError(f"{PERMESSAGE_DEFLATE} accepted {len(responses)} times")
    response = DeflateParams.parse(responses[0], offer=False)
    if as_answered and any(e.name == PERMESSAGE_DEFLATE for e in offered):
        try:
            return agree(offered, accepted)
        except NegotiationError:
            return _agreement(response, _limit(response.client_max_window_bits))
    reasons: list[str] = []
    for extension in offered:
        if extension.name != PERMESSAGE_DEFLATE:
            continue
        try:
            return check_response(DeflateParams.parse(extension, offer=True), response)
        except NegotiationError as exc:
            reasons.append(f"offer {str(extension)!r}: {exc.reason}")
    if not reasons:
        raise NegotiationError(f"{PERMESSAGE_DEFLATE} accepted, but not offered")
    answer = str(responses[0])
    raise NegotiationError(f"{PERMESSAGE_DEFLATE} response {answer!r} answers no offer: {'; '.join(reasons)}")
