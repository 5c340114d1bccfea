"""Scores -> decisions, and the rules that cap a decision at review."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from linkage.errors import LinkageError

__all__ = ["MATCH", "NON_MATCH", "REVIEW", "apply_rules", "classify_scores"]

NON_MATCH = 0
REVIEW = 1
MATCH = 2


def classify_scores(
    scores: npt.NDArray[np.float64], match_threshold: float, review_threshold: float
) -> npt.NDArray[np.int8]:
    """``MATCH`` where ``score >= match``, ``REVIEW`` where ``review <= score < match``, else ``NON_MATCH``."""
    if not 0.0 < review_threshold <= match_threshold <= 1.0:
        raise LinkageError("thresholds must satisfy 0 < review <= match <= 1")
    s = np.asarray(scores, dtype=np.float64)
    out = np.full(s.shape, NON_MATCH, dtype=np.int8)
    out[s >= review_threshold] = REVIEW
    out[s >= match_threshold] = MATCH
    return out


def apply_rules(
    decision: npt.NDArray[np.int8],
    common_presence: npt.NDArray[np.integer],
    same_submission: npt.NDArray[np.bool_],
    *,
    require_mask: int,
    same_submission_policy: str = "review",
) -> npt.NDArray[np.int8]:
    """Cap decisions at ``REVIEW`` where the evidence cannot support a match on its own.

    - ``require_mask``: fields both records must have (e.g. initials and birth
      year); a pair agreeing only on nationality and sex is never matched
      automatically, however high its score.
    - ``same_submission_policy == "review"``: a pair from one submission is sent
      back to its reporter instead of being merged (a reporter rarely reports one
      person twice in one file).
    """
    out = decision.copy()
    cap = np.zeros(out.shape, dtype=bool)
    if require_mask:
        cap |= (np.asarray(common_presence) & require_mask) != require_mask
    if same_submission_policy == "review":
        cap |= np.asarray(same_submission, dtype=bool)
    out[cap & (out == MATCH)] = REVIEW
    return out
