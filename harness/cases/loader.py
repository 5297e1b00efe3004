"""Load `*.case.yaml` files into harness.model.Case objects (format: docs/case-format.md).

Per file: YAML read with the line of every key and list item, checked against harness/cases/case.schema.json
(both in harness/source.py) -> per entry: file defaults merged, family rows substituted, per_draft
overrides deep-merged, each result checked against the schema's `case` definition and a few rules a
schema cannot say -> model objects (harness/build.py). Every problem reads
`file:line: key.path: message`; all of them are reported at once, in one CaseFileError.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .build import drafts_of, to_case
from .echo import NoEcho
from .model import ALL_DRAFTS, HYBI_DRAFTS, Case
from .source import (
    CaseFileError,
    KeyPath,
    Loc,
    Problem,
    YDict,
    YList,
    format_path,
    kind_of,
    load_schema,
    locate,
    read_yaml,
    schema_problems,
)

__all__ = ["CaseFileError", "Problem", "case_files", "id_key", "load_catalogue", "load_file", "load_schema", "select"]


# --- families, defaults, per_draft -------------------------------------------------------------------

_VAR = re.compile(r"\$\$\{|\$\{([^}]*)\}")
Found = list[tuple[Loc, str]]


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _subst_text(text: str, loc: Loc, row: YDict, found: Found) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # `$${` is a literal `${`
            return "${"
        if name not in row:
            found.append((loc, f"unknown parameter ${{{name}}}; the params rows define: {', '.join(row)}"))
            return match.group(0)
        value = row[name]
        if isinstance(value, YDict | YList):
            found.append((loc, f"${{{name}}} is {kind_of(value)}: it can only stand alone as a whole value"))
            return match.group(0)
        return _scalar_text(value)

    return _VAR.sub(one, text)


def _subst(value: Any, loc: Loc, row: YDict, found: Found) -> tuple[Any, Loc]:
    """`value` with the row's values put in for `${name}`; a whole "${name}" takes the value and its type."""
    if isinstance(value, YDict):
        mapping = YDict(value.loc)
        for key, item in value.items():
            where = value.where[key]
            new_item, new_where = _subst(item, where, row, found)
            mapping.put(_subst_text(key, where, row, found), new_item, new_where)
        return mapping, loc
    if isinstance(value, YList):
        items = YList(value.loc)
        for item, where in zip(value, value.where, strict=True):
            items.add(*_subst(item, where, row, found))
        return items, loc
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole and whole.group(1) in row and _holds_steps(loc.path):
            found.append(
                (loc, f"${{{whole.group(1)}}}: steps and per_draft cannot come from a parameter; write them out")
            )
            return value, loc
        if whole and whole.group(1) in row:
            return row[whole.group(1)], replace(loc, text=row.where[whole.group(1)].text)
        return _subst_text(value, loc, row, found), loc
    return value, loc


def _holds_steps(path: KeyPath) -> bool:
    """A key path whose value is steps, one step or per_draft: never taken whole from a parameter (a table
    of step lists hides the cases it makes; scalar parameters inside the steps say what varies)."""
    return bool(path) and (path[-1] in ("steps", "per_draft", "write") or (len(path) > 1 and path[-2] == "steps"))


def _rows(entry: YDict, found: Found) -> list[YDict]:
    """The params rows of a family, each with the same keys (else nothing, and problems in `found`)."""
    rows = entry["params"]
    if not isinstance(rows, YList) or not rows or not all(isinstance(r, YDict) for r in rows):
        return []  # the schema said what is wrong
    for index, row in enumerate(rows):
        if set(row) != set(rows[0]):
            found.append(
                (
                    rows.where[index],
                    f"params[{index}] has keys {', '.join(row)} but params[0] has {', '.join(rows[0])}: "
                    "every row needs the same keys",
                )
            )
    return [] if found else list(rows)


def _without(mapping: YDict, skip: str) -> YDict:
    out = YDict(mapping.loc)
    for key, value in mapping.items():
        if key != skip:
            out.put(key, value, mapping.where[key])
    return out


