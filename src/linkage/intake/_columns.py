"""Which of a reporter's columns is which input column: built-in Dutch and English names, or a mapping.

The built-in names are data (``data/column_names.csv``): a reporter's header
matches an input column when, ignoring case, accents, spaces and punctuation,
it is the input column's own name (``given_names``, ``Date of birth``) or one
of its built-in names (``Voornamen``, ``first_name``, ``Geb. datum``,
``dob``). A schema field matches its own name too (``nationality``).

An explicit mapping (``--columns given_names=Roepnaam`` or the schema's
``columns``) comes first and may name any input column the schema reads.
Two headers for one input column, a mapped header the table does not have,
or an unknown input column are a :class:`~linkage.errors.ColumnError`;
headers that match nothing are listed as not used, never an error by
themselves (the pipeline refuses a table in which no quasi-identifier column
is found).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from linkage.errors import ColumnError
from linkage.schema import Schema

__all__ = [
    "NOT_QUASI_IDENTIFIERS",
    "ColumnMap",
    "builtin_column_names",
    "find_columns",
    "header_key",
    "parse_column_mapping",
]

#: Input columns that carry no quasi-identifier themselves (a table with only these is refused).
NOT_QUASI_IDENTIFIERS = frozenset({"case_ref", "report_date"})
_CONTEXT = "full_name|surname"


def header_key(header: object) -> str:
    """A header as it is matched: lower-case ASCII letters and digits only (``"Geb. datum"`` -> ``"gebdatum"``)."""
    text = unicodedata.normalize("NFKD", str(header)).casefold()
    return "".join(c for c in text if c.isascii() and c.isalnum())


@dataclass(frozen=True)
class _Entry:
    source: str
    header: str
    note: str


@cache
def _entries() -> dict[str, _Entry]:
    text = resources.files("linkage.intake").joinpath("data", "column_names.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out: dict[str, _Entry] = {}
    for row in csv.DictReader(lines):
        key = header_key(row["header"])
        if key in out:  # pragma: no cover - guarded by a test of the data file
            raise ValueError(f"column_names.csv repeats the header {row['header']!r}")
        out[key] = _Entry(row["source"], row["header"], row.get("note") or "")
    return out


def builtin_column_names() -> dict[str, list[str]]:
    """The built-in headers per input column (``"-"``: known, not read), as in ``data/column_names.csv``."""
    out: dict[str, list[str]] = {}
    for e in _entries().values():
        out.setdefault(e.source, []).append(e.header)
    return out


@dataclass(frozen=True)
class ColumnMap:
    """How a table's columns were read.

    ``sources``: input column -> the table's column label it is read from;
    ``how``: input column -> ``"mapped"`` (given), ``"name"`` (its own name) or
    ``"built-in"`` (a built-in name); ``not_used``: ``(label, why)`` for every
    other column of the table.
    """

    sources: Mapping[str, str]
    how: Mapping[str, str]
    not_used: tuple[tuple[str, str], ...] = field(default=())

    @property
    def quasi_identifiers(self) -> list[str]:
        """Input columns found that carry a quasi-identifier."""
        return [s for s in self.sources if s not in NOT_QUASI_IDENTIFIERS]

    def for_normalise(self) -> dict[str, str]:
        """Input column -> label, for :func:`linkage.normalise.normalise_table` (without ``case_ref``)."""
        return {s: label for s, label in self.sources.items() if s != "case_ref"}

    def to_json(self) -> dict[str, Any]:
        return {
            "read": [{"input_column": s, "header": label, "how": self.how.get(s, "")}
                     for s, label in self.sources.items()],
            "not_used": [{"header": label, "why": why} for label, why in self.not_used],
        }


def parse_column_mapping(text: str | Iterable[str] | None) -> dict[str, str]:
    """``"given_names=Roepnaam,surname=Naam"`` (or several such texts) -> ``{"given_names": "Roepnaam", ...}``.

    A header containing a comma can be given in its own ``--columns`` option.
    """
    if text is None:
        return {}
    parts: list[str] = []
    for t in [text] if isinstance(text, str) else list(text):
        if "=" in t and t.count("=") == 1:
            parts.append(t)
        else:
            parts.extend(p for p in t.split(",") if p.strip())
    out: dict[str, str] = {}
    for part in parts:
        name, sep, header = part.partition("=")
        name, header = name.strip(), header.strip()
        if not sep or not name or not header:
            raise ColumnError(f"--columns takes input_column=Header pairs, not {part.strip()!r}")
        if name in out and out[name] != header:
            raise ColumnError(f"--columns gives two headers for {name}")
        out[name] = header
    return out


def _find_label(labels: Sequence[str], header: str) -> list[str]:
    exact = [label for label in labels if label == header]
    if exact:
        return exact
    stripped = [label for label in labels if label.strip().casefold() == header.strip().casefold()]
    if stripped:
        return stripped
    key = header_key(header)
    return [label for label in labels if key and header_key(label) == key]


def find_columns(
    labels: Sequence[object],
    schema: Schema,
    mapping: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Match a table's column labels to the input columns ``schema`` reads.

    ``mapping`` (input column -> header) comes first; the schema's own
    ``columns`` are used for input columns ``mapping`` does not name. Raises
    :class:`~linkage.errors.ColumnError` naming the headers (never a value).
    """
    names = [str(label) for label in labels]
    known = schema.sources
    given: dict[str, str] = dict(schema.columns)
    given.update(mapping or {})
    sources: dict[str, str] = {}
    how: dict[str, str] = {}
    taken: dict[str, str] = {}
    for source, header in given.items():
        if source not in known:
            raise ColumnError(
                f"{source!r} is not an input column of this schema (input columns: {', '.join(known)})"
            )
        found = _find_label(names, header)
        if not found:
            raise ColumnError(f"the header {header!r} given for {source} is not in the file", names)
        if len(found) > 1:
            raise ColumnError(f"more than one column is called {header!r}; rename one", names)
        if found[0] in taken:
            raise ColumnError(f"the column {found[0]!r} is given for both {taken[found[0]]} and {source}")
        sources[source] = found[0]
        how[source] = "mapped"
        taken[found[0]] = source

    own = {header_key(s): s for s in known}
    entries = _entries()
    candidates: dict[str, list[tuple[str, str]]] = {}
    not_used: list[tuple[str, str]] = []
    context: list[str] = []
    for label in names:
        if label in taken:
            continue
        key = header_key(label)
        if key in own:
            candidates.setdefault(own[key], []).append((label, "name"))
            continue
        entry = entries.get(key)
        if entry is None:
            not_used.append((label, "not a recognised column"))
        elif entry.source == "-":
            not_used.append((label, entry.note or "known, not read"))
        elif entry.source == _CONTEXT:
            context.append(label)
        elif entry.source not in known:
            not_used.append((label, f"the schema has no field that reads {entry.source}"))
        else:
            candidates.setdefault(entry.source, []).append((label, "built-in"))
    # "Naam" next to a given-names column is the surname; alone it is the full name.
    for label in context:
        has_given = "given_names" in sources or "given_names" in candidates
        target = "surname" if has_given else "full_name"
        if target in known and target not in sources and target not in candidates:
            candidates[target] = [(label, "built-in")]
        else:
            not_used.append((label, f"'naam'/'name' is read as {target} only once; map it with --columns"))
    for source in known:
        matches = candidates.get(source, [])
        if not matches or source in sources:
            for label, _ in matches:
                not_used.append((label, f"{source} is read from {sources[source]!r}"))
            continue
        if len(matches) > 1:
            listed = " and ".join(repr(label) for label, _ in matches)
            raise ColumnError(
                f"columns {listed} are all {source}: say which one with --columns {source}=Header "
                "(or remove the others)"
            )
        sources[source], how[source] = matches[0]
    order = {label: i for i, label in enumerate(names)}
    ordered = dict(sorted(sources.items(), key=lambda kv: order.get(kv[1], 0)))
    not_used.sort(key=lambda t: order.get(t[0], 0))
    return ColumnMap(sources=ordered, how={s: how[s] for s in ordered}, not_used=tuple(not_used))
