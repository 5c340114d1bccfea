"""Build a count model by simulation (see :mod:`linkage.simulate`)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.compare import dice_upper_triangle
from linkage.encode import LinkageKey, encode_records
from linkage.errors import LinkageError
from linkage.estimate import (
    FLOOR,
    MIN_SIM_TRUE_PAIRS,
    NBINS,
    CountModel,
    bootstrap_persons,
    pair_totals,
    score_bins,
    stratum_keys,
)
from linkage.normalise import normalise_records
from linkage.schema import Schema
from linkage.synth import generate, reporter_tables

__all__ = ["build_count_model"]


def _true_pair_strata(truth: npt.NDArray[Any], presence: npt.NDArray[np.int64]) -> dict[int, int]:
    _, inv, cnt = np.unique(truth, return_inverse=True, return_counts=True)
    order = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(cnt)])
    out: dict[int, int] = {}
    for g in np.flatnonzero(cnt > 1).tolist():
        idx = order[starts[g] : starts[g + 1]]
        a, b = np.triu_indices(len(idx), 1)
        keys, c = np.unique(stratum_keys(presence[idx[a]], presence[idx[b]]), return_counts=True)
        for k, n in zip(keys.tolist(), c.tolist(), strict=True):
            out[k] = out.get(k, 0) + n
    return out


def _simulate(
    schema: Schema, year: int, seed: int, profiles: Mapping[str, Any] | None, key_label: str
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[Any]]:
    """One simulated year: filters, presence masks and true person ids, under a throwaway key."""
    data = generate(seed=seed, years=(year,), profiles=profiles)
    # A throwaway key derived from the label (so a model rebuilds identically); scores
    # depend on how inputs relate, not on which key encoded them.
    key = LinkageKey(hashlib.sha256(key_label.encode()).digest())
    filters, presence, truth = [], [], []
    for rep, table in sorted(reporter_tables(data).items()):
        rows = data.reports[data.reports["reporter"] == rep]
        enc = encode_records(normalise_records(table, schema), schema, key)
        filters.append(enc.filters)
        presence.append(enc.presence.astype(np.int64))
        truth.append(rows["person_id"].astype(str).to_numpy())
    del key
    return np.ascontiguousarray(np.concatenate(filters)), np.concatenate(presence), np.concatenate(truth)


def build_count_model(
    schema: Schema,
    *,
    years: Iterable[int] = (2022,),
    replicates: int = 40,
    seed: int = 10_000,
    calibration: int = 20,
    profiles: Mapping[str, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> CountModel:
    """Simulate ``replicates`` synthetic submission rounds per year and learn the score model.

    Each replicate is one year's reports from every reporter (:func:`linkage.synth.generate`
    with seed ``seed + i``; keep ``seed`` away from the seeds of data you evaluate on),
    normalised and encoded under a throwaway key derived from the replicate, which
    is discarded afterwards. Takes about 0.2 s per replicate-year on one core.

    Then ``calibration`` further simulated years per year (seeds from
    ``seed + 100,000``) are counted with the model; the root mean square of
    their errors in units of the bootstrap's standard error becomes
    ``interval_inflation`` (at least 1). The bootstrap misses some of the spread
    between data sets (how duplicates cluster into pairs and triples varies
    more than the replicates' resampling shows); this puts it back, as measured
    under the model.
    """
    years = tuple(int(y) for y in years)
    if replicates < 1 or not years:
        raise LinkageError("a count model needs at least one replicate and one year")
    u_counts: dict[int, npt.NDArray[np.int64]] = {}
    m_counts: dict[int, npt.NDArray[np.int64]] = {}
    n_non: dict[int, int] = {}
    n_match: dict[int, int] = {}
    reductions: list[int] = []
    reports: list[int] = []
    pattern_records: dict[int, int] = {}
    per_rep_u: dict[int, dict[int, npt.NDArray[np.int64]]] = {}
    per_rep_n: dict[int, dict[int, int]] = {}
    per_rep_m: dict[int, dict[int, int]] = {}
    pairs: list[int] = []
    total = replicates * len(years)
    done = 0
    for year in years:
        for r in range(replicates):
            f, p, t = _simulate(schema, year, seed + r, profiles, f"linkage-count-model/{seed}/{year}/{r}")
            li, ri, sc = dice_upper_triangle(f, FLOOR)
            st = stratum_keys(p[li], p[ri])
            bins = score_bins(sc)
            same = t[li] == t[ri]
            rep_n = pair_totals(p)
            for k, c in _true_pair_strata(t, p).items():
                n_match[k] = n_match.get(k, 0) + c
                rep_n[k] -= c
                per_rep_m.setdefault(k, {})[done] = c
            for k, c in rep_n.items():
                n_non[k] = n_non.get(k, 0) + c
                per_rep_n.setdefault(k, {})[done] = c
            for k in np.unique(st).tolist():
                sel = st == k
                hist = np.bincount(bins[sel & ~same], minlength=NBINS)
                u_counts[k] = u_counts.get(k, np.zeros(NBINS, np.int64)) + hist
                per_rep_u.setdefault(k, {})[done] = hist
                m_counts[k] = m_counts.get(k, np.zeros(NBINS, np.int64)) + np.bincount(
                    bins[sel & same], minlength=NBINS
                )
            _, cnt = np.unique(t, return_counts=True)
            reductions.append(int(len(t) - len(cnt)))
            reports.append(len(t))
            pats, pc = np.unique(p, return_counts=True)
            for k, c in zip(pats.tolist(), pc.tolist(), strict=True):
                pattern_records[k] = pattern_records.get(k, 0) + c
            pairs.append(int((cnt * (cnt - 1) // 2).sum()))
            done += 1
            if progress is not None:
                progress("count model", done, total)
    zero = np.zeros(NBINS, np.int64)
    keys = set(n_non) | set(n_match)
    strata = {
        k: (u_counts.get(k, zero.copy()), m_counts.get(k, zero.copy()), n_non.get(k, 0), n_match.get(k, 0))
        for k in sorted(keys)
    }
    # Chance pairs cluster (a common tuple shared by k persons makes k(k-1)/2 pairs), so
    # their counts vary more between data sets than Poisson; the estimator measures that
    # spread on the replicates of the strata it can identify.
    replicate_u = {
        k: (np.array([per_rep_u.get(k, {}).get(r, zero) for r in range(total)], dtype=np.int64),
            np.array([per_rep_n.get(k, {}).get(r, 0) for r in range(total)], dtype=np.int64))
        for k in sorted(keys) if n_match.get(k, 0) >= MIN_SIM_TRUE_PAIRS
    }
    replicate_match = {
        k: np.array([v.get(r, 0) for r in range(total)], dtype=np.int64) for k, v in sorted(per_rep_m.items())
    }
    model = CountModel(
        schema_fingerprint=schema.fingerprint,
        years=years,
        replicates=replicates,
        seed=seed,
        strata=strata,
        reductions=tuple(reductions),
        true_pairs=tuple(pairs),
        reports=tuple(reports),
        pattern_records=pattern_records,
        replicate_u=replicate_u,
        replicate_match=replicate_match,
    )
    if calibration > 0:
        model = dataclasses.replace(model, interval_inflation=_calibrate(model, schema, calibration, profiles))
    return model


def _calibrate(model: CountModel, schema: Schema, sets: int, profiles: Mapping[str, Any] | None) -> float:
    """RMS of held-out errors over the bootstrap standard error (at least 1)."""
    z = []
    for year in model.years:
        for i in range(sets):
            cal_seed = model.seed + 100_000 + i
            f, p, t = _simulate(schema, year, cal_seed, profiles, f"linkage-count-model/calibration/{year}/{i}")
            point, sims = bootstrap_persons(f, p, model, draws=200, seed=i)
            sd = float(np.std(sims))
            if sd > 0:
                z.append((point - len(set(t.tolist()))) / sd)
    return round(max(1.0, float(np.sqrt(np.mean(np.square(z))))) if z else 1.0, 3)
