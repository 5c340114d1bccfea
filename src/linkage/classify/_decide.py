"""Scored pairs -> match / review / non-match, in one place for every thresholds method.

Each method is a :class:`ThresholdStrategy` (:data:`STRATEGIES`):

``fixed``      the schema's Dice thresholds.
``valley``     Dice thresholds chosen from the run's own score histogram, without labels
               (:func:`valley_threshold`).
``posterior``  thresholds on each pair's probability of being one person, from a count
               model (:func:`linkage.estimate.match_probabilities`).

Then the rules (:func:`apply_rules`) cap at review what the evidence cannot decide
on its own: too few shared fields, two records of one submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from linkage.classify._rules import MATCH, REVIEW, apply_rules, classify_scores
from linkage.classify._thresholds import ThresholdChoice, fixed_thresholds, valley_threshold
from linkage.errors import LinkageError, MismatchError
from linkage.estimate import CountModel, PairEvidence, evidence_floor, match_probabilities
from linkage.records import RegistryRecords, ScoredPairs
from linkage.schema import Schema

__all__ = [
    "SAME_SUBMISSION_CHOICES",
    "Decisions",
    "candidate_floor",
    "choose_thresholds",
    "classify_pairs",
    "same_submission_policy",
    "STRATEGIES",
    "FixedThresholds",
    "PosteriorThresholds",
    "ThresholdStrategy",
    "ValleyThresholds",
    "threshold_strategy",
]


@dataclass(frozen=True)
class Decisions:
    """The classified pairs: those at or above the review threshold, with what decided them.

    ``strength`` is what the thresholds were applied to (the Dice score, or the
    match probability under ``posterior``); ``by_score`` the decision from it
    alone; ``decision`` after the rules; ``same_submission`` whether both records
    came in one submission; ``same_submission_policy`` the rule applied to those
    (``match`` or ``review``).
    """

    pairs: ScoredPairs
    strength: npt.NDArray[np.float64]
    by_score: npt.NDArray[np.int8]
    decision: npt.NDArray[np.int8]
    same_submission: npt.NDArray[np.bool_]
    thresholds: ThresholdChoice
    same_submission_policy: str = "review"

    def __len__(self) -> int:
        return len(self.pairs)

    @property
    def probability(self) -> npt.NDArray[np.float64] | None:
        """Each pair's probability of being one person (``posterior`` only)."""
        return self.strength if self.thresholds.method == "posterior" else None

    @property
    def is_match(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.decision == MATCH)

    @property
    def is_review(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.decision == REVIEW)


def _model_for(schema: Schema, count_model: CountModel | None) -> CountModel:
    if count_model is None:
        raise MismatchError("thresholds method 'posterior' needs a count model")
    if evidence_floor(count_model) > 1.0:
        raise LinkageError("the count model identifies no presence stratum; rebuild it with more replicates")
    return count_model


class ThresholdStrategy(Protocol):
    """How a thresholds method turns scored pairs into strengths and thresholds.

    ``floor``: the lowest Dice score a pair needs to be worth classifying;
    ``strengths``: what the thresholds apply to (one per pair) and the
    thresholds chosen. A new method is one class and one entry in
    :data:`STRATEGIES` (and its name in the schema's JSON Schema).
    """

    method: str

    def floor(self, schema: Schema, count_model: CountModel | None) -> float: ...

    def strengths(
        self, pairs: ScoredPairs, records: RegistryRecords, schema: Schema, count_model: CountModel | None,
        weights: npt.NDArray[np.float64] | None, totals: Mapping[int, int] | None, evidence: PairEvidence | None,
    ) -> tuple[npt.NDArray[np.float64], ThresholdChoice]: ...


class FixedThresholds:
    """The schema's Dice thresholds."""

    method = "fixed"

    def floor(self, schema: Schema, count_model: CountModel | None) -> float:
        return schema.review_threshold

    def strengths(
        self, pairs: ScoredPairs, records: RegistryRecords, schema: Schema, count_model: CountModel | None,
        weights: npt.NDArray[np.float64] | None, totals: Mapping[int, int] | None, evidence: PairEvidence | None,
    ) -> tuple[npt.NDArray[np.float64], ThresholdChoice]:
        return (np.asarray(pairs.score, dtype=np.float64),
                fixed_thresholds(schema.match_threshold, schema.review_threshold))


class ValleyThresholds:
    """Dice thresholds chosen from the run's own score histogram, without labels."""

    method = "valley"

    def floor(self, schema: Schema, count_model: CountModel | None) -> float:
        return schema.floor

    def strengths(
        self, pairs: ScoredPairs, records: RegistryRecords, schema: Schema, count_model: CountModel | None,
        weights: npt.NDArray[np.float64] | None, totals: Mapping[int, int] | None, evidence: PairEvidence | None,
    ) -> tuple[npt.NDArray[np.float64], ThresholdChoice]:
        score = np.asarray(pairs.score, dtype=np.float64)
        return score, valley_threshold(score, schema.floor)


