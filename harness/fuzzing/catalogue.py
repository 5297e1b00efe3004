"""The fuzzing server's cases: the catalogue's server-side cases, numbered as Autobahn numbers them.

Case N is the N-th selected id in Autobahn's order (ids sorted with numeric parts compared as numbers:
1.1.1 ... 10.1.1). One id may stand for several `Case` objects (a `per_draft` override makes one per
draft): the one that applies to the draft the testee's handshake speaks is run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wire import Draft

from ..cases.model import Case


@dataclass(frozen=True)
class ServerCases:
    cases: tuple[Case, ...]  # every selected server-side case, in id order
    ids: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", tuple(dict.fromkeys(c.id for c in self.cases)))

    @classmethod
    def of(cls, cases: Sequence[Case]) -> ServerCases:
        """The cases wsinterop plays from the server's side, of an id-sorted selection."""
        return cls(tuple(c for c in cases if "server" in c.sides))

    def __len__(self) -> int:
        return len(self.ids)

    def id_at(self, number: int) -> str | None:
        """The id of case `number` (1-based, Autobahn's `case=N`), or None when there is no such case."""
        return self.ids[number - 1] if 1 <= number <= len(self.ids) else None

    def number_of(self, case_id: str) -> int | None:
        """Autobahn's `casetuple=ID`: the number of the case with that id."""
        return self.ids.index(case_id) + 1 if case_id in self.ids else None

    def first(self, case_id: str) -> Case:
        return next(c for c in self.cases if c.id == case_id)

    def for_draft(self, case_id: str, draft: Draft) -> Case | None:
        """The case with that id that applies to `draft`, or None when the id has none in that draft."""
        return next((c for c in self.cases if c.id == case_id and draft.value in c.drafts), None)

    def items(self, drafts: Sequence[Draft]) -> int:
        """How many case x draft items a testee that speaks each of `drafts` once runs."""
        return sum(1 for d in drafts for i in self.ids if self.for_draft(i, d) is not None)
