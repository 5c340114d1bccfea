"""Cell-level helpers field types read a reporter's table with (see :mod:`linkage.fieldtypes`).

- :class:`ColumnTable`: columns by case-folded name, duplicates reported once;
- :func:`clean`: ``None`` for a missing cell;
- :func:`memo`: normalise each distinct value once; an :class:`~linkage.errors.InvalidValue`
  comes back as a :class:`CellFailure` (cached, never re-raised);
- :func:`require_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from linkage.errors import ColumnError, InvalidValue, Problem
from linkage.normalise._text import is_missing

__all__ = ["CellFailure", "ColumnTable", "clean", "memo", "require_text"]


class ColumnTable:
    """A reporter's table by source column name (a :class:`~linkage.fieldtypes.ColumnReader`).

    Without ``mapping`` a source is the column whose name, case-folded and
    stripped, equals the source's name; two columns whose names fold to the
    same name are reported once, with row 0 (the header), when a field asks
    for that name. With ``mapping`` (source name -> column label, as
    :func:`linkage.intake.find_columns` gives it) exactly the mapped columns
    are read.

    Cells are copied on first use; :meth:`blank` empties one (the ``missing``
    policy re-reads a field with its bad cells left out). :attr:`used` lists
    the labels of the columns fields asked for and found.
    """

    def __init__(self, df: pd.DataFrame, problems: list[Problem], mapping: Mapping[str, str] | None = None) -> None:
        self._df = df
        self._by_name: dict[str, Any] = {}
        self._duplicates: dict[str, list[Any]] = {}
        if mapping is not None:
            labels = {str(c): c for c in df.columns}
            for name, label in mapping.items():
                if label not in labels:
                    raise ColumnError(f"the column {label!r} given for {name} is not in the table", list(labels))
                self._by_name[name.casefold()] = labels[label]
        else:
            seen: dict[str, list[Any]] = {}
            for label in df.columns:
                if not isinstance(label, str):
                    continue
                key = label.strip().casefold()
                seen.setdefault(key, []).append(label)
                self._by_name.setdefault(key, label)
            self._duplicates = {k: v for k, v in seen.items() if len(v) > 1}
        self._problems = problems
        self._reported: set[str] = set()
        self._cells: dict[str, list[object]] = {}
        self.used: list[str] = []

    def label(self, name: str) -> str | None:
        """The column's label as spelled in the input, or ``None`` when there is no such column."""
        key = name.casefold()
        if key in self._duplicates and key not in self._reported:
            self._reported.add(key)
            self._problems.append(
                Problem(0, name, "more than one column has this name (ignoring case and spaces)")
            )
        label = self._by_name.get(key)
        return None if label is None else str(label)

    def values(self, name: str) -> tuple[str | None, list[object] | None]:
        """``(label, cells)`` of a column, or ``(None, None)``."""
        key = name.casefold()
        label = self.label(name)
        if label is None:
            return None, None
        if label not in self.used:
            self.used.append(label)
        cells = self._cells.get(label)
        if cells is None:
            column = self._df[self._by_name[key]]
            if isinstance(column, pd.DataFrame):  # repeated label: reported as a header problem
                column = column.iloc[:, 0]
            cells = self._cells[label] = column.tolist()
        return label, cells

    def blank(self, label: str, index: int) -> None:
        """Treat one cell (column label, 0-based row position) as missing from now on."""
        cells = self._cells.get(label)
        if cells is not None:
            cells[index] = None


def clean(value: object) -> object:
    """``None`` for a missing cell, else the cell itself."""
    return None if is_missing(value) else value


class CellFailure:
    """A cached failure: the :class:`InvalidValue` a value raised."""

    __slots__ = ("error",)

    def __init__(self, error: InvalidValue) -> None:
        self.error = error


def memo(func: Callable[..., object]) -> Callable[..., object]:
    """Cache ``func`` per distinct argument tuple (types included).

    An :class:`InvalidValue` is returned wrapped in :class:`CellFailure` instead of
    raised, so one cached exception is never raised again and again.
    """
    cache: dict[tuple[object, ...], object] = {}

    def run(*args: object) -> object:
        try:
            return func(*args)
        except InvalidValue as exc:
            return CellFailure(exc)

    def call(*args: object) -> object:
        key = tuple((type(a), a) for a in args)
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = run(*args)
            return result
        except TypeError:  # an unhashable cell
            return run(*args)

    return call


def require_text(value: object, what: str) -> str:
    """``value`` when it is text; else :class:`InvalidValue` saying ``what`` must be text."""
    if not isinstance(value, str):
        raise InvalidValue(f"{what} must be text")
    return value
