"""The mixture fit that lets the data move the simulated score shapes (issue 13 item 2)."""

from __future__ import annotations

import numpy as np
import pytest

import linkage
from linkage.estimate import NBINS, default_count_model, estimate_unique_persons, evidence_floor, score_bins
from linkage.estimate._estimate import _regions, fit_bin
from linkage.estimate._fit import fit_mixture, shapes


def _histograms(lam: float, seed: int, scale: float = 1.0) -> tuple[dict[int, int], dict[int, np.ndarray],
                                                                     dict[int, float]]:
    """Data drawn from the bundled model's own shapes with the chance tail moved by ``lam``."""
    model = default_count_model(linkage.default_schema())
    rng = np.random.default_rng(seed)
    totals, hists, truth = {}, {}, {}
    for k, (_u, _m, n_non, n_match) in model.strata.items():
        if n_match < 200 or n_non == 0:
            continue
        n_pairs = int(scale * n_non / model.replicates)
        m_true = scale * n_match / model.replicates
        u, m = shapes(model, k, lam, 0.0)
        totals[k] = n_pairs
        hists[k] = rng.poisson(m_true * m + (n_pairs - m_true) * u).astype(np.int64)
        truth[k] = m_true
    return totals, hists, truth


@pytest.mark.parametrize("lam", [-1.0, 0.0, 1.5])
def test_the_fit_recovers_a_moved_chance_tail(lam: float) -> None:
    model = default_count_model(linkage.default_schema())
    totals, hists, truth = _histograms(lam, seed=3, scale=4.0)
    identifiable = _regions(model)
    fit = fit_mixture(model, totals, hists, fit_bin(model), identifiable)
    assert fit.chance_tail == pytest.approx(lam, abs=0.35)
    assert fit.strata == len(set(totals) & set(identifiable)) and fit.df > 0
    # data drawn from the fitted family fits: chi-square about its degrees of freedom
    assert fit.chi2_per_df < 2.5
    # true pairs per stratum come back within sampling noise, in total
    assert sum(fit.true_pairs.values()) == pytest.approx(sum(truth[k] for k in fit.true_pairs), rel=0.12)
    sd = np.sqrt(np.diag(fit.covariance))
    assert sd[0] > 0 and np.all(np.isfinite(sd))
    assert fit.error_tilt == 0.0 and sd[1] == 0.0  # the tilt is held at the simulation's


def test_fit_bin_is_the_evidence_floor() -> None:
    model = default_count_model(linkage.default_schema())
    b = fit_bin(model)
    assert 0 <= b < NBINS and score_bins(np.array([evidence_floor(model) + 1e-6]))[0] == b


def test_estimate_reports_its_fit_and_stays_within_the_data_bounds() -> None:
    from linkage.evaluate._run import synthetic_records
    from linkage.synth import generate

    schema = linkage.default_schema()
    model = default_count_model(schema)
    recs, truth, _ = synthetic_records(generate(seed=7, years=(2022,)), schema)
    est = estimate_unique_persons(recs.filters, recs.presence, model, draws=100)
    assert est.bounds is not None
    lo_b, hi_b = est.bounds
    assert lo_b <= est.interval[0] <= est.estimate <= est.interval[1] <= hi_b == len(truth)
    assert {"chance_tail", "error_tilt", "chi2_per_df", "df", "poor_fit"} <= set(est.fit)
    assert est.to_json()["fit"]["df"] == est.fit["df"]
    again = type(est).from_json(est.to_json())
    assert again == est
    plain = estimate_unique_persons(recs.filters, recs.presence, model, draws=100, learn=False)
    assert plain.fit == {} and "fitted" not in plain.method
