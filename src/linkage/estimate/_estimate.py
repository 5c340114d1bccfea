"""Estimate the number of unique persons with an interval, from filters and presence masks only.

Method (per presence stratum ``s``, i.e. per pair of presence masks):

1. *Identifiable strata* have a high-evidence score region ``H_s``: the bins where
   true pairs are at least ``LIKELIHOOD_RATIO`` times as likely as chance pairs
   (``m > LR * u``) and that hold at least ``MIN_MASS`` of the true pairs. The
   number of true pairs there is estimated by subtracting the expected chance pairs
   and scaling up by the share of true pairs the region catches::

       M_s = (T_s(H_s) - N_s * u_s(H_s)) / (m_s(H_s) - u_s(H_s)),   clipped at 0

   ``T_s(H_s)`` is the observed number of pairs in the region, ``N_s`` the number
   of record pairs in the stratum. The subtraction corrects for false merges
   (chance collisions of the quasi-identifiers); the division for missed links
   (true pairs whose scores errors pushed below the region).
2. *Unidentifiable strata* (e.g. a record without birth year against one without
   initials: chance pairs score as high as true ones) take the simulated rate of
   true pairs: ``M_s = N_s * n_match_s / (n_match_s + n_nonmatch_s)``.
3. Persons = reports - ``rho`` * sum of ``M_s``, where ``rho`` (reports fewer
   than persons per true pair) comes from the simulation.

The interval is a parametric bootstrap: the observed region counts, the
simulated histograms and the modelled strata are redrawn as Poisson counts, and
the simulated replicates as a bootstrap sample for ``rho``; the interval is the
percentile interval of the redrawn estimates. It covers sampling noise and the
noise of the simulation, not a wrong simulation: if the reporters' error rates or
the population's make-up differ from the model's, the estimate shifts (measured in
``benchmarks/quality/count_coverage.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from linkage.compare import dice_upper_triangle
from linkage.errors import LinkageError
from linkage.estimate._model import FLOOR, NBINS, STEP, CountModel, pair_totals, score_bins, stratum_keys

__all__ = ["estimate_unique_persons", "evidence_floor", "match_probabilities"]

LIKELIHOOD_RATIO = 2000.0
MIN_MASS = 0.3
MIN_SIM_TRUE_PAIRS = 20


def _regions(model: CountModel) -> dict[int, npt.NDArray[np.bool_]]:
    """The high-evidence region of every identifiable stratum."""
    out = {}
    for k, (u_c, m_c, n_non, n_match) in model.strata.items():
        if n_match < MIN_SIM_TRUE_PAIRS or n_non == 0:
            continue
        u = u_c / n_non
        m = m_c / n_match
        hi = m > LIKELIHOOD_RATIO * u
        if m[hi].sum() >= MIN_MASS:
            out[k] = hi
    return out


def _true_pairs(
    totals: dict[int, int],
    observed: dict[int, int],
    regions: dict[int, npt.NDArray[np.bool_]],
    model: CountModel,
    rng: np.random.Generator | None,
) -> tuple[dict[int, float], dict[int, bool], float]:
    """Estimated true pairs per stratum, whether each was identified from the data, expected chance pairs."""
    out: dict[int, float] = {}
    identified: dict[int, bool] = {}
    chance = 0.0
    for k, n_pairs in totals.items():
        entry = model.strata.get(k)
        if entry is None:
            continue  # a presence pair the simulation never produced: no evidence either way
        u_c, m_c, n_non, n_match = entry
        if rng is not None:
            u_c, m_c = rng.poisson(u_c), rng.poisson(m_c)
        hi = regions.get(k)
        if hi is not None:
            u_h = u_c[hi].sum() / n_non
            m_h = m_c[hi].sum() / n_match
            t = observed.get(k, 0)
            if rng is not None:
                t = int(rng.poisson(t)) if t else 0
            expected_chance = n_pairs * u_h
            chance += expected_chance
            out[k] = max(0.0, (t - expected_chance) / (m_h - u_h)) if m_h > u_h else 0.0
            identified[k] = True
        else:
            rate = n_match / (n_match + n_non) if n_match + n_non else 0.0
            lam = n_pairs * rate
            out[k] = float(rng.poisson(lam)) if rng is not None else lam
            identified[k] = False
    return out, identified, chance


def _one_estimate(
    n: int,
    totals: dict[int, int],
    observed: dict[int, int],
    regions: dict[int, npt.NDArray[np.bool_]],
    model: CountModel,
    rng: np.random.Generator | None,
) -> tuple[float, float, float, float]:
    """(persons, true pairs in identifiable strata, modelled true pairs, expected chance pairs)."""
    pairs, identified, chance = _true_pairs(totals, observed, regions, model, rng)
    m_ident = sum(v for k, v in pairs.items() if identified[k])
    m_model = sum(v for k, v in pairs.items() if not identified[k])
    if rng is None:
        rho = model.rho
    else:
        pick = rng.integers(0, len(model.true_pairs), len(model.true_pairs))
        red = np.asarray(model.reductions)[pick].sum()
        prs = np.asarray(model.true_pairs)[pick].sum()
        rho = float(red / prs) if prs else 1.0
    persons = n - rho * (m_ident + m_model)
    return max(persons, 1.0 if n else 0.0), m_ident, m_model, chance


def evidence_floor(model: CountModel) -> float:
    """The lowest score in any stratum's high-evidence region (1.0 if none).

    :func:`match_probabilities` needs every pair scoring at least this much.
    """
    return min((FLOOR + STEP * int(np.flatnonzero(h)[0]) for h in _regions(model).values()), default=1.0)


def _observed(st: npt.NDArray[np.int64], bins: npt.NDArray[np.int64],
              regions: dict[int, npt.NDArray[np.bool_]]) -> dict[int, int]:
    observed: dict[int, int] = {}
    for k, hi in regions.items():
        sel = st == k
        if sel.any():
            observed[k] = int(np.count_nonzero(hi[bins[sel]]))
    return observed


def match_probabilities(
    presence: npt.NDArray[np.integer],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float64],
    model: CountModel,
) -> npt.NDArray[np.float64]:
    """Probability that each pair is one person, given its score and the two records' presence masks.

    Fellegi-Sunter in the encoded space, per presence stratum ``s`` and score bin ``b``::

        P(match | s, b) = M_s m_s(b) / (M_s m_s(b) + (N_s - M_s) u_s(b))

    with ``M_s`` the stratum's true pairs estimated as in :func:`estimate_unique_persons`
    and half a pair added to every simulated bin (so a bin the simulation never
    filled is not taken as impossible). The pairs must include every pair scoring
    at least :func:`evidence_floor` (the estimate of ``M_s`` counts them).
    """
    p = np.asarray(presence, dtype=np.int64)
    sc = np.asarray(scores, dtype=np.float64)
    out = np.zeros(len(sc), dtype=np.float64)
    if not len(sc):
        return out
    st = stratum_keys(p[left], p[right])
    bins = score_bins(sc)
    regions = _regions(model)
    totals = pair_totals(p)
    pairs, _, _ = _true_pairs(totals, _observed(st, bins, regions), regions, model, None)
    for k in np.unique(st).tolist():
        entry = model.strata.get(k)
        if entry is None or k not in pairs:
            continue
        u_c, m_c, n_non, n_match = entry
        u = (u_c + 0.5) / (n_non + 0.5 * NBINS)
        m = (m_c + 0.5) / (n_match + 0.5 * NBINS)
        m_s = min(pairs[k], float(totals[k]))
        num = m_s * m
        table = num / np.maximum(num + (totals[k] - m_s) * u, 1e-300)
        sel = st == k
        out[sel] = table[bins[sel]]
    out[sc < FLOOR] = 0.0
    return out


def estimate_unique_persons(
    filters: npt.NDArray[np.uint64],
    presence: npt.NDArray[np.integer],
    model: CountModel,
    *,
    found: int | None = None,
    level: float = 0.95,
    draws: int = 400,
    seed: int = 0,
) -> dict[str, Any]:
    """The number of unique persons among these records, corrected for chance pairs and missed links.

    ``filters`` and ``presence`` are the registry's columns for the records to
    count (e.g. one year's reports); ``found`` is the number of persons the
    clustering found among them, reported alongside. Returns a JSON-ready dict:
    ``estimate``, ``interval`` (``[low, high]`` at ``level``), ``found``,
    ``reports``, ``true_pairs_identified``, ``true_pairs_modelled``,
    ``chance_pairs_expected``, ``rho``, ``method`` and the model's provenance.
    """
    if not 0.5 < level < 1.0:
        raise LinkageError("level must be between 0.5 and 1")
    if draws < 20:
        raise LinkageError("an interval needs at least 20 bootstrap draws")
    f = np.ascontiguousarray(filters, dtype=np.uint64)
    p = np.asarray(presence, dtype=np.int64)
    if f.ndim != 2 or len(p) != len(f):
        raise LinkageError("filters and presence must describe the same records")
    n = len(f)
    regions = _regions(model)
    totals = pair_totals(p)
    observed: dict[int, int] = {}
    if n > 1 and regions:
        li, ri, sc = dice_upper_triangle(f, max(FLOOR, evidence_floor(model) - 1e-9))
        observed = _observed(stratum_keys(p[li], p[ri]), score_bins(sc), regions)
    point, m_ident, m_model, chance = _one_estimate(n, totals, observed, regions, model, None)
    rng = np.random.default_rng(seed)
    sims = np.array([_one_estimate(n, totals, observed, regions, model, rng)[0] for _ in range(draws)])
    alpha = (1.0 - level) / 2.0
    lo, hi_ = np.quantile(sims, [alpha, 1.0 - alpha]) if n else (0.0, 0.0)
    return {
        "estimate": round(float(point), 1),
        "interval": [round(float(min(lo, point)), 1), round(float(max(hi_, point)), 1)],
        "level": level,
        "found": found,
        "reports": n,
        "true_pairs_identified": round(m_ident, 1),
        "true_pairs_modelled": round(m_model, 1),
        "chance_pairs_expected": round(chance, 1),
        "rho": round(model.rho, 4),
        "method": "simulated score model per presence stratum; parametric bootstrap interval",
        "model": {"years": list(model.years), "replicates": model.replicates, "seed": model.seed,
                  "bins": NBINS, "schema_fingerprint": model.schema_fingerprint},
    }
