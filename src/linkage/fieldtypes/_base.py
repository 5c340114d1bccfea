"""What a field type is, and the registry of them.

A field type says everything the library does with one kind of
quasi-identifier, in one place:

- ``token_types``, ``normalisation_schema``, ``normalisation_defaults``: what a
  schema may say about a field of this type (the linkage schema's JSON Schema
  is assembled from these);
- :meth:`FieldType.read`: the reporter's raw columns -> one canonical value per row;
- :meth:`FieldType.tokens`: a canonical value -> its error-tolerant tokens;
- :meth:`FieldType.salt_text`: a canonical value -> the text of a per-record salt;
- :meth:`FieldType.candidates`: the values an attacker holding the key would
  enumerate (the attack suite's dictionary).

Adding a type is one module that defines a subclass and calls
:func:`register_field_type`, plus its tests; see ``docs/architecture.md``.
This module imports nothing heavy: the schema (which both sides load) reads the
declarative part, and the behaviour imports what it needs when called.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from linkage.errors import Problem, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from linkage.schema import FieldSpec

__all__ = [
    "ColumnReader",
    "FieldType",
    "field_type",
    "field_type_names",
    "register_field_type",
]


class ColumnReader(Protocol):
    """The reporter's table, as a field type sees it (see :mod:`linkage.normalise`)."""

    def values(self, name: str) -> tuple[str | None, list[object] | None]:
        """``(column label as spelled in the input, cells)`` of a source column, or ``(None, None)``."""
        ...


class FieldType:
    """Base class of field types. Subclasses set the class variables and override the methods."""

    #: The type's name in a linkage schema (``"type": "<name>"``).
    name: ClassVar[str] = ""
    #: Token kinds a schema may list in ``tokens`` for a field of this type.
    token_types: ClassVar[tuple[str, ...]] = ()
    #: JSON Schema of the ``normalisation`` object's properties (no other properties are allowed).
    normalisation_schema: ClassVar[Mapping[str, Any]] = {}
    #: Defaults filled into ``normalisation`` before validation and fingerprinting.
    normalisation_defaults: ClassVar[Mapping[str, Any]] = {}
    #: Raw input columns this type reads, besides the column named like the field (for docs and intake).
    source_columns: ClassVar[tuple[str, ...]] = ()

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        """One canonical value (or ``None``) per row; bad cells go to ``problems`` by row and column."""
        raise NotImplementedError

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        """The tokens of one canonical value (never called with ``None``: missing has no tokens)."""
        raise NotImplementedError

    def salt_text(self, spec: FieldSpec, value: Any, band: int | None) -> str:
        """The text of the per-record salt a canonical value gives (``band``: year fields only)."""
        return str(value)

    def candidates(
        self, spec: FieldSpec, background: pd.Series | None, **options: Any
    ) -> tuple[list[Any], tuple[Any, ...]]:
        """Candidate canonical values, most plausible first, and what the attack reports for each.

        ``background`` is the attacker's frequency series of this field's values
        (public knowledge). The default enumerates the background's values.
        """
        if background is None or len(background) == 0:
            raise ValueError(f"the dictionary attack needs background frequencies for a {self.name} field")
        values = [str(v) for v in background_order(background)]
        return values, tuple(values)

    def __repr__(self) -> str:
        return f"<field type {self.name!r}>"


def background_order(series: pd.Series | None) -> list[Any]:
    """A frequency series' values, most frequent first (ties in index order), without ``None``."""
    if series is None or len(series) == 0:
        return []
    s = series.sort_values(ascending=False, kind="stable")
    return [v for v in s.index.tolist() if v is not None]


_REGISTRY: dict[str, FieldType] = {}


def register_field_type(ft: FieldType) -> FieldType:
    """Add a field type under its ``name`` (a name may be registered once)."""
    if not ft.name or not ft.name.isidentifier():
        raise SchemaError([f"a field type needs a lower-case identifier as its name, not {ft.name!r}"])
    if ft.name in _REGISTRY and type(_REGISTRY[ft.name]) is not type(ft):
        raise SchemaError([f"field type {ft.name!r} is already registered"])
    _REGISTRY[ft.name] = ft
    return ft


def field_type(name: str) -> FieldType:
    """The registered field type called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SchemaError([f"/fields: unknown field type {name!r}"]) from None


def field_type_names() -> tuple[str, ...]:
    """Names of every registered field type, in registration order."""
    return tuple(_REGISTRY)


def unregister_field_type(name: str) -> None:
    """Remove a field type (for tests that register a temporary one)."""
    _REGISTRY.pop(name, None)


def read_single_column(
    spec: FieldSpec,
    columns: ColumnReader,
    n: int,
    problems: list[Problem],
    resolve: Any,
    allowed: Sequence[str] | None = None,
) -> list[object]:
    """Read the column named like the field, one value at a time through ``resolve`` (memoised)."""
    from linkage.normalise.cells import CellFailure, clean, memo

    label, column = columns.values(spec.name)
    if column is None:
        return [None] * n
    fn = memo(resolve)
    out: list[object] = [None] * n
    for i in range(n):
        value = clean(column[i])
        if value is None:
            continue
        result = fn(value)
        if isinstance(result, CellFailure):
            problems.append(Problem(i + 1, str(label), result.error.reason))
            continue
        if allowed is not None and result is not None and result not in allowed:
            problems.append(Problem(i + 1, str(label), "value not allowed by the schema"))
            continue
        out[i] = result
    return out
