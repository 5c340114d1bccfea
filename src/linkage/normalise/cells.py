"""Cell-level helpers field types read a reporter's table with (see :mod:`linkage.fieldtypes`).

- :class:`ColumnTable`: columns by case-folded name, duplicates reported once;
- :func:`clean`: ``None`` for a missing cell;
- :func:`memo`: normalise each distinct value once; an :class:`~linkage.errors.InvalidValue`
  comes back as a :class:`CellFailure` (cached, never re-raised);
- :func:`require_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from linkage.errors import InvalidValue, Problem
from linkage.normalise._text import is_missing

__all__ = ["CellFailure", "ColumnTable", "clean", "memo", "require_text"]


class ColumnTable:
    """A reporter's table by case-folded, stripped column name (a :class:`~linkage.fieldtypes.ColumnReader`).

    Two columns whose names fold to the same name are reported once, with row 0
    (the header), when a field asks for that name.
    """

    def __init__(self, df: pd.DataFrame, problems: list[Problem]) -> None:
        self._df = df
        self._by_name: dict[str, Any] = {}
        seen: dict[str, list[str]] = {}
        for label in df.columns:
            if not isinstance(label, str):
                continue
            key = label.strip().casefold()
            seen.setdefault(key, []).append(label)
            self._by_name.setdefault(key, label)
        self._duplicates = {k: v for k, v in seen.items() if len(v) > 1}
        self._problems = problems
        self._reported: set[str] = set()

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
        label = self.label(name)
        if label is None:
            return None, None
        return label, self._df[label].tolist()


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
