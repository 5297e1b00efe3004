"""permessage-deflate negotiation: every rule of RFC 7692 §7 for offers and responses, the server's
choice, the client's check, and both sides reaching the same Agreement."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wire.extensions import (
    Agreement,
    DeflateParams,
    Extension,
    NegotiationError,
    accept_offer,
    agree,
    check_response,
    insist,
    negotiate,
    parse_extensions,
)

PMD = "permessage-deflate"


def ext(text: str) -> Extension:
    (extension,) = parse_extensions([text])
    return extension


def pmd(params: str) -> str:
    """A permessage-deflate element with `params` ("" for none)."""
    return f"{PMD}; {params}" if params else PMD


def offer(text: str) -> DeflateParams:
    return DeflateParams.parse(ext(text), offer=True)


def response(text: str) -> DeflateParams:
    return DeflateParams.parse(ext(text), offer=False)


# --- parameters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PMD, DeflateParams()),
        (f"{PMD}; client_max_window_bits", DeflateParams(client_max_window_bits=True)),
        (
            f"{PMD}; server_no_context_takeover; client_no_context_takeover; "
            "server_max_window_bits=8; client_max_window_bits=15",
            DeflateParams(True, True, 8, 15),
        ),
        (f'{PMD}; server_max_window_bits="10"', DeflateParams(server_max_window_bits=10)),  # quoted: same value
    ],
)
def test_valid_offers(text: str, expected: DeflateParams) -> None:
    assert offer(text) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (f"{PMD}; server_no_context_takeover; server_no_context_takeover", "duplicate parameter server_no_context"),
        (f"{PMD}; client_max_window_bits; client_max_window_bits=10", "duplicate parameter client_max_window_bits"),
        (f"{PMD}; server_max_window_bits=10; server_max_window_bits=10", "duplicate parameter server_max_window_bits"),
        (f"{PMD}; x_unknown", "unknown parameter 'x_unknown'"),
        (f"{PMD}; Server_No_Context_Takeover", "unknown parameter"),  # names are exact
        (f"{PMD}; server_no_context_takeover=1", "server_no_context_takeover takes no value"),
        (f'{PMD}; client_no_context_takeover="x"', "client_no_context_takeover takes no value"),
        (f"{PMD}; server_max_window_bits", "server_max_window_bits without a value"),
        (f"{PMD}; server_max_window_bits=7", "'7' is not a window size from 8 to 15"),
        (f"{PMD}; server_max_window_bits=16", "'16' is not a window size"),
        (f"{PMD}; client_max_window_bits=0", "'0' is not a window size"),
        (f"{PMD}; client_max_window_bits=09", "'09' is not a window size"),  # no leading zeros
        (f"{PMD}; client_max_window_bits=+9", "'\\+9' is not a window size"),
        (f"{PMD}; client_max_window_bits=ten", "'ten' is not a window size"),
    ],
)
def test_invalid_offers(text: str, rule: str) -> None:
    with pytest.raises(NegotiationError, match=rule):
        offer(text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (f"{PMD}; client_max_window_bits", "client_max_window_bits without a value in a response"),
        (f"{PMD}; server_max_window_bits", "server_max_window_bits without a value in a response"),
        (f"{PMD}; server_max_window_bits=20", "not a window size"),
        (f"{PMD}; mystery=1", "unknown parameter 'mystery' in a response"),
        (f"{PMD}; client_no_context_takeover; client_no_context_takeover", "duplicate parameter"),
    ],
)
def test_invalid_responses(text: str, rule: str) -> None:
    with pytest.raises(NegotiationError, match=rule):
        response(text)


FLAGS = st.booleans()
BITS = st.none() | st.integers(8, 15)
OFFERS = st.builds(DeflateParams, FLAGS, FLAGS, BITS, BITS | st.just(True))
POLICIES = st.builds(DeflateParams, FLAGS, FLAGS, BITS, BITS)


@given(OFFERS)
def test_params_round_trip_through_their_element(params: DeflateParams) -> None:
    assert DeflateParams.parse(ext(str(params)), offer=True) == params


def test_elements_list_parameters_in_rfc_order() -> None:
    assert str(DeflateParams(True, True, 9, True)) == pmd(
        "server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits"
    )
    assert str(DeflateParams()) == PMD


# --- the server's side -------------------------------------------------------------------------------

# Autobahn's 13.* offers (PerMessageDeflateOffer(...).getExtensionString()) and our default answers
AUTOBAHN_13 = [
    ("client_no_context_takeover; client_max_window_bits", "client_no_context_takeover"),
    (
        "client_no_context_takeover; client_max_window_bits; server_no_context_takeover",
        "server_no_context_takeover; client_no_context_takeover",
    ),
    (
        "client_no_context_takeover; client_max_window_bits; server_max_window_bits=9",
        "client_no_context_takeover; server_max_window_bits=9",
    ),
    (
        "client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=15",
        "server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
    ),
]


@pytest.mark.parametrize(("offered", "answered"), AUTOBAHN_13)
def test_default_server_answers(offered: str, answered: str) -> None:
    result = negotiate([ext(f"{PMD}; {offered}")])
    assert str(result.response) == f"{PMD}; {answered}"
    assert result.declined == ()


A = Agreement  # (server_no_context_takeover, client_no_context_takeover, server bits, client bits)
SMWB, CMWB = "server_max_window_bits", "client_max_window_bits"


@pytest.mark.parametrize(
    ("offered", "policy", "answered", "agreement"),
    [
        ("", "", "", A()),
        (CMWB, "", "", A()),
        # the policy limits the server's window, and the client's where the offer allows it
        ("", f"{SMWB}=11", f"{SMWB}=11", A(False, False, 11)),
        (f"{SMWB}=10", "", f"{SMWB}=10", A(False, False, 10)),
        (f"{SMWB}=10", f"{SMWB}=9", f"{SMWB}=9", A(False, False, 9)),
        (f"{SMWB}=10", f"{SMWB}=12", f"{SMWB}=10", A(False, False, 10)),
        (f"{SMWB}=8", "", f"{SMWB}=8", A(False, False, 8)),
        (CMWB, f"{CMWB}=9", f"{CMWB}=9", A(False, False, 15, 9)),
        ("", f"{CMWB}=9", "", A()),  # §7.1.2.2: not offered, so not limited
        (f"{CMWB}=12", f"{CMWB}=10", f"{CMWB}=10", A(False, False, 15, 10)),
        (f"{CMWB}=9", f"{CMWB}=10", f"{CMWB}=9", A(False, False, 15, 9)),
        (f"{CMWB}=8", "", f"{CMWB}=8", A(False, False, 15, 8)),
        # flags: the offer's and the policy's
        ("server_no_context_takeover", "", "server_no_context_takeover", A(True)),
        ("", "server_no_context_takeover", "server_no_context_takeover", A(True)),
        ("", "client_no_context_takeover", "client_no_context_takeover", A(False, True)),
        ("client_no_context_takeover", "", "client_no_context_takeover", A(False, True)),
    ],
)
def test_accept_offer(offered: str, policy: str, answered: str, agreement: Agreement) -> None:
    answer, agreed = accept_offer(offer(pmd(offered)), response(pmd(policy)))
    assert str(answer) == pmd(answered)
    assert agreed == agreement


def test_negotiate_takes_the_first_valid_offer_and_says_why_it_declined_others() -> None:
    offers = parse_extensions(
        [f"x-other; a=1, {PMD}; server_max_window_bits=99, {PMD}; foo, {PMD}; server_max_window_bits=9, {PMD}"]
    )
    result = negotiate(offers)
    assert result.response == DeflateParams(server_max_window_bits=9)
    assert result.agreement == Agreement(server_max_window_bits=9)
    assert [(str(e), reason) for e, reason in result.declined] == [
        (f"{PMD}; server_max_window_bits=99", f"{PMD}: server_max_window_bits='99' is not a window size from 8 to 15"),
        (f"{PMD}; foo", f"{PMD}: unknown parameter 'foo' in an offer"),
    ]


# Autobahn's fuzzing server (case13_x_x.py accept1..accept7) against Chromium's and Firefox's offers
CHROMIUM, FIREFOX = f"{PMD}; client_max_window_bits", PMD
CNCT = "client_no_context_takeover"


@pytest.mark.parametrize(
    ("offered", "policies", "answered"),
    [
        (CHROMIUM, [""], PMD),  # accept1: as offered, the client's hints not repeated
        (f"{PMD}; {CNCT}; client_max_window_bits=10; server_max_window_bits=12", [""], f"{PMD}; {SMWB}=12"),
        (FIREFOX, [CNCT], pmd(CNCT)),  # accept2
        (CHROMIUM, [f"{CMWB}=9"], pmd(f"{CMWB}=9")),  # accept3
        (FIREFOX, [f"{CMWB}=9"], None),  # the offer does not allow a client window: declined
        (FIREFOX, [f"{CNCT}; {CMWB}=15"], None),
        (CHROMIUM, [f"{CNCT}; {CMWB}=15"], pmd(f"{CNCT}; {CMWB}=15")),  # accept6
        (f"{PMD}; server_no_context_takeover", [f"{SMWB}=10"], pmd(f"server_no_context_takeover; {SMWB}=10")),
        # accept7: the first policy that an offer allows, the first such offer
        (f"{FIREFOX}, {CHROMIUM}", [f"{CNCT}; {CMWB}=9", CNCT, ""], pmd(f"{CNCT}; {CMWB}=9")),
        (FIREFOX, [f"{CNCT}; {CMWB}=9", CNCT, ""], pmd(CNCT)),
        ("x-webkit-deflate-frame", [""], None),
        (f"{PMD}; {CMWB}=7, {FIREFOX}", [""], PMD),  # an invalid offer is declined, the next one taken
    ],
)
def test_insist(offered: str, policies: list[str], answered: str | None) -> None:
    result = insist(parse_extensions([offered]), tuple(response(pmd(p)) for p in policies))
    assert (str(result.response) if result.response else None) == answered
    if result.response is not None:  # the client reaches the agreement the server holds
        assert agree(parse_extensions([offered]), [ext(str(result.response))]) == result.agreement
    else:
        assert result.agreement is None


def test_insist_keeps_the_clients_own_window_in_its_agreement() -> None:
    result = insist([ext(f"{PMD}; {CMWB}=10")], (DeflateParams(),))
    assert str(result.response) == PMD
    assert result.agreement == Agreement(client_max_window_bits=10)


def test_negotiate_without_a_valid_offer_accepts_nothing() -> None:
    assert negotiate([]).response is None
    assert negotiate([ext("x-webkit-deflate-frame")]).response is None
    result = negotiate([ext(f"{PMD}; client_max_window_bits=7")])
    assert (result.response, result.agreement, len(result.declined)) == (None, None, 1)


# --- the client's side -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "answered", "rule"),
    [
        ("server_no_context_takeover", "", "server_no_context_takeover was offered; the response does not accept it"),
        ("server_max_window_bits=10", "", "server_max_window_bits=10 was offered; the response does not accept it"),
        (
            "server_max_window_bits=10",
            "server_max_window_bits=11",
            "server_max_window_bits=11 in the response is larger",
        ),
        ("", "client_max_window_bits=10", "client_max_window_bits in the response, but the offer did not include it"),
    ],
)
def test_check_response_rules(offered: str, answered: str, rule: str) -> None:
    with pytest.raises(NegotiationError, match=rule):
        check_response(offer(pmd(offered)), response(pmd(answered)))


@pytest.mark.parametrize(
    ("offered", "answered", "agreement"),
    [
        ("", "", Agreement()),
        # a server may add these without being asked (§7.1.1.1, §7.1.1.2, §7.1.2.1)
        ("", "server_no_context_takeover; client_no_context_takeover", Agreement(True, True)),
        ("", "server_max_window_bits=12", Agreement(server_max_window_bits=12)),
        ("server_max_window_bits=10", "server_max_window_bits=8", Agreement(server_max_window_bits=8)),
        ("client_max_window_bits", "client_max_window_bits=8", Agreement(client_max_window_bits=8)),
        # the client keeps its own hints
        ("client_max_window_bits=10", "", Agreement(client_max_window_bits=10)),
        ("client_max_window_bits=10", "client_max_window_bits=12", Agreement(client_max_window_bits=10)),
        ("client_no_context_takeover", "", Agreement(client_no_context_takeover=True)),
        # an offered 15 needs no answer: the default window is what the client asked for at most (§7)
        ("server_max_window_bits=15", "", Agreement()),
    ],
)
def test_check_response_agreements(offered: str, answered: str, agreement: Agreement) -> None:
    assert check_response(offer(pmd(offered)), response(pmd(answered))) == agreement


def test_agree_without_permessage_deflate_in_the_response() -> None:
    assert agree([ext(PMD)], []) is None
    assert agree([ext(PMD), ext("x-foo")], [ext("x-foo")]) is None


@pytest.mark.parametrize(
    ("offered", "answered", "rule"),
    [
        ("x-foo", PMD, f"{PMD} accepted, but not offered"),
        ("", PMD, f"{PMD} accepted, but not offered"),
        (f"{PMD}; bogus", PMD, "answers no offer: offer 'permessage-deflate; bogus': permessage-deflate: unknown"),
        (PMD, f"{PMD}, {PMD}", f"{PMD} accepted 2 times"),
        (PMD, f"{PMD}; server_no_context_takeover=yes", "takes no value"),
        (PMD, f"{PMD}; client_max_window_bits", "without a value in a response"),
        (
            f"{PMD}; server_max_window_bits=9, {PMD}; server_no_context_takeover",
            f"{PMD}; server_max_window_bits=12",
            f"response '{PMD}; server_max_window_bits=12' answers no offer: "
            f"offer '{PMD}; server_max_window_bits=9': {PMD}: server_max_window_bits=12 in the response is larger "
            f"than the 9 offered; offer '{PMD}; server_no_context_takeover': {PMD}: server_no_context_takeover was "
            "offered; the response does not accept it",
        ),
    ],
)
def test_agree_failures(offered: str, answered: str, rule: str) -> None:
    with pytest.raises(NegotiationError) as info:
        agree(parse_extensions([offered]), parse_extensions([answered]))
    assert rule in info.value.reason


def test_agree_matches_the_offer_the_response_answers() -> None:
    # Autobahn's 13.7: three offers in order of preference; the response answers the second one
    offers = parse_extensions(
        [
            f"{PMD}; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; "
            f"server_max_window_bits=9, {PMD}; client_no_context_takeover; client_max_window_bits; "
            f"server_no_context_takeover, {PMD}; client_no_context_takeover; client_max_window_bits"
        ]
    )
    assert agree(offers, [ext(f"{PMD}; server_no_context_takeover")]) == Agreement(True, True)
    assert agree(offers, [ext(f"{PMD}; server_no_context_takeover; server_max_window_bits=9")]) == Agreement(
        True, True, 9
    )


@pytest.mark.parametrize(
    ("offered", "answered", "agreement"),
    [
        # Tornado 6.6 leaves out the server_no_context_takeover it was asked for: it keeps its context, and
        # the client's inflater must keep it too
        (
            f"{PMD}; client_no_context_takeover; client_max_window_bits; server_no_context_takeover",
            f"{PMD}; client_no_context_takeover",
            Agreement(server_no_context_takeover=False, client_no_context_takeover=True),
        ),
        # Jetty 9.4 leaves out server_max_window_bits=9: its window is the default 15 bits
        (f"{PMD}; server_max_window_bits=9", PMD, Agreement()),
        # a client window the offer did not allow: the response's, as Autobahn's client takes it
        (
            f"{PMD}; server_no_context_takeover",
            f"{PMD}; client_max_window_bits=10",
            Agreement(client_max_window_bits=10),
        ),
    ],
)
def test_agree_as_answered_takes_a_response_that_answers_no_offer(
    offered: str, answered: str, agreement: Agreement
) -> None:
    offers, response = parse_extensions([offered]), parse_extensions([answered])
    with pytest.raises(NegotiationError, match="answers no offer"):
        agree(offers, response)
    assert agree(offers, response, as_answered=True) == agreement


@pytest.mark.parametrize(
    ("offered", "answered", "rule"),
    [
        ("x-foo", PMD, f"{PMD} accepted, but not offered"),
        (PMD, f"{PMD}, {PMD}", f"{PMD} accepted 2 times"),
        (PMD, f"{PMD}; server_no_context_takeover=yes", "takes no value"),
        (PMD, f"{PMD}; client_max_window_bits", "without a value in a response"),
    ],
)
def test_agree_as_answered_still_fails_what_is_no_valid_answer(offered: str, answered: str, rule: str) -> None:
    with pytest.raises(NegotiationError) as info:
        agree(parse_extensions([offered]), parse_extensions([answered]), as_answered=True)
    assert rule in info.value.reason


@given(OFFERS, POLICIES)
def test_as_answered_changes_nothing_for_a_response_that_answers_the_offer(
    offered: DeflateParams, policy: DeflateParams
) -> None:
    answer, _ = accept_offer(offered, policy)
    offers, response = [ext(str(offered))], [ext(str(answer))]
    assert agree(offers, response, as_answered=True) == agree(offers, response)


@given(OFFERS, POLICIES)
def test_both_sides_reach_the_same_agreement(offered: DeflateParams, policy: DeflateParams) -> None:
    answer, server_view = accept_offer(offered, policy)
    answer_on_the_wire = DeflateParams.parse(ext(str(answer)), offer=False)
    assert check_response(offered, answer_on_the_wire) == server_view
    assert agree([ext(str(offered))], [ext(str(answer))]) == server_view


def bits_of(params: DeflateParams) -> tuple[int | None, int | Literal[True] | None]:
    return params.server_max_window_bits, params.client_max_window_bits


@given(OFFERS, POLICIES)
def test_the_server_never_exceeds_a_limit(offered: DeflateParams, policy: DeflateParams) -> None:
    answer, agreed = accept_offer(offered, policy)
    server_bits, client_bits = bits_of(answer)
    for limit, bits in ((offered.server_max_window_bits, server_bits), (policy.server_max_window_bits, server_bits)):
        if limit is not None:
            assert bits is not None and bits <= limit
    if offered.client_max_window_bits is None:
        assert client_bits is None
    assert agreed.server_no_context_takeover >= offered.server_no_context_takeover


@pytest.mark.parametrize(
    ("agreement", "verbatim"),
    [
        (Agreement(), True),
        (Agreement(client_no_context_takeover=True), True),
        (Agreement(server_no_context_takeover=True, client_no_context_takeover=True), True),
        (Agreement(server_no_context_takeover=True), False),  # the client's messages may lean on earlier ones
        (Agreement(server_max_window_bits=9), False),  # the client's 15-bit window does not fit 9
        (Agreement(server_max_window_bits=9, client_max_window_bits=9), True),
        (Agreement(server_max_window_bits=12, client_max_window_bits=8), True),
    ],
)
def test_echoes_verbatim(agreement: Agreement, verbatim: bool) -> None:
    assert agreement.echoes_verbatim is verbatim
