"""wire.state: the table of transitions, and the paths a connection takes through it."""

from __future__ import annotations

import itertools

import pytest

from wire.state import TRANSITIONS, State, Step, advance


def walk(*steps: Step, start: State = State.CONNECTING) -> list[State]:
    states = [start]
    for step in steps:
        states.append(advance(states[-1], step))
    return states[1:]


def test_closing_started_here() -> None:
    assert walk(Step.OPENED, Step.CLOSE_SENT, Step.CLOSE_RECEIVED, Step.ENDED) == [
        State.OPEN,
        State.LOCAL_CLOSING,
        State.CLOSED,
        State.CLOSED,
    ]


def test_closing_started_by_the_peer() -> None:
    assert walk(Step.OPENED, Step.CLOSE_RECEIVED, Step.CLOSE_SENT) == [
        State.OPEN,
        State.REMOTE_CLOSING,
        State.CLOSED,
    ]


def test_refused_and_ended_handshakes_close() -> None:
    assert walk(Step.REFUSED) == [State.CLOSED]
    assert walk(Step.ENDED) == [State.CLOSED]


@pytest.mark.parametrize("state", list(State))
def test_a_failure_is_final(state: State) -> None:
    failed = advance(state, Step.FAILED)
    assert failed is State.FAILED
    assert all(advance(failed, step) is State.FAILED for step in Step)


@pytest.mark.parametrize("state", [s for s in State if s is not State.FAILED])
def test_the_end_of_the_transport_closes(state: State) -> None:
    assert advance(state, Step.ENDED) is State.CLOSED


def test_unlisted_pairs_keep_the_state() -> None:
    for state, step in itertools.product(State, Step):
        if (state, step) not in TRANSITIONS:
            assert advance(state, step) is state
    assert advance(State.CLOSED, Step.CLOSE_SENT) is State.CLOSED  # a late close frame changes nothing
    assert advance(State.OPEN, Step.OPENED) is State.OPEN


def test_every_state_is_reached() -> None:
    assert {State.CONNECTING} | set(TRANSITIONS.values()) == set(State)
