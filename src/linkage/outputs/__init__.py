"""Outputs of the registry: persons, query-back lists, the run summary and manifest.

What leaves the registry carries no similarity scores and no raw order: rows
are sorted by opaque ids, never by score or by arrival. Every file is written
atomically.
"""

from linkage.outputs._summary import (
    DedupSummary,
    PairCounts,
    ReporterCounts,
    SubmissionCounts,
    ThresholdsUsed,
)
from linkage.outputs._write import QUERYBACK_COLUMNS, summary_table, write_outputs

__all__ = [
    "QUERYBACK_COLUMNS",
    "DedupSummary",
    "PairCounts",
    "ReporterCounts",
    "SubmissionCounts",
    "ThresholdsUsed",
    "summary_table",
    "write_outputs",
]
