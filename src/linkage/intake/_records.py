"""A reporter's file (or DataFrame) made ready for normalisation: read, columns found, checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.errors import ColumnError
from linkage.intake._columns import ColumnMap, find_columns
from linkage.intake._read import FileInfo, RawTable, excel_serial_dates, read_reporter_file, table_from_frame
from linkage.schema import Schema

__all__ = ["ReporterTable", "prepare_table", "read_records"]

_DATE_SOURCES = ("date_of_birth", "report_date")


@dataclass(frozen=True)
class ReporterTable:
    """A reporter's table with its columns found: what :mod:`linkage.normalise` reads.

    ``frame``: the cells, under the file's own headers; ``rows``: each record's
    row number in the file; ``columns``: which header is which input column;
    ``info``: how the file was read.
    """

    frame: pd.DataFrame = field(repr=False)
    rows: npt.NDArray[np.int64] = field(repr=False)
    columns: ColumnMap
    info: FileInfo

    def __len__(self) -> int:
        return int(len(self.frame))

    def case_refs(self) -> list[str | None] | None:
        """The reporter's case references (for the local id map), or ``None`` without such a column."""
        label = self.columns.sources.get("case_ref")
        if label is None:
            return None
        return [None if v is None else str(v) for v in self.frame[label].tolist()]

    def to_json(self) -> dict[str, Any]:
        return {**self.info.to_json(), "records": len(self), "columns": self.columns.to_json()}


def prepare_table(raw: RawTable, schema: Schema, columns: Mapping[str, str] | None = None) -> ReporterTable:
    """Find the columns of a read table and check it can give records.

    Raises :class:`~linkage.errors.ColumnError` (naming the file's headers,
    never a value) when a header is repeated and read, when no header is a
    quasi-identifier column of ``schema``, or when there are no records.
    """
    cmap = find_columns(list(raw.frame.columns), schema, columns)
    repeated = {h.casefold() for h in raw.info.duplicate_headers}
    dup = [label for label in cmap.sources.values()
           if label.casefold() in repeated or _base(label).casefold() in repeated]
    if dup:
        raise ColumnError(
            f"more than one column is called {dup[0]!r} in {raw.info.name!r}; rename one or choose one with "
            "--columns",
            list(raw.frame.columns),
        )
    if not cmap.quasi_identifiers:
        raise ColumnError(
            f"{raw.info.name!r}: no column is a quasi-identifier the schema reads ("
            + ", ".join(s for s in schema.sources if s != "case_ref")
            + "); name the columns as in docs/input.md or map them with --columns input_column=Header",
            list(raw.frame.columns),
        )
    if len(raw) == 0:
        raise ColumnError(
            f"{raw.info.name!r} has no records: only a header"
            + (f" and {raw.info.blank_rows} blank row(s)" if raw.info.blank_rows else ""),
            list(raw.frame.columns),
        )
    if raw.info.format == "xlsx":
        raw = excel_serial_dates(raw, [cmap.sources[s] for s in _DATE_SOURCES if s in cmap.sources])
    return ReporterTable(frame=raw.frame, rows=raw.rows, columns=cmap, info=raw.info)


def _base(label: str) -> str:
    head, sep, tail = label.rpartition(" (")
    return head if sep and tail.endswith(")") and tail[:-1].isdigit() else label


def read_records(
    source: str | Path | pd.DataFrame,
    schema: Schema,
    *,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ReporterTable:
    """Read a reporter's file (or take a DataFrame) and find its columns: :func:`prepare_table`."""
    if isinstance(source, pd.DataFrame):
        raw = table_from_frame(source)
    else:
        raw = read_reporter_file(source, encoding=encoding, sheet=sheet)
    return prepare_table(raw, schema, columns)
