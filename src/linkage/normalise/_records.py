"""Normalise a reporter's raw table into one canonical column per schema field.

Source columns
==============

Per schema field (``f.name`` is the field's name) the field type reads its
source columns:

* ``initials`` fields: ``given_names`` and ``surname`` when either is present
  and non-empty in the row, else ``full_name``, else the column named like the
  field (``initials``), read with :func:`parse_initials`;
* ``year`` fields: ``date_of_birth``, then the column named like the field
  (``birth_year``), then ``age`` together with ``report_date``
  (see :func:`birth_year_range` for the priority rule);
* ``country`` fields: the column named like the field (``nationality``);
* ``sex`` fields: the column named like the field (``sex``).

Which column of the table is which source: with ``columns`` (source name ->
column label, as :func:`linkage.intake.find_columns` gives it from the
reporter's own Dutch or English headers), exactly those; without it, the
column whose name equals the source's name, ignoring case and surrounding
spaces. A field none of whose source columns is present is missing in every
row: that is not an error (FairWork sends only initials and age). A table
with rows in which *no* field finds a column is an error
(:class:`~linkage.errors.ColumnError`, naming the columns it has): it would
otherwise become records without any field. Missing cells (NaN, ``None``,
``pd.NA``, ``NaT``, empty or all-space text) stay missing.

Bad cells: the ``invalid`` policy
=================================

``"refuse"`` (the default): every bad cell is a
:class:`~linkage.errors.Problem`; :func:`normalise_records` raises one
:class:`~linkage.errors.InputError` listing all of them.

``"missing"``: a bad cell is left out -- read as if it were empty -- and the
field is read again without it, so that a lower-priority source still counts
(a corrupt date of birth next to a good age gives the age's years). Every
left-out cell is listed in :attr:`NormalisedTable.rejected` (row, field,
column, reason; never the value) and counted per field.

Output and errors
=================

:func:`normalise_table` returns a :class:`NormalisedTable`: the canonical
frame (the input's index, one ``object`` column per schema field -- ``str``
for initials, country and sex, ``tuple[int, int]`` for year fields, ``None``
where missing -- and ``_row``, the row number), the problems, and per field
how many records it was read for, missing in, and had a bad cell in (refused).
:func:`normalise_records` returns the frame, or raises. Row numbers are
1-based (1 = first data row) unless ``rows`` gives them (the intake passes the
row numbers of the file, which skip blank rows). Each problem names the row
and the column the bad value came from (as spelled in the input), never the
value. Two columns whose names match the same source after case-folding are
reported with row 0 (the header) and always raise.

Values are normalised once per distinct value (or combination of values), so
large tables with few distinct nationalities, sexes and birth dates are fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from linkage.errors import ColumnError, InputError, LinkageError, Problem
from linkage.normalise.cells import ColumnTable
from linkage.schema import Schema

__all__ = ["INVALID_POLICIES", "FieldCounts", "InvalidPolicy", "NormalisedTable", "RejectedCell",
           "normalise_records", "normalise_table"]

_ROW = "_row"

InvalidPolicy = Literal["refuse", "missing"]
#: The policies for a cell that cannot be read.
INVALID_POLICIES: tuple[str, ...] = ("refuse", "missing")


@dataclass(frozen=True)
class RejectedCell:
    """One cell that could not be read: where, and why (never what it held)."""

    row: int
    field: str
    column: str
    reason: str

    def problem(self) -> Problem:
        """As a :class:`~linkage.errors.Problem` (row, the input column, reason)."""
        return Problem(self.row, self.column, self.reason)

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class FieldCounts:
    """What went in for one schema field.

    ``columns``: the input columns it was read from; ``read``: records with a
    value; ``missing``: records without one (``read + missing`` is every
    record); ``refused``: records in which a cell of this field could not be
    read (the file is refused under ``invalid="refuse"``; the cell is left out
    under ``invalid="missing"``).
    """

    field: str
    columns: tuple[str, ...]
    read: int
    missing: int
    refused: int

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "columns": list(self.columns), "read": self.read, "missing": self.missing,
                "refused": self.refused}


@dataclass(frozen=True)
class NormalisedTable:
    """The result of :func:`normalise_table`."""

    frame: pd.DataFrame = field(repr=False)
    rejected: tuple[RejectedCell, ...]
    fields: tuple[FieldCounts, ...]
    invalid: InvalidPolicy
    columns_used: tuple[str, ...]

    @property
    def records(self) -> int:
        return int(len(self.frame))

    @property
    def problems(self) -> list[Problem]:
        """Every bad cell, by row and input column."""
        return [r.problem() for r in self.rejected]

    @property
    def records_without_fields(self) -> int:
        """Records in which no field has a value (each would count as its own person at the registry)."""
        names = [f.field for f in self.fields]
        if not names or not len(self.frame):
            return 0
        present = np.zeros(len(self.frame), dtype=bool)
        for name in names:
            present |= np.array([v is not None for v in self.frame[name].tolist()], dtype=bool)
        return int(np.count_nonzero(~present))

    def dropped_cells(self) -> dict[str, int]:
        """Per field, the records that lost a cell (what a submission header carries under ``missing``)."""
        return {f.field: f.refused for f in self.fields}


def normalise_table(
    df: pd.DataFrame,
    schema: Schema,
    *,
    columns: Mapping[str, str] | None = None,
    invalid: InvalidPolicy = "refuse",
    rows: Sequence[int] | None = None,
) -> NormalisedTable:
    """Normalise a reporter's raw table and say what went in; bad cells per the ``invalid`` policy.

    Never raises for a bad cell: they are in ``rejected`` (under ``"refuse"``
    the caller refuses the table, as :func:`normalise_records` does). Raises
    :class:`~linkage.errors.InputError` for header problems and
    :class:`~linkage.errors.ColumnError` when no field finds a column. See the
    module docstring.
    """
    from linkage.fieldtypes import field_type

    if not isinstance(df, pd.DataFrame):
        raise TypeError("normalise_records expects a pandas DataFrame")
    if invalid not in INVALID_POLICIES:
        raise LinkageError(f"invalid must be one of {', '.join(INVALID_POLICIES)}, not {invalid!r}")
    n = len(df)
    row_numbers = np.arange(1, n + 1, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    if row_numbers.shape != (n,):
        raise LinkageError("rows must give one row number per record")
    header_problems: list[Problem] = []
    cols = ColumnTable(df, header_problems, columns)
    result: dict[str, list[object]] = {}
    rejected: list[tuple[int, int, RejectedCell]] = []
    counts: list[FieldCounts] = []
    for index, spec in enumerate(schema.fields):
        ft = field_type(spec.type)
        before = len(cols.used)
        problems: list[Problem] = []
        values = ft.read(spec, cols, n, problems)
        field_columns = tuple(cols.used[before:])
        bad_rows: set[int] = set()
        cells: list[Problem] = list(problems)
        if invalid == "missing":
            # Leave each bad cell out and read the field again: a lower-priority source may then count.
            seen: set[tuple[int, str]] = set()
            while problems:
                for p in problems:
                    seen.add((p.row, p.field))
                    cols.blank(p.field, p.row - 1)
                problems = []
                values = ft.read(spec, cols, n, problems)
                problems = [p for p in problems if (p.row, p.field) not in seen]
                cells.extend(problems)
                field_columns = tuple(dict.fromkeys(field_columns + tuple(cols.used[before:])))
        for p in cells:
            if p.row <= 0:  # pragma: no cover - header problems go to header_problems
                continue
            bad_rows.add(p.row)
            rejected.append(
                (p.row, index, RejectedCell(int(row_numbers[p.row - 1]), spec.name, p.field, p.reason))
            )
        result[spec.name] = values
        read = sum(1 for v in values if v is not None)
        counts.append(FieldCounts(spec.name, field_columns, read, n - read, len(bad_rows)))
    if header_problems:
        raise InputError(header_problems)
    if n and not cols.used:
        raise ColumnError(
            "no column of the table is an input column of the schema (see docs/input.md, or map them with "
            "--columns / the schema's \"columns\")",
            [str(c) for c in df.columns],
        )
    rejected.sort(key=lambda t: (t[0], t[1]))  # stable: columns in source order within a field
    out = pd.DataFrame(
        {name: pd.Series(values, index=df.index, dtype=object) for name, values in result.items()},
        index=df.index,
    )
    out[_ROW] = row_numbers
    return NormalisedTable(
        frame=out,
        rejected=tuple(r for _, _, r in rejected),
        fields=tuple(counts),
        invalid=invalid,
        columns_used=tuple(cols.used),
    )


def normalise_records(
    df: pd.DataFrame, schema: Schema, *, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Normalise a reporter's raw table: one canonical column per schema field.

    Returns a DataFrame with ``df``'s index, one ``object`` column per field of
    ``schema`` and ``_row`` (1-based row number). Raises one
    :class:`~linkage.errors.InputError` listing every bad cell by row and
    column, never by value, and :class:`~linkage.errors.ColumnError` when no
    field finds a column. See the module docstring for the source columns and
    :func:`normalise_table` for the ``missing`` policy and counts.
    """
    table = normalise_table(df, schema, columns=columns)
    if table.rejected:
        raise InputError(table.problems)
    return table.frame
