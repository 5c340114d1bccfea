"""Report: persons, query-back lists, counts and the run summary."""

from linkage.report._outputs import QUERYBACK_COLUMNS, summary_table, write_outputs

__all__ = ["QUERYBACK_COLUMNS", "summary_table", "write_outputs"]
