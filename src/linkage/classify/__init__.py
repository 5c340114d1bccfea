"""Classify: similarity scores -> match / review / non-match.

False positives stigmatise (a wrongly merged person disappears from the count
and a reporter gets questions about someone else), so the match threshold is
conservative and a review band below it sends doubtful pairs back to reporters
instead of deciding them.

One entry point, :func:`classify_pairs`, takes scored pairs and the schema and
returns typed :class:`Decisions`; the thresholds method (``fixed``, ``valley``,
``posterior``) is the schema's choice, the same-submission rule the run's
(:func:`same_submission_policy`: by default pairs inside one submission are
matched when the run holds a single source, sent to review otherwise).
"""

from linkage.classify._decide import (
    SAME_SUBMISSION_CHOICES,
    STRATEGIES,
    Decisions,
    FixedThresholds,
    PosteriorThresholds,
    ThresholdStrategy,
    ValleyThresholds,
    candidate_floor,
    choose_thresholds,
    classify_pairs,
    same_submission_policy,
    threshold_strategy,
)
from linkage.classify._rules import MATCH, NON_MATCH, REVIEW, apply_rules, classify_scores
from linkage.classify._thresholds import ThresholdChoice, fixed_thresholds, valley_threshold

__all__ = [
    "MATCH",
    "SAME_SUBMISSION_CHOICES",
    "STRATEGIES",
    "FixedThresholds",
    "PosteriorThresholds",
    "ThresholdStrategy",
    "ValleyThresholds",
    "NON_MATCH",
    "REVIEW",
    "Decisions",
    "ThresholdChoice",
    "apply_rules",
    "candidate_floor",
    "choose_thresholds",
    "classify_pairs",
    "classify_scores",
    "fixed_thresholds",
    "same_submission_policy",
    "threshold_strategy",
    "valley_threshold",
]
