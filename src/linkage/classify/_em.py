"""Label-free thresholds: a two-component Beta mixture fitted by EM to the scores.

Among the candidate pairs, non-matches pile up at middling Dice scores (chance
agreement of a few tokens) and matches near 1. A mixture

    f(s) = pi * Beta(s; a_m, b_m) + (1 - pi) * Beta(s; a_u, b_u)

is fitted by expectation-maximisation (the M-step uses weighted moments); the
posterior ``P(match | s)`` of each pair then follows, and the thresholds are
the scores where that posterior crosses chosen levels. No labels are used.

The fit is a model, not the truth: it is checked on synthetic data and FEBRL in
the quality benchmark, and its posteriors feed the count estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_EPS = 1e-4


def _betaln(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def beta_logpdf(s: npt.NDArray[np.float64], a: float, b: float) -> npt.NDArray[np.float64]:
    return (a - 1) * np.log(s) + (b - 1) * np.log1p(-s) - _betaln(a, b)


def _moments(s: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> tuple[float, float]:
    tw = float(w.sum())
    if tw <= 0:
        return 0.5, 1.0
    mu = float((w * s).sum() / tw)
    var = float((w * (s - mu) ** 2).sum() / tw)
    var = max(var, 1e-6)
    mu = min(max(mu, 1e-3), 1 - 1e-3)
    common = mu * (1 - mu) / var - 1
    common = max(common, 1e-2)
    return mu * common, (1 - mu) * common


@dataclass(frozen=True)
class MixtureFit:
    """A fitted two-component Beta mixture over similarity scores."""

    weight_match: float
    a_match: float
    b_match: float
    a_nonmatch: float
    b_nonmatch: float
    n: int
    iterations: int
    converged: bool

    def posterior(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``P(match | score)`` under the fitted mixture."""
        s = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
        lm = math.log(max(self.weight_match, 1e-300)) + beta_logpdf(s, self.a_match, self.b_match)
        lu = math.log(max(1 - self.weight_match, 1e-300)) + beta_logpdf(s, self.a_nonmatch, self.b_nonmatch)
        top = np.maximum(lm, lu)
        pm = np.exp(lm - top)
        pu = np.exp(lu - top)
        out: npt.NDArray[np.float64] = pm / (pm + pu)
        return out

    def threshold(self, level: float, lo: float = 0.0, hi: float = 1.0) -> float:
        """Smallest score in ``[lo, hi]`` whose posterior is at least ``level`` (grid search, step 0.001)."""
        grid = np.round(np.arange(lo, hi + 1e-9, 0.001), 3)
        post = self.posterior(grid)
        # posterior is not always monotone far out in the tails: take the last crossing from below
        above = post >= level
        if not above.any():
            return hi
        if above.all():
            return lo
        idx = np.nonzero(~above)[0]
        last_below = int(idx[idx < len(grid) - 1].max()) if (idx < len(grid) - 1).any() else -1
        return float(grid[min(last_below + 1, len(grid) - 1)])


def score_histogram(
    filters: npt.NDArray[np.uint64],
    candidate_scores: npt.NDArray[np.float64],
    floor: float,
    *,
    bins: int = 200,
    sample_pairs: int = 400_000,
    seed: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Histogram of the Dice scores of *all* pairs: exact above ``floor``, sampled below.

    The candidate pairs (scores >= ``floor``) are counted exactly; the mass below
    the floor, ``n(n-1)/2`` minus the candidates, is spread like the scores of a
    seeded random sample of pairs that fall below the floor. Returns
    ``(bin_centres, counts)``.
    """
    from linkage.compare import dice_pairs

    n = filters.shape[0]
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.histogram(np.asarray(candidate_scores, dtype=np.float64), bins=edges)[0].astype(np.float64)
    total = n * (n - 1) / 2
    below_total = total - len(candidate_scores)
    if n > 1 and below_total > 0:
        rng = np.random.default_rng(seed)
        m = int(min(sample_pairs, total))
        a = rng.integers(0, n, size=m)
        b = rng.integers(0, n - 1, size=m)
        b = np.where(b >= a, b + 1, b)
        s = dice_pairs(filters, a.astype(np.int64), b.astype(np.int64))
        s = s[s < floor]
        if len(s):
            below = np.histogram(s, bins=edges)[0].astype(np.float64)
            counts += below / below.sum() * below_total
    centres = (edges[:-1] + edges[1:]) / 2
    return centres, counts


def _m_step(
    s: npt.NDArray[np.float64], w: npt.NDArray[np.float64], r: npt.NDArray[np.float64]
) -> tuple[float, float, float, float, float]:
    """Weight and Beta parameters from responsibilities; the match component keeps the larger mean."""
    pi = float(np.clip((w * r).sum() / w.sum(), 1e-12, 1 - 1e-12))
    am, bm = _moments(s, w * r)
    au, bu = _moments(s, w * (1 - r))
    if am / (am + bm) < au / (au + bu):
        am, bm, au, bu = au, bu, am, bm
        pi = 1 - pi
    return pi, am, bm, au, bu


def fit_beta_mixture(
    scores: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64] | None = None,
    *,
    max_iter: int = 500,
    tol: float = 1e-8,
) -> MixtureFit:
    """Fit the two-component Beta mixture to ``scores`` (optionally weighted, e.g. histogram counts) by EM."""
    s = np.clip(np.asarray(scores, dtype=np.float64), _EPS, 1 - _EPS)
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = w > 0
    s, w = s[keep], w[keep]
    n = int(round(w.sum()))
    if len(s) < 3 or n < 10:
        raise ValueError("too few scores to fit a mixture")
    # Start: the match component holds the scores >= 0.9 (or the top few), the rest are non-matches.
    cut = min(0.9, float(s.max()) - 1e-3)
    r = np.clip((s >= cut).astype(np.float64), 0.05, 0.95)
    prev = -np.inf
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - `it` is reported in the fit
        pi, am, bm, au, bu = _m_step(s, w, r)
        lm = math.log(pi) + beta_logpdf(s, am, bm)
        lu = math.log(1 - pi) + beta_logpdf(s, au, bu)
        top = np.maximum(lm, lu)
        ll = float((w * (top + np.log(np.exp(lm - top) + np.exp(lu - top)))).sum())
        r = np.exp(lm - top) / (np.exp(lm - top) + np.exp(lu - top))
        if abs(ll - prev) < tol * max(1.0, abs(ll)):
            converged = True
            break
        prev = ll
    pi, am, bm, au, bu = _m_step(s, w, r)
    return MixtureFit(pi, am, bm, au, bu, n, it, converged)