def _with_defaults(root: YDict, defaults: YDict | None, body: YDict) -> YDict:
    """The file's category, then its defaults, then the case's own keys (shallow: the case's win)."""
    case = YDict(body.loc)
    if isinstance(root.get("category"), str):
        case.put("category", root["category"], root.where["category"])
    for source in (s for s in (defaults, body) if s is not None):
        for key, value in source.items():
            case.put(key, value, source.where[key])
    return case


def _deep_merge(base: YDict, over: YDict) -> YDict:
    """`over` on `base`: mappings merge key by key, anything else (lists too) is replaced."""
    out = YDict(base.loc)
    for key, value in base.items():
        out.put(key, value, base.where[key])
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, YDict) and isinstance(value, YDict):
            out.put(key, _deep_merge(old, value), out.where[key])
        else:
            out.put(key, value, over.where[key])
    return out


def _frame_opcodes(steps: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    for index, step in enumerate(steps or ()):
        for kind in ("send_frame", "begin_frame"):
            if kind in step:
                yield (*path, index, kind, "opcode"), step[kind]["opcode"]
        if "repeat" in step:
            yield from _frame_opcodes(step["repeat"]["steps"], (*path, index, "repeat", "steps"))
        if "write" in step:
            yield from _frame_opcodes(step["write"], (*path, index, "write"))


def _per_draft_problems(case: YDict, drafts: tuple[str, ...]) -> Found:
    """per_draft may only name drafts the case runs on."""
    found: Found = []
    for draft in case.get("per_draft") or {}:
        if draft not in drafts:
            message = f"{draft} is not one of the case's drafts ({', '.join(drafts)})"
            found.append((locate(case, ("per_draft", draft)), message))
    return found


def _actor_problems(case: YDict) -> Found:
    """In a scenario every step names one of its actors (and names are unique); elsewhere none does,
    and only scenarios have chat steps."""
    found: Found = []
    actors = case.get("actors") or []
    names = [a["name"] for a in actors]
    for index, name in enumerate(names):
        if names.index(name) != index:
            found.append((locate(case, ("actors", index, "name")), f"actor {name!r} is defined twice"))
    for index, step in enumerate(case.get("steps") or []):
        actor = step.get("actor")
        where = locate(case, ("steps", index))
        if actors and actor is None:
            found.append((where, f"a scenario step needs an actor: one of {', '.join(names)}"))
        elif actors and actor not in names:
            found.append((where, f"unknown actor {actor!r}: one of {', '.join(names)}"))
        elif not actors and (actor is not None or "chat" in step):
            found.append((where, "actor and chat steps belong to scenarios: define `actors`"))
    return found


def _refusal_problems(case: YDict) -> Found:
    """A refusal is what a browser's TLS rule makes: `handshake.tls` and `expect_handshake.refused` go together."""
    tls = (case.get("handshake") or {}).get("tls") or ""
    refused = bool((case.get("expect_handshake") or {}).get("refused"))
    if bool(tls) == refused:
        return []
    if tls:
        return [(locate(case, ("handshake", "tls")), "a TLS rule to test needs expect_handshake: {refused: true}")]
    message = "only a browser's TLS rule refuses a WebSocket: give handshake.tls (mixed-content or untrusted)"
    return [(locate(case, ("expect_handshake", "refused")), message)]


def _opcode_problems(case: YDict, drafts: tuple[str, ...]) -> Found:
    """Opcodes above 15 are hixie frame type bytes: no hybi draft can send them."""
    found: Found = []
    hybi = [d for d in drafts if d in HYBI_DRAFTS]
    for path, opcode in _frame_opcodes(case.get("steps"), ("steps",)):
        if isinstance(opcode, int) and opcode > 15 and hybi:
            message = f"opcode {opcode} is a hixie frame type byte; hybi opcodes are 0..15 (drafts: {', '.join(hybi)})"
            found.append((locate(case, path), message))
    return found


def _variants(case: YDict) -> tuple[list[tuple[tuple[str, ...], YDict]], Found]:
    """(drafts, mapping) for the case's remaining drafts and for each per_draft override, checked."""
    drafts = drafts_of(case.get("drafts"))
    overrides = case.get("per_draft") or {}
    base = _without(case, "per_draft")
    rest = tuple(d for d in drafts if d not in overrides)
    variants = [(rest, base)] if rest else []
    found = _per_draft_problems(case, drafts) + _opcode_problems(base, rest)
    for draft in (d for d in ALL_DRAFTS if d in overrides and d in drafts):
        merged = _deep_merge(base, overrides[draft])
        found += schema_problems("case", merged) or _opcode_problems(merged, (draft,))
        variants.append(((draft,), merged))
    return variants, found


# --- files and catalogues ----------------------------------------------------------------------------


@dataclass
class _Expanded:
    """One case entry, or one row of a family, before per_draft splitting: for the duplicate-id check."""

    case_id: str
    file: str
    id_loc: Loc
    row: int | None
    cases: list[Case] = field(default_factory=list)

    def where(self) -> str:
        row = "" if self.row is None else f" (params[{self.row}])"
        return f"{self.file}:{self.id_loc.line}{row}"


def _display(path: Path) -> str:
    """`path` relative to the current directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load_body(
    body: YDict, root: YDict, defaults: YDict | None, name: str, row: int | None
) -> tuple[list[_Expanded], Found]:
    """One case entry, or one substituted family row: its cases (none when it has problems)."""
    case = _with_defaults(root, defaults, body)
    case_id = case.get("id")
    expanded = [_Expanded(case_id, name, locate(case, ("id",)), row)] if isinstance(case_id, str) else []
    found = schema_problems("case", case) or _actor_problems(case) or _refusal_problems(case)
    if found:
        return expanded, found
    variants, found = _variants(case)
    if not found:
        source = f"{name}:{body.loc.line}"
        try:
            expanded[0].cases = [to_case(data, drafts, source) for drafts, data in variants]
        except NoEcho as exc:
            found.append(
                (locate(case, ("expect",)), f"echo cannot be used here: the steps send {exc}; list the events")
            )
    return expanded, found


def _load_entry(entry: YDict, root: YDict, defaults: YDict | None, name: str) -> tuple[list[_Expanded], list[Problem]]:
    if "params" not in entry:
        expanded, found = _load_body(entry, root, defaults, name, None)
        return expanded, _problems(name, found)
    shape: Found = []
    rows = _rows(entry, shape)
    results: list[_Expanded] = []
    per_row: list[Found] = []
    for index, row in enumerate(rows):
        row_found: Found = []
        body, _ = _subst(_without(entry, "params"), entry.loc, row, row_found)
        expanded, more = _load_body(body, root, defaults, name, index)
        results += expanded
        per_row.append(row_found + more)
    return results, _problems(name, shape) + _family_problems(name, per_row)


def _problems(name: str, found: Found) -> list[Problem]:
    return [Problem(name, loc.line, format_path(loc.path), message) for loc, message in found]


def _family_problems(name: str, per_row: list[Found]) -> list[Problem]:
    """A family's problems, each once; one that only some rows have names them."""
    rows_of: dict[Problem, list[int]] = {}
    for index, found in enumerate(per_row):
        for problem in _problems(name, found):
            rows_of.setdefault(problem, [])
            if index not in rows_of[problem]:
                rows_of[problem].append(index)
    return [
        p if len(rows) == len(per_row) else replace(p, message=f"{p.message} (in {_row_names(rows)})")
        for p, rows in rows_of.items()
    ]


def _row_names(rows: Sequence[int]) -> str:
    return ", ".join(f"params[{r}]" for r in rows)


def _load_one(path: Path) -> tuple[list[_Expanded], list[Problem]]:
    name = _display(path)
    data, problems = read_yaml(path, name)
    if data is None and problems:
        return [], problems
    problems += _problems(name, schema_problems(None, data))
    defaults = data.get("defaults") if isinstance(data, YDict) else None
    usable = isinstance(data, YDict) and isinstance(data.get("cases"), YList) and isinstance(defaults, YDict | None)
    expanded: list[_Expanded] = []
    if usable:
        for entry in data["cases"]:
            if isinstance(entry, YDict):
                more, found = _load_entry(entry, data, defaults, name)
                expanded += more
                problems += found
    return expanded, _unique(problems)


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line or 0))


