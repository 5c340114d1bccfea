"""Let the data move the simulated score shapes: a mixture fitted to the observed scores per stratum.

The count model says how chance pairs (``u``) and true pairs (``m``) score in each
presence stratum *in the simulation*. Real data differs: a steeper name law or a
year dominated by one nationality makes more chance pairs agree on most fields,
heavier reporting errors push true pairs' scores down. Both show in the scores
the registry holds, so before counting, the shapes are fitted to them.

Per identifiable stratum ``s`` the observed pairs per score bin ``b`` (from the fit
floor up, plus one cell for all pairs below it) are a two-component mixture::

    E[c_sb] = M_s m_sb(phi) + (N_s - M_s) u_sb(lam)

- ``u_sb(lam) = u_sb * exp(lam * r_b)``: the chance tail raised or lowered by one
  factor shared by all strata, ramping in from 0 at the fit floor to full at
  ``RAMP_TOP`` (``r_b``), and ``TOP_SHARE`` of it in the top bin (exact
  collisions of every field grow less than near-collisions when one value
  dominates; measured on the development scenarios);
- ``m_sb(phi) ~ m_sb * exp(phi * (x_b - 1))``: the true pairs' shape tilted
  towards or away from agreement (fewer or more reporting errors), renormalised
  with the true pairs' mass below the floor; held at 0 (the data cannot tell it
  from the number of true pairs);
- ``M_s``: the stratum's true pairs, by EM given the shapes.

``lam`` maximises the Poisson likelihood over every stratum and bin, with a
normal prior (the simulation: ``lam = 0``, standard deviation ``PRIOR_SD[0]``),
within ``BOUNDS`` (:func:`scipy.optimize.minimize_scalar`); its variance comes
from the curvature at the optimum (Laplace), and the interval draws it from
there. ``phi`` is held at 0 (see :func:`fit_mixture`).

Goodness of fit: Pearson's chi-square per stratum over the fitted bins (cells
with an expected count under 5 pooled), summed, over its degrees of freedom.
Chance pairs cluster (a common tuple shared by k persons makes k(k-1)/2 pairs),
so the figure is compared with the overdispersion the replicates show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import optimize

from linkage.estimate._count_model import FLOOR, MIN_SIM_TRUE_PAIRS, NBINS, STEP, CountModel

__all__ = ["MixtureFit", "fit_mixture"]

RAMP_TOP = 0.7  # the chance factor reaches full strength here
TOP_SHARE = 0.85  # share of the (log) chance factor applied to the top bin (exact collisions)
# Limits of (lam, phi). phi is held at 0 (see fit_mixture); lam within +-3 (a factor of 20 on the chance
# tail): with counts in the millions (100,000 records, or a blocking's weights) a free fit ran away.
BOUNDS = ((-3.0, 3.0), (0.0, 0.0))
PRIOR_SD = (1.0, 0.05)  # prior standard deviations of lam and phi (phi held near 0: see below)
BELOW_X = 0.45  # where the true pairs' mass below the fit floor sits, for the tilt
EM_ITERATIONS = 60

_X = FLOOR + STEP * np.arange(NBINS) + STEP / 2.0
_X[-1] = 1.0


@dataclass(frozen=True)
class _Stratum:
    key: int
    n_pairs: int
    obs: npt.NDArray[np.float64]  # observed counts in fitted bins, then the below cell
    u0: npt.NDArray[np.float64]  # simulated chance shares in fitted bins (with a floor)
    m0: npt.NDArray[np.float64]  # simulated true shares in fitted bins
    m_below: float  # simulated true share below the fit floor


@dataclass(frozen=True)
class MixtureFit:
    """The fitted shape parameters, per-stratum true pairs and goodness of fit.

    ``chance_tail`` (lam) multiplies the chance tail by ``exp(lam)`` at full
    strength; ``error_tilt`` (phi) tilts the true pairs' shape (positive: fewer
    errors than simulated). ``covariance`` is theirs (Laplace). ``gof`` maps a
    stratum to ``(chi2, df)``; ``chi2_per_df`` is the total over the total.
    """

    chance_tail: float
    error_tilt: float
    covariance: npt.NDArray[np.float64] = field(repr=False)
    fit_bin: int
    true_pairs: Mapping[int, float] = field(repr=False)
    gof: Mapping[int, tuple[float, int]] = field(repr=False)
    chi2: float
    df: int
    strata: int

    @property
    def chi2_per_df(self) -> float:
        return self.chi2 / self.df if self.df > 0 else 1.0

    def shares(
        self, model: CountModel, key: int, lam: float | None = None, phi: float | None = None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Fitted chance and true shares of every bin (NBINS) of stratum ``key``."""
        return shapes(model, key, self.chance_tail if lam is None else lam,
                      self.error_tilt if phi is None else phi)


