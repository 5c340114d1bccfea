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

import numpy as np
import pandas as pd

from linkage.errors import InputError, Problem
from linkage.normalise.cells import ColumnTable
from linkage.schema import Schema

__all__ = ["normalise_records"]

_ROW = "_row"


def normalise_records(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Normalise a reporter's raw table: one canonical column per schema field.

    Returns a DataFrame with ``df``'s index, one ``object`` column per field of
    ``schema`` and ``_row`` (1-based row number). Raises one
    :class:`~linkage.errors.InputError` listing every bad cell by row and
    column, never by value. See the module docstring for the source columns.
    """
    from linkage.fieldtypes import field_type

    if not isinstance(df, pd.DataFrame):
        raise TypeError("normalise_records expects a pandas DataFrame")
    n = len(df)
    header_problems: list[Problem] = []
    cols = ColumnTable(df, header_problems)
    result: dict[str, list[object]] = {}
    ranked: list[tuple[int, int, Problem]] = []
    for index, spec in enumerate(schema.fields):
        problems: list[Problem] = []
        values = field_type(spec.type).read(spec, cols, n, problems)
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
