"""classify: thresholds, rules and the one entry point over scored pairs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import linkage
from linkage.classify import (
    MATCH,
    NON_MATCH,
    REVIEW,
    apply_rules,
    candidate_floor,
    classify_pairs,
    classify_scores,
    same_submission_policy,
    valley_threshold,
)
from linkage.errors import LinkageError, MismatchError
from linkage.records import RegistryRecords, ScoredPairs


def _records(presence: list[int], submissions: list[str], reporters: list[str] | None = None) -> RegistryRecords:
    n = len(presence)
    return RegistryRecords(
        reporter=np.array(reporters or [f"r{s}" for s in submissions]),
        record_id=np.array([f"{i:032x}" for i in range(n)]),
        submission_id=np.array(submissions), presence=np.array(presence, dtype=np.uint16),
        filters=np.zeros((n, 1), np.uint64),
    )


def _fixed_schema(**thresholds: object) -> linkage.Schema:
    doc = dict(linkage.default_schema(hardened=False).document)
    doc["thresholds"] = {"match": 0.8, "review": 0.6, "method": "fixed", **thresholds}
    doc["name"] = "fixed-test"
    return linkage.load_schema(doc)


def test_classify_scores_bands_and_bounds() -> None:
    s = np.array([0.1, 0.6, 0.79, 0.8, 1.0])
    assert classify_scores(s, 0.8, 0.6).tolist() == [NON_MATCH, REVIEW, REVIEW, MATCH, MATCH]
    with pytest.raises(LinkageError):
        classify_scores(s, 0.5, 0.7)
    with pytest.raises(LinkageError):
        classify_scores(s, 0.5, 0.0)


def test_rules_cap_at_review() -> None:
    d = np.array([MATCH, MATCH, MATCH, REVIEW], dtype=np.int8)
    common = np.array([0b11, 0b01, 0b11, 0b11])
    same = np.array([False, False, True, True])
    out = apply_rules(d, common, same, require_mask=0b11, same_submission_policy="review")
    assert out.tolist() == [MATCH, REVIEW, REVIEW, REVIEW]
    out = apply_rules(d, common, same, require_mask=0b11, same_submission_policy="match")
    assert out.tolist() == [MATCH, REVIEW, MATCH, REVIEW]
    assert d.tolist() == [MATCH, MATCH, MATCH, REVIEW]  # input untouched


def test_valley_finds_the_emptiest_bin() -> None:
    rng = np.random.default_rng(1)
    chance = 0.5 + 0.1 * rng.random(5000)
    matches = 0.9 + 0.1 * rng.random(300)
    choice = valley_threshold(np.concatenate([chance, matches]), 0.5)
    assert 0.6 <= choice.match <= 0.9 and choice.review == pytest.approx(choice.match - 0.1)
    assert choice.method == "valley"


def test_classify_pairs_fixed_with_rules() -> None:
    schema = _fixed_schema(require_common=["initials", "birth_year"], same_submission="review")
    full = schema.presence_mask(list(schema.field_names))
    no_year = schema.presence_mask(["initials", "nationality", "sex"])
    recs = _records([full, full, full, no_year], ["s1", "s2", "s2", "s3"])
    pairs = ScoredPairs(np.array([0, 0, 1, 0, 1]), np.array([1, 2, 2, 3, 3]),
                        np.array([0.95, 0.55, 0.9, 0.99, 0.7]))
    d = classify_pairs(pairs, recs, schema)
    # 0.55 is below review and dropped; (1, 2) is one submission; (0, 3) lacks a common birth year
    assert d.pairs.left.tolist() == [0, 1, 0, 1] and d.pairs.right.tolist() == [1, 2, 3, 3]
    assert d.by_score.tolist() == [MATCH, MATCH, MATCH, REVIEW]
    assert d.decision.tolist() == [MATCH, REVIEW, REVIEW, REVIEW]
    assert d.same_submission.tolist() == [False, True, False, False]
    assert d.thresholds.method == "fixed" and d.probability is None
    assert d.is_match.tolist() == [True, False, False, False]
    assert candidate_floor(schema) == 0.6
    assert d.same_submission_policy == "review"


def test_same_submission_rule_is_a_run_choice() -> None:
    schema = _fixed_schema(same_submission="review")
    full = schema.presence_mask(list(schema.field_names))
    pairs = ScoredPairs(np.array([0]), np.array([1]), np.array([0.95]))
    one_source = _records([full, full], ["s1", "s1"], ["police", "police"])
    # a single source: the default (auto) matches pairs inside its file
    assert same_submission_policy(one_source, schema) == "match"
    assert classify_pairs(pairs, one_source, schema).decision.tolist() == [MATCH]
    assert classify_pairs(pairs, one_source, schema, same_submission="review").decision.tolist() == [REVIEW]
    # two reporters: auto keeps the schema's rule, match overrides it
    two = RegistryRecords(
        reporter=np.array(["police", "police", "fairwork"]), record_id=np.array([f"{i:032x}" for i in range(3)]),
        submission_id=np.array(["s1", "s1", "s2"]), presence=np.array([full] * 3, dtype=np.uint16),
        filters=np.zeros((3, 1), np.uint64))
    assert same_submission_policy(two, schema) == "review"
    assert classify_pairs(pairs, two, schema).decision.tolist() == [REVIEW]
    assert classify_pairs(pairs, two, schema, same_submission="match").decision.tolist() == [MATCH]
    with pytest.raises(LinkageError):
        same_submission_policy(two, schema, "sometimes")


def test_classify_pairs_posterior_needs_a_model() -> None:
    schema = linkage.default_schema()
    recs = _records([15, 15], ["a", "b"])
    with pytest.raises(MismatchError):
        classify_pairs(ScoredPairs.empty(), recs, schema)
    with pytest.raises(MismatchError):
        candidate_floor(schema)


def test_classify_pairs_posterior_thresholds_the_probability() -> None:
    from linkage.estimate import default_count_model, evidence_floor

    schema = linkage.default_schema()
    model = default_count_model(schema)
    full = schema.presence_mask(list(schema.field_names))
    recs = _records([full] * 4, ["a", "b", "c", "d"])
    pairs = ScoredPairs(np.array([0, 2]), np.array([1, 3]), np.array([1.0, 0.31]))
    d = classify_pairs(pairs, recs, schema, count_model=model)
    assert d.thresholds.method == "posterior" and d.probability is not None
    assert d.decision.tolist() == [MATCH]  # identical full filters: one person; 0.31: chance, dropped
    assert candidate_floor(schema, model) == evidence_floor(model)


def test_scored_pairs_check_lengths_and_select() -> None:
    with pytest.raises(ValueError):
        ScoredPairs(np.zeros(2, np.int64), np.zeros(1, np.int64), np.zeros(2))
    p = ScoredPairs(np.array([0, 1]), np.array([2, 3]), np.array([0.5, 0.9]))
    assert p.select(np.array([False, True])).as_tuple()[2].tolist() == [0.9]
    assert len(ScoredPairs.concat([p, p])) == 4 and len(ScoredPairs.concat([])) == 0
    assert dataclasses.is_dataclass(p)


def test_every_thresholds_method_is_a_strategy() -> None:
    from linkage.classify import STRATEGIES, threshold_strategy

    assert set(STRATEGIES) == {"fixed", "valley", "posterior"}
    schema = _fixed_schema()
    strategy = threshold_strategy(schema)
    assert strategy.method == "fixed" and strategy.floor(schema, None) == schema.review_threshold
    pairs = ScoredPairs(np.array([0]), np.array([1]), np.array([0.7]))
    strength, choice = strategy.strengths(pairs, _records([1, 1], ["a", "b"]), schema, None, None, None, None)
    assert strength.tolist() == [0.7] and choice.method == "fixed"
