"""Graph-matching attack (Vidanage et al., CIKM 2020) on the default encoding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import linkage
from linkage.encode import LinkageKey
from linkage.privacy import (
    QI_COLUMNS,
    EncodedView,
    background_frequencies,
    canonical_truth,
    guessing_baseline,
    score_recovery,
    synthetic_population,
)
from linkage.privacy._graph_matching import (
    GraphMatch,
    _Calibration,
    _histogram,
    graph_matching_attack,
    guesses_from_match,
    match_graphs,
    overlapping_plaintext,
    reference_token_fields,
)

N = 3000
KEY = LinkageKey(bytes(range(32)))  # test-only key


def _view(records: pd.DataFrame) -> EncodedView:
    enc = linkage.encode_records(records, linkage.default_schema(hardened=False), KEY)
    return EncodedView(enc.filters, enc.presence, enc.filters.shape[1] * 64)


@pytest.fixture(scope="module")
def setting() -> dict[str, Any]:
    population = synthetic_population(N, seed=1)
    others = synthetic_population(N, seed=2)
    plaintext, overlap = overlapping_plaintext(population, others, share=0.5, seed=0)
    view = _view(population)
    match = match_graphs(view, plaintext)
    return {
        "population": population,
        "others": others,
        "plaintext": plaintext,
        "overlap": overlap,
        "view": view,
        "match": match,
        "guesses": guesses_from_match(match, plaintext),
        "truth": canonical_truth(population),
    }


def test_overlapping_plaintext_marks_the_shared_persons(setting: dict[str, Any]) -> None:
    population, plaintext, overlap = setting["population"], setting["plaintext"], setting["overlap"]
    assert len(plaintext) == N and list(plaintext.columns) == list(QI_COLUMNS)
    assert overlap.dtype == bool and overlap.sum() == N // 2
    key = canonical_truth(population).astype(str).agg("|".join, axis=1)
    plain_keys = set(canonical_truth(plaintext).astype(str).agg("|".join, axis=1))
    assert key[overlap].isin(plain_keys).all()
    # the shared persons are not simply the first rows, in order
    assert not plaintext.head(20).equals(population[list(QI_COLUMNS)].head(20))
    with pytest.raises(ValueError):
        overlapping_plaintext(population, setting["others"].head(10), share=0.5)


def test_guesses_have_the_scoring_format(setting: dict[str, Any]) -> None:
    guesses, plaintext = setting["guesses"], setting["plaintext"]
    assert list(guesses.columns) == list(QI_COLUMNS)
    assert guesses.index.equals(pd.RangeIndex(N))
    years = [v for v in guesses["birth_year"] if v is not None]
    assert years and all(type(v) is int for v in years)
    plain_truth = canonical_truth(plaintext)
    for col in ("initials", "nationality", "sex"):
        assert set(guesses[col].dropna()) <= set(plain_truth[col].dropna())
    match: GraphMatch = setting["match"]
    assert match.plaintext_row.shape == (N,) and (match.plaintext_row >= 0).all()
    assert match.mutual.dtype == bool and match.likely_overlap.dtype == bool
    assert match.rounds[0]["features"] == "structural"


def test_deterministic(setting: dict[str, Any]) -> None:
    again = graph_matching_attack(setting["view"], setting["plaintext"])
    pd.testing.assert_frame_equal(again, setting["guesses"])


def test_scores_are_shares(setting: dict[str, Any]) -> None:
    scores = score_recovery(setting["guesses"], setting["truth"])
    assert set(scores) >= {"full_tuple", "nationality", "birth_year"}
    assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_recovers_the_overlap_far_above_guessing(setting: dict[str, Any]) -> None:
    overlap, truth = setting["overlap"], setting["truth"]
    scores = score_recovery(setting["guesses"][overlap], truth[overlap])
    baseline = guessing_baseline(background_frequencies(canonical_truth(setting["others"])), truth[overlap])
    # measured: full tuple 1.000 (baseline 0.000), nationality 0.981 (0.255), birth year 1.000 (0.047)
    assert scores["full_tuple"] >= 0.9 and scores["full_tuple"] >= baseline["full_tuple"] + 0.8
    assert scores["nationality"] >= baseline["nationality"] + 0.5
    assert scores["birth_year"] >= baseline["birth_year"] + 0.8
    # outside the overlap there is nobody to find: the full tuple is rarely right there
    outside = score_recovery(setting["guesses"][~overlap], truth[~overlap])
    assert outside["full_tuple"] < 0.3


def test_attacker_estimates_its_overlap_better_than_chance(setting: dict[str, Any]) -> None:
    flagged, overlap = setting["match"].likely_overlap, setting["overlap"]
    precision = (flagged & overlap).sum() / flagged.sum()
    recall = (flagged & overlap).sum() / overlap.sum()
    assert precision >= 0.75 and recall >= 0.75  # measured 0.87 and 0.99; chance precision is 0.5


def test_structural_features_alone_beat_guessing(setting: dict[str, Any]) -> None:
    """The paper's attack without seed and extend: weak, but above the guessing baseline."""
    overlap, truth = setting["overlap"], setting["truth"]
    match = match_graphs(setting["view"], setting["plaintext"], rounds=0)
    assert len(match.rounds) == 1 and match.chosen_round == 0
    scores = score_recovery(guesses_from_match(match, setting["plaintext"])[overlap], truth[overlap])
    baseline = guessing_baseline(background_frequencies(canonical_truth(setting["others"])), truth[overlap])
    # measured: full tuple 0.087, nationality 0.431 (baseline 0.255), birth year 0.204 (0.047)
    assert scores["full_tuple"] >= 0.03
    assert scores["nationality"] >= baseline["nationality"] + 0.08
    assert scores["birth_year"] >= baseline["birth_year"] + 0.08


