"""Who reports whom, when: episodes, duplicate reports, cross-year re-reports, volumes.

A person's *episode* starts with a first report by a reporter chosen by the
sector of exploitation; it may draw further reports from other reporters
(independent chances per follower, below), each some days later (exponential,
mean 25 days). A follow-up that falls after 31 December lands in the next year
(a late report) when that year is generated, else on 31 December. An episode
is followed by another episode of the same person in a later year with
``rereport`` (re-victimisation; gap of ``k`` years with weight ``0.55 ** (k-1)``,
up to 8), with the same sector 70% of the time. Siblings of one group are
mostly reported together (same first reporter, within a week).

Volumes: every year gets a number of reports drawn uniformly from
``params.reports``; new persons are added until the year holds exactly that
many reports (late reports and returning persons count first).

Reporter shares of first reports (police 36, kmar 5, nla 5, fairwork 20,
care_coordinator 20, other 14 %) are perturbed per data set by a factor
``exp(0.8 * (u - 0.5))`` each and weighted by sector affinity (sexual, labour,
criminal): police 1/0.35/1.3, kmar 1/0.5/0.4, nla 0.05/1/0.3, fairwork
0.03/1/0.1, care_coordinator 1/0.4/0.8, other 1/0.6/0.6. Follow-up chances by
first reporter: police -> care_coordinator 16%, other 2%, police (another
unit) 2%; kmar -> police 7%, care_coordinator 12%; nla -> police 5%,
fairwork 4%, care_coordinator 3%; fairwork -> nla 5%, care_coordinator 3%,
other 2%; care_coordinator -> police 4%, care_coordinator (another region) 2%;
other -> care_coordinator 6%, police 4%, other 2%. Reports exceed persons by
about 12-16% in a year, as in the brief (7-20%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linkage.evaluate.heldout._countries import (
    DOMINANT_CHOICES,
    GROUPS,
    MIXES,
    group_of,
)
from linkage.evaluate.heldout._params import ScenarioParams
from linkage.evaluate.heldout._population import (
    _SECTOR_BY_GROUP,
    Persons,
    apply_dominant,
    make_persons,
)
from linkage.evaluate.heldout._rand import (
    I64,
    S_EPISODES,
    S_NAMES,
    S_PERSONS,
    S_VOLUME,
    bernoulli,
    categorical,
    categorical_rows,
    exponential_days,
    stream,
)

REPORTERS: tuple[str, ...] = ("police", "kmar", "nla", "fairwork", "care_coordinator", "other")
_SHARES = np.array([0.36, 0.05, 0.05, 0.20, 0.20, 0.14])
_AFFINITY = np.array([  # rows: reporters; columns: sexual, labour, criminal
    [1.0, 0.35, 1.3], [1.0, 0.5, 0.4], [0.05, 1.0, 0.3], [0.03, 1.0, 0.1], [1.0, 0.4, 0.8], [1.0, 0.6, 0.6],
])
_FOLLOW = np.array([  # rows: first reporter; columns: follower chance
    [0.02, 0.00, 0.00, 0.00, 0.16, 0.02],
    [0.07, 0.00, 0.00, 0.00, 0.12, 0.00],
    [0.05, 0.00, 0.00, 0.04, 0.03, 0.00],
    [0.00, 0.00, 0.05, 0.00, 0.03, 0.02],
    [0.04, 0.00, 0.00, 0.00, 0.02, 0.00],
    [0.04, 0.00, 0.00, 0.00, 0.06, 0.02],
])
_DELAY_MEAN = 25.0
_RETURN_GAP = 0.55 ** np.arange(8)


@dataclass
class Reports:
    """Columns of reports (one row per report)."""

    person: I64
    reporter: I64
    date: npt.NDArray[np.datetime64]
    episode: I64

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Simulation:
    persons: Persons
    reports: Reports
    dominant: str | None
    reporter_shares: npt.NDArray[np.float64]


def _year_bounds(year: int) -> tuple[np.datetime64, np.datetime64]:
    return np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")


def _episode_reports(
    rng: np.random.Generator, first_rep: I64, first_date: npt.NDArray[np.datetime64]
) -> tuple[I64, I64, npt.NDArray[np.datetime64]]:
    """Every report of the episodes: (episode index, reporter, date), first reports first per episode."""
    n = len(first_rep)
    follow = _FOLLOW[first_rep]  # n x 6
    hits = rng.random(follow.shape) < follow
    ep = [np.arange(n, dtype=np.int64)]
    rep = [first_rep]
    dates = [first_date]
    fi, fr = np.nonzero(hits)
    delays = exponential_days(rng, _DELAY_MEAN, len(fi))
    ep.append(fi.astype(np.int64))
    rep.append(fr.astype(np.int64))
    dates.append(first_date[fi] + delays.astype("timedelta64[D]"))
    e = np.concatenate(ep)
    order = np.argsort(e, kind="stable")
    return e[order], np.concatenate(rep)[order], np.concatenate(dates)[order]


def _first_reporter(rng: np.random.Generator, sector: I64, shares: npt.NDArray[np.float64]) -> I64:
    w = shares[None, :] * _AFFINITY.T[sector]
    return categorical_rows(rng, w)


def simulate(params: ScenarioParams, seed: int) -> Simulation:
    """Persons and their reports for every year of ``params``."""
    rng_v = stream(seed, S_VOLUME)
    rng_p = stream(seed, S_PERSONS)
    rng_n = stream(seed, S_NAMES)
    rng_e = stream(seed, S_EPISODES)
    years = list(params.years)
    lo, hi = params.reports
    targets = {y: int(lo + np.floor(rng_v.random() * (hi - lo + 1))) for y in years}
    shares = _SHARES * np.exp(0.8 * (rng_v.random(len(_SHARES)) - 0.5))
    shares = shares / shares.sum()
    dominant = params.dominant
    if dominant == "seeded":
        dominant = DOMINANT_CHOICES[int(rng_v.random() * len(DOMINANT_CHOICES))]
    mix = apply_dominant(MIXES[params.nationality_mix], dominant, params.dominant_share)

    person_parts: list[Persons] = []
    n_persons = 0
    families = 0
    rep_person: list[I64] = []
    rep_reporter: list[I64] = []
    rep_date: list[npt.NDArray[np.datetime64]] = []
    rep_episode: list[I64] = []
    n_episodes = 0
    carry: list[tuple[I64, I64, npt.NDArray[np.datetime64], I64]] = []  # late reports into the next year
    returning: dict[int, list[tuple[int, int]]] = {y: [] for y in years}  # year -> (person, sector)
    all_sector: list[I64] = []
    all_group: list[I64] = []

    def schedule(persons_idx: I64, sectors: I64, year: int) -> None:
        back = bernoulli(rng_e, params.rereport, len(persons_idx))
        gaps = 1 + categorical(rng_e, _RETURN_GAP, len(persons_idx))
        for pi, sec, b, g in zip(persons_idx.tolist(), sectors.tolist(), back.tolist(), gaps.tolist(), strict=True):
            if b and year + g in returning:
                returning[year + g].append((pi, sec))

    for year in years:
        start, end = _year_bounds(year)
        last = year == years[-1]
        got: list[tuple[I64, I64, npt.NDArray[np.datetime64], I64]] = list(carry)
        carry = []
        count = sum(len(c[0]) for c in got)
        # returning persons: a new episode each
        back = returning[year]
        if back:
            pidx = np.asarray([b[0] for b in back], dtype=np.int64)
            sec = np.asarray([b[1] for b in back], dtype=np.int64)
            groups_back = np.concatenate(all_group)[pidx]
            redraw = categorical_rows(rng_e, np.asarray([_SECTOR_BY_GROUP[g] for g in GROUPS])[groups_back])
            sec = np.where(rng_e.random(len(sec)) < 0.7, sec, redraw)
            days = int((end - start).astype(np.int64)) + 1
            fdate = start + np.floor(rng_e.random(len(pidx)) * days).astype(np.int64).astype("timedelta64[D]")
            frep = _first_reporter(rng_e, sec, shares)
            e, r, d = _episode_reports(rng_e, frep, fdate)
            ep_ids = n_episodes + e
            n_episodes += len(pidx)
            got.append((pidx[e], r, d, ep_ids))
            count += int(((d <= end) | last).sum())
            schedule(pidx, sec, year)
        need = targets[year] - count
        while need > 0:
            m = int(np.ceil(need / 1.1)) + 10
            p = make_persons(rng_p, rng_n, m, year, params, mix, families)
            families += m
            # siblings reported together: same first reporter, within a week of the first sibling
            frep = _first_reporter(rng_e, p.sector, shares)
            fdate = p.first_date.copy()
            fam = p.family
            if (fam >= 0).any():
                uniq, head = np.unique(fam[fam >= 0], return_index=True)
                heads = np.flatnonzero(fam >= 0)[head]
                head_of = dict(zip(uniq.tolist(), heads.tolist(), strict=True))
                together = rng_e.random(m) < 0.8
                lag = np.floor(rng_e.random(m) * 8).astype(np.int64)
                for i in np.flatnonzero(fam >= 0).tolist():
                    h = head_of[int(fam[i])]
                    if h != i and together[i]:
                        frep[i] = frep[h]
                        fdate[i] = np.minimum(p.first_date[h] + np.timedelta64(int(lag[i]), "D"), end)
            e, r, d = _episode_reports(rng_e, frep, fdate)
            in_year = (d <= end) | last
            # keep whole persons until the year's target is reached (the last one possibly in part)
            per_person_in_year = np.bincount(e[in_year], minlength=m)
            cum = np.cumsum(per_person_in_year)
            keep_persons = int(np.searchsorted(cum, need, side="left")) + 1
            keep_persons = min(keep_persons, m)
            sel = e < keep_persons
            # trim extra in-year reports of the last kept person, if any
            over = int(cum[keep_persons - 1]) - need if keep_persons - 1 < len(cum) else 0
            if over > 0:
                last_rows = np.flatnonzero(sel & in_year & (e == keep_persons - 1))
                sel[last_rows[len(last_rows) - over:]] = False
            kept = p.take(np.arange(keep_persons, dtype=np.int64))
            kept.first_date = fdate[:keep_persons]
            pidx = n_persons + np.arange(keep_persons, dtype=np.int64)
            person_parts.append(kept)
            all_sector.append(kept.sector)
            all_group.append(np.asarray([GROUPS.index(group_of(v)) for v in kept.nat], dtype=np.int64))
            n_persons += keep_persons
            ep_ids = n_episodes + e[sel]
            n_episodes += keep_persons
            got.append((pidx[e[sel]], r[sel], d[sel], ep_ids))
            count += int((sel & in_year).sum())
            need = targets[year] - count
            schedule(pidx, kept.sector, year)
        for gp, gr, gd, ge in got:
            late = gd > end
            if last:
                gd = np.where(late, end, gd)
                late = np.zeros(len(gd), bool)
            keep = ~late
            rep_person.append(gp[keep])
            rep_reporter.append(gr[keep])
            rep_date.append(gd[keep])
            rep_episode.append(ge[keep])
            if late.any():
                carry.append((gp[late], gr[late], gd[late], ge[late]))

    persons = Persons.concat(person_parts)
    reports = Reports(person=np.concatenate(rep_person), reporter=np.concatenate(rep_reporter),
                      date=np.concatenate(rep_date).astype("datetime64[D]"), episode=np.concatenate(rep_episode))
    order = np.lexsort((np.arange(len(reports)), reports.date))
    reports = Reports(person=reports.person[order], reporter=reports.reporter[order], date=reports.date[order],
                      episode=reports.episode[order])
    return Simulation(persons=persons, reports=reports, dominant=dominant, reporter_shares=shares)
