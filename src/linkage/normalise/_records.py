"""Normalise a reporter's raw table into one canonical column per schema field.

Source columns
==============

Column names are matched case-insensitively after stripping spaces. Per schema
field (``f.name`` is the field's name):

* ``initials`` fields: ``given_names`` and ``surname`` when either is present
  and non-empty in the row, else ``full_name``, else the column named like the
  field (``initials``), read with :func:`parse_initials`;
* ``year`` fields: ``date_of_birth``, then the column named like the field
  (``birth_year``), then ``age`` together with ``report_date``
  (see :func:`birth_year_range` for the priority rule);
* ``country`` fields: the column named like the field (``nationality``);
* ``sex`` fields: the column named like the field (``sex``).

A field none of whose source columns is present is missing in every row: that
is not an error (FairWork sends only initials and age). Missing cells (NaN,
``None``, ``pd.NA``, ``NaT``, empty or all-space text) stay missing.

Output and errors
=================

A new DataFrame with the input's index, one ``object`` column per schema field
(``str`` for initials, country and sex, ``tuple[int, int]`` for year fields,
``None`` where missing) and ``_row``, the 1-based row number. Every problem in
every row is collected and raised as one :class:`~linkage.errors.InputError`;
each :class:`~linkage.errors.Problem` names the row (1 = first data row) and the
column the bad value came from (as spelled in the input), never the value. Two
columns whose names match the same source after case-folding are reported with
row 0 (the header).

Values are normalised once per distinct value (or combination of values), so
large tables with few distinct nationalities, sexes and birth dates are fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from linkage.errors import InputError, InvalidValue, Problem, SchemaError
from linkage.normalise._birth_year import BirthYearInvalid, resolve_birth_year
from linkage.normalise._initials import (
    _given_initial,
    _surname_part,
    initials_from_name,
    parse_initials,
)
from linkage.normalise._nationality import resolve_nationality
from linkage.normalise._sex import resolve_sex
from linkage.normalise._text import is_missing, to_ascii
from linkage.schema import FieldSpec, Schema

__all__ = ["normalise_records"]

_ROW = "_row"


class _Columns:
    """Input columns by case-folded, stripped name."""

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
        key = name.casefold()
        if key in self._duplicates and key not in self._reported:
            self._reported.add(key)
            self._problems.append(
                Problem(0, name, "more than one column has this name (ignoring case and spaces)")
            )
        label = self._by_name.get(key)
        return None if label is None else str(label)

    def values(self, name: str) -> tuple[str | None, list[object] | None]:
        label = self.label(name)
        if label is None:
            return None, None
        return label, self._df[label].tolist()


def _clean(value: object) -> object:
    """``None`` for a missing cell, else the cell itself."""
    return None if is_missing(value) else value


class _Failed:
    """A cached failure: the :class:`InvalidValue` a value raised."""

    __slots__ = ("error",)

    def __init__(self, error: InvalidValue) -> None:
        self.error = error


def _memo(func: Callable[..., object]) -> Callable[..., object]:
    """Cache ``func`` per distinct argument tuple (types included).

    An :class:`InvalidValue` is returned wrapped in :class:`_Failed` instead of
    raised, so one cached exception is never raised again and again.
    """
    cache: dict[tuple[object, ...], object] = {}

    def run(*args: object) -> object:
        try:
            return func(*args)
        except InvalidValue as exc:
            return _Failed(exc)

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


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"{what} must be text")
    return value


def _initials_field(
    spec: FieldSpec, cols: _Columns, n: int, problems: list[Problem]
) -> list[object]:
    given_label, given = cols.values("given_names")
    surname_label, surname = cols.values("surname")
    full_label, full = cols.values("full_name")
    init_label, init = cols.values(spec.name)
    given_fn = _memo(lambda v: _given_initial(_text(v, "given names")))
    surname_fn = _memo(lambda v: _surname_part(_text(v, "a surname")))
    full_fn = _memo(lambda v: initials_from_name(_text(v, "a full name")))
    init_fn = _memo(lambda v: parse_initials(_text(v, "initials")))
    out: list[object] = [None] * n
    for i in range(n):
        g = _clean(given[i]) if given is not None else None
        s = _clean(surname[i]) if surname is not None else None
        if g is not None or s is not None:
            parts: list[str] = []
            failed = False
            for value, fn, label in ((g, given_fn, given_label), (s, surname_fn, surname_label)):
                if value is None:
                    continue
                letter = fn(value)
                if isinstance(letter, _Failed):
                    problems.append(Problem(i + 1, str(label), letter.error.reason))
                    failed = True
                    continue
                if letter is not None:
                    parts.append(str(letter))
            if not failed:
                out[i] = "".join(parts) or None
            continue
        for column, fn, label in ((full, full_fn, full_label), (init, init_fn, init_label)):
            if column is None:
                continue
            value = _clean(column[i])
            if value is None:
                continue
            result = fn(value)
            if isinstance(result, _Failed):
                problems.append(Problem(i + 1, str(label), result.error.reason))
            else:
                out[i] = result
            break
    return out


def _year_field(
    spec: FieldSpec, cols: _Columns, n: int, problems: list[Problem]
) -> list[object]:
    norm = spec.normalisation
    age_uncertainty = int(norm.get("age_uncertainty", 1))
    min_year = int(norm.get("min_year", 1900))
    max_age = int(norm.get("max_age", 110))
    sources = {
        "date_of_birth": cols.values("date_of_birth"),
        "birth_year": cols.values(spec.name),
        "age": cols.values("age"),
        "report_date": cols.values("report_date"),
    }
    if all(sources[s][1] is None for s in ("date_of_birth", "birth_year", "age")):
        return [None] * n
    labels = {s: (label or s) for s, (label, _) in sources.items()}
    labels["birth_year"] = sources["birth_year"][0] or spec.name

    def resolve(dob: object, year: object, age: object, report: object) -> object:
        return resolve_birth_year(
            date_of_birth=dob,
            birth_year=year,
            age=age,
            report_date=report,
            age_uncertainty=age_uncertainty,
            min_year=min_year,
            max_age=max_age,
        )

    fn = _memo(resolve)
    columns = [sources[s][1] for s in ("date_of_birth", "birth_year", "age", "report_date")]
    out: list[object] = [None] * n
    for i in range(n):
        args = tuple(_clean(c[i]) if c is not None else None for c in columns)
        result = fn(*args)
        if isinstance(result, _Failed):
            error = result.error
            source = error.source if isinstance(error, BirthYearInvalid) else "birth_year"
            problems.append(Problem(i + 1, str(labels[source]), error.reason))
        else:
            out[i] = result
    return out


def _single_column_field(
    spec: FieldSpec,
    cols: _Columns,
    n: int,
    problems: list[Problem],
    resolve: Callable[[object], str | None],
    allowed: Sequence[str] | None = None,
) -> list[object]:
    label, column = cols.values(spec.name)
    if column is None:
        return [None] * n
    fn = _memo(resolve)
    out: list[object] = [None] * n
    for i in range(n):
        value = _clean(column[i])
        if value is None:
            continue
        result = fn(value)
        if isinstance(result, _Failed):
            problems.append(Problem(i + 1, str(label), result.error.reason))
            continue
        if allowed is not None and result is not None and result not in allowed:
            problems.append(Problem(i + 1, str(label), "value not allowed by the schema"))
            continue
        out[i] = result
    return out


def _text_resolver(spec: FieldSpec) -> Callable[[object], str | None]:
    """General text fields: transliterated, lower-cased, spaces collapsed or removed."""
    strip = spec.normalisation.get("strip", "spaces")

    def resolve(value: object) -> str | None:
        text = to_ascii(str(value)).lower()
        text = "".join(text.split()) if strip == "spaces" else " ".join(text.split())
        return text or None

    return resolve


def normalise_records(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Normalise a reporter's raw table: one canonical column per schema field.

    Returns a DataFrame with ``df``'s index, one ``object`` column per field of
    ``schema`` and ``_row`` (1-based row number). Raises one
    :class:`~linkage.errors.InputError` listing every bad cell by row and
    column, never by value. See the module docstring for the source columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError("normalise_records expects a pandas DataFrame")
    n = len(df)
    header_problems: list[Problem] = []
    cols = _Columns(df, header_problems)
    result: dict[str, list[object]] = {}
    ranked: list[tuple[int, int, Problem]] = []
    for index, spec in enumerate(schema.fields):
        problems: list[Problem] = []
        if spec.type == "initials":
            values = _initials_field(spec, cols, n, problems)
        elif spec.type == "year":
            values = _year_field(spec, cols, n, problems)
        elif spec.type == "country":
            values = _single_column_field(spec, cols, n, problems, resolve_nationality)
        elif spec.type == "sex":
            allowed = spec.normalisation.get("values")
            values = _single_column_field(
                spec, cols, n, problems, resolve_sex,
                allowed=tuple(allowed) if isinstance(allowed, (list, tuple)) else None,
            )
        elif spec.type == "text":
            values = _single_column_field(spec, cols, n, problems, _text_resolver(spec))
        else:  # pragma: no cover - the schema's JSON Schema allows only these types
            raise SchemaError([f"/fields: normalise_records cannot read fields of type {spec.type!r}"])
        result[spec.name] = values
        ranked.extend((p.row, index, p) for p in problems)
    if header_problems or ranked:
        ranked.sort(key=lambda t: (t[0], t[1]))  # stable: columns in source order
        raise InputError(header_problems + [p for _, _, p in ranked])
    out = pd.DataFrame(
        {name: pd.Series(values, index=df.index, dtype=object) for name, values in result.items()},
        index=df.index,
    )
    out[_ROW] = np.arange(1, n + 1, dtype=np.int64)
    return out
