"""The case model: what a `*.case.yaml` file says, after loading, as typed data.

The YAML shape is documented in docs/case-format.md and enforced by harness/cases/case.schema.json; the
loader (harness/cases/loader.py, with source.py and build.py) turns validated YAML into these objects, one Case per
parameter row of a family.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from wire import Draft, Kind

ALL_DRAFTS = tuple(d.value for d in Draft)
HYBI_DRAFTS = tuple(d.value for d in Draft if d.info.version is not None)


@dataclass(frozen=True)
class Payload:
    """Bytes described in a case: text, hex, one byte repeated, or seeded random bytes."""

    kind: Literal["text", "hex", "repeat", "random"] = "text"
    text: str = ""
    byte: int = 0
    count: int = 0
    seed: int = 0

    def to_bytes(self) -> bytes:
        if self.kind == "text":
            return self.text.encode("utf-8")
        if self.kind == "hex":
            return bytes.fromhex(self.text)
        if self.kind == "repeat":
            return bytes([self.byte]) * self.count
        return random.Random(self.seed).randbytes(self.count)

    def describe(self) -> dict[str, Any]:
        """The YAML form, for reports."""
        if self.kind in ("text", "hex"):
            return {self.kind: self.text}
        if self.kind == "repeat":
            return {"repeat": {"byte": self.byte, "count": self.count}}
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
    kind = Kind(ref)
    return info.opcodes.get(kind)


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


# --- steps -------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SendMessage:
    kind: Literal["text", "binary"]
    payload: Payload
    fragment_size: int | None = None
    chop: int | None = None
    as_blob: bool = False  # browser agent: send binary as a Blob instead of an ArrayBuffer


@dataclass(frozen=True)
class SendPing:
    payload: Payload = EMPTY


@dataclass(frozen=True)
class SendPong:
    payload: Payload = EMPTY


@dataclass(frozen=True)
class SendClose:
    code: int | None = None
    reason: Payload = EMPTY
    raw: Payload | None = None  # the whole close payload as given (overrides code and reason)


@dataclass(frozen=True)
class SendRaw:
    payload: Payload
    chop: int | None = None


WaitFor = Literal["message", "pong", "ping", "close", "tcp_closed"]


@dataclass(frozen=True)
class Wait:
    """Wait for `count` events of a type, or (for None) let `timeout` seconds pass: the only
    deliberate quiet period a case can ask for, used where nothing should happen."""

    for_: WaitFor | None = None
    count: int = 1
    timeout: float = 5.0


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


Step = SendFrame | SendMessage | SendPing | SendPong | SendClose | SendRaw | Wait | Repeat | Chat | As


def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    """Every step, repeated blocks entered once."""
    for step in steps:
        if isinstance(step, Repeat):
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
    origin: str | None = "http://127.0.0.1"
    headers: tuple[tuple[str, str | None], ...] = ()  # replace (None: remove) these headers
    extra_headers: tuple[tuple[str, str], ...] = ()  # append these as they are (duplicates allowed)
    method: str = "GET"
    http_version: str = "HTTP/1.1"
    key3: Payload | None = None  # hixie-76's 8 bytes after the head


@dataclass(frozen=True)
class ExpectHandshake:
    status: tuple[int, ...] = (101,)
    headers: tuple[tuple[str, str | None], ...] = ()  # exact value, or None for "absent"
    protocol: str | Literal[False] | None = False  # False: not checked; None: no protocol selected


@dataclass(frozen=True)
class ExpectEvent:
    """A received event a verdict expects: a message (text or binary), a pong, or a ping (a case that
    expects pings is judged on the pings it receives too; other cases ignore pings)."""

    type: Literal["message", "pong", "ping"]
    kind: Literal["text", "binary"] = "text"
    payload: Payload = EMPTY
    fragments: int | None = None  # the number of frames the message arrived in, when checked

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {self.kind if self.type == "message" else "payload": self.payload.describe()}
        if self.fragments is not None:
            body["fragments"] = self.fragments
        return {self.type: body}


@dataclass(frozen=True)
class ExpectClose:
    by: Literal["server", "client", "either"] = "client"  # who starts the closing handshake
    codes: tuple[int, ...] = (1000,)  # codes allowed in the peer's close frame (drafts with codes)
    clean: bool = True  # the closing handshake must complete


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
    handshake: Handshake = field(default_factory=Handshake)
    expect_handshake: ExpectHandshake = field(default_factory=ExpectHandshake)
    # expected received events per verdict, tried in this order; None: that verdict is not defined
    ok: tuple[ExpectEvent, ...] | None = ()
    non_strict: tuple[ExpectEvent, ...] | None = None
    informational: tuple[ExpectEvent, ...] | None = None
    close: ExpectClose = field(default_factory=ExpectClose)
    timeout: float = 10.0  # ceiling for the whole case
    unimplemented: dict[str, str] = field(default_factory=dict)  # draft -> why it cannot express it
    exclusive: bool = False  # runs alone: it shares server state with other cases (a broadcast room)
    actors: tuple[Actor, ...] = ()  # a scenario: several connections, steps say which actor acts
    expect_chat: tuple[tuple[str, str], ...] | None = None  # a chat actor's view (see for_actor)

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
            actors=(),
            expect_chat=actor.expect_chat,
        )

    @property
    def id(self) -> str:
        return self.info.id

    def expected_json(self) -> dict[str, Any]:
        """The expectations in their YAML shape, for reports."""
        out: dict[str, Any] = {}
        for name in ("ok", "non_strict", "informational"):
            events = getattr(self, name)
            if events is not None:
                out[name] = [e.describe() for e in events]
        out["close"] = {"by": self.close.by, "codes": list(self.close.codes), "clean": self.close.clean}
        out["handshake"] = {"status": list(self.expect_handshake.status)}
        return out
