"""Close codes named by meaning, resolved per draft from wire's DraftInfo.

A case says `codes: [protocol-error]` or `codes: [invalid-data]` instead of a number whose meaning
changed between drafts: invalid UTF-8 is 1007 from hybi-10 on (the version-8 column) and has no code,
and no rule, before; "too big" is 1009 in RFC 6455 and 1004 in hybi-06..08. `valid` and `invalid` are
the sets of codes the draft allows on the wire (DraftInfo.close_codes) and all others.
"""

from __future__ import annotations

from dataclasses import dataclass

from wire import Draft, DraftInfo

CodeRef = int | str  # a close code, or one of NAMES

# name -> what it means (docs/case-format.md shows this table)
NAMES: dict[str, str] = {
    "normal": "1000, a normal closure",
    "going-away": "1001, an endpoint going away",
    "protocol-error": "1002, a protocol error",
    "unsupported-data": "1003, data of a type the endpoint cannot accept",
    "invalid-data": "1007, data inconsistent with its type (invalid UTF-8); none before hybi-10",
    "policy-violation": "1008, a message that violates a policy; RFC 6455 only",
    "too-big": "1009 (RFC 6455), 1004 (hybi-06..08): a message too big to process",
    "valid": "any code the draft allows in a close frame",
    "invalid": "any code the draft does not allow in a close frame",
}
SETS = ("valid", "invalid")

_FIXED = {"normal": 1000, "going-away": 1001, "protocol-error": 1002, "unsupported-data": 1003}


def code_of(name: str, info: DraftInfo) -> int | None:
    """The number a single-code name has in a draft, or None when the draft has no such code."""
    if name in _FIXED:
        return _FIXED[name]
    if name == "too-big":
        return info.too_big_code
    number = {"invalid-data": 1007, "policy-violation": 1008}[name]
    return number if number in info.close_codes else None


def missing(refs: tuple[CodeRef, ...], draft: Draft) -> str | None:
    """Why `draft` cannot express an expectation that names these codes (the case is UNIMPLEMENTED
    there), or None. Drafts without close codes skip code checks, so nothing is missing there."""
    info = draft.info
    if not info.close_codes:
        return None
    for ref in refs:
        if isinstance(ref, str) and ref not in SETS and code_of(ref, info) is None:
            return f"{draft.value} has no close code for {ref} ({NAMES[ref]})"
    return None


@dataclass(frozen=True)
class Codes:
    """The close codes an expectation allows in one draft."""

    exact: frozenset[int]
    sets: tuple[str, ...]
    valid: frozenset[int]  # the draft's codes allowed on the wire

    def __contains__(self, code: object) -> bool:
        if code in self.exact:
            return True
        return ("valid" in self.sets and code in self.valid) or ("invalid" in self.sets and code not in self.valid)

    def __bool__(self) -> bool:
        return bool(self.exact or self.sets)

    def describe(self) -> str:
        return ", ".join([*(str(c) for c in sorted(self.exact)), *(f"any {s} code" for s in self.sets)])


def resolve(refs: tuple[CodeRef, ...], draft: Draft) -> Codes:
    """The codes `refs` allow in `draft` (names the draft lacks allow nothing)."""
    info = draft.info
    exact: set[int] = set()
    for ref in refs:
        if isinstance(ref, int):
            exact.add(ref)
        elif ref not in SETS and (number := code_of(ref, info)) is not None:
            exact.add(number)
    return Codes(frozenset(exact), tuple(r for r in refs if r in SETS), info.close_codes)


def answer(code: int | None, draft: Draft) -> tuple[Codes, bool]:
    """How a peer answers a close frame with `code` in `draft` (RFC 6455 §5.5.1, §7.4): a valid code is
    echoed or answered with 1000 and the closing handshake completes; an invalid one is a protocol error,
    and the peer may drop TCP. A close without a code is answered like a valid one. Returns (codes, clean)."""
    if code is None or code in draft.info.close_codes:
        return resolve((1000,) if code is None else (code, 1000), draft), True
    return resolve(("protocol-error",), draft), False
