"""Estimate the number of unique persons with an interval, from filters and presence masks only.

Method (per presence stratum ``s``, i.e. per pair of presence masks):

1. *Identifiable strata* have a high-evidence score region ``H_s``: the upper
   tail of bins where true pairs are more than ``LIKELIHOOD_RATIO`` times as likely
   as chance pairs (the chance share taken at an upper bound), holding at least
   ``MIN_MASS`` of the true pairs. The number of true pairs there is estimated by
   subtracting the expected chance pairs and scaling up by the share of true pairs
   the region catches (not clipped per stratum, so noise does not pile up)::

       M_s = (T_s(H_s) - N_s * u_s(H_s)) / (m_s(H_s) - u_s(H_s))

   ``T_s(H_s)`` is the observed number of pairs in the region, ``N_s`` the number
   of record pairs in the stratum. The subtraction corrects for false merges
   (chance collisions of the quasi-identifiers); the division for missed links
   (true pairs whose scores errors pushed below the region).
2. *Unidentifiable strata* (e.g. a record without birth year against one without
   initials: chance pairs score as high as true ones) take the simulated number of
   true pairs, scaled by the data's records over the simulation's in the two
   presence patterns, times the ratio of true pairs found to true pairs simulated
   in the identifiable strata (so data with fewer duplicates than the model gets
   fewer here too).
3. Persons = reports - ``rho`` * sum of ``M_s``, where ``rho`` (reports fewer
   than persons per true pair) comes from the simulation.

The interval is a parametric bootstrap: each draw regenerates the region counts
from the fitted numbers (binomial true pairs, overdispersed Poisson chance pairs
with the replicates' dispersion), redraws the region shares from their posteriors
given the simulated counts, and resamples as many simulated replicates as the
data spans for the modelled strata and ``rho``. The percentile interval is then
widened around the point estimate by the model's ``interval_inflation``, measured
on held-out simulated data sets when the model was built. It covers sampling and
simulation noise, not a wrong simulation: if the reporters' error rates or the
population's make-up differ from the model's, the estimate shifts (measured in
``benchmarks/quality/count_coverage.py``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from linkage.compare import dice_upper_triangle
from linkage.errors import LinkageError
from linkage.estimate._count_model import (
    FLOOR,
    NBINS,
    CountModel,
    pair_totals,
    score_bins,
    stratum_keys,
)
from linkage.estimate._evidence import PairEvidence
from linkage.estimate._fit import MixtureFit, fit_mixture
from linkage.estimate._regions import _regions, evidence_floor
from linkage.records import ScoredPairs

__all__ = ["CountEstimate", "bootstrap_persons", "data_rho", "estimate_unique_persons", "evidence_floor",
           "match_probabilities"]

# Chi-square per degree of freedom of the mixture fit that the development scenarios show when the
# simulation is right apart from chance-pair clustering (overdispersion); above it the fit is poor.
GOF_REFERENCE = 8.0

log = logging.getLogger("linkage")


@dataclass(frozen=True)
class CountEstimate:
    """The estimated number of unique persons among some records, with its interval and provenance.

    ``estimate`` lies in ``interval`` (at ``level``); ``found`` is what clustering
    found (if given); ``true_pairs_identified`` come from strata the data speaks
    for, ``true_pairs_modelled`` from the simulation; ``pairs_unmodelled`` are
    record pairs in presence strata the model lacks (they add nothing to the
    estimate; the interval's lower end allows for them). ``fit`` describes the
    mixture fitted to the data (shape parameters, chi-square goodness of fit,
    whether the fit is poor and how much that widened the interval);
    ``bounds`` are the fewest and most persons the data allows (every pair at
    the evidence floor one person; no two reports one person): the estimate
    and interval never leave them. ``warnings`` say where the data is outside
    what the model can speak for (also logged). ``answers`` says how reporters'
    answers to the validation sample corrected the estimate
    (:func:`linkage.estimate.calibrate_with_answers`), when they did.
    """

    estimate: float
    interval: tuple[float, float]
    level: float
    found: int | None
    reports: int
    true_pairs_identified: float
    true_pairs_modelled: float
    chance_pairs_expected: float
    pairs_unmodelled: int
    rho: float
    method: str
    model: Mapping[str, Any] = field(default_factory=dict)
    fit: Mapping[str, Any] = field(default_factory=dict)
    bounds: tuple[float, float] | None = None
    warnings: tuple[str, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict (as in ``summary.json``)."""
        out = asdict(self)
        out["interval"] = list(self.interval)
        out["model"] = dict(self.model)
        out["fit"] = dict(self.fit)
        out["bounds"] = None if self.bounds is None else list(self.bounds)
        out["warnings"] = list(self.warnings)
        out["answers"] = dict(self.answers)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> CountEstimate:
        lo, hi = d["interval"]
        return cls(
            estimate=float(d["estimate"]), interval=(float(lo), float(hi)), level=float(d["level"]),
            found=None if d.get("found") is None else int(d["found"]), reports=int(d["reports"]),
            true_pairs_identified=float(d["true_pairs_identified"]),
            true_pairs_modelled=float(d["true_pairs_modelled"]),
            chance_pairs_expected=float(d["chance_pairs_expected"]),
            pairs_unmodelled=int(d["pairs_unmodelled"]), rho=float(d["rho"]), method=str(d["method"]),
            model=dict(d.get("model", {})),
            fit=dict(d.get("fit", {})),
            bounds=None if d.get("bounds") is None else (float(d["bounds"][0]), float(d["bounds"][1])),
            warnings=tuple(str(w) for w in d.get("warnings", ())),
            answers=dict(d.get("answers", {})),
        )


@functools.lru_cache(maxsize=1024)
def _dispersion(model: CountModel, k: int) -> float:
    """Variance over mean of a stratum's chance-pair count in its region, across replicates (at least 1)."""
    hi = _regions(model)[k]
    rep = model.replicate_u.get(k)
    if rep is None:
        return 1.0
    u, n = rep
    hits = u[:, hi].sum(axis=1).astype(np.float64)
    rate = hits.sum() / max(n.sum(), 1)
    expected = n * rate
    if expected.sum() <= 0:
        return 1.0
    return float(max(1.0, ((hits - expected) ** 2).sum() / expected.sum()))


def _modelled_scale(k: int, counts: Mapping[int, int], model: CountModel) -> float:
    """Data records over simulated records for stratum ``k``: true pairs grow with records, not pairs."""
    a, b = divmod(k, 65536)
    sim = model.pattern_records.get(a, 0) + (model.pattern_records.get(b, 0) if a != b else 0)
    data = counts.get(a, 0) + (counts.get(b, 0) if a != b else 0)
    return data / sim if sim else 0.0


def _true_pairs(
    totals: Mapping[int, int],
    counts: Mapping[int, int],
    observed: Mapping[int, float],
    regions: Mapping[int, npt.NDArray[np.bool_]],
    model: CountModel,
    rng: np.random.Generator | None = None,
    point: Mapping[int, float] | None = None,
    pick: npt.NDArray[np.int64] | None = None,
    fit: MixtureFit | None = None,
    params: tuple[float, float] | None = None,
) -> tuple[dict[int, float], dict[int, bool], float, int]:
    """True pairs per stratum (unclipped), whether identified from the data, chance pairs, unmodelled pairs.

    With ``rng`` (and the point estimates ``point``) one parametric-bootstrap draw:
    the region's chance and true shares from their posteriors given the simulated
    counts, the observed region count from the fitted model (binomial true pairs
    plus overdispersed Poisson chance pairs), modelled strata from the replicates
    ``pick`` (resampled, so their between-data-set spread carries over).
    With ``fit`` the region's shares are the fitted shapes' (``params``: the
    drawn chance-tail and error-tilt parameters, else the fitted ones).
    """
    out: dict[int, float] = {}
    identified: dict[int, bool] = {}
    chance = 0.0
    unmodelled = 0
    expected_identified = 0.0
    modelled: dict[int, float] = {}
    for k, n_pairs in totals.items():
        entry = model.strata.get(k)
        if entry is None:
            unmodelled += n_pairs  # a presence pair the simulation never produced
            continue
        u_c, m_c, n_non, n_match = entry
        scale = _modelled_scale(k, counts, model)
        per_rep = model.replicate_match.get(k)
        if rng is None or pick is None or per_rep is None:
            simulated = n_match * scale
        else:
            simulated = float(per_rep[pick].sum()) * scale * len(per_rep) / len(pick)
        hi = regions.get(k)
        if hi is not None:
            u_hits = float(u_c[hi].sum())
            m_hits = float(m_c[hi].sum())
            u_h = u_hits / n_non
            m_h = m_hits / n_match
            fu = fm = 1.0
            if fit is not None:
                lam, tilt = params if params is not None else (fit.chance_tail, fit.error_tilt)
                u_fit, m_fit = fit.shares(model, k, lam, tilt)
                fu = float(u_fit[hi].sum()) / u_h if u_h > 0 else 1.0
                fm = float(m_fit[hi].sum()) / m_h if m_h > 0 else 1.0
                u_h, m_h = u_h * fu, min(m_h * fm, 1.0)
            t = float(observed.get(k, 0))
            if rng is not None and point is not None:
                # chance counts are overdispersed (quasi-Poisson with the replicates' dispersion)
                phi = _dispersion(model, k)
                fitted = min(max(point.get(k, 0.0), 0.0), float(n_pairs))
                chance_mean = max(n_pairs - fitted, 0.0) * u_h
                t = float(rng.binomial(int(round(fitted)), m_h) + phi * rng.poisson(chance_mean / phi))
                u_h = fu * phi * rng.gamma(u_hits / phi + 0.5) / n_non
                m_h = min(fm * rng.beta(m_hits + 0.5, n_match - m_hits + 0.5), 1.0)
            est = (t - n_pairs * u_h) / (m_h - u_h) if m_h > u_h else 0.0
            if fit is not None and rng is None and params is None and k in fit.true_pairs:
                est = fit.true_pairs[k]  # the mixture's maximum-likelihood true pairs (every fitted bin)
            out[k] = est
            expected_identified += simulated
            chance += max(n_pairs - max(est, 0.0), 0.0) * u_h
            identified[k] = True
        else:
            modelled[k] = simulated
            identified[k] = False
    # Strata the data cannot resolve borrow the duplication level the resolved ones show:
    # the simulated number of true pairs, times found over simulated in the identified strata.
    found = sum(out.values())
    ratio = max(found, 0.0) / expected_identified if expected_identified > 0 else 1.0
    for k, v in modelled.items():
        out[k] = v * ratio
    return out, identified, chance, unmodelled


def _pick(model: CountModel, n: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """As many replicates, drawn with replacement, as the data spans (at least one)."""
    per = float(np.mean(model.reports)) if model.reports else 0.0
    k = max(1, int(round(n / per))) if per else 1
    return rng.integers(0, len(model.true_pairs), k)


def _rho(model: CountModel, pick: npt.NDArray[np.int64]) -> float:
    """Reports fewer than persons per true pair over the picked replicates."""
    prs = float(np.asarray(model.true_pairs)[pick].sum())
    return float(np.asarray(model.reductions)[pick].sum() / prs) if prs else model.rho


def _observed(st: npt.NDArray[np.int64], bins: npt.NDArray[np.int64],
              regions: Mapping[int, npt.NDArray[np.bool_]],
              weights: npt.NDArray[np.float64] | None = None) -> dict[int, float]:
    """Pairs in each stratum's high-evidence region; with ``weights`` (a blocking's inverse
    inclusion probabilities) the Horvitz-Thompson estimate of what all pairs would show."""
    observed: dict[int, float] = {}
    for k, hi in regions.items():
        sel = st == k
        if sel.any():
            inside = hi[bins[sel]]
            observed[k] = float(np.count_nonzero(inside)) if weights is None else float(weights[sel][inside].sum())
    return observed


def _pattern_counts(presence: npt.NDArray[np.int64]) -> dict[int, int]:
    pats, cnt = np.unique(presence, return_counts=True)
    return dict(zip(pats.tolist(), cnt.tolist(), strict=True))


def match_probabilities(
    presence: npt.NDArray[np.integer],
    pairs: ScoredPairs,
    model: CountModel,
    *,
    weights: npt.NDArray[np.float64] | None = None,
    totals: Mapping[int, int] | None = None,
    learn: bool = True,
    evidence: PairEvidence | None = None,
) -> npt.NDArray[np.float64]:
    """Probability that each pair is one person, given its score and the two records' presence masks.

    Fellegi-Sunter in the encoded space, per presence stratum ``s`` and score bin ``b``::

        P(match | s, b) = M_s m_s(b) / (M_s m_s(b) + (N_s - M_s) u_s(b))

    with ``M_s`` the stratum's true pairs estimated as in :func:`estimate_unique_persons`.
    Both shares get the same floor, half a simulated chance pair, so a bin the
    simulation never filled on either side keeps the prior odds instead of looking
    like evidence; bins above the highest one with a simulated true pair take at
    least that bin's probability. A pair whose stratum the model lacks gets 0 (never linked
    automatically). The pairs must include every pair scoring at least
    :func:`evidence_floor` (the estimate of ``M_s`` counts them), or, under a
    blocking, every such pair the blocking compared, with ``weights`` (one per
    pair: 1 / the probability that the blocking compares it) and ``totals`` (the
    pairs per stratum the blocking could compare, when it never compares some;
    default all pairs): pairs never compared are not chance non-matches. With
    ``learn`` (the default) the shapes and ``M_s`` are the mixture's fitted to
    these pairs (:mod:`linkage.estimate._fit`), as in the estimate. With
    ``evidence`` (every compared pair's counts, gathered chunk by chunk) the
    pairs are only scored, so they may be one chunk of a streamed run.
    """
    p = np.asarray(presence, dtype=np.int64)
    sc = np.asarray(pairs.score, dtype=np.float64)
    out = np.zeros(len(sc), dtype=np.float64)
    if not len(sc):
        return out
    st = stratum_keys(p[pairs.left], p[pairs.right])
    bins = score_bins(sc)
    regions = _regions(model)
    totals = dict(totals) if totals is not None else pair_totals(p)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    fit = None
    cache_key = (learn, tuple(sorted(totals.items())))
    cached = evidence.cache.get(cache_key) if evidence is not None else None
    if cached is not None:  # every chunk of a streamed run shares the fit
        fit, true_pairs = cached
    else:
        if evidence is not None:
            hist, observed = evidence.histograms, evidence.observed(regions)
        else:
            high = sc >= evidence_floor(model)
            hist = _histograms(st[high], bins[high], None if w is None else w[high]) if learn else {}
            observed = _observed(st, bins, regions, w)
        if learn:
            fit = fit_mixture(model, totals, hist, fit_bin(model), regions)
        true_pairs, _, _, _ = _true_pairs(totals, _pattern_counts(p), observed, regions, model, fit=fit)
        if evidence is not None:
            evidence.cache[cache_key] = (fit, true_pairs)
    for k in np.unique(st).tolist():
        entry = model.strata.get(k)
        if entry is None or k not in true_pairs:
            continue
        u_c, m_c, n_non, n_match = entry
        floor = 0.5 / max(n_non, 1)
        if fit is not None:
            u_s, m_s_shape = fit.shares(model, k)
            u = u_s + floor
            m = m_s_shape + floor
        else:
            u = u_c / max(n_non, 1) + floor
            m = m_c / max(n_match, 1) + floor
        m_s = min(max(true_pairs[k], 0.0), float(totals.get(k, 0)))
        num = m_s * m
        table = num / np.maximum(num + (totals.get(k, 0) - m_s) * u, 1e-300)
        # Above the highest bin the simulation saw a true pair in, a score is at least as good
        # evidence as that bin (with row-drawn BLIP noise the simulation never sees identical
        # filters, yet two identical filters are one person far more often than chance).
        seen = np.flatnonzero(np.asarray(m_c) > 0)
        if len(seen):
            top = int(seen[-1])
            table[top + 1 :] = np.maximum(table[top + 1 :], table[top])
        sel = st == k
        out[sel] = table[bins[sel]]
    out[sc < FLOOR] = 0.0
    return out


def _histograms(st: npt.NDArray[np.int64], bins: npt.NDArray[np.int64],
                weights: npt.NDArray[np.float64] | None = None) -> dict[int, npt.NDArray[np.float64]]:
    """Observed pairs per score bin, per stratum (with a blocking's weights: what all pairs would show)."""
    out: dict[int, npt.NDArray[np.float64]] = {}
    if not len(st):
        return out
    order = np.argsort(st, kind="stable")
    keys, starts = np.unique(st[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    for k, a, b in zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True):
        sel = order[a:b]
        out[int(k)] = np.bincount(bins[sel], weights=None if weights is None else weights[sel],
                                  minlength=NBINS).astype(np.float64)
    return out


def fit_bin(model: CountModel) -> int:
    """The first score bin the mixture fit uses: the evidence floor's."""
    floor = evidence_floor(model)
    return int(min(max(score_bins(np.array([floor + 1e-6]))[0], 0), NBINS - 1))


def _scored(f: npt.NDArray[np.uint64], model: CountModel, pairs: ScoredPairs | None) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]
]:
    if pairs is None:
        return dice_upper_triangle(f, max(FLOOR, evidence_floor(model)))
    li, ri, sc = pairs.as_tuple()
    return li, ri, sc


@dataclass(frozen=True)
class _Run:
    persons: float
    sims: npt.NDArray[np.float64]
    parts: tuple[dict[int, float], dict[int, bool], float, int]
    fit: MixtureFit | None
    unmodelled_high: int  # pairs at or above the evidence floor in strata the model lacks
    lower_bound: float  # persons if every pair at or above the evidence floor were one person


def _components(n: int, li: npt.NDArray[np.int64], ri: npt.NDArray[np.int64]) -> int:
    """Connected components of n records linked by the given pairs."""
    if not len(li):
        return n
    g = sparse.coo_matrix((np.ones(len(li), dtype=np.int8), (li, ri)), shape=(n, n))
    return int(csgraph.connected_components(g, directed=False)[0])


def _bootstrap(
    f: npt.NDArray[np.uint64],
    p: npt.NDArray[np.int64],
    model: CountModel,
    *,
    draws: int,
    seed: int,
    pairs: ScoredPairs | None = None,
    detail: bool = False,
    learn: bool = True,
    weights: npt.NDArray[np.float64] | None = None,
    totals: Mapping[int, int] | None = None,
    rho_data: float | None = None,
    evidence: PairEvidence | None = None,
) -> Any:
    """The point estimate of persons and ``draws`` bootstrap draws (plus the point's parts and fit if ``detail``)."""
    n = len(f)
    regions = _regions(model)
    totals = dict(totals) if totals is not None else pair_totals(p)
    counts = _pattern_counts(p)
    observed: dict[int, float] = {}
    fit: MixtureFit | None = None
    unmodelled_high = 0
    lower_bound = float(min(n, 1))
    if evidence is not None:
        observed = evidence.observed(regions)
        if learn and n > 1 and regions:
            fit = fit_mixture(model, totals, evidence.histograms, fit_bin(model), regions)
        unmodelled_high = evidence.unmodelled_high
        lower_bound = float(evidence.components()) if n else lower_bound
    elif n > 1 and regions:
        li, ri, sc = _scored(f, model, pairs)
        keep = sc >= evidence_floor(model)
        w = None if weights is None or pairs is None else np.asarray(weights, dtype=np.float64)
        if w is not None and pairs is not None:
            w = w[keep]
        li, ri, sc = li[keep], ri[keep], sc[keep]
        st = stratum_keys(p[li], p[ri])
        bins = score_bins(sc)
        observed = _observed(st, bins, regions, w)
        if learn:
            fit = fit_mixture(model, totals, _histograms(st, bins, w), fit_bin(model), regions)
        if detail:
            known = np.isin(st, np.fromiter(model.strata.keys(), dtype=np.int64, count=len(model.strata)))
            unmodelled_high = int(np.count_nonzero(~known))
            lower_bound = float(_components(n, li, ri))
    parts = _true_pairs(totals, counts, observed, regions, model, fit=fit)
    point = parts[0]
    rho = model.rho if rho_data is None else rho_data
    persons = float(np.clip(n - rho * sum(point.values()), min(n, 1), n))
    rng = np.random.default_rng(seed)
    sims = np.empty(draws)
    chol = None
    if fit is not None:
        chol = np.linalg.cholesky(fit.covariance + 1e-12 * np.eye(2))
    for i in range(draws):
        pick = _pick(model, n, rng)
        params = None
        if fit is not None and chol is not None:
            d2 = np.array([fit.chance_tail, fit.error_tilt]) + chol @ rng.standard_normal(2)
            params = (float(d2[0]), float(d2[1]))
        d, _, _, _ = _true_pairs(totals, counts, observed, regions, model, rng, point, pick, fit=fit, params=params)
        sims[i] = np.clip(n - _rho(model, pick) * (rho / model.rho) * sum(d.values()), min(n, 1), n)
    if detail:
        return _Run(persons, sims, parts, fit, unmodelled_high, lower_bound)
    return persons, sims


def bootstrap_persons(
    filters: npt.NDArray[np.uint64], presence: npt.NDArray[np.integer], model: CountModel, *, draws: int, seed: int,
    learn: bool = True,
    labels: npt.NDArray[np.integer] | None = None,
) -> tuple[float, npt.NDArray[np.float64]]:
    """The point estimate of persons among these records and ``draws`` parametric-bootstrap draws of it.

    The raw material of :func:`estimate_unique_persons` (before its interval is
    widened by the model's calibrated inflation); :func:`linkage.simulate.build_count_model`
    measures that inflation with it. ``labels`` as in :func:`estimate_unique_persons`.
    """
    f = np.ascontiguousarray(filters, dtype=np.uint64)
    p = np.asarray(presence, dtype=np.int64)
    point, sims = _bootstrap(f, p, model, draws=draws, seed=seed, learn=learn, rho_data=data_rho(model, labels))
    return float(point), np.asarray(sims, dtype=np.float64)


def estimate_unique_persons(
    filters: npt.NDArray[np.uint64],
    presence: npt.NDArray[np.integer],
    model: CountModel,
    *,
    found: int | None = None,
    pairs: ScoredPairs | None = None,
    level: float = 0.95,
    draws: int = 400,
    seed: int = 0,
    learn: bool = True,
    weights: npt.NDArray[np.float64] | None = None,
    totals: Mapping[int, int] | None = None,
    labels: npt.NDArray[np.integer] | None = None,
    evidence: PairEvidence | None = None,
) -> CountEstimate:
    """The number of unique persons among these records, corrected for chance pairs and missed links.

    ``filters`` and ``presence`` are the registry's columns for the records to
    count (e.g. one year's reports); ``found`` is the number of persons the
    clustering found among them, reported alongside. ``pairs`` (left, right,
    score) saves comparing again when the caller already holds every pair scoring
    at least :func:`evidence_floor`. Under a blocking, ``pairs`` are the pairs it
    compared and ``weights`` / ``totals`` describe it as in
    :func:`match_probabilities` (pairs never compared are not chance
    non-matches). ``labels`` (the persons clustering found, one label per
    record) let the data set ``rho``, the reports saved per true pair
    (:func:`data_rho`). ``evidence`` (a :class:`PairEvidence` gathered over every
    chunk of compared pairs) replaces ``pairs`` for a run that streamed them.
    Returns a :class:`CountEstimate`
    (``to_json()`` gives the dict the run summary holds).
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
    if weights is not None and (pairs is None or len(weights) != len(pairs)):
        raise LinkageError("weights need the compared pairs, one weight per pair")
    rho = data_rho(model, labels)
    run = _bootstrap(f, p, model, draws=draws, seed=seed, pairs=pairs, detail=True, learn=learn,
                     weights=weights, totals=totals, rho_data=rho, evidence=evidence)
    persons, sims, fit = run.persons, run.sims, run.fit
    point, identified, chance, unmodelled = run.parts
    alpha = (1.0 - level) / 2.0
    lo, hi = (np.quantile(sims, [alpha, 1.0 - alpha]) if n else (persons, persons))
    # widen around the point estimate by the model's calibrated inflation, and by the misfit
    widen = model.interval_inflation
    warnings: list[str] = []
    fit_info: dict[str, Any] = {}
    if fit is not None:
        poor = fit.df > 0 and fit.chi2_per_df > GOF_REFERENCE
        widen *= float(np.sqrt(max(1.0, fit.chi2_per_df / GOF_REFERENCE))) if fit.df > 0 else 1.0
        worst = sorted(fit.gof.items(), key=lambda kv: -(kv[1][0] / max(kv[1][1], 1)))[:5]
        fit_info = {
            "chance_tail": round(fit.chance_tail, 4), "error_tilt": round(fit.error_tilt, 4),
            "chi2": round(fit.chi2, 2), "df": fit.df, "chi2_per_df": round(fit.chi2_per_df, 3),
            "reference_chi2_per_df": GOF_REFERENCE, "poor_fit": bool(poor), "strata_fitted": fit.strata,
            "interval_widened_by": round(widen / model.interval_inflation, 3),
            "worst_strata": [{"stratum": _stratum_name(k), "chi2": round(c, 2), "df": d} for k, (c, d) in worst],
        }
        if poor:
            warnings.append(
                f"the score model fits this data poorly (chi-square per degree of freedom {fit.chi2_per_df:.1f}, "
                f"reference {GOF_REFERENCE:g}); the interval is widened by {widen / model.interval_inflation:.2f}; "
                "answers to the validation sample (--answers) correct the estimate")
    lo = persons - widen * (persons - lo)
    hi = persons + widen * (hi - persons)
    if unmodelled:
        warnings.append(
            f"{unmodelled} record pairs are in presence patterns the count model never simulated "
            f"({run.unmodelled_high} of them score high); they add no true pairs to the estimate and the "
            "interval's lower end allows every high-scoring one to be a true pair (rebuild the model with "
            "more replicates or a profile that simulates these patterns)")
        lo -= rho * run.unmodelled_high
    bounds = (run.lower_bound, float(n))
    if n and persons <= bounds[0] and n > bounds[0]:
        warnings.append(
            "the estimate sits at the lowest count the data allows (every pair at the evidence floor one person): "
            "the count model cannot speak for this data; read the interval, not the point")
    persons = float(np.clip(persons, *bounds)) if n else persons
    lo = float(np.clip(min(lo, persons), *bounds)) if n else persons
    hi = float(np.clip(max(hi, persons), *bounds)) if n else persons
    for w in warnings:
        log.warning("count estimate: %s", w)
    return CountEstimate(
        estimate=round(persons, 1),
        interval=(round(lo, 1), round(hi, 1)),
        level=level,
        found=found,
        reports=n,
        true_pairs_identified=round(float(sum(v for k, v in point.items() if identified[k])), 1),
        true_pairs_modelled=round(float(sum(v for k, v in point.items() if not identified[k])), 1),
        chance_pairs_expected=round(float(chance), 1),
        pairs_unmodelled=int(unmodelled),
        rho=round(float(rho), 4),
        method=("simulated score model per presence stratum, its shapes fitted to the data (mixture, maximum "
                "likelihood); parametric bootstrap interval" if fit is not None else
                "simulated score model per presence stratum; parametric bootstrap interval"),
        model={"years": list(model.years), "replicates": model.replicates, "seed": model.seed,
               "bins": NBINS, "schema_fingerprint": model.schema_fingerprint,
               "interval_inflation": model.interval_inflation},
        fit=fit_info,
        bounds=(round(bounds[0], 1), round(bounds[1], 1)),
        warnings=tuple(warnings),
    )


RHO_PRIOR_CLUSTERS = 3.0  # the model's rho counts as this many clusters against the data's
RHO_MAX_CLUSTER = 6  # larger found clusters are left out of rho (chains of chance merges)


def data_rho(model: CountModel, labels: npt.NDArray[np.integer] | None) -> float:
    """Reports saved per true pair: the found clusters' (sizes 2-6), shrunk towards the model's.

    A pair saves one report per true pair (1), a triple two per three (2/3). The
    simulation's mix of pairs and triples is its own; the clusters found show the
    data's. Clusters larger than ``RHO_MAX_CLUSTER`` are left out (in a long run
    they are mostly chains of chance merges); the model's value weighs as
    ``RHO_PRIOR_CLUSTERS`` clusters.
    """
    if labels is None or not len(labels):
        return model.rho
    _, cnt = np.unique(np.asarray(labels), return_counts=True)
    c = cnt[(cnt >= 2) & (cnt <= RHO_MAX_CLUSTER)].astype(np.float64)
    if not len(c):
        return model.rho
    found = float((c - 1).sum() / (c * (c - 1) / 2).sum())
    w = float(len(c))
    return (RHO_PRIOR_CLUSTERS * model.rho + w * found) / (RHO_PRIOR_CLUSTERS + w)


def _stratum_name(k: int) -> str:
    a, b = divmod(k, 65536)
    return f"{a}x{b}"