def _ramp() -> npt.NDArray[np.float64]:
    lo = FLOOR + STEP * 15  # 0.6: where the fitted bins start for the built-in bins
    r = np.clip((_X - lo) / (RAMP_TOP - lo), 0.0, 1.0)
    r[-1] = TOP_SHARE
    return np.asarray(r, dtype=np.float64)


_R = _ramp()


def shapes(model: CountModel, key: int, lam: float, phi: float) -> tuple[npt.NDArray[np.float64],
                                                                         npt.NDArray[np.float64]]:
    """Chance and true shares per bin of stratum ``key`` under the fitted parameters (lam, phi)."""
    u_c, m_c, n_non, n_match = model.strata[key]
    u = u_c / max(n_non, 1) * np.exp(lam * _R)
    m0 = m_c / max(n_match, 1)
    below = max(1.0 - float(m0.sum()), 0.0)
    w = m0 * np.exp(phi * (_X - 1.0))
    z = float(w.sum()) + below * float(np.exp(phi * (BELOW_X - 1.0)))
    return u, (w / z if z > 0 else m0)


def _em(obs: npt.NDArray[np.float64], n: float, u: npt.NDArray[np.float64],
        m: npt.NDArray[np.float64], start: float) -> float:
    """True pairs M maximising the mixture likelihood of ``obs`` given the shapes (EM on the weight)."""
    if n <= 0:
        return 0.0
    pi = min(max(start / n, 1e-9), 1.0 - 1e-9)
    total = float(obs.sum())
    for _ in range(EM_ITERATIONS):
        mix = pi * m + (1.0 - pi) * u
        resp = np.divide(pi * m, mix, out=np.zeros_like(mix), where=mix > 0)
        new = float((obs * resp).sum()) / total if total > 0 else 0.0
        if abs(new - pi) < 1e-12:
            pi = new
            break
        pi = new
    return pi * n


def _cells(s: _Stratum, lam: float, phi: float, fit_bin: int) -> tuple[npt.NDArray[np.float64],
                                                                      npt.NDArray[np.float64]]:
    """Chance and true shares of the fitted cells (bins from ``fit_bin``, then the below cell)."""
    r = _R[fit_bin:]
    u = s.u0 * np.exp(lam * r)
    u_cells = np.append(u, max(1.0 - float(u.sum()), 1e-12))
    w = s.m0 * np.exp(phi * (_X[fit_bin:] - 1.0))
    wb = s.m_below * float(np.exp(phi * (BELOW_X - 1.0)))
    z = float(w.sum()) + wb
    m_cells = np.append(w, wb) / z if z > 0 else np.append(s.m0, s.m_below)
    return u_cells, m_cells


def _negloglik(params: npt.NDArray[np.float64], strata: list[_Stratum], fit_bin: int,
               starts: dict[int, float], keep: dict[int, float] | None = None) -> float:
    lam, phi = float(params[0]), float(params[1])
    total = 0.5 * (lam / PRIOR_SD[0]) ** 2 + 0.5 * (phi / PRIOR_SD[1]) ** 2
    for s in strata:
        u, m = _cells(s, lam, phi, fit_bin)
        mt = _em(s.obs, float(s.n_pairs), u, m, starts.get(s.key, 1.0))
        if keep is not None:
            keep[s.key] = mt
        mu = mt * m + (s.n_pairs - mt) * u
        mu = np.maximum(mu, 1e-12)
        total -= float((s.obs * np.log(mu) - mu).sum())
    return total


def _stratum_data(
    model: CountModel, keys: list[int], totals: Mapping[int, int],
    hists: Mapping[int, npt.NDArray[np.float64]], fit_bin: int,
) -> list[_Stratum]:
    out = []
    for k in keys:
        u_c, m_c, n_non, n_match = model.strata[k]
        n = int(totals.get(k, 0))
        if n <= 0 or n_match < MIN_SIM_TRUE_PAIRS or n_non == 0:
            continue
        h = np.asarray(hists.get(k, np.zeros(NBINS, np.int64)), dtype=np.float64)[fit_bin:]
        obs = np.append(h, max(n - float(h.sum()), 0.0))
        u0 = u_c[fit_bin:] / n_non + 0.5 / n_non  # half a simulated pair: no bin is impossible
        m0 = m_c[fit_bin:] / n_match
        out.append(_Stratum(k, n, obs, u0, m0, max(1.0 - float(m0.sum()), 0.0)))
    return out


