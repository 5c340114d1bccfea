"""Intake (reporter side): a reporter's own export file -> a table of raw cells.

:func:`read_table` reads CSV, Excel (.xlsx) or Parquet; :mod:`linkage.normalise`
turns the raw cells into canonical values.
"""

from linkage.intake._read import read_table

__all__ = ["read_table"]
