"""Field type ``year``: a birth year, exact or as an interval.

Read from ``date_of_birth``, else the column named like the field
(``birth_year``), else ``age`` together with ``report_date`` (see
:func:`linkage.normalise.birth_year_range` for the priority rule). Canonical
value: an inclusive interval ``(lo, hi)`` of possible years.

Tokens:

``neighbourhood`` one token per year in ``[lo - radius, hi + radius]``: years
                  one apart share most tokens; an age (which gives a two-year
                  interval) still shares tokens with an exact year.
``exact``         the year itself, only when it is known exactly.

Salt text: ``floor(lo / band)`` in decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from linkage.errors import Problem
from linkage.fieldtypes._base import ColumnReader, FieldType, background_order, register_field_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from linkage.schema import FieldSpec

__all__ = ["Year", "candidate_years", "year_tokens"]


def year_tokens(value: tuple[int, int], token_types: tuple[str, ...], radius: int) -> list[str]:
    """Tokens of a canonical year interval (see the module docstring)."""
    lo, hi = value
    out: list[str] = []
    if "neighbourhood" in token_types:
        out.extend(f"n:{y}" for y in range(lo - radius, hi + radius + 1))
    if "exact" in token_types and lo == hi:
        out.append(f"x:{lo}")
    return out


class Year(FieldType):
    name: ClassVar[str] = "year"
    token_types: ClassVar[tuple[str, ...]] = ("neighbourhood", "exact")
    normalisation_schema: ClassVar[dict[str, Any]] = {
        "min_year": {"type": "integer", "minimum": 1800, "maximum": 2100},
        "max_age": {"type": "integer", "minimum": 1, "maximum": 130},
        "age_uncertainty": {"type": "integer", "minimum": 0, "maximum": 5},
        "radius": {"type": "integer", "minimum": 0, "maximum": 5},
    }
    normalisation_defaults: ClassVar[dict[str, Any]] = {
        "min_year": 1900, "max_age": 110, "age_uncertainty": 1, "radius": 1,
    }
    source_columns: ClassVar[tuple[str, ...]] = ("date_of_birth", "age", "report_date")

    def read(self, spec: FieldSpec, columns: ColumnReader, n: int, problems: list[Problem]) -> list[object]:
        from linkage.normalise import BirthYearInvalid, resolve_birth_year
        from linkage.normalise.cells import CellFailure, clean, memo

        norm = spec.normalisation
        age_uncertainty = int(norm.get("age_uncertainty", 1))
        min_year = int(norm.get("min_year", 1900))
        max_age = int(norm.get("max_age", 110))
        sources = {
            "date_of_birth": columns.values("date_of_birth"),
            "birth_year": columns.values(spec.name),
            "age": columns.values("age"),
            "report_date": columns.values("report_date"),
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

        fn = memo(resolve)
        cells = [sources[s][1] for s in ("date_of_birth", "birth_year", "age", "report_date")]
        out: list[object] = [None] * n
        for i in range(n):
            args = tuple(clean(c[i]) if c is not None else None for c in cells)
            result = fn(*args)
            if isinstance(result, CellFailure):
                error = result.error
                source = error.source if isinstance(error, BirthYearInvalid) else "birth_year"
                problems.append(Problem(i + 1, str(labels[source]), error.reason))
            else:
                out[i] = result
        return out

    def tokens(self, spec: FieldSpec, value: Any) -> list[str]:
        radius = int(spec.normalisation.get("radius", 1))
        return year_tokens((int(value[0]), int(value[1])), spec.tokens, radius)

    def salt_text(self, spec: FieldSpec, value: Any, band: int | None) -> str:
        lo = int(value[0]) if isinstance(value, (tuple, list, np.ndarray)) else int(value)
        return str(lo // (band or 1))

    def candidates(
        self, spec: FieldSpec, background: pd.Series | None, **options: Any
    ) -> tuple[list[Any], tuple[Any, ...]]:
        """Exact years over the background's range widened by ``year_margin`` (default 5), and two-year
        intervals (what an age gives) unless ``year_intervals=False``; reported as the interval's upper year."""
        if background is None:
            raise ValueError("the dictionary attack needs background frequencies for a year field")
        years = candidate_years(
            background, margin=int(options.get("year_margin", 5)),
            intervals=bool(options.get("year_intervals", True)),
        )
        return list(years), tuple(int(v[1]) for v in years)


def _year_bounds(values: Sequence[Any]) -> tuple[int, int] | None:
    ys: list[int] = []
    for v in values:
        if isinstance(v, (tuple, list)):
            ys.extend(int(x) for x in v)
        elif v is not None:
            ys.append(int(v))
    return (min(ys), max(ys)) if ys else None


def candidate_years(
    background: pd.Series | None, *, margin: int = 5, intervals: bool = True
) -> list[tuple[int, int]]:
    """Exact years over the background's range widened by ``margin``, and (with ``intervals``) two-year intervals.

    ``background`` is the birth years' frequency series (index: ``(lo, hi)``
    intervals or years). Two-year intervals ``(y - 1, y)`` are what an age
    gives after normalisation. Background years come first, by frequency.
    """
    seen = background_order(background)
    bounds = _year_bounds(seen)
    if bounds is None:
        return []
    lo, hi = bounds[0] - margin, bounds[1] + margin
    space: list[tuple[int, int]] = [(y, y) for y in range(lo, hi + 1)]
    if intervals:
        space += [(y - 1, y) for y in range(lo + 1, hi + 1)]
    allowed = set(space)
    first: list[tuple[int, int]] = []
    for v in seen:
        t = (int(v[0]), int(v[-1])) if isinstance(v, (tuple, list)) else (int(v), int(v))
        if t in allowed:
            first.append(t)
    ordered = list(dict.fromkeys(first))
    taken = set(ordered)
    return ordered + [t for t in space if t not in taken]


register_field_type(Year())