class PosteriorThresholds:
    """Thresholds on each pair's probability of being one person, from a count model fitted to the data."""

    method = "posterior"

    def floor(self, schema: Schema, count_model: CountModel | None) -> float:
        # every pair in a high-evidence region is needed to estimate each stratum's true pairs
        return evidence_floor(_model_for(schema, count_model))

    def strengths(
        self, pairs: ScoredPairs, records: RegistryRecords, schema: Schema, count_model: CountModel | None,
        weights: npt.NDArray[np.float64] | None, totals: Mapping[int, int] | None, evidence: PairEvidence | None,
    ) -> tuple[npt.NDArray[np.float64], ThresholdChoice]:
        model = _model_for(schema, count_model)
        prob = match_probabilities(records.presence, pairs, model, weights=weights, totals=totals,
                                   evidence=evidence)
        return prob, ThresholdChoice(schema.match_threshold, schema.review_threshold, "posterior",
                                     {"on": "probability that a pair is one person",
                                      "model_years": list(model.years)})


STRATEGIES: dict[str, ThresholdStrategy] = {
    s.method: s for s in (FixedThresholds(), ValleyThresholds(), PosteriorThresholds())
}


def threshold_strategy(schema: Schema) -> ThresholdStrategy:
    """The strategy of ``schema``'s thresholds method."""
    try:
        return STRATEGIES[schema.threshold_method]
    except KeyError:
        raise LinkageError(f"unknown thresholds method {schema.threshold_method!r}") from None


def candidate_floor(schema: Schema, count_model: CountModel | None = None) -> float:
    """The lowest Dice score a pair needs to be worth classifying under ``schema``.

    Under ``posterior`` it is the model's evidence floor: every pair in a
    high-evidence region is needed to estimate each stratum's true pairs.
    """
    return threshold_strategy(schema).floor(schema, count_model)


def choose_thresholds(score: npt.NDArray[np.float64], schema: Schema) -> ThresholdChoice:
    """The Dice match and review thresholds for a run: the schema's, or chosen without labels (``valley``)."""
    if schema.threshold_method == "valley":
        return valley_threshold(score, schema.floor)
    return fixed_thresholds(schema.match_threshold, schema.review_threshold)


SAME_SUBMISSION_CHOICES = ("auto", "match", "review")


def same_submission_policy(records: RegistryRecords, schema: Schema, choice: str = "auto") -> str:
    """The same-submission rule a run applies: ``match`` or ``review``.

    ``auto`` (the default of a run) follows the schema, except that a run over a
    single source (every record from one reporter) matches pairs inside a
    submission: deduplicating one file is then the job itself, and sending every
    pair back to the reporter that sent them would find nothing.
    """
    if choice not in SAME_SUBMISSION_CHOICES:
        raise LinkageError(f"same-submission rule must be one of {', '.join(SAME_SUBMISSION_CHOICES)}")
    if choice != "auto":
        return choice
    if len(records) and len(np.unique(records.reporter)) == 1:
        return "match"
    return schema.same_submission


def classify_pairs(
    pairs: ScoredPairs,
    records: RegistryRecords,
    schema: Schema,
    *,
    count_model: CountModel | None = None,
    weights: npt.NDArray[np.float64] | None = None,
    totals: Mapping[int, int] | None = None,
    same_submission: str = "auto",
    evidence: PairEvidence | None = None,
) -> Decisions:
    """Classify scored pairs of ``records`` by ``schema``'s thresholds method and rules.

    ``pairs`` must hold every pair scoring at least :func:`candidate_floor` (under
    a blocking: every such pair it compared, with ``weights`` and ``totals`` as
    :func:`linkage.estimate.match_probabilities` takes them; with ``evidence``
    ``pairs`` may be one chunk of a streamed run). Pairs below the
    review threshold are dropped from the result. ``same_submission``
    (``auto``, ``match``, ``review``) is the run's choice of the same-submission
    rule (:func:`same_submission_policy`).
    """
    policy = same_submission_policy(records, schema, same_submission)
    strength, choice = threshold_strategy(schema).strengths(pairs, records, schema, count_model, weights, totals,
                                                            evidence)
    keep = strength >= choice.review
    kept = pairs.select(keep)
    strength = strength[keep]
    by_score = classify_scores(strength, choice.match, choice.review)
    same_sub = np.asarray(records.submission_id[kept.left] == records.submission_id[kept.right], dtype=bool)
    decision = apply_rules(
        by_score,
        records.presence[kept.left] & records.presence[kept.right],
        same_sub,
        require_mask=schema.presence_mask(schema.require_common),
        same_submission_policy=policy,
    )
    return Decisions(kept, strength, by_score, decision, same_sub, choice, policy)
