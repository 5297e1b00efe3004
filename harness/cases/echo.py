"""`expect: {ok: echo}`: what an echo peer sends back for a case's steps, in the order it completes.

A message comes back when its last frame has been sent (a `send_message`, or data frames from the first
to the one with FIN), a ping comes back as a pong with its payload; pongs are not answered; nothing comes
back for what follows the client's close (RFC 6455 §5.5.1). Anything whose
answer an echo cannot tell (a close, raw bytes, a reserved bit or opcode, a frame split by hand) makes
`echo` an error in the case file: list the events instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

from .model import (
    ExpectEvent,
    Mark,
    Pause,
    Payload,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    Step,
    Wait,
    Write,
)


class NoEcho(ValueError):
    """The steps hold something an echo peer's answer cannot be derived from."""


def _hex(data: bytes) -> Payload:
    return Payload("hex", text=data.hex())


class _Assembler:
    """Data frames into messages, as the peer reassembles them."""

    def __init__(self) -> None:
        self.kind: Literal["text", "binary"] | None = None
        self.parts: list[bytes] = []
        self.closed = False  # a close was sent

    def frame(self, step: SendFrame) -> Iterator[ExpectEvent]:
        if step.rsv1 or step.rsv2 or step.rsv3 or step.masked is False or step.declared_length is not None:
            raise NoEcho("a frame with reserved bits, no mask or a false length")
        if step.opcode == "ping":
            yield ExpectEvent("pong", payload=step.payload)
        elif step.opcode in ("text", "binary") and self.kind is None:
            self.kind = "text" if step.opcode == "text" else "binary"
            yield from self._add(step)
        elif step.opcode == "continuation" and self.kind is not None:
            yield from self._add(step)
        elif step.opcode != "pong":
            raise NoEcho(f"a {step.opcode} frame here")

    def _add(self, step: SendFrame) -> Iterator[ExpectEvent]:
        self.parts.append(step.payload.to_bytes())
        if step.fin:
            assert self.kind is not None
            yield ExpectEvent("message", kind=self.kind, payload=_hex(b"".join(self.parts)))
            self.kind, self.parts = None, []


def _events(steps: tuple[Step, ...], frames: _Assembler) -> Iterator[ExpectEvent]:
    for step in steps:
        if frames.closed:
            return
        if isinstance(step, SendClose):
            frames.closed = True  # the peer answers the close and processes nothing after it (RFC 6455 §5.5.1)
        elif isinstance(step, SendMessage):
            if frames.kind is not None:
                raise NoEcho("a message inside a fragmented one")
            yield ExpectEvent("message", kind=step.kind, payload=step.payload)
        elif isinstance(step, SendPing):
            yield ExpectEvent("pong", payload=step.payload)
        elif isinstance(step, SendFrame):
            yield from frames.frame(step)
        elif isinstance(step, Write):
            yield from _events(step.steps, frames)
        elif isinstance(step, Repeat):
            started = frames.kind is not None
            once = list(_events(step.steps, frames))
            if started or frames.kind is not None:
                raise NoEcho("a repeated block inside a fragmented message")
            if len(once) == 1:  # one event `times` times over: its corpus slice moves on with each (expand)
                yield replace(once[0], times=once[0].times * step.count)
            else:
                yield from (replace(e, payload=e.payload.nth(k)) for k in range(step.count) for e in once)
        elif not isinstance(step, SendPong | Wait | Pause | Mark):
            raise NoEcho(f"a {type(step).__name__} step")


def compact(events: list[ExpectEvent]) -> tuple[ExpectEvent, ...]:
    """Runs of equal events as one event with `times`."""
    out: list[ExpectEvent] = []
    for event in events:
        if out and replace(out[-1], times=1) == replace(event, times=1):
            out[-1] = replace(out[-1], times=out[-1].times + event.times)
        else:
            out.append(event)
    return tuple(out)


def echo(steps: tuple[Step, ...]) -> tuple[ExpectEvent, ...]:
    """The events an echo peer sends back for `steps`; NoEcho when that cannot be told."""
    frames = _Assembler()
    events = list(_events(steps, frames))
    if frames.kind is not None and not frames.closed:
        raise NoEcho("a fragmented message that never ends")
    return compact(events)
