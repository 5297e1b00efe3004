"""The case model: what a `*.case.yaml` file says, after loading, as typed data.

The YAML shape is documented in docs/case-format.md; harness/cases/schema.py generates its JSON Schema
(case.schema.json) and takes every default from the dataclasses below, which are the one place defaults
are written. The loader (loader.py, with source.py and build.py) turns validated YAML into these
objects, one Case per parameter row of a family.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from wire import Draft, Kind
from wire.extensions import DeflateParams

from .codes import CodeRef
from .corpus import corpus_slice

ALL_DRAFTS = tuple(d.value for d in Draft)
# The side wsinterop plays in a case: the client (the subject is a server) or the server (the subject is
# a client, a testee of Autobahn's contract that `python -m harness fuzzingserver` serves).
Side = Literal["client", "server"]
HYBI_DRAFTS = tuple(d.value for d in Draft if d.info.version is not None)


@dataclass(frozen=True)
class Payload:
    """Bytes described in a case: text, hex, one byte repeated, a sequence (hex in `text`) repeated up
    to `count` bytes, seeded random bytes, or slice number `index` of `count` bytes of the corpus named
    `text` (corpus.py: Autobahn's 12.* and 13.* walk a file this way)."""

    kind: Literal["text", "hex", "repeat", "pattern", "random", "corpus"] = "text"
    text: str = ""
    byte: int = 0
    count: int = 0
    seed: int = 0
    index: int = 0

    def to_bytes(self) -> bytes:
        if self.kind == "text":
            return self.text.encode("utf-8")
        if self.kind == "hex":
            return bytes.fromhex(self.text)
        if self.kind == "repeat":
            return bytes([self.byte]) * self.count
        if self.kind == "pattern":
            unit = bytes.fromhex(self.text)
            return (unit * (self.count // len(unit) + 1))[: self.count]
        if self.kind == "corpus":
            return corpus_slice(self.text, self.count, self.index)
        return random.Random(self.seed).randbytes(self.count)

    def nth(self, k: int) -> Payload:
        """The payload of the k-th turn (from 0) of a `repeat` or of an expected event's `times`: a corpus
        slice moves on by k slices; any other payload stays the same."""
        return replace(self, index=self.index + k) if self.kind == "corpus" and k else self

    def describe(self) -> dict[str, Any]:
        """The YAML form, for reports."""
        if self.kind in ("text", "hex"):
            return {self.kind: self.text}
        if self.kind == "repeat":
            return {"repeat": {"byte": self.byte, "count": self.count}}
        if self.kind == "pattern":
            return {"repeat": {"hex": self.text, "size": self.count}}
        if self.kind == "corpus":
            return {"corpus": {"name": self.text, "size": self.count, "index": self.index}}
        return {"random": {"size": self.count, "seed": self.seed}}


EMPTY = Payload()

OpcodeRef = int | str  # a number, a kind name ("text", "ping", ...), or "reserved:N"


def resolve_opcode(ref: OpcodeRef, draft: Draft) -> int | None:
    """The opcode number `ref` means in `draft`, or None when the draft has no such opcode."""
    info = draft.info
    if isinstance(ref, int):
        return ref
    if ref.startswith("reserved:"):
        reserved = info.reserved_opcodes()
        index = int(ref.partition(":")[2])
        return reserved[index] if index < len(reserved) else None
    return info.opcodes.get(Kind(ref))


@dataclass(frozen=True)
class CaseInfo:
    """The descriptive part of a case, copied into every result."""

    id: str
    title: str
    category: str
    spec: str
    description: str
    expectation: str
    source: str  # "cases/05-fragmentation.case.yaml:42"
    tags: tuple[str, ...] = ()


# --- steps -------------------------------------------------------------------------------------------
# Writes: the frames of consecutive send steps leave in one write (as Autobahn writes everything a
# callback sends at once). `sync` gives each frame of a step a write of its own, `chop` writes a step's
# bytes in pieces of that size, a `Write` group is one write on its own; a wait, pause or mark ends the
# write in progress.


@dataclass(frozen=True)
class SendFrame:
    opcode: OpcodeRef
    payload: Payload = EMPTY
    fin: bool = True
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False
    masked: bool | None = None  # None: as the side should (a client masks)
    mask_key: bytes | None = None
    declared_length: int | None = None
    chop: int | None = None  # write to TCP in pieces of this many bytes
    sync: bool = False  # a write of its own


@dataclass(frozen=True)
class SendMessage:
    kind: Literal["text", "binary"]
    payload: Payload
    fragment_size: int | None = None
    empty_final_frame: bool = (
        False  # Autobahn's fragmentation: a payload that fills its last fragment ends with an empty frame
    )
    chop: int | None = None
    sync: bool = False  # every frame a write of its own
    as_blob: bool = False  # browser agent: send binary as a Blob instead of an ArrayBuffer
    compress: bool = True  # with an extension agreed (permessage-deflate): sent compressed, fragmented after


@dataclass(frozen=True)
class SendPing:
    payload: Payload = EMPTY


@dataclass(frozen=True)
class SendPong:
    payload: Payload = EMPTY


@dataclass(frozen=True)
class SendClose:
    """The agent's close (the closing handshake starts): a close frame with a code and reason, or `raw`."""

    code: int | None = None
    reason: Payload = EMPTY
    raw: Payload | None = None  # the whole close payload as given (overrides code and reason)
    mask_key: bytes | None = None
    chop: int | None = None
    sync: bool = False


@dataclass(frozen=True)
class SendRaw:
    payload: Payload
    chop: int | None = None
    sync: bool = False


@dataclass(frozen=True)
class BeginFrame:
    """The header of a frame whose payload follows in `FrameData` steps (masked as one payload)."""

    opcode: OpcodeRef
    length: int
    fin: bool = True
    mask_key: bytes | None = None


@dataclass(frozen=True)
class FrameData:
    """The next bytes of the payload a `BeginFrame` announced."""

    payload: Payload


@dataclass(frozen=True)
class Write:
    """Several send steps whose frames leave in one write."""

    steps: tuple[Step, ...]


WaitFor = Literal["message", "pong", "ping", "close", "tcp_closed"]


@dataclass(frozen=True)
class Wait:
    """Wait for `count` events of a type; `timeout` is only the ceiling."""

    for_: WaitFor
    count: int = 1
    timeout: float = 5.0


@dataclass(frozen=True)
class Pause:
    """A quiet period of `seconds`, cut short when the connection ends: for "nothing should happen"."""

    seconds: float


@dataclass(frozen=True)
class Mark:
    """Record `name` among the received events if the connection is still open (no close either way)."""

    name: str


@dataclass(frozen=True)
class Repeat:
    count: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Chat:
    """A user's action on the chat room page (chat actors only): join with a name, say a line, leave."""

    action: Literal["join", "say", "leave"]
    text: str = ""


@dataclass(frozen=True)
class As:
    """A step performed by one actor of a scenario."""

    actor: str
    step: Step


Step = (
    SendFrame
    | SendMessage
    | SendPing
    | SendPong
    | SendClose
    | SendRaw
    | BeginFrame
    | FrameData
    | Write
    | Wait
    | Pause
    | Mark
    | Repeat
    | Chat
    | As
)


def nth(step: Step, k: int) -> Step:
    """`step` in the k-th turn (from 0) of a `repeat`: its corpus slices move on by k (Payload.nth)."""
    if not k:
        return step
    if isinstance(step, SendMessage | SendFrame) and step.payload.kind == "corpus":
        return replace(step, payload=step.payload.nth(k))
    if isinstance(step, Repeat | Write):
        return replace(step, steps=tuple(nth(s, k) for s in step.steps))
    return step


def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    """Every step, repeated blocks and write groups entered once."""
    for step in steps:
        if isinstance(step, Repeat | Write):
            yield from walk(step.steps)
        else:
            yield step


# --- handshake and expectations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Handshake:
    """How the agent opens the connection; overrides let a case send a broken request."""

    path: str | None = None  # None: the target's path
    protocols: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    # a permessage-deflate response that answers none of the offers is taken as it reads instead of failing
    # the handshake, as Autobahn's client takes it in 12.* and 13.* (ours, 14.*, judge the response itself)
    deflate_as_answered: bool = False
    origin: str | None = "http://127.0.0.1"
    headers: tuple[tuple[str, str | None], ...] = ()  # replace (None: remove) these headers
    extra_headers: tuple[tuple[str, str], ...] = ()  # append these as they are (duplicates allowed)
    method: str = "GET"
    http_version: str = "HTTP/1.1"
    key3: Payload | None = None  # hixie-76's 8 bytes after the head
    # a browser's TLS rule to put to the test: "mixed-content" (a page loaded over https opens a ws:// URL),
    # "untrusted" (a page told to check certificates opens the wss:// target, whose CA it was not told of)
    tls: Literal["", "mixed-content", "untrusted"] = ""


@dataclass(frozen=True)
class Answer:
    """Server side: how wsinterop answers the subject's handshake. The default is the right answer of the
    request's draft; a case that tests a client's checks makes it wrong on purpose (the WebSocket opens on
    wsinterop's side all the same, so that a client that accepts it is seen to)."""

    status: int = 101
    reason: str | None = None  # None: the draft's status text
    headers: tuple[tuple[str, str | None], ...] = ()  # replace (None: remove) these headers of the answer
    key_answer: Payload | None = None  # hixie-76: these bytes instead of the 16-byte MD5 answer
    raw: Payload | None = None  # these bytes instead of any HTTP answer (garbage for a head)
    # permessage-deflate, with the right answer: the first of these policies that one of the client's offers
    # allows (wire's negotiation.insist, Autobahn's accept functions); () accepts no extension
    deflate: tuple[DeflateParams, ...] = ()


@dataclass(frozen=True)
class ExpectHandshake:
    status: tuple[int, ...] = (101,)
    headers: tuple[tuple[str, str | None], ...] = ()  # exact value, or None for "absent"
    protocol: str | Literal[False] | None = False  # False: not checked; None: no protocol selected
    refused: bool = False  # the agent must refuse to open the WebSocket at all (with `tls`: a browser's rule)
    # permessage-deflate: False, not checked; None, it must not be accepted; parameters (name, value: True for
    # a flag), the server's response must have these (and may have others); not accepted: UNIMPLEMENTED
    deflate: tuple[tuple[str, bool | int], ...] | Literal[False] | None = False


@dataclass(frozen=True)
class ExpectEvent:
    """A received event a verdict expects, `times` times in a row: a message (text or binary), a pong, a
    ping (a case that expects pings is judged on the pings it receives too; other cases ignore pings), or
    a mark the steps recorded."""

    type: Literal["message", "pong", "ping", "mark"]
    kind: Literal["text", "binary"] = "text"
    payload: Payload = EMPTY
    fragments: int | None = None  # the number of frames the message arrived in, when checked
    times: int = 1
    name: str = ""  # a mark's name

    def describe(self) -> dict[str, Any]:
        if self.type == "mark":
            body: Any = self.name
        else:
            body = {self.kind if self.type == "message" else "payload": self.payload.describe()}
            if self.fragments is not None:
                body["fragments"] = self.fragments
        out: dict[str, Any] = {self.type: body}
        if self.times != 1:
            out["times"] = self.times
        return out


def expand(events: tuple[ExpectEvent, ...]) -> Iterator[ExpectEvent]:
    """The events one by one (`times` unrolled: the k-th takes the payload's k-th turn, Payload.nth)."""
    for event in events:
        if event.payload.kind != "corpus":
            for _ in range(event.times):
                yield event
            continue
        for k in range(event.times):
            yield replace(event, payload=event.payload.nth(k))


@dataclass(frozen=True)
class ExpectClose:
    # who starts the closing handshake: the peer (the subject under test), the harness (wsinterop, on
    # whichever side it plays) or either; YAML's old spellings `server` and `client` mean peer and harness
    by: Literal["peer", "harness", "either"] = "harness"
    codes: tuple[CodeRef, ...] = ("normal",)  # codes the peer's close frame may carry (numbers or names)
    clean: bool = True  # the closing handshake must complete
    answer: bool = False  # the codes and cleanness follow from the code of the close the case sent


class Rule(enum.StrEnum):
    """A verdict rule of Autobahn's that some cases add to the general one."""

    WRONG_CLOSER_FAILS = "wrong-closer-fails"  # the wrong side closing fails the behaviour too
    WRONG_CODE_FAILS = "wrong-code-fails"  # a WRONG CODE close fails the behaviour too
    INFORMATIONAL = "informational"  # the outcome is undefined: behaviour and close are INFORMATIONAL
    UNCLEAN_FAILS = "unclean-fails"  # ours: an UNCLEAN close fails the behaviour too (a close left unanswered)
    PEER_ENDS_TCP = "peer-ends-tcp"  # ours: the peer must end TCP itself; wsinterop having to fails the behaviour


@dataclass(frozen=True)
class Actor:
    """One connection of a scenario. `agent` and `draft` None: the item's own (its report column)."""

    name: str
    agent: str | None = None
    draft: str | None = None
    page: Literal["agent", "chat"] = "agent"  # chromium: the agent page, or the chat room as a user
    handshake: Handshake = field(default_factory=Handshake)
    expect: tuple[ExpectEvent, ...] | None = None  # the messages it must receive, in order
    expect_chat: tuple[tuple[str, str], ...] | None = None  # chat: the (from, text) lines it must show
    close: ExpectClose = field(default_factory=ExpectClose)


@dataclass(frozen=True)
class Case:
    info: CaseInfo
    drafts: tuple[str, ...]
    agents: tuple[str, ...] | None  # None: every agent (harness.agents.REGISTRY)
    steps: tuple[Step, ...]
    sides: tuple[Side, ...] = ("client",)  # the sides wsinterop plays it from
    handshake: Handshake = field(default_factory=Handshake)
    answer: Answer = field(default_factory=Answer)  # server side: the answer to the subject's handshake
    expect_handshake: ExpectHandshake = field(default_factory=ExpectHandshake)
    # expected received events per verdict, tried in this order; None: that verdict is not defined
    ok: tuple[ExpectEvent, ...] | None = ()
    non_strict: tuple[ExpectEvent, ...] | None = None
    informational: tuple[ExpectEvent, ...] | None = None
    close: ExpectClose = field(default_factory=ExpectClose)
    rules: tuple[Rule, ...] = ()
    timeout: float = 10.0  # ceiling for the whole case
    close_timeout: float = 1.0  # how long a closing handshake may take, as Autobahn's 1 s
    unimplemented: dict[str, str] = field(default_factory=dict)  # draft -> why it cannot express it
    answer_closes: bool = True  # False: wsinterop never answers the peer's close (the peer's close timeout)
    exclusive: bool = False  # runs alone: it shares server state with other cases (a broadcast room)
    actors: tuple[Actor, ...] = ()  # a scenario: several connections, steps say which actor acts
    expect_chat: tuple[tuple[str, str], ...] | None = None  # a chat actor's view (see for_actor)
    formerly: tuple[str, str] | None = None  # (the id this check had before, why it moved): docs/catalogue.md

    def for_actor(self, actor: Actor) -> Case:
        """The single-connection view of one actor: its steps, handshake and expectations."""
        steps = tuple(s.step for s in self.steps if isinstance(s, As) and s.actor == actor.name)
        return replace(
            self,
            steps=steps,
            handshake=actor.handshake,
            ok=actor.expect if actor.expect is not None else (),
            non_strict=None,
            informational=None,
            close=actor.close,
            rules=(),
            actors=(),
            expect_chat=actor.expect_chat,
        )

    @property
    def id(self) -> str:
        return self.info.id

    def sent_close_code(self) -> int | None:
        """The code of the last close frame the steps send (None: none, or one without a code)."""
        code = None
        for step in walk(self.steps):
            if isinstance(step, SendClose):
                raw = step.raw.to_bytes() if step.raw is not None else None
                code = int.from_bytes(raw[:2], "big") if raw is not None and len(raw) >= 2 else step.code
        return code

    def expected_json(self) -> dict[str, Any]:
        """The expectations in their YAML shape, for reports."""
        out: dict[str, Any] = {}
        for name in ("ok", "non_strict", "informational"):
            events = getattr(self, name)
            if events is not None:
                out[name] = [e.describe() for e in events]
        close = self.close
        out["close"] = "answer" if close.answer else {"by": close.by, "codes": list(close.codes), "clean": close.clean}
        if self.rules:
            out["rules"] = [str(r) for r in self.rules]
        out["handshake"] = (
            {"refused": True} if self.expect_handshake.refused else {"status": list(self.expect_handshake.status)}
        )
        return out
