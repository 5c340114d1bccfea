"""Who is reported, by whom, when: the truth behind the reports.

Per year the generator

1. fixes each reporter's number of reports from the brief's table (times ``scale``);
2. fixes the number of unique persons from the reports/unique ratio of that year;
3. splits each reporter's reports into *first* reports (one per person in the year) and
   *second* reports (on a person some reporter already reported that year), in proportion to
   :data:`~linkage.synth._calibration.SECONDARY_PROPENSITY`;
4. gives first reports a form of exploitation by an iterative proportional fit of reporter
   volumes to the year's form shares, with :data:`~linkage.synth._calibration.FORM_AFFINITY`
   as the prior;
5. makes a share of first reports repeats of persons reported in an earlier generated year
   (same form), and creates the rest as new persons;
6. attaches each second report to a host report of the same year (host reporter shares in
   :data:`~linkage.synth._calibration.HOST_SHARES`, weighted by form affinity), dated near it.

Everything is numpy arrays; the only Python loops run over years, reporters, forms and groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linkage.synth import _calibration as cal
from linkage.synth._countries import CODE_INDEX, COUNTRIES, MIXED_LANGUAGES, country_probs
from linkage.synth._names import GROUP_INDEX, name_tables

N_REP = len(cal.REPORTERS)
N_FORM = len(cal.FORMS)
SEXES: tuple[str, ...] = ("M", "F", "X")
_NLD = CODE_INDEX["NLD"]
_LANG_OF_COUNTRY = np.array([GROUP_INDEX.get(c.language, -1) for c in COUNTRIES], dtype=np.int64)
_MIXED = np.array([GROUP_INDEX[g] for g in MIXED_LANGUAGES], dtype=np.int64)
_AFFINITY = np.array([cal.FORM_AFFINITY[r] for r in cal.REPORTERS], dtype=np.float64)
_HOSTS = np.array([[cal.HOST_SHARES[r2][r1] for r1 in cal.REPORTERS] for r2 in cal.REPORTERS], dtype=np.float64)
_PROPENSITY = np.array([cal.SECONDARY_PROPENSITY[r] for r in cal.REPORTERS], dtype=np.float64)


def round_alloc(values: npt.NDArray[np.float64], total: int) -> npt.NDArray[np.int64]:
    """Integers summing to ``total`` close to ``values`` (largest remainder, ties by position)."""
    values = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
    s = values.sum()
    if total <= 0 or s <= 0:
        return np.zeros(len(values), dtype=np.int64)
    scaled = values * (total / s)
    base = np.floor(scaled).astype(np.int64)
    rest = int(total - base.sum())
    if rest > 0:
        order = np.argsort(-(scaled - base), kind="stable")
        base[order[:rest]] += 1
    return np.asarray(base, dtype=np.int64)


Floats = npt.NDArray[np.float64]


def _ipf(prior: Floats, rows: Floats, cols: Floats) -> Floats:
    """Iterative proportional fit of ``prior`` to row and column totals."""
    m = prior.copy()
    for _ in range(200):
        rs = m.sum(axis=1)
        m *= np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = m.sum(axis=0)
        m *= np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
    return m


@dataclass(frozen=True)
class YearPlan:
    """Report volumes of one year."""

    year: int
    reports: npt.NDArray[np.int64]  # per reporter
    secondary: npt.NDArray[np.int64]  # per reporter: second reports on a person already reported that year
    primary_forms: npt.NDArray[np.int64]  # (reporter, form): first reports

    @property
    def unique(self) -> int:
        return int(self.primary_forms.sum())


def plan_year(year: int, scale: float) -> YearPlan:
    """Volumes for ``year`` at ``scale`` (see the module docstring, steps 1-4)."""
    base = cal.reports_per_reporter(year) * scale
    n = round_alloc(base, int(round(base.sum())))
    total = int(n.sum())
    unique = min(total, max(1, int(round(total / cal.report_unique_ratio(year))))) if total else 0
    dup = total - unique
    cap = cal.SECONDARY_CAP * n
    sec = np.zeros(N_REP)
    free = np.ones(N_REP, dtype=bool)
    remaining = float(dup)
    for _ in range(N_REP + 1):
        w = _PROPENSITY * n * free
        if remaining <= 1e-9 or w.sum() <= 0:
            break
        sec += remaining * w / w.sum()
        over = sec > cap
        remaining = float((sec - cap)[over].sum())
        sec[over] = cap[over]
        free &= ~over
    secondary = np.minimum(round_alloc(sec, int(round(sec.sum()))), np.floor(cap).astype(np.int64))
    primary = n - secondary
    cols = cal.form_shares(year) * primary.sum()
    fit = _ipf(_AFFINITY, primary.astype(np.float64), cols)
    primary_forms = np.stack([round_alloc(fit[r], int(primary[r])) for r in range(N_REP)])
    return YearPlan(year=year, reports=n, secondary=secondary, primary_forms=primary_forms)


# ---------------------------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------------------------


@dataclass
class Persons:
    """Growing columnar store of true persons."""

    form: npt.NDArray[np.int8]
    country: npt.NDArray[np.int16]
    lang: npt.NDArray[np.int16]
    sex: npt.NDArray[np.int8]
    dob: npt.NDArray[np.datetime64]
    given1: npt.NDArray[np.int32]
    given2: npt.NDArray[np.int32]  # -1: no second given name
    surname: npt.NDArray[np.int32]
    first_year: npt.NDArray[np.int32]
    last_year: npt.NDArray[np.int32]

    @classmethod
    def empty(cls) -> Persons:
        return cls(
            form=np.empty(0, np.int8), country=np.empty(0, np.int16), lang=np.empty(0, np.int16),
            sex=np.empty(0, np.int8), dob=np.empty(0, "datetime64[D]"), given1=np.empty(0, np.int32),
            given2=np.empty(0, np.int32), surname=np.empty(0, np.int32), first_year=np.empty(0, np.int32),
            last_year=np.empty(0, np.int32),
        )

    def __len__(self) -> int:
        return len(self.form)

    def extend(self, other: Persons) -> npt.NDArray[np.int64]:
        start = len(self)
        for name in self.__dataclass_fields__:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))
        return np.arange(start, len(self), dtype=np.int64)


def new_persons(
    rng: np.random.Generator, year: int, forms: npt.NDArray[np.int64], first_dates: npt.NDArray[np.datetime64]
) -> Persons:
    """Draw new persons of the given forms, first reported on ``first_dates``."""
    n = len(forms)
    group_probs = cal.nationality_group_probs(year)
    country = np.empty(n, dtype=np.int64)
    sex = np.empty(n, dtype=np.int64)
    for f, form in enumerate(cal.FORMS):
        idx = np.flatnonzero(forms == f)
        if not len(idx):
            continue
        groups = rng.choice(len(cal.NATIONALITY_GROUPS), size=len(idx), p=group_probs[form])
        for g, gname in enumerate(cal.NATIONALITY_GROUPS):
            sub = idx[groups == g]
            if len(sub):
                cidx, cp = country_probs(gname, year, form)
                country[sub] = cidx[rng.choice(len(cidx), size=len(sub), p=cp)]
        sex[idx] = rng.choice(3, size=len(idx), p=np.asarray(cal.SEX_BY_FORM[form]))

    # age at first report, by form (domestic sexual exploitation apart)
    age = np.empty(n, dtype=np.int64)
    keys = np.array(cal.FORMS, dtype=object)[forms]
    keys[(forms == 0) & (country == _NLD)] = "sexual_domestic"
    for key, bands in cal.AGE_BANDS.items():
        idx = np.flatnonzero(keys == key)
        if not len(idx):
            continue
        band = rng.choice(3, size=len(idx), p=np.asarray(bands))
        a = np.empty(len(idx), dtype=np.int64)
        a[band == 0] = rng.integers(12, 18, size=int((band == 0).sum()))
        a[band == 1] = rng.integers(18, 23, size=int((band == 1).sum()))
        k = int((band == 2).sum())
        a[band == 2] = np.minimum(23 + np.floor(rng.exponential(cal.AGE_23PLUS_MEAN[key], size=k)), 75).astype(np.int64)
        age[idx] = a
    days = np.floor(age * 365.2425).astype(np.int64) + rng.integers(1, 365, size=n)
    dob = first_dates.astype("datetime64[D]") - days.astype("timedelta64[D]")

    # names
    lang = _LANG_OF_COUNTRY[country]
    mixed = lang < 0
    lang[mixed] = _MIXED[rng.integers(0, len(_MIXED), size=int(mixed.sum()))]
    tables = name_tables()
    given1 = np.empty(n, dtype=np.int64)
    given2 = np.full(n, -1, dtype=np.int64)
    surname = np.empty(n, dtype=np.int64)
    name_sex = np.where(sex == 2, rng.integers(0, 2, size=n), sex)  # X: either list
    for g in np.unique(lang):
        for s in (0, 1):
            idx = np.flatnonzero((lang == g) & (name_sex == s))
            if not len(idx):
                continue
            rows, probs = tables.given_rows[g][s], tables.given_probs[g][s]
            given1[idx] = rows[rng.choice(len(rows), size=len(idx), p=probs)]
            two = rng.random(len(idx)) < tables.second_given_rate[g]
            if two.any():
                second = rows[rng.choice(len(rows), size=int(two.sum()), p=probs)]
                second[second == given1[idx[two]]] = -1
                given2[idx[two]] = second
            srows = tables.surname_rows[g][s]
            surname[idx] = srows[rng.choice(len(srows), size=len(idx), p=tables.surname_probs[g])]
    return Persons(
        form=forms.astype(np.int8), country=country.astype(np.int16), lang=lang.astype(np.int16),
        sex=sex.astype(np.int8), dob=dob, given1=given1.astype(np.int32), given2=given2.astype(np.int32),
        surname=surname.astype(np.int32), first_year=np.full(n, year, dtype=np.int32),
        last_year=np.full(n, year, dtype=np.int32),
    )


@dataclass(frozen=True)
class YearReports:
    """Reports of one year: who, by whom, when."""

    person: npt.NDArray[np.int64]
    reporter: npt.NDArray[np.int64]
    date: npt.NDArray[np.datetime64]


def _year_bounds(year: int) -> tuple[np.datetime64, int]:
    start = np.datetime64(f"{year:04d}-01-01", "D")
    end = np.datetime64(f"{year + 1:04d}-01-01", "D")
    return start, int((end - start).astype(np.int64))


def generate_year(rng: np.random.Generator, plan: YearPlan, persons: Persons) -> YearReports:
    """Steps 5 and 6 of the module docstring for one year; adds new persons to ``persons``."""
    year = plan.year
    start, ndays = _year_bounds(year)
    counts = plan.primary_forms
    rep = np.repeat(np.arange(N_REP), counts.sum(axis=1))
    forms = np.concatenate([np.repeat(np.arange(N_FORM), counts[r]) for r in range(N_REP)]).astype(np.int64)
    n = len(rep)
    dates = start + rng.integers(0, ndays, size=n).astype("timedelta64[D]")
    person = np.full(n, -1, dtype=np.int64)

    # repeats of persons reported in an earlier generated year
    if len(persons):
        for f in range(N_FORM):
            slots = np.flatnonzero(forms == f)
            pool = np.flatnonzero((persons.form == f) & (persons.last_year < year))
            if not len(slots) or not len(pool):
                continue
            k = min(int(rng.binomial(len(slots), cal.REPEAT_RATE)), len(pool))
            if k == 0:
                continue
            gap = (year - persons.last_year[pool]).astype(np.float64)
            keys = (gap - 1.0) * np.log(cal.REPEAT_DECAY) + rng.gumbel(size=len(pool))  # Gumbel top-k
            chosen = pool[np.argpartition(-keys, k - 1)[:k]]
            person[rng.choice(slots, size=k, replace=False)] = chosen

    new = np.flatnonzero(person < 0)
    if len(new):
        person[new] = persons.extend(new_persons(rng, year, forms[new], dates[new]))
    persons.last_year[person] = year

    # second reports on persons already reported this year
    prim_per_rep = np.bincount(rep, minlength=N_REP).astype(np.float64)
    sec_person: list[npt.NDArray[np.int64]] = []
    sec_rep: list[npt.NDArray[np.int64]] = []
    sec_date: list[npt.NDArray[np.datetime64]] = []
    for r2 in range(N_REP):
        s = int(plan.secondary[r2])
        if s == 0 or n == 0:
            continue
        w = _HOSTS[r2, rep] / np.maximum(prim_per_rep[rep], 1.0) * _AFFINITY[r2, forms]
        if w.sum() <= 0:
            w = np.ones(n)
        hosts = rng.choice(n, size=s, p=w / w.sum())
        lag = np.rint(rng.normal(21.0, 45.0, size=s)).astype(np.int64)
        offset = (dates[hosts] - start).astype(np.int64) + lag
        offset = np.where(offset < 0, -offset, offset)  # reflect at the year's bounds
        offset = np.clip(np.where(offset >= ndays, 2 * (ndays - 1) - offset, offset), 0, ndays - 1)
        sec_person.append(person[hosts])
        sec_rep.append(np.full(s, r2, dtype=np.int64))
        sec_date.append(start + offset.astype("timedelta64[D]"))
    return YearReports(
        person=np.concatenate([person, *sec_person]),
        reporter=np.concatenate([rep, *sec_rep]),
        date=np.concatenate([dates, *sec_date]).astype("datetime64[D]"),
    )
