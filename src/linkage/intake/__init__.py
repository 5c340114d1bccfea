"""Intake (reporter side): a reporter's own export file -> a table of raw cells, its columns found.

* :func:`read_table` / :func:`read_reporter_file`: CSV/TSV/TXT (encoding and
  delimiter found), Excel (.xlsx) or Parquet; a key file or a submission given
  as the table is refused;
* :func:`find_columns`: which of the reporter's columns is which input column
  (built-in Dutch and English names, ``data/column_names.csv``, or a mapping);
* :func:`read_records`: both, ready for :mod:`linkage.normalise` -- refuses a
  file with no records or without any quasi-identifier column.
"""

from linkage.intake._columns import (
    NOT_QUASI_IDENTIFIERS,
    ColumnMap,
    builtin_column_names,
    find_columns,
    header_key,
    parse_column_mapping,
)
from linkage.intake._read import (
    CODE_PAGES,
    FileInfo,
    RawTable,
    decode_text,
    excel_serial_dates,
    read_reporter_file,
    read_table,
    table_from_frame,
)
from linkage.intake._records import ReporterTable, prepare_table, read_records

__all__ = [
    "CODE_PAGES",
    "NOT_QUASI_IDENTIFIERS",
    "ColumnMap",
    "FileInfo",
    "RawTable",
    "ReporterTable",
    "builtin_column_names",
    "decode_text",
    "excel_serial_dates",
    "find_columns",
    "header_key",
    "parse_column_mapping",
    "prepare_table",
    "read_records",
    "read_reporter_file",
    "read_table",
    "table_from_frame",
]
