"""The dedup run's summary: typed, with the JSON ``summary.json`` holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from linkage.estimate import CountEstimate, PeriodCounts

__all__ = ["DedupSummary", "PairCounts", "ReporterCounts", "SubmissionCounts", "ThresholdsUsed"]


@dataclass(frozen=True)
class ReporterCounts:
    """One reporter's reports, the persons they make, and how many of those another reporter also reported."""

    reports: int
    persons: int
    persons_shared: int


@dataclass(frozen=True)
class PairCounts:
    """Pairs decided as one person (``match``) and sent back to reporters (``review``)."""

    match: int
    review: int


@dataclass(frozen=True)
class ThresholdsUsed:
    """The thresholds a run classified with, and how they were found (``fixed``, ``valley``, ``posterior``)."""

    method: str
    match: float
    review: float


@dataclass(frozen=True)
class SubmissionCounts:
    """Submissions a run stored for the first time, and those the store already held."""

    new: int
    already_stored: int


@dataclass(frozen=True)
class DedupSummary:
    """What a dedup run found. ``estimate`` is there when a count model was used,
    ``submissions`` when the run ingested files, ``periods`` when a run with a
    count model spans several reporting periods (persons per period, new in
    each, known from an earlier one, and the total, each with an interval)."""

    reports: int
    unique_persons: int
    persons_multi_reporter: int
    per_reporter: Mapping[str, ReporterCounts]
    reporter_overlap: Mapping[str, Mapping[str, int]]
    pairs: PairCounts
    thresholds: ThresholdsUsed
    estimate: CountEstimate | None = None
    submissions: SubmissionCounts | None = None
    periods: PeriodCounts | None = None

    def with_submissions(self, new: int, already_stored: int) -> DedupSummary:
        return replace(self, submissions=SubmissionCounts(new, already_stored))

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict written to ``summary.json`` (absent parts are left out)."""
        out: dict[str, Any] = {
            "reports": self.reports,
            "unique_persons": self.unique_persons,
            "persons_multi_reporter": self.persons_multi_reporter,
            "per_reporter": {
                r: {"reports": c.reports, "persons": c.persons, "persons_shared": c.persons_shared}
                for r, c in self.per_reporter.items()
            },
            "reporter_overlap": {r: dict(row) for r, row in self.reporter_overlap.items()},
            "pairs": {"match": self.pairs.match, "review": self.pairs.review},
            "thresholds": {"method": self.thresholds.method, "match": self.thresholds.match,
                           "review": self.thresholds.review},
        }
        if self.estimate is not None:
            out["estimate"] = self.estimate.to_json()
        if self.submissions is not None:
            out["submissions"] = {"new": self.submissions.new, "already_stored": self.submissions.already_stored}
        if self.periods is not None:
            out["periods"] = self.periods.to_json()
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DedupSummary:
        """Read back what :meth:`to_json` wrote."""
        est = d.get("estimate")
        subs = d.get("submissions")
        th = d["thresholds"]
        return cls(
            reports=int(d["reports"]),
            unique_persons=int(d["unique_persons"]),
            persons_multi_reporter=int(d["persons_multi_reporter"]),
            per_reporter={
                str(r): ReporterCounts(int(c["reports"]), int(c["persons"]), int(c["persons_shared"]))
                for r, c in d["per_reporter"].items()
            },
            reporter_overlap={
                str(r): {str(s): int(v) for s, v in row.items()} for r, row in d["reporter_overlap"].items()
            },
            pairs=PairCounts(int(d["pairs"]["match"]), int(d["pairs"]["review"])),
            thresholds=ThresholdsUsed(str(th["method"]), float(th["match"]), float(th["review"])),
            estimate=None if est is None else CountEstimate.from_json(est),
            submissions=None if subs is None else SubmissionCounts(int(subs["new"]), int(subs["already_stored"])),
            periods=None if d.get("periods") is None else PeriodCounts.from_json(d["periods"]),
        )