def _duplicate_ids(expanded: Sequence[_Expanded]) -> list[Problem]:
    first: dict[str, _Expanded] = {}
    problems = []
    for item in expanded:
        other = first.setdefault(item.case_id, item)
        if other is not item:
            row = "" if item.row is None else f" (params[{item.row}])"
            message = f"duplicate id {item.case_id!r}{row}: already defined at {other.where()}"
            problems.append(Problem(item.file, item.id_loc.line, format_path(item.id_loc.path), message))
    return problems


def case_files(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and `*.case.yaml` below directories (sorted), each once."""
    files: dict[Path, Path] = {}
    for path in paths:
        for file in sorted(path.rglob("*.case.yaml")) if path.is_dir() else [path]:
            files.setdefault(file.resolve(), file)
    return list(files.values())


def load_catalogue(paths: Sequence[Path], agents: Collection[str] | None = None) -> list[Case]:
    """Every case of the files and directories in `paths`, in file order; CaseFileError lists all problems.
    `agents`: the agent names cases and actors may name (harness.agents.REGISTRY); None checks none."""
    expanded: list[_Expanded] = []
    problems: list[Problem] = []
    for file in case_files(paths):
        more, found = _load_one(file)
        expanded += more
        problems += found
    problems += _duplicate_ids(expanded)
    cases = [case for item in expanded for case in item.cases]
    if agents is not None:
        problems += _unknown_agents(cases, agents)
    if problems:
        raise CaseFileError(problems)
    return cases


def load_file(path: Path, agents: Collection[str] | None = None) -> list[Case]:
    """The cases of one `*.case.yaml` file."""
    return load_catalogue([path], agents)


def _unknown_agents(cases: Sequence[Case], agents: Collection[str]) -> list[Problem]:
    known = ", ".join(agents)
    problems: dict[str, Problem] = {}
    for case in cases:
        file, _, line = case.info.source.rpartition(":")
        named = [*(case.agents or ()), *(a.agent for a in case.actors if a.agent is not None)]
        for name in named:
            if name not in agents:
                key = f"{case.info.source} {name}"
                problems[key] = Problem(file, int(line), "agents", f"unknown agent {name!r}; agents: {known}")
    return list(problems.values())


# --- selection ---------------------------------------------------------------------------------------


def id_key(case_id: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key of a dotted id: numeric parts compare as numbers (2.9 < 2.10), before non-numeric ones."""
    return tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in case_id.split("."))


