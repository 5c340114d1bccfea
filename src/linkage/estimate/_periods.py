"""Counts over several periods in one run: persons per period, new in each, known from an earlier one, total.

A multi-year dedup holds reports from several periods (years). The registry
publishes, per period, the unique persons reported in it; how many of them are
new (first reported in that period) and how many were known from an earlier
one; and the unique persons over the whole span. Each is an estimate with an
interval, from the same count model and method as :func:`estimate_unique_persons`:

- persons in period ``p``: the estimate over the reports of ``p`` alone;
- cumulative persons ``C_p``: the estimate over the reports of every period up
  to ``p``; new in ``p`` = ``C_p - C_{p-1}`` (a person re-reported in ``p``
  after an earlier period is one of ``C_{p-1}`` already);
- known from an earlier period = persons in ``p`` - new in ``p``;
- total = ``C_last``.

Cross-period re-reports are true pairs between periods: the estimate over a
cumulative set counts them from the data like any other pair (their score
distribution is a true pair's), and chance pairs grow with the number of pairs
compared in the cumulative set, which the model's per-stratum chance shares scale
with (``N_s u_s``), fitted to the data (:mod:`linkage.estimate._fit`). Intervals
of the differences come from common random numbers: every bootstrap uses the
same seed, so draw ``i`` of ``C_p`` and of ``C_{p-1}`` share their random
inputs and their difference carries the correlation; the spread is then widened
by the model's interval inflation like every other interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError
from linkage.estimate._count_model import CountModel
from linkage.estimate._estimate import CountEstimate, bootstrap_persons, estimate_unique_persons

__all__ = ["PeriodCount", "PeriodCounts", "estimate_periods"]


def _interval(point: float, sims: npt.NDArray[np.float64], level: float, widen: float,
              lo_bound: float, hi_bound: float) -> tuple[float, float]:
    a = (1.0 - level) / 2.0
    lo, hi = (float(v) for v in np.quantile(sims, [a, 1.0 - a]))
    lo = point - widen * max(point - lo, 0.0)
    hi = point + widen * max(hi - point, 0.0)
    return (round(float(np.clip(lo, lo_bound, point)), 1), round(float(np.clip(hi, point, hi_bound)), 1))


@dataclass(frozen=True)
class PeriodCount:
    """One period: reports, persons (a full :class:`CountEstimate`), new and known-earlier persons with intervals."""

    period: str
    reports: int
    persons: CountEstimate
    new: float
    new_interval: tuple[float, float]
    known_earlier: float
    known_earlier_interval: tuple[float, float]
    found: int | None = None
    found_new: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "reports": self.reports, "persons": self.persons.to_json(),
                "new": self.new, "new_interval": list(self.new_interval), "known_earlier": self.known_earlier,
                "known_earlier_interval": list(self.known_earlier_interval), "found": self.found,
                "found_new": self.found_new}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> PeriodCount:
        return cls(period=str(d["period"]), reports=int(d["reports"]), persons=CountEstimate.from_json(d["persons"]),
                   new=float(d["new"]), new_interval=(float(d["new_interval"][0]), float(d["new_interval"][1])),
                   known_earlier=float(d["known_earlier"]),
                   known_earlier_interval=(float(d["known_earlier_interval"][0]),
                                           float(d["known_earlier_interval"][1])),
                   found=None if d.get("found") is None else int(d["found"]),
                   found_new=None if d.get("found_new") is None else int(d["found_new"]))


@dataclass(frozen=True)
class PeriodCounts:
    """Every period in order, and the unique persons over the whole span."""

    periods: tuple[PeriodCount, ...]
    total: CountEstimate
    method: str = field(default="cumulative estimates; differences with common random numbers")

    def to_json(self) -> dict[str, Any]:
        return {"periods": [p.to_json() for p in self.periods], "total": self.total.to_json(),
                "method": self.method}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> PeriodCounts:
        return cls(periods=tuple(PeriodCount.from_json(p) for p in d["periods"]),
                   total=CountEstimate.from_json(d["total"]), method=str(d.get("method", "")))


def estimate_periods(
    filters: npt.NDArray[np.uint64],
    presence: npt.NDArray[np.integer],
    periods: Sequence[str] | npt.NDArray[Any],
    model: CountModel,
    *,
    labels: npt.NDArray[np.integer] | None = None,
    total: CountEstimate | None = None,
    level: float = 0.95,
    draws: int = 200,
    seed: int = 0,
) -> PeriodCounts:
    """Persons per period, new in each, known from an earlier one, and the total (module docstring).

    ``periods`` gives each record's period label; periods are taken in sorted
    order (ISO-like labels such as ``2021`` or ``2021-01-01..2021-12-31`` sort
    in time). ``labels`` are the persons the run found (they set ``rho`` and the
    found counts shown beside the estimates); ``total`` the run's own estimate
    over every record, if already made.
    """
    f = np.ascontiguousarray(filters, dtype=np.uint64)
    p = np.asarray(presence)
    per = np.asarray([str(x) for x in periods], dtype=object)
    if len(per) != len(f) or len(p) != len(f):
        raise LinkageError("filters, presence and periods must describe the same records")
    order = sorted(set(per.tolist()))
    widen = model.interval_inflation
    lab = None if labels is None else np.asarray(labels)
    rows: list[PeriodCount] = []
    prev_point, prev_sims = 0.0, np.zeros(draws)
    seen_found: set[Any] = set()
    for name in order:
        mine = np.flatnonzero(per == name)
        upto = np.flatnonzero(np.isin(per, [q for q in order if q <= name]))
        sub_lab = None if lab is None else lab[mine]
        persons = estimate_unique_persons(f[mine], p[mine], model, labels=sub_lab, level=level, draws=max(draws, 20),
                                          seed=seed)
        pt_p, sims_p = bootstrap_persons(f[mine], p[mine], model, draws=draws, seed=seed, labels=sub_lab)
        pt_c, sims_c = bootstrap_persons(f[upto], p[upto], model, draws=draws, seed=seed,
                                         labels=None if lab is None else lab[upto])
        new = float(np.clip(pt_c - prev_point, 0.0, persons.estimate))
        new_sims = sims_c - prev_sims
        known = float(persons.estimate - new)
        known_sims = sims_p - new_sims
        found = found_new = None
        if sub_lab is not None:
            here = set(sub_lab.tolist())
            found = len(here)
            found_new = len(here - seen_found)
            seen_found |= here
        rows.append(PeriodCount(
            period=str(name), reports=len(mine), persons=persons, new=round(new, 1),
            new_interval=_interval(new, new_sims, level, widen, 0.0, float(persons.interval[1])),
            known_earlier=round(known, 1),
            known_earlier_interval=_interval(known, known_sims, level, widen, 0.0, float(persons.interval[1])),
            found=found, found_new=found_new,
        ))
        prev_point, prev_sims = pt_c, sims_c
    if total is None:
        total = estimate_unique_persons(f, p, model, labels=lab, level=level, draws=max(draws, 20), seed=seed)
    return PeriodCounts(periods=tuple(rows), total=total)
