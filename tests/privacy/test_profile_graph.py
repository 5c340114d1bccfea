"""The profile graph attack (issue 17): own-key register graph, profile features, seed and extend."""

from __future__ import annotations

import numpy as np
import pytest

import linkage
from linkage.encode import LinkageKey, encode_records
from linkage.privacy import (
    OLD_DEFAULT_HARDENING,
    EncodedView,
    attacker_graph,
    canonical_truth,
    hardened,
    heldout_population,
    overlap_curve,
    profile_graph_match,
    score_recovery,
    spectral_bands,
    synthetic_population,
    worst_curve,
)
from linkage.privacy._graph_matching import overlapping_plaintext
from linkage.privacy._profile_graph import dice_matrix, guesses_from_register, identical_group_sizes, year_band

KEY = LinkageKey(bytes(range(32)))  # test-only key


def _view(records, schema):  # type: ignore[no-untyped-def]
    enc = encode_records(records, schema, KEY)
    return EncodedView(enc.filters, enc.presence, enc.filters.shape[1] * 64)


def test_dice_matrix_agrees_with_the_pair_kernel() -> None:
    from linkage.compare import dice_pairs

    pop = synthetic_population(120, seed=3)
    enc = encode_records(pop, linkage.default_schema(), KEY)
    d = dice_matrix(enc.filters)
    a, b = np.triu_indices(len(pop), 1)
    assert np.allclose(d[a, b], dice_pairs(enc.filters, a.astype(np.int64), b.astype(np.int64)), atol=1e-6)
    assert np.allclose(np.diag(d), 1.0) and np.allclose(d, d.T)


def test_identical_group_sizes_count_equal_filters_and_masks() -> None:
    f = np.array([[1, 2], [1, 2], [3, 4], [1, 2]], dtype=np.uint64)
    p = np.array([1, 1, 1, 3], dtype=np.uint16)
    assert identical_group_sizes(f, p).tolist() == [2, 2, 1, 1]


@pytest.fixture(scope="module")
def unhardened_run() -> dict[str, object]:
    schema = linkage.default_schema(hardened=False)
    pop = synthetic_population(600, seed=5)
    others = synthetic_population(600, seed=6)
    register, mask = overlapping_plaintext(pop, others, share=1.0, seed=0)
    view = _view(pop, schema)
    match = profile_graph_match(view, register, schema, keys=4)
    guesses = guesses_from_register(match, register)
    return {"scores": score_recovery(guesses[mask], canonical_truth(pop)[mask]), "match": match}


def test_the_attack_reidentifies_an_unhardened_encoding(unhardened_run: dict[str, object]) -> None:
    scores = unhardened_run["scores"]
    assert isinstance(scores, dict)
    # without hardening the own-key graph lines up with the victim's: most tuples fall
    assert scores["full_tuple"] > 0.5


def test_seed_and_extend_runs_to_convergence(unhardened_run: dict[str, object]) -> None:
    match = unhardened_run["match"]
    assert match.converged  # type: ignore[attr-defined]
    rounds = match.rounds  # type: ignore[attr-defined]
    assert rounds[0]["features"] == "profile" and len(rounds) >= 2
    assert all("anchors" in r for r in rounds)


def test_attacker_graph_averages_its_own_keys() -> None:
    schema = linkage.default_schema()
    reg = synthetic_population(80, seed=7)
    one = attacker_graph(reg, schema, keys=1)
    four = attacker_graph(reg, schema, keys=4)
    assert one.similarity.shape == four.similarity.shape == (80, 80)
    assert not np.allclose(one.similarity, four.similarity)
    assert four.keys == 4


def test_spectral_bands_name_the_salt_band_of_a_salted_encoding() -> None:
    schema = hardened(linkage.default_schema(), {"salt": {"field": "birth_year", "band": 10}})
    pop = synthetic_population(800, seed=8)
    others = synthetic_population(800, seed=9)
    bg = others["birth_year"].map(lambda v: year_band(v, 10)).value_counts(normalize=True)
    bg = bg[bg >= 0.01] / bg[bg >= 0.01].sum()
    guess = spectral_bands(_view(pop, schema), bg)
    truth = np.asarray([year_band(v, 10) for v in pop["birth_year"]], dtype=object)
    top = float(np.mean(truth == bg.index[0]))
    # a salt without any other hardening splits the graph into its bands
    assert float(np.mean(guess == truth)) > top + 0.2


def test_overlap_curve_reports_each_overlap_key_and_a_baseline() -> None:
    schema = hardened(linkage.default_schema(), OLD_DEFAULT_HARDENING)
    pop = heldout_population(801).head(200).reset_index(drop=True)
    others = heldout_population(802).head(200).reset_index(drop=True)
    keys = [KEY, LinkageKey(bytes(range(1, 33)))]
    curve = overlap_curve(pop, others, schema, keys, overlaps=(1.0, 0.5), keys=2, max_rounds=5)
    assert set(curve["overlaps"]) == {"1", "0.5"}
    half = curve["overlaps"]["0.5"]
    assert half["overlap_records"] == 100 and len(half["per_key"]) == 2
    assert {"full_tuple", "nationality", "birth_year", "year_band"} <= set(half["guessing"])
    worst = worst_curve([curve])
    assert worst["0.5"]["full_tuple"] == max(r["full_tuple"] for r in half["per_key"])
    assert len(curve["spectral_bands"]["per_key"]) == 2


def test_heldout_population_is_canonical_and_one_report_per_person() -> None:
    pop = heldout_population(801)
    assert list(pop.columns) == ["initials", "birth_year", "nationality", "sex"]
    assert 5000 < len(pop) < 20000
    years = [v for v in pop["birth_year"] if v is not None]
    assert all(isinstance(v, tuple) and len(v) == 2 for v in years)