# The long compression cases: 12.x.5-18 and 13.x.5-18 (4 KiB to 128 KiB messages, 1,000 each). make report,
# the harness image, `pytest cases/` and interop's compression rows leave them out by default; the Makefile's
# LONG_CASES and the image's EXCLUDE write the same patterns for the shell (tests check they agree).
LONG_CASES: tuple[str, ...] = ("1[23].*.[5-9]", "1[23].*.1?")


def _matches(case_id: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(case_id, p) or fnmatchcase(case_id, p + ".*") for p in patterns)


def select(
    cases: Sequence[Case],
    patterns: Sequence[str] = (),
    exclude: Sequence[str] = (),
    tags: Collection[str] = (),
    exclude_tags: Collection[str] = (),
) -> list[Case]:
    """Cases whose id matches a pattern (all when none) and no exclude pattern, that carry one of `tags`
    (any when none) and none of `exclude_tags`, sorted by id.

    Patterns are fnmatch globs on ids ("5.*", "7.7.1"); a pattern also selects the ids below it ("7.7"
    selects 7.7 and 7.7.1 .. 7.7.13).
    """
    chosen = [
        c
        for c in cases
        if (not patterns or _matches(c.id, patterns))
        and not _matches(c.id, exclude)
        and (not tags or set(tags) & set(c.info.tags))
        and not set(exclude_tags) & set(c.info.tags)
    ]
    return sorted(chosen, key=lambda c: id_key(c.id))
