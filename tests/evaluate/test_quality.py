from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import linkage
from linkage.classify._thresholds import valley_threshold
from linkage.cluster import connected_components, constrained_components
from linkage.evaluate import all_metrics, bcubed_metrics, count_error, pairwise_from_pairs, pairwise_metrics
from linkage.evaluate._febrl import load_febrl, reduce_febrl
from linkage.evaluate._run import evaluate_febrl, evaluate_synthetic, profile


def test_pairwise_metrics_by_hand() -> None:
    truth = ["a", "a", "a", "b", "c"]
    found = [1, 1, 2, 2, 3]
    m = pairwise_metrics(found, truth)
    # true pairs: (0,1),(0,2),(1,2); found pairs: (0,1),(2,3); correct: (0,1)
    assert m["true_pairs"] == 3 and m["found_pairs"] == 2 and m["true_positive_pairs"] == 1
    assert m["precision"] == 0.5 and m["recall"] == pytest.approx(1 / 3)
    assert pairwise_from_pairs({(0, 1), (2, 3)}, {(0, 1), (0, 2), (1, 2)})["f1"] == pytest.approx(m["f1"])


def test_bcubed_by_hand() -> None:
    b = bcubed_metrics([1, 1, 2, 2, 3], ["a", "a", "a", "b", "c"])
    # precision per item: 1,1,1/2,1/2,1 -> 0.8; recall: 2/3,2/3,1/3,1,1 -> 11/15
    assert b["bcubed_precision"] == pytest.approx(0.8)
    assert b["bcubed_recall"] == pytest.approx(11 / 15)
    assert count_error(110, 100) == pytest.approx(10.0)


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_perfect_clustering_scores_one(labels: list[int]) -> None:
    m = all_metrics(labels, [f"p{x}" for x in labels])
    assert m["f1"] == 1.0 and m["bcubed_f1"] == 1.0 and m["count_error_pct"] == 0.0


def test_valley_finds_the_gap() -> None:
    rng = np.random.default_rng(0)
    nonmatch = rng.normal(0.45, 0.04, 200_000)
    match = rng.uniform(0.75, 1.0, 3_000)
    s = np.clip(np.concatenate([nonmatch, match]), 0, 1)
    ch = valley_threshold(s[s >= 0.5], 0.5)
    assert 0.6 <= ch.match <= 0.75 and ch.review < ch.match and ch.method == "valley"


def test_constrained_components_keep_one_record_per_submission() -> None:
    left, right = np.array([0, 1, 2]), np.array([1, 2, 3])
    score = np.array([0.95, 0.9, 0.99])
    groups = np.array([0, 1, 0, 2])  # records 0 and 2 come from one submission
    lab = constrained_components(4, left, right, score, groups)
    # strongest first: (2,3) then (0,1); (1,2) would join 0 and 2 -> skipped
    assert lab.tolist() == [0, 0, 2, 2]
    assert connected_components(4, left, right).tolist() == [0, 0, 0, 0]


def test_febrl_views() -> None:
    df = load_febrl(1)
    assert len(df) == 1000 and df["person_id"].nunique() == 500
    red = reduce_febrl(df, seed=0)
    assert list(red.columns) == ["given_names", "surname", "birth_year", "nationality", "person_id", "record_key"]
    # the nationality is a person's, copied to duplicates with a little error
    agree = red.groupby("person_id")["nationality"].agg(lambda s: s.dropna().nunique() <= 1).mean()
    assert agree > 0.9
    assert reduce_febrl(df, seed=0).equals(red)


def test_encoded_febrl3_full_beats_the_anchor() -> None:
    """FEBRL3, every field, threshold chosen without labels: F1 >= 0.97, persons within 2%."""
    m = evaluate_febrl(3, "full")
    assert m["thresholds"]["method"] == "valley"
    assert m["f1"] >= 0.97
    assert abs(m["count_error_pct"]) <= 2.0
    json.dumps(m)


def test_encoded_febrl_reduced_and_synthetic_run() -> None:
    m = evaluate_febrl(1, "reduced")
    assert 0 < m["f1"] < 1
    from linkage.synth import generate

    s = evaluate_synthetic(generate(seed=3, years=(2021, 2022)))
    assert [p["year"] for p in s["per_year"]] == [2021, 2022]
    assert s["records"] == sum(p["reports"] for p in s["per_year"])
    json.dumps(s)


def test_profiles_are_valid() -> None:
    for name in ("febrl-full", "febrl-reduced"):
        assert isinstance(profile(name), linkage.Schema)


def test_the_report_has_a_heldout_table_and_the_exact_key_baseline() -> None:
    from pathlib import Path

    from linkage.evaluate import quality_html
    from linkage.evaluate._run import febrl_table
    from linkage.evaluate._suite import _exact_key_febrl, run_heldout_table

    scen = Path(__file__).resolve().parents[2] / "benchmarks" / "quality" / "heldout" / "scenarios.json"
    h = run_heldout_table(scen, limit=1, families=["base"])
    base = h["families"]["base"]["summary"]
    assert base["datasets"] == 1 and base["coverage"] is not None
    assert set(base["answers"]) == {"0", "50", "100", "150", "200", "400"}
    ek = _exact_key_febrl(febrl_table(1, "reduced"))
    assert 0.0 < ek["f1"] < 1.0
    results = {"created": "now", "quick": True, "seconds": 1.0, "anchor": {}, "runs": [], "heldout": h}
    page = quality_html(results)
    assert "Held-out scenarios (frozen, never tuned on)" in page and "<td>base</td>" in page