def _gof(s: _Stratum, mt: float, u: npt.NDArray[np.float64], m: npt.NDArray[np.float64]) -> tuple[float, int]:
    """Pearson chi-square over the fitted bins (expected counts under 5 pooled into one cell)."""
    mu = mt * m + (s.n_pairs - mt) * u
    obs, exp = s.obs[:-1], mu[:-1]
    big = exp >= 5.0
    chi = float((((obs[big] - exp[big]) ** 2) / exp[big]).sum())
    cells = int(big.sum())
    rest_o, rest_e = float(obs[~big].sum()), float(exp[~big].sum())
    if rest_e >= 1.0:
        chi += (rest_o - rest_e) ** 2 / rest_e
        cells += 1
    return chi, max(cells - 1, 0)


def fit_mixture(
    model: CountModel, totals: Mapping[int, int], hists: Mapping[int, npt.NDArray[np.float64]], fit_bin: int,
    strata: Iterable[int] | None = None,
) -> MixtureFit:
    """Fit the chance tail and the error tilt to the observed score histograms (see module docstring).

    ``totals``: record pairs per stratum; ``hists``: observed pairs per score bin
    per stratum, complete from bin ``fit_bin`` up; ``strata``: the strata to fit
    (those whose true pairs the data can identify; default every modelled one).
    """
    wanted = set(model.strata) if strata is None else set(strata) & set(model.strata)
    keys = sorted(k for k in totals if k in wanted)
    data = _stratum_data(model, keys, totals, hists, fit_bin)
    if not data:
        return MixtureFit(0.0, 0.0, np.diag(np.square(PRIOR_SD)), fit_bin, {}, {}, 0.0, 0, 0)
    starts = {s.key: max(float(s.obs[-2]), 1.0) for s in data}

    def f(p: npt.NDArray[np.float64]) -> float:
        return _negloglik(p, data, fit_bin, starts)

    # phi is fixed at the simulation's 0: with M_s free the data cannot tell heavier reporting errors
    # from more true pairs (a free phi ran to its limit on the development scenarios and on data drawn
    # from the model itself with a raised chance tail). lam alone, within BOUNDS.
    res = optimize.minimize_scalar(lambda lam: f(np.array([lam, 0.0])), bounds=BOUNDS[0], method="bounded",
                                   options={"xatol": 1e-3})
    best = np.array([float(res.x), 0.0])
    cov = _laplace(f, best)
    cov[0, 1] = cov[1, 0] = cov[1, 1] = 0.0
    fitted: dict[int, float] = {}
    _negloglik(best, data, fit_bin, starts, keep=fitted)
    gof: dict[int, tuple[float, int]] = {}
    for s in data:
        u, m = _cells(s, float(best[0]), float(best[1]), fit_bin)
        gof[s.key] = _gof(s, fitted[s.key], u, m)
    chi2 = float(sum(c for c, _ in gof.values()))
    df = int(sum(d for _, d in gof.values()))
    return MixtureFit(float(best[0]), float(best[1]), cov, fit_bin, fitted, gof, chi2, df, len(data))


def _laplace(fn: Callable[[npt.NDArray[np.float64]], float], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Covariance from the numerical Hessian of the negative log-likelihood (the prior's if singular)."""
    h = 0.02
    hess = np.zeros((2, 2))
    f0 = fn(x)
    e = np.eye(2) * h
    for i in range(2):
        for j in range(i, 2):
            if i == j:
                v = (fn(x + e[i]) - 2 * f0 + fn(x - e[i])) / h**2
            else:
                v = (fn(x + e[i] + e[j]) - fn(x + e[i] - e[j])
                     - fn(x - e[i] + e[j]) + fn(x - e[i] - e[j])) / (4 * h * h)
            hess[i, j] = hess[j, i] = v
    cov = np.zeros((2, 2))
    cov[0, 0] = 1.0 / hess[0, 0] if hess[0, 0] > 0 and np.isfinite(hess[0, 0]) else PRIOR_SD[0] ** 2
    return cov