def test_hungarian_assignment_is_one_to_one(setting: dict[str, Any]) -> None:
    overlap, truth = setting["overlap"], setting["truth"]
    match = match_graphs(setting["view"], setting["plaintext"], assignment="hungarian")
    rows = match.plaintext_row[match.plaintext_row >= 0]
    assert len(rows) == len(np.unique(rows))
    scores = score_recovery(guesses_from_match(match, setting["plaintext"])[overlap], truth[overlap])
    assert scores["full_tuple"] >= 0.8  # measured 0.913: one-to-one lets outsiders take insiders' partners


def test_reference_encoding_with_its_public_tokens() -> None:
    from linkage.privacy import reference_view

    population = synthetic_population(1000, seed=1)
    plaintext, overlap = overlapping_plaintext(population, synthetic_population(1000, seed=2), share=0.5, seed=0)
    view = reference_view(population, bytes(range(32)))
    guesses = graph_matching_attack(view, plaintext, tokens=reference_token_fields())
    truth = canonical_truth(population)
    assert score_recovery(guesses[overlap], truth[overlap])["full_tuple"] >= 0.9  # measured 1.000


def test_bad_and_tiny_inputs(setting: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="nationality"):
        match_graphs(setting["view"], setting["plaintext"].drop(columns=["nationality"]))
    with pytest.raises(ValueError):
        match_graphs(setting["view"], setting["plaintext"], assignment="greedy")
    with pytest.raises(ValueError):
        match_graphs(setting["view"], setting["plaintext"], edge_share=0.0)
    one = EncodedView(setting["view"].filters[:1], setting["view"].presence[:1], setting["view"].filter_length)
    guesses = graph_matching_attack(one, setting["plaintext"])
    assert guesses.shape == (1, 4) and guesses.iloc[0].isna().all()


def test_calibration_maps_a_distribution_onto_itself() -> None:
    rng = np.random.default_rng(0)
    values = rng.beta(2, 5, size=200_000)
    same = _Calibration.fit(_histogram(values), _histogram(values))
    probe = np.array([0.1, 0.3, 0.5, 0.7])
    assert np.allclose(same(probe), probe, atol=0.01)
    shifted = _Calibration.fit(_histogram(values), _histogram(np.clip(values + 0.1, 0, 1)))
    assert np.allclose(shifted(probe), probe + 0.1, atol=0.01)
    assert np.all(np.diff(shifted.table) >= 0)
