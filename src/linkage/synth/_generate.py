"""``generate``: the seeded generator, and the truth helpers for evaluation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from linkage.synth import _calibration as cal
from linkage.synth._countries import CODES
from linkage.synth._errors import iso_strings
from linkage.synth._names import V_CANONICAL, name_tables
from linkage.synth._population import SEXES, Persons, generate_year, plan_year
from linkage.synth._reporters import QI_COLUMNS, SynthError, case_refs, render, reporter_columns, resolve_profiles

REPORT_COLUMNS: tuple[str, ...] = (
    "report_id", "reporter", "year", "report_date", *QI_COLUMNS, "case_ref", "person_id", "form",
)
PERSON_COLUMNS: tuple[str, ...] = (
    "person_id", "given_name", "surname", "date_of_birth", "nationality", "sex", "form", "first_year",
)
TRUTH_COLUMNS: tuple[str, ...] = ("report_id", "person_id", "form", "reporter", "year")
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True, eq=False)
class SynthData:
    """Synthetic reports with their ground truth.

    ``reports`` has one row per report (columns :data:`REPORT_COLUMNS`): the raw quasi-identifiers
    exactly as the reporter sent them (missing is ``None``; ``birth_year`` and ``age`` are nullable
    ``Int64`` columns, missing is ``<NA>``) and the truth columns ``person_id`` and ``form``.
    ``persons`` has one row per true person (columns :data:`PERSON_COLUMNS`).
    """

    reports: pd.DataFrame
    persons: pd.DataFrame
    seed: int
    years: tuple[int, ...]
    scale: float = 1.0
    profiles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


Years = Sequence[int] | npt.NDArray[np.integer[Any]]


def _check_args(seed: int, years: Years, scale: float, n_reports: int | None) -> tuple[int, ...]:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SynthError("seed must be an integer >= 0")
    if isinstance(years, (str, bytes)) or not isinstance(years, (Sequence, np.ndarray)) or len(years) == 0:
        raise SynthError("years must be a non-empty sequence of years")
    ys: list[int] = []
    for y in years:
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or not MIN_YEAR <= y <= MAX_YEAR:
            raise SynthError(f"years must be integers between {MIN_YEAR} and {MAX_YEAR}")
        ys.append(int(y))
    numeric = not isinstance(scale, bool) and isinstance(scale, (int, float, np.number))
    if not numeric or not math.isfinite(scale) or scale <= 0:
        raise SynthError("scale must be a finite number > 0")
    bad_n = isinstance(n_reports, bool) or not isinstance(n_reports, (int, np.integer)) or n_reports < 1
    if n_reports is not None and bad_n:
        raise SynthError("n_reports must be an integer >= 1")
    return tuple(sorted(set(ys)))


def _str_ids(prefix: str, n: int) -> np.ndarray:
    width = max(7, len(str(n)))
    out = np.empty(n, dtype=object)
    out[:] = [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
    return out


def generate(
    *,
    seed: int = 0,
    years: Years = (2022,),
    scale: float = 1.0,
    n_reports: int | None = None,
    profiles: Mapping[str, Mapping[str, Any]] | None = None,
) -> SynthData:
    """Generate CoMensha-style reports with ground truth.

    ``years``: any years (2014-2022 use their own figures, others those of the nearest year);
    ``scale`` multiplies the volumes; ``n_reports``, if given, sets the scale so that the total is
    about that many reports; ``profiles`` overrides parts of the reporter profiles (see
    :func:`default_profiles`).  The same arguments always give identical output.
    """
    ys = _check_args(seed, years, scale, n_reports)
    profs = resolve_profiles(profiles)
    if n_reports is not None:
        base = sum(float(cal.reports_per_reporter(y).sum()) for y in ys)
        scale = n_reports / base
    rng = np.random.default_rng(seed)

    persons = Persons.empty()
    chunks = []
    for y in ys:
        yr = generate_year(rng, plan_year(y, float(scale)), persons)
        chunks.append((yr, y))
    person = np.concatenate([c.person for c, _ in chunks]) if chunks else np.empty(0, np.int64)
    reporter = np.concatenate([c.reporter for c, _ in chunks])
    date = np.concatenate([c.date for c, _ in chunks]).astype("datetime64[D]")
    year = np.concatenate([np.full(len(c.person), y, dtype=np.int64) for c, y in chunks])

    # report order: by date, then reporter, then person
    order = np.lexsort((person, reporter, date))
    person, reporter, date, year = person[order], reporter[order], date[order], year[order]

    qi = render(rng, persons, person, reporter, date, profs)
    n = len(person)
    person_ids = _str_ids("P", len(persons))
    reporter_names = np.array(cal.REPORTERS, dtype=object)
    form_names = np.array(cal.FORMS, dtype=object)
    reports = pd.DataFrame(
        {
            "report_id": _str_ids("R", n),
            "reporter": reporter_names[reporter],
            "year": year,
            "report_date": iso_strings(date),
            **qi,
            "case_ref": case_refs(rng, reporter, year),
            "person_id": person_ids[person],
            "form": form_names[persons.form[person].astype(np.int64)],
        },
        columns=list(REPORT_COLUMNS),
    )

    tables = name_tables()
    given = tables.given[persons.given1.astype(np.int64), V_CANONICAL].copy()
    two = persons.given2 >= 0
    second = tables.given[persons.given2[two], V_CANONICAL]
    given[two] = [a + " " + b for a, b in zip(given[two].tolist(), second.tolist(), strict=True)]
    persons_df = pd.DataFrame(
        {
            "person_id": person_ids,
            "given_name": given,
            "surname": tables.surname[persons.surname.astype(np.int64), V_CANONICAL],
            "date_of_birth": iso_strings(persons.dob),
            "nationality": np.array(CODES, dtype=object)[persons.country.astype(np.int64)],
            "sex": np.array(SEXES, dtype=object)[persons.sex.astype(np.int64)],
            "form": form_names[persons.form.astype(np.int64)],
            "first_year": persons.first_year.astype(np.int64),
        },
        columns=list(PERSON_COLUMNS),
    )
    return SynthData(reports=reports, persons=persons_df, seed=int(seed), years=ys, scale=float(scale), profiles=profs)


def reporter_tables(data: SynthData) -> dict[str, pd.DataFrame]:
    """Each reporter's raw table, as it would export a CSV: only the columns it sends.

    Columns: ``case_ref``, ``report_date`` and the quasi-identifier columns of its profile; no
    ``report_id`` and no truth.  Rows are in the order of that reporter's rows in ``data.reports``.
    Reporters without reports in ``data`` are left out.
    """
    profiles = data.profiles or resolve_profiles(None)
    out: dict[str, pd.DataFrame] = {}
    for rname in cal.REPORTERS:
        rows = data.reports[data.reports["reporter"] == rname]
        if not len(rows):
            continue
        cols = ["case_ref", "report_date", *reporter_columns(profiles[rname])]
        out[rname] = rows[cols].reset_index(drop=True)
    return out


def truth_unique_persons(data: SynthData, year: int | None = None) -> int:
    """Number of distinct true persons among the reports (of ``year``, if given)."""
    reports = data.reports if year is None else data.reports[data.reports["year"] == year]
    return int(reports["person_id"].nunique())


def true_clusters(data: SynthData) -> dict[str, str]:
    """report_id -> person_id for every report."""
    return dict(zip(data.reports["report_id"].tolist(), data.reports["person_id"].tolist(), strict=True))


def true_pairs(data: SynthData) -> set[tuple[str, str]]:
    """All pairs of report_ids of the same person, each as a sorted tuple."""
    df = data.reports[["person_id", "report_id"]].sort_values(["person_id", "report_id"], kind="stable")
    pid = df["person_id"].to_numpy()
    rid = df["report_id"].to_numpy()
    pairs: set[tuple[str, str]] = set()
    d = 1
    while d < len(pid):
        same = np.flatnonzero(pid[:-d] == pid[d:])
        if not len(same):
            break
        pairs.update(zip(rid[same].tolist(), rid[same + d].tolist(), strict=True))
        d += 1
    return pairs
